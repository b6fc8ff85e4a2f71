import type { Config } from '../../config.js';
import { ApnsProvider } from './apns.js';
import { FcmProvider } from './fcm.js';
import type { PushProvider } from './types.js';
import { WebPushProvider } from './web-push.js';

/** The providers the configuration enables: Web Push always (VAPID keys always exist), FCM and APNs when configured. */
export function configuredProviders(config: Config): PushProvider[] {
  const providers: PushProvider[] = [
    new WebPushProvider({ vapid: config.push.vapid, allowInsecureEndpoints: config.push.allowInsecureEndpoints }),
  ];
  if (config.fcm) providers.push(new FcmProvider({ serviceAccount: config.fcm.serviceAccount, endpoint: config.fcm.endpoint }));
  if (config.apns) {
    const { key, keyId, teamId, topic, endpoint } = config.apns;
    providers.push(new ApnsProvider({ key, keyId, teamId, topic, endpoint }));
  }
  return providers;
}
