import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import webpush from 'web-push';
import { ConfigError, loadConfig } from '../../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'saju-push-config-'));
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const account = {
  type: 'service_account',
  project_id: 'saju-dating',
  private_key_id: 'abc123',
  private_key: rsaPem,
  client_email: 'push@saju-dating.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const accountFile = join(dir, 'service-account.json');
writeFileSync(accountFile, JSON.stringify(account));
const keyFile = join(dir, 'AuthKey_ABC123DEFG.p8');
writeFileSync(keyFile, p8);
const apnsEnv = { APNS_KEY_FILE: keyFile, APNS_KEY_ID: 'ABC123DEFG', APNS_TEAM_ID: 'DEF123GHIJ', APNS_TOPIC: 'kr.saju.dating' };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ DATA_DIR: dir, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(Object.keys(env))}`);
}

describe('push provider settings (FCM, APNs)', () => {
  it('neither provider without settings', () => {
    const config = loadConfig({ DATA_DIR: dir });
    assert.equal(config.fcm, undefined);
    assert.equal(config.apns, undefined);
  });

  it('reads the FCM service account from a file or inline JSON, with the default endpoint', () => {
    const expected = {
      serviceAccount: { projectId: 'saju-dating', clientEmail: account.client_email, privateKey: rsaPem, privateKeyId: 'abc123', tokenUri: account.token_uri },
      endpoint: 'https://fcm.googleapis.com',
    };
    assert.deepEqual(loadConfig({ DATA_DIR: dir, FCM_SERVICE_ACCOUNT_FILE: accountFile }).fcm, expected);
    const inline = loadConfig({ DATA_DIR: dir, FCM_SERVICE_ACCOUNT_JSON: JSON.stringify(account), FCM_ENDPOINT: 'http://127.0.0.1:9099' });
    assert.deepEqual(inline.fcm, { ...expected, endpoint: 'http://127.0.0.1:9099' });
    assert.ok(Object.isFrozen(inline.fcm) && Object.isFrozen(inline.fcm!.serviceAccount));
  });

  it('reads the APNs key from a file or inline (one line with \\n), with the default endpoint', () => {
    const fromFile = loadConfig({ DATA_DIR: dir, ...apnsEnv }).apns;
    assert.deepEqual(fromFile, { key: p8, keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', topic: 'kr.saju.dating', endpoint: 'https://api.push.apple.com' });
    const { APNS_KEY_FILE: _, ...rest } = apnsEnv;
    const inline = loadConfig({ DATA_DIR: dir, ...rest, APNS_KEY: p8.replace(/\n/g, '\\n'), APNS_ENDPOINT: 'https://api.sandbox.push.apple.com' }).apns;
    assert.equal(inline!.key, p8);
    assert.equal(inline!.endpoint, 'https://api.sandbox.push.apple.com');
  });

  it('refuses half-configured providers, naming what is missing', () => {
    assert.match(refusal({ APNS_KEY_FILE: keyFile, APNS_TOPIC: 'kr.saju.dating' }), /APNs is half configured: APNS_KEY_ID, APNS_TEAM_ID missing/);
    assert.match(refusal({ APNS_KEY_ID: 'ABC123DEFG', APNS_TEAM_ID: 'DEF123GHIJ', APNS_TOPIC: 'x' }), /APNS_KEY_FILE \(or APNS_KEY\) missing/);
    assert.match(refusal({ ...apnsEnv, APNS_KEY: p8 }), /APNS_KEY_FILE, APNS_KEY: set one, not both/);
    assert.match(refusal({ FCM_SERVICE_ACCOUNT_FILE: accountFile, FCM_SERVICE_ACCOUNT_JSON: '{}' }), /set one, not both/);
  });

  it('refuses unreadable, malformed or wrong-kind keys and accounts', () => {
    assert.match(refusal({ FCM_SERVICE_ACCOUNT_FILE: join(dir, 'missing.json') }), /FCM_SERVICE_ACCOUNT_FILE: cannot read .*missing\.json \(ENOENT\)/);
    assert.match(refusal({ FCM_SERVICE_ACCOUNT_JSON: 'project_id=x' }), /FCM_SERVICE_ACCOUNT_JSON: not JSON/);
    assert.match(refusal({ FCM_SERVICE_ACCOUNT_JSON: JSON.stringify({ ...account, client_email: undefined }) }), /not a service account key \(client_email:/);
    assert.match(refusal({ FCM_SERVICE_ACCOUNT_JSON: JSON.stringify({ ...account, private_key: p8 }) }), /private_key is not an RSA private key/);
    for (const tokenUri of ['not a url', 'https://oauth2.googleapis.com/ token', 'https://']) {
      assert.match(refusal({ FCM_SERVICE_ACCOUNT_JSON: JSON.stringify({ ...account, token_uri: tokenUri }) }), /not a service account key \(token_uri: expected a URL\)/, tokenUri);
    }
    assert.match(refusal({ ...apnsEnv, APNS_KEY_FILE: accountFile }), /APNS_KEY_FILE: not a P-256 private key/);
    const { APNS_KEY_FILE: _, ...rest } = apnsEnv;
    assert.match(refusal({ ...rest, APNS_KEY: p384 }), /APNS_KEY: not a P-256 private key/);
    assert.match(refusal({ ...apnsEnv, APNS_KEY_ID: 'abc' }), /APNS_KEY_ID: expected the 10-character key id/);
    assert.match(refusal({ ...apnsEnv, APNS_ENDPOINT: 'not a url' }), /APNS_ENDPOINT/);
  });

  it('in production the endpoints must be https', () => {
    // Complete otherwise (JWT secret, VAPID keys), so that only the endpoint is refused.
    const vapid = webpush.generateVAPIDKeys();
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@saju-dating.example' };
    assert.equal(loadConfig({ DATA_DIR: dir, ...prod, ...apnsEnv }).apns?.endpoint, 'https://api.push.apple.com');
    assert.match(refusal({ ...prod, ...apnsEnv, APNS_ENDPOINT: 'http://127.0.0.1:8443' }), /APNS_ENDPOINT: must be an https URL when NODE_ENV=production/);
    assert.match(refusal({ ...prod, FCM_SERVICE_ACCOUNT_FILE: accountFile, FCM_ENDPOINT: 'http://127.0.0.1:9099' }), /FCM_ENDPOINT: must be an https URL/);
  });
});
