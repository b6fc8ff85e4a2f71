import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { BENCH_BUILD_DIR, compileServers, nodeCommand, randomPort, startProcess, stopProcess } from '../../bench/lib/processes.js';

// The benchmarks run their servers as a deployment runs `npm start`: compiled JavaScript under
// plain node, with no TypeScript loader (and so no loader thread beside the server on its core).
describe('bench: servers run compiled', () => {
  const started: Awaited<ReturnType<typeof startProcess>>[] = [];
  after(async () => {
    for (const child of started) await stopProcess(child);
  });

  it('compiles src/ and bench/ with tsc, then starts a server from the compiled file without tsx', { timeout: 120_000 }, async () => {
    assert.deepEqual(nodeCommand('bench/chat-bare-server.ts').slice(-3), ['--import', 'tsx', 'bench/chat-bare-server.ts']);
    assert.match(compileServers(), /compiled by tsc/);
    const command = nodeCommand('bench/chat-bare-server.ts');
    assert.equal(command.at(-1), `${BENCH_BUILD_DIR}/bench/chat-bare-server.js`);
    assert.ok(!command.includes('tsx'));
    assert.ok(existsSync(`${BENCH_BUILD_DIR}/src/main.js`), 'the app itself is compiled too');

    const port = randomPort();
    const child = await startProcess('bench/chat-bare-server.ts', { PORT: String(port) });
    started.push(child);
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes(`${BENCH_BUILD_DIR}/bench/chat-bare-server.js`), cmdline.join(' '));
    assert.ok(!cmdline.includes('tsx'), cmdline.join(' '));

    // It serves: a message sent is acked and delivered to the chat's other member.
    const [a, b] = [1, 2].map((userId) => io(`http://127.0.0.1:${port}`, { auth: { userId }, transports: ['websocket'], forceNew: true }));
    try {
      await Promise.all([a, b].map((s) => new Promise((resolve) => s!.once('connect', () => resolve(undefined)))));
      const delivered = new Promise<{ content: string }>((resolve) => b!.once('newMessage', resolve));
      const ack = await new Promise<{ ok: boolean }>((resolve) => a!.emit('sendMessage', { chat_id: 1, content: 'compiled' }, resolve));
      assert.equal(ack.ok, true);
      assert.equal((await delivered).content, 'compiled');
    } finally {
      a!.close();
      b!.close();
    }
  });
});
