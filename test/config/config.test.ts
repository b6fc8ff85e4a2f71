import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'saju-config-'));

describe('loadConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.refreshTokenTtlSeconds, 14 * 86400);
    assert.equal(config.refreshReuseGraceSeconds, 10);
    assert.equal(config.minAgeYears, 19);
    assert.equal(config.matchRequestsPerDay, 30);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('parses durations in s, m, h and d', () => {
    const config = loadConfig({ DATA_DIR: tempDir(), ACCESS_TOKEN_TTL: '2h', REFRESH_TOKEN_TTL: '30d' });
    assert.equal(config.accessTokenTtlSeconds, 7200);
    assert.equal(config.refreshTokenTtlSeconds, 30 * 86400);
  });

  it('names the variable of a bad value', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['ACCESS_TOKEN_TTL', 'soon'],
      ['DATABASE_URL', 'not a url'],
      ['MIN_AGE_YEARS', '-1'],
      ['LOG_LEVEL', 'loud'],
      ['JWT_SECRET', 'short'],
    ]) {
      assert.throws(
        () => loadConfig({ DATA_DIR: tempDir(), [name!]: value! }),
        (err: Error) => err instanceof ConfigError && err.message.includes(name!),
        `${name}=${value}`,
      );
    }
  });

  it('requires JWT_SECRET in production and never falls back to a fixed one', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() }), /JWT_SECRET/);
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    assert.equal(first.jwtSecret, second.jwtSecret, 'kept in the data dir across restarts');
    assert.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim(), first.jwtSecret);
    assert.notEqual(loadConfig({ DATA_DIR: tempDir() }).jwtSecret, first.jwtSecret, 'each data dir its own secret');
  });

  it('stops the server process with a message naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: tempDir(), DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /PORT/);
  });
});
