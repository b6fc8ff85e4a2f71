/**
 * What every push provider (Web Push, FCM HTTP v1, APNs token-based HTTP/2) implements. The outbox
 * worker picks the provider by the device's platform, calls `send`, and acts on the outcome:
 * `delivered` ends the item, `gone` (the provider answered 404/410 or "unregistered") removes the
 * device, `retry` schedules another attempt with exponential backoff (honouring `retryAfterSeconds`
 * when the provider sent one), `rejected` is a permanent failure for this message only (bad
 * payload, auth misconfiguration) that is logged and not retried.
 */
export type PushPlatform = 'web' | 'fcm' | 'apns';

export type PushKind = 'match_requested' | 'match_accepted' | 'new_message' | 'daily_picks';

/** One notification, already rendered in Korean, as every provider receives it. */
export interface PushMessage {
  kind: PushKind;
  /** Title and body shown on the lock screen (Korean). */
  title: string;
  body: string;
  /** The JSON `data` object the app routes on: `{ type, ...ids }`, every value a string (FCM's rule). */
  data: Record<string, string>;
  /** Provider-side coalescing key (e.g. `chat:42`): Web Push `Topic`, FCM `collapse_key`, APNs `apns-collapse-id`. */
  collapseKey?: string;
  /** How long the provider may hold the message for an offline device. */
  ttlSeconds: number;
  /** Stable id of this (notification, device) delivery: APNs `apns-id` (a UUID) and the dedupe key. */
  deliveryId: string;
}

/** Where one device is reached. */
export type PushTarget =
  | { platform: 'web'; endpoint: string; keys: { p256dh: string; auth: string } }
  | { platform: 'fcm'; token: string }
  | { platform: 'apns'; token: string };

export type SendOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'gone'; status: number }
  | { outcome: 'retry'; error: string; retryAfterSeconds?: number }
  | { outcome: 'rejected'; error: string };

export interface PushProvider {
  readonly platform: PushPlatform;
  send(target: PushTarget, message: PushMessage): Promise<SendOutcome>;
  /** Closes pooled connections (HTTP/2 sessions). */
  close(): Promise<void>;
}
