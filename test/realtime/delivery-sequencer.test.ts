import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliverySequencer, type Sequenced } from '../../src/realtime/delivery-sequencer.js';

const msg = (id: number, prevId: number | null, chatId = 1, prevRecent = true): Sequenced => ({ id, chatId, prevId, prevRecent });

function sequencer(waitMs = 100) {
  const out: number[] = [];
  const s = new DeliverySequencer<Sequenced>((m) => out.push(m.id), { waitMs, idleMs: 60_000 });
  return { s, out };
}

describe('DeliverySequencer', () => {
  it('delivers in order as they come', () => {
    const { s, out } = sequencer();
    [msg(1, null), msg(2, 1), msg(5, 2), msg(9, 5)].forEach((m) => s.accept(m));
    assert.deepEqual(out, [1, 2, 5, 9]);
    s.close();
  });

  it('holds a message until its predecessor (stored by another process) arrives', () => {
    const { s, out } = sequencer();
    s.accept(msg(1, null));
    s.accept(msg(7, 4)); // 4 is still on its way
    s.accept(msg(9, 7));
    assert.deepEqual(out, [1]);
    assert.equal(s.held, 2);
    s.accept(msg(4, 1));
    assert.deepEqual(out, [1, 4, 7, 9]);
    assert.equal(s.held, 0);
    s.close();
  });

  it('keeps chats independent', () => {
    const { s, out } = sequencer();
    s.accept(msg(1, null, 1));
    s.accept(msg(3, 2, 1));
    s.accept(msg(4, null, 2));
    assert.deepEqual(out, [1, 4]);
    s.accept(msg(2, 1, 1));
    assert.deepEqual(out, [1, 4, 2, 3]);
    s.close();
  });

  it('delivers at once when the predecessor is old (settled before this process saw the chat)', () => {
    const { s, out } = sequencer();
    s.accept(msg(50, 10, 3, false));
    s.accept(msg(51, 50, 3));
    assert.deepEqual(out, [50, 51]);
    s.close();
  });

  it('gives up on a lost predecessor after waitMs and releases in id order', async () => {
    const { s, out } = sequencer(50);
    s.accept(msg(1, null));
    s.accept(msg(6, 5));
    s.accept(msg(3, 2)); // 2 never comes
    s.accept(msg(5, 3));
    assert.deepEqual(out, [1]);
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(out, [1, 3, 5, 6]);
    s.accept(msg(2, 1)); // late: still delivered, never dropped
    s.accept(msg(7, 6));
    assert.deepEqual(out, [1, 3, 5, 6, 2, 7]);
    s.close();
  });

  describe('with the database to fill gaps', () => {
    /** A sequencer whose fill reads from `stored` (a chat's messages, by id), recording each read. */
    function filling(stored: Sequenced[], options: { failures?: number; waitMs?: number } = {}) {
      const out: number[] = [];
      const reads: Array<[number, number]> = [];
      let failures = options.failures ?? 0;
      const fill = async (chatId: number, afterId: number, beforeId: number) => {
        reads.push([afterId, beforeId]);
        if (failures-- > 0) throw new Error('database down');
        return stored.filter((m) => m.chatId === chatId && m.id > afterId && m.id < beforeId).sort((a, b) => a.id - b.id);
      };
      const s = new DeliverySequencer<Sequenced>((m) => out.push(m.id), { waitMs: options.waitMs ?? 30, idleMs: 60_000, fillAttempts: 3 }, fill);
      return { s, out, reads };
    }
    const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

    it('reads a predecessor that never arrives and delivers it first (its process died after the commit)', async () => {
      const { s, out, reads } = filling([msg(1, null), msg(2, 1), msg(3, 2), msg(4, 3)]);
      s.accept(msg(1, null));
      s.accept(msg(4, 3)); // 2 and 3 were stored, their fan-out is lost
      assert.deepEqual(out, [1]);
      await settle();
      assert.deepEqual(reads, [[1, 4]]);
      assert.deepEqual(out, [1, 2, 3, 4]);
      s.accept(msg(3, 2)); // the lost fan-out turns up after all: not pushed twice
      s.accept(msg(5, 4));
      assert.deepEqual(out, [1, 2, 3, 4, 5]);
      s.close();
    });

    it('reads from the first held predecessor in a chat it has never seen', async () => {
      const { s, out, reads } = filling([msg(20, 19), msg(21, 20)]);
      s.accept(msg(21, 20));
      await settle();
      assert.deepEqual(reads, [[19, 21]]);
      assert.deepEqual(out, [20, 21]);
      s.close();
    });

    it('retries while the database is down, then delivers in id order without the gap', async () => {
      const { s, out, reads } = filling([msg(1, null), msg(2, 1), msg(3, 2)], { failures: 5 });
      s.accept(msg(1, null));
      s.accept(msg(3, 2));
      await settle(300);
      assert.equal(reads.length, 3); // fillAttempts
      assert.deepEqual(out, [1, 3]);
      s.close();
    });

    it('recovers when the database comes back before the attempts run out', async () => {
      const { s, out, reads } = filling([msg(1, null), msg(2, 1), msg(3, 2)], { failures: 1 });
      s.accept(msg(1, null));
      s.accept(msg(3, 2));
      await settle(300);
      assert.equal(reads.length, 2);
      assert.deepEqual(out, [1, 2, 3]);
      s.close();
    });

    it('keeps messages that arrive during a read in order behind it', async () => {
      let release: () => void = () => {};
      const out: number[] = [];
      const fill = async (_chatId: number, afterId: number, beforeId: number) => {
        await new Promise<void>((r) => (release = r));
        return [msg(2, 1), msg(3, 2)].filter((m) => m.id > afterId && m.id < beforeId);
      };
      const s = new DeliverySequencer<Sequenced>((m) => out.push(m.id), { waitMs: 20, idleMs: 60_000 }, fill);
      s.accept(msg(1, null));
      s.accept(msg(4, 3));
      await settle(60); // the read has started and hangs
      s.accept(msg(5, 4));
      s.accept(msg(7, 6)); // its own gap: waits for a second read
      assert.deepEqual(out, [1]);
      release();
      await settle(10);
      assert.deepEqual(out, [1, 2, 3, 4, 5]);
      assert.equal(s.held, 1);
      s.close();
      assert.deepEqual(out, [1, 2, 3, 4, 5, 7]);
    });
  });

  it('waits for a recent predecessor of a chat it has never seen', async () => {
    const { s, out } = sequencer(50);
    s.accept(msg(21, 20));
    assert.deepEqual(out, []);
    s.accept(msg(20, 19));
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(out, [20, 21]);
    s.close();
  });
});
