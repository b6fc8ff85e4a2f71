import type { Device } from './device.js';
import type { Ledger } from './ledger.js';

export interface StoredRow {
  id: number;
  chat_id: number;
  sender_id: number;
  content: string;
  client_msg_id: string | null;
}

export interface ChatListEntry {
  chat_id: number;
  unread_count: number;
  last_message: { message_id: number } | null;
}

export interface Report {
  lines: string[];
  failures: string[];
}

/**
 * Compares the database, every device's holdings and every user's chat list with the ledger.
 * Each count that must be zero and is not becomes a failure.
 */
export function verify(
  ledger: Ledger,
  rows: StoredRow[],
  devices: Device[],
  chatLists: Map<number, ChatListEntry[]>,
  chats: Map<number, [number, number]>,
  target: number,
): Report {
  const failures: string[] = [];
  const must = (count: number, what: string) => {
    if (count !== 0) failures.push(`${count} ${what}`);
  };
  const lines: string[] = [];
  const messages = [...ledger.messages.values()];

  // --- the database against the acknowledgements
  const acked = messages.filter((m) => m.ackedIds.size > 0);
  const refused = messages.filter((m) => m.refused !== null);
  const unacked = messages.length - acked.length - refused.length;
  const ackConflicts = messages.filter((m) => m.ackedIds.size > 1).length;
  const byContent = new Map<string, StoredRow[]>();
  for (const r of rows) byContent.set(r.content, [...(byContent.get(r.content) ?? []), r]);
  let duplicates = 0;
  for (const list of byContent.values()) duplicates += list.length - 1;
  const byId = new Map(rows.map((r) => [r.id, r]));
  let lost = 0;
  let ackMismatch = 0;
  for (const m of acked) {
    const stored = byContent.get(m.content) ?? [];
    if (stored.length === 0) lost++;
    for (const id of m.ackedIds) {
      const row = byId.get(id);
      if (!row || row.content !== m.content || row.chat_id !== m.chatId || row.sender_id !== m.senderId || row.client_msg_id !== m.key) ackMismatch++;
    }
  }
  const ours = new Set(messages.map((m) => m.content));
  const unexpected = rows.filter((r) => !ours.has(r.content)).length;
  const attempts = messages.reduce((n, m) => n + m.attempts, 0);
  lines.push(
    `sent ${messages.length} (send attempts ${attempts}, retries ${ledger.retries}, REST attempts ${ledger.restSends}, ` +
      `no answer or transient error ${ledger.transientErrors}); acked ${acked.length}; unacked ${unacked}; refused ${refused.length}`,
    `stored ${rows.length}; duplicates ${duplicates}; lost (acked, not stored) ${lost}; acks naming another row ${ackMismatch}; ` +
      `keys acked with two ids ${ackConflicts}; rows nobody sent ${unexpected}`,
  );
  if (messages.length < target) failures.push(`only ${messages.length} of ${target} messages sent`);
  must(unacked, 'messages never acknowledged');
  must(refused.length, `messages refused (${refused[0]?.refused ?? ''})`);
  must(duplicates, 'duplicate rows in the database');
  must(lost, 'acknowledged messages missing from the database');
  must(ackMismatch, 'acknowledgements naming another row');
  must(ackConflicts, 'messages acknowledged with two different ids');
  must(unexpected, 'stored rows nobody sent');

  // --- every device against the database
  const rowsByChat = new Map<number, number[]>();
  for (const r of [...rows].sort((a, b) => a.id - b.id)) rowsByChat.set(r.chat_id, [...(rowsByChat.get(r.chat_id) ?? []), r.id]);
  let expected = 0;
  let held = 0;
  let clientLost = 0;
  let clientPhantom = 0;
  let clientDuplicates = 0;
  let outOfOrder = 0;
  // When the misses happened: seconds since the traffic began → count (to match with the faults).
  const missedAt = new Map<number, number>();
  const byText = new Map(messages.map((m) => [m.content, m]));
  for (const device of devices) {
    for (const [chatId, holding] of device.holdings) {
      const truth = rowsByChat.get(chatId) ?? [];
      expected += truth.length;
      held += holding.ids.length;
      for (const id of truth) {
        if (holding.seen.has(id)) continue;
        clientLost++;
        const second = Math.floor((byText.get(byId.get(id)!.content)?.createdAt ?? -1000) / 1000);
        missedAt.set(second, (missedAt.get(second) ?? 0) + 1);
      }
      const texts = new Set<string>();
      holding.ids.forEach((id, i) => {
        const row = byId.get(id);
        if (!row || row.chat_id !== chatId) clientPhantom++;
        else if (texts.has(row.content)) clientDuplicates++;
        else texts.add(row.content);
        if (i > 0 && id < holding.ids[i - 1]!) {
          outOfOrder++;
          const second = Math.floor((row ? byText.get(row.content)?.createdAt ?? -1000 : -1000) / 1000);
          missedAt.set(second, (missedAt.get(second) ?? 0) + 1);
        }
      });
    }
  }
  const sum = (f: (d: Device) => number) => devices.reduce((n, d) => n + f(d), 0);
  lines.push(
    `clients: ${devices.length} devices should hold ${expected} messages, hold ${held}; lost ${clientLost}; duplicates ${clientDuplicates}; ` +
      `out of order ${outOfOrder}; not in the database ${clientPhantom}`,
    `clients: connects ${sum((d) => d.stats.connects)}; socket pushes ${sum((d) => d.stats.socketDeliveries)} ` +
      `(same id twice on one connection ${sum((d) => d.stats.wireRepeats)}; already held, dropped by id ${sum((d) => d.stats.redundant)}); ` +
      `catch-up requests ${sum((d) => d.stats.catchUpRequests)} (retried ${sum((d) => d.stats.catchUpRetries)}) bringing ${sum((d) => d.stats.catchUpMessages)} messages`,
  );
  if (missedAt.size > 0) {
    const when = [...missedAt].sort((a, b) => a[0] - b[0]).map(([s, n]) => `+${s}s: ${n}`);
    lines.push(`clients: missing or out of order, by when the message was created: ${when.join(', ')}`);
  }
  must(clientLost, 'messages missing on clients');
  must(clientDuplicates, 'messages held twice on clients');
  must(outOfOrder, 'messages out of id order on clients');
  must(clientPhantom, 'messages on clients that are not in the database');
  must(sum((d) => d.stats.foreignChat), "pushes of other people's chats");
  const errors = devices.flatMap((d) => d.errors);
  must(errors.length, `unexpected answers (first: ${errors[0] ?? ''})`);

  // --- unread counts and last messages against the model
  const ackedId = (m: (typeof messages)[number]) => Math.min(...m.ackedIds);
  let checked = 0;
  let wrongUnread = 0;
  let wrongLast = 0;
  for (const [userId, list] of chatLists) {
    const listed = new Map(list.map((c) => [c.chat_id, c]));
    for (const [chatId, members] of chats) {
      if (!members.includes(userId)) continue;
      checked++;
      const partner = members[0] === userId ? members[1] : members[0];
      const mark = ledger.readMarks.get(`${userId}:${chatId}`) ?? 0;
      const unread = acked.filter((m) => m.chatId === chatId && m.senderId === partner && ackedId(m) > mark).length;
      const entry = listed.get(chatId);
      if (entry?.unread_count !== unread) wrongUnread++;
      const newest = rowsByChat.get(chatId)?.at(-1) ?? null;
      if ((entry?.last_message?.message_id ?? null) !== newest) wrongLast++;
    }
  }
  lines.push(`unread counts: ${checked} (user, chat) pairs checked, ${wrongUnread} wrong; last_message wrong ${wrongLast}; read marks confirmed ${ledger.readMarks.size}`);
  lines.push(
    `COUNTS sent ${messages.length}, acked ${acked.length}, stored ${rows.length}, duplicates ${duplicates + clientDuplicates} ` +
      `(database ${duplicates}, clients ${clientDuplicates}), lost ${lost + clientLost} (database ${lost}, clients ${clientLost}), ` +
      `out of order ${outOfOrder}, unacked ${unacked}, wrong unread counts ${wrongUnread}`,
  );
  must(wrongUnread, 'wrong unread counts');
  must(wrongLast, 'wrong last messages in chat lists');
  return { lines, failures };
}
