import type { Migration } from 'kysely';
import * as m0001 from './0001-seed-schema.js';
import * as m0002 from './0002-profiles-and-sessions.js';
import * as m0003 from './0003-blocks-and-reports.js';
import * as m0004 from './0004-matching.js';
import * as m0005 from './0005-chat.js';
import * as m0006 from './0006-daily-set-function.js';
import * as m0007 from './0007-longer-report-reasons.js';
import * as m0008 from './0008-moderation.js';
import * as m0009 from './0009-feature-sql-files.js';
import * as m0010 from './0010-unmatch-and-discovery.js';
import * as m0011 from './0011-devices.js';
import * as m0012 from './0012-chat-append-account-status.js';
import * as m0013 from './0013-push-outbox.js';
import * as m0014 from './0014-rare-acceptance-index.js';
import * as m0015 from './0015-daily-set-generic-plan.js';

/**
 * Every migration, in order. Listed statically (not read from the file system) so that the same
 * list serves tsx, the compiled build and tests. Names sort in application order.
 */
export const migrations: Record<string, Migration> = {
  '0001-seed-schema': m0001,
  '0002-profiles-and-sessions': m0002,
  '0003-blocks-and-reports': m0003,
  '0004-matching': m0004,
  '0005-chat': m0005,
  '0006-daily-set-function': m0006,
  '0007-longer-report-reasons': m0007,
  '0008-moderation': m0008,
  '0009-feature-sql-files': m0009,
  '0010-unmatch-and-discovery': m0010,
  '0011-devices': m0011,
  '0012-chat-append-account-status': m0012,
  '0013-push-outbox': m0013,
  '0014-rare-acceptance-index': m0014,
  '0015-daily-set-generic-plan': m0015,
};
