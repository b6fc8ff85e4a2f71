// The local push services of `npm run bench -- push`, in a process of their own (pinned to the
// other core), so that their work — TLS, HTTP/2, and the Web Push fake's RFC 8291 decryption of
// every push — is not counted as the sender's. Writes what a sender needs (endpoints, keys, CA)
// as JSON to PUSH_FAKES_OUT, then prints LISTENING.
import { writeFileSync } from 'node:fs';
import { createApnsFake } from '../test/helpers/push-fakes/apns.js';
import { createFcmFake } from '../test/helpers/push-fakes/fcm.js';
import { createWebPushFake } from '../test/helpers/push-fakes/web-push.js';

const [fcm, apns, web] = await Promise.all([createFcmFake({ tls: true }), createApnsFake(), createWebPushFake()]);
// The fakes keep what they received for the tests' assertions; a benchmark only counts it.
const forget = () => {
  fcm.messages.length = 0;
  apns.notifications.length = 0;
  web.received.length = 0;
};
setInterval(forget, 1000).unref();
const subscriptions = Array.from({ length: Number(process.env.PUSH_FAKES_SUBSCRIPTIONS ?? 200) }, () => web.createSubscription());
writeFileSync(
  process.env.PUSH_FAKES_OUT!,
  JSON.stringify({
    fcm: { endpoint: fcm.endpoint, ca: fcm.ca, serviceAccount: fcm.serviceAccount },
    apns: { endpoint: apns.endpoint, ca: apns.ca, key: apns.key, keyId: apns.keyId, teamId: apns.teamId, topic: apns.topic },
    web: { origin: web.origin, ca: web.ca, subscriptions },
  }),
);
process.on('SIGTERM', () => {
  const violations = [...fcm.violations, ...apns.violations, ...web.violations];
  if (violations.length > 0) console.error(`push fakes: ${violations.length} violations, first: ${violations[0]}`);
  void Promise.all([fcm.close(), apns.close(), web.close()]).then(() => process.exit(0));
});
console.log('LISTENING');
