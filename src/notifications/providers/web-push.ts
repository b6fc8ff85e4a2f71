import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import webpush from 'web-push';
import type { VapidKeys } from '../../config.js';
import { endpointProblem, publicLookup } from '../endpoint-safety.js';
import { retryAfterSeconds } from './retry-after.js';
import { VapidTokens } from './vapid-tokens.js';
import type { PushMessage, PushProvider, PushTarget, SendOutcome } from './types.js';

export interface WebPushProviderOptions {
  vapid: VapidKeys;
  /** PUSH_ALLOW_INSECURE_ENDPOINTS (tests): http endpoints and any address. */
  allowInsecureEndpoints: boolean;
  requestTimeoutMs?: number;
  now?: () => number;
  /** The clock of the VAPID tokens' expiry and renewal (tests move it); default Date.now. */
  vapidClock?: () => number;
}

/** RFC 8030 §5.4: a Topic is at most 32 base64url characters. */
function topicOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

/**
 * Web Push (RFC 8030) with the payload encrypted per RFC 8291 (aes128gcm) and a VAPID (RFC 8292)
 * signature, both made by the maintained `web-push` library (`generateRequestDetails`,
 * `getVapidHeaders`; the VAPID token is reused per push service, vapid-tokens.ts). The
 * request itself goes out through our own agent, whose DNS lookup refuses non-public addresses on
 * the connection it is about to make (endpoint-safety.ts), so a subscription cannot point the
 * server into its own network, not even by changing its DNS after registration.
 *
 * Outcomes: 2xx delivered; 404/410 gone (the subscription expired or was revoked); 429 and 5xx,
 * timeouts and network errors retry (with the service's Retry-After); other 4xx rejected.
 */
export class WebPushProvider implements PushProvider {
  readonly platform = 'web' as const;
  private readonly https: HttpsAgent;
  private readonly http: HttpAgent | null;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly vapidTokens: VapidTokens;

  constructor(private readonly options: WebPushProviderOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.vapidTokens = new VapidTokens(options.vapid, options.vapidClock);
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 50, ...(options.allowInsecureEndpoints ? {} : { lookup: publicLookup }) });
    this.http = options.allowInsecureEndpoints ? new HttpAgent({ keepAlive: true, maxSockets: 50 }) : null;
  }

  async send(target: PushTarget, message: PushMessage): Promise<SendOutcome> {
    if (target.platform !== 'web') return { outcome: 'rejected', error: `not a web push target: ${target.platform}` };
    const problem = endpointProblem(target.endpoint, this.options.allowInsecureEndpoints);
    if (problem) return { outcome: 'rejected', error: `endpoint ${problem}` };
    const payload = JSON.stringify({ title: message.title, body: message.body, data: message.data });
    let details: webpush.RequestDetails;
    try {
      details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, payload, {
        TTL: Math.max(0, Math.floor(message.ttlSeconds)),
        contentEncoding: 'aes128gcm',
        urgency: message.kind === 'daily_picks' ? 'normal' : 'high',
        topic: topicOf(message.collapseKey ?? message.deliveryId),
      });
      // No vapidDetails above (and no global setVapidDetails): the library signs nothing; the
      // token, signed once per push service for hours, goes here.
      details.headers.Authorization = this.vapidTokens.authorization(target.endpoint);
    } catch (err) {
      // Keys the library cannot use (registration checks them, so only a stored row gone bad).
      return { outcome: 'rejected', error: `cannot encrypt for this subscription: ${(err as Error).message}` };
    }
    let response: { status: number; retryAfter: string | undefined };
    try {
      response = await this.post(details);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPUSHPRIVATE') return { outcome: 'rejected', error: (err as Error).message };
      return { outcome: 'retry', error: `push service unreachable: ${code ?? (err as Error).message}` };
    }
    const { status } = response;
    if (status >= 200 && status < 300) return { outcome: 'delivered' };
    if (status === 404 || status === 410) return { outcome: 'gone', status };
    if (status === 429 || status >= 500) {
      const after = retryAfterSeconds(response.retryAfter, this.now());
      return { outcome: 'retry', error: `push service answered ${status}`, ...(after === undefined ? {} : { retryAfterSeconds: after }) };
    }
    return { outcome: 'rejected', error: `push service answered ${status}` };
  }

  private post(details: webpush.RequestDetails): Promise<{ status: number; retryAfter: string | undefined }> {
    const url = new URL(details.endpoint);
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const agent = secure ? this.https : this.http;
    if (!agent) return Promise.reject(new Error('http endpoints are not allowed'));
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        { method: 'POST', headers: details.headers as Record<string, string>, agent, timeout: this.timeoutMs },
        (res: IncomingMessage) => {
          res.resume(); // the body is of no use; read it so the socket returns to the pool
          res.on('end', () => {
            const header = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(header) ? header[0] : header });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('push service timed out')));
      req.on('error', reject);
      req.end(details.body ?? undefined);
    });
  }

  async close(): Promise<void> {
    this.https.destroy();
    this.http?.destroy();
  }
}
