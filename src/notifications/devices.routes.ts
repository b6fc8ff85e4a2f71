import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id, Nullable, Timestamp } from '../lib/schemas.js';
import type { DeviceCaller, DevicesService } from './devices.service.js';

const Platform = Type.Union([Type.Literal('web'), Type.Literal('fcm'), Type.Literal('apns')]);

const Subscription = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048, description: 'The push service URL (https)' }),
    expirationTime: Type.Optional(Nullable(Type.Number({ description: 'As the browser gives it; not used' }))),
    keys: Type.Object(
      {
        p256dh: Type.String({ maxLength: 256, description: "The browser's P-256 public key, base64url (65 bytes)" }),
        auth: Type.String({ maxLength: 64, description: 'The 16-byte auth secret, base64url' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'A W3C Push API subscription, as PushSubscription.toJSON() gives it' },
);

const Registration = Type.Object(
  {
    platform: Platform,
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'The FCM registration token or APNs device token (fcm, apns)' })),
    subscription: Type.Optional(Subscription),
  },
  { additionalProperties: false },
);

const Device = Type.Object({
  device_id: Id,
  platform: Platform,
  created_at: Timestamp,
  current: Type.Boolean({ description: 'Registered by the session of the access token used for this call' }),
});

const DeviceId = Type.Object({ device_id: Id });

function deviceCaller(req: FastifyRequest): DeviceCaller {
  const caller = callerOf(req);
  return { userId: caller.userId, sessionId: caller.sessionId };
}

/** Push devices of the caller's sessions, and the VAPID key web clients subscribe with. */
export function devicesRoutes(devices: DevicesService, vapidPublicKey: string, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/api/devices', {
      onRequest: authenticate,
      schema: {
        operationId: 'registerDevice',
        tags: ['notifications'],
        summary: "Register this session's device for push",
        description:
          '`platform` `fcm` or `apns` with the provider `token`, or `web` with a Push API `subscription` (endpoint `https` on ' +
          'a public address). The same token or endpoint again answers `200` with the same `device_id` (and moves it to the ' +
          'calling session). Logging out the session removes its devices. At most 60 registrations per hour.',
        security: bearer,
        body: Registration,
        response: { 200: DeviceId, 201: DeviceId, ...errors(400, 401, 429) },
      },
      handler: async (req, reply) => {
        const { device_id, created } = await devices.register(deviceCaller(req), req.body);
        return reply.code(created ? 201 : 200).send({ device_id });
      },
    });

    app.get('/api/devices', {
      onRequest: authenticate,
      schema: {
        operationId: 'listDevices',
        tags: ['notifications'],
        summary: 'My push devices (all sessions), oldest first',
        description: 'Every device of the account, whichever session registered it; `current` marks those of the calling session.',
        security: bearer,
        response: { 200: Type.Array(Device), ...errors(401) },
      },
      handler: async (req) => devices.list(deviceCaller(req)),
    });

    app.delete('/api/devices/:device_id', {
      onRequest: authenticate,
      schema: {
        operationId: 'deleteDevice',
        tags: ['notifications'],
        summary: 'Stop pushes to one of my devices',
        description: "`404` for another user's device or an unknown one.",
        security: bearer,
        params: Type.Object({ device_id: Id }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 404) },
      },
      handler: async (req, reply) => {
        await devices.remove(deviceCaller(req), req.params.device_id);
        return reply.code(204).send(null);
      },
    });

    app.get('/api/push/vapid-public-key', {
      schema: {
        operationId: 'getVapidPublicKey',
        tags: ['notifications'],
        summary: 'The VAPID public key for Web Push subscriptions',
        description: 'Public (no token). Pass `key` as `applicationServerKey` to `PushManager.subscribe()`.',
        security: [],
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ key: Type.String({ description: 'base64url, the uncompressed P-256 point' }) }), 400: Type.Ref('Error') },
      },
      handler: async () => ({ key: vapidPublicKey }),
    });
  };
}
