import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, DevicePlatform } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

/** A user keeps at most this many devices; registering one more drops their oldest. */
export const DEVICES_PER_USER = 20;

export interface DeviceDraft {
  userId: number;
  sessionId: number;
  platform: DevicePlatform;
  /** The FCM/APNs token or the Web Push endpoint. */
  token: string;
  p256dh: string | null;
  auth: string | null;
}

/**
 * Registers a push address for the caller's session, in one transaction: the same address held by
 * another account is taken from it (it reaches this phone now), the caller's own registration of
 * it is kept (same id; it moves to this session and takes the new keys), and beyond
 * DEVICES_PER_USER the caller's oldest device goes.
 */
export async function registerDevice(trx: Transaction<Database>, d: DeviceDraft): Promise<{ id: number; created: boolean }> {
  await trx
    .deleteFrom('devices')
    .where('platform', '=', d.platform)
    .where('token', '=', d.token)
    .where('user_id', '<>', d.userId)
    .execute();
  const row = await trx
    .insertInto('devices')
    .values({ user_id: d.userId, session_id: d.sessionId, platform: d.platform, token: d.token, p256dh: d.p256dh, auth: d.auth })
    .onConflict((oc) =>
      oc.constraint('devices_platform_token_key').doUpdateSet({
        session_id: d.sessionId,
        p256dh: d.p256dh,
        auth: d.auth,
      }),
    )
    // xmax is 0 on a freshly inserted row version and set on one the conflict branch updated.
    .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
    .executeTakeFirstOrThrow();
  if (row.created) {
    await trx
      .deleteFrom('devices')
      .where('user_id', '=', d.userId)
      .where(
        'id',
        'not in',
        trx.selectFrom('devices').select('id').where('user_id', '=', d.userId).orderBy('id', 'desc').limit(DEVICES_PER_USER),
      )
      .execute();
  }
  return row;
}

export interface DeviceListRow {
  id: number;
  session_id: number;
  platform: DevicePlatform;
  created_at: Date;
}

/** The user's devices over all sessions, oldest first. */
export async function listDevices(db: Executor, userId: number): Promise<DeviceListRow[]> {
  return db
    .selectFrom('devices')
    .select(['id', 'session_id', 'platform', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Deletes one of the user's devices; false when the user has no such device. */
export async function deleteOwnDevice(db: Executor, userId: number, deviceId: number): Promise<boolean> {
  const result = await db.deleteFrom('devices').where('id', '=', deviceId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A device whose push service answered that it is gone (404/410). */
export async function deleteDevice(db: Executor, deviceId: number): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', deviceId).execute();
}
