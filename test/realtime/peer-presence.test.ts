import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PEER_HEARTBEAT_MS, PEER_TIMEOUT_MS, PeerPresence } from '../../src/realtime/socket-delivery.js';
import type { IoServer } from '../../src/realtime/socket-events.js';

/** A stand-in for the Socket.IO server: records what this process says, lets a test speak for others. */
function fakeIo() {
  const listeners = new Map<string, () => void>();
  const said: string[] = [];
  const io = {
    on: (event: string, listener: () => void) => listeners.set(event, listener),
    serverSideEmit: (event: string) => said.push(event),
  } as unknown as IoServer;
  return { io, said, peerSpeaks: () => listeners.get('chat:peer')!() };
}

describe('PeerPresence (skipping the fan-out publish when no other process listens)', () => {
  it('says hello at once and publishes while it cannot yet know it is alone', () => {
    let clock = 1_000_000;
    const { io, said } = fakeIo();
    const peers = new PeerPresence(io, () => clock);
    assert.deepEqual(said, ['chat:peer']);
    assert.equal(peers.othersMayListen(), true);
    clock += PEER_TIMEOUT_MS - 1;
    assert.equal(peers.othersMayListen(), true);
    clock += 1;
    assert.equal(peers.othersMayListen(), false, 'nobody heard since the start: alone');
    peers.close();
  });

  it('publishes while another process is heard, and stops PEER_TIMEOUT_MS after it went quiet', () => {
    let clock = 1_000_000;
    const { io, peerSpeaks } = fakeIo();
    const peers = new PeerPresence(io, () => clock);
    clock += PEER_TIMEOUT_MS;
    assert.equal(peers.othersMayListen(), false);
    peerSpeaks(); // a new process's hello
    assert.equal(peers.othersMayListen(), true);
    for (let i = 0; i < 10; i++) {
      clock += PEER_HEARTBEAT_MS;
      peerSpeaks();
      assert.equal(peers.othersMayListen(), true);
    }
    clock += PEER_TIMEOUT_MS;
    assert.equal(peers.othersMayListen(), false, 'the other process stopped');
    peers.close();
  });

  it('after its Redis subscription comes back it publishes again, and greets', () => {
    let clock = 1_000_000;
    const { io, said } = fakeIo();
    const peers = new PeerPresence(io, () => clock);
    clock += PEER_TIMEOUT_MS * 2;
    assert.equal(peers.othersMayListen(), false);
    peers.resubscribed();
    assert.equal(peers.othersMayListen(), true);
    assert.deepEqual(said, ['chat:peer', 'chat:peer']);
    peers.close();
  });

  it('heartbeats every PEER_HEARTBEAT_MS', async () => {
    const { io, said } = fakeIo();
    const peers = new PeerPresence(io);
    await new Promise((r) => setTimeout(r, PEER_HEARTBEAT_MS * 2 + 200));
    peers.close();
    assert.ok(said.length >= 3, `said ${said.length} times`);
  });
});
