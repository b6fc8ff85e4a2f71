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
