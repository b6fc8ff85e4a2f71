import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { LineBatcher, createLogger, type LineSink } from '../../src/lib/logger.js';

/** A destination that records what it was handed. */
function recordingSink() {
  const chunks: string[] = [];
  let syncFlushes = 0;
  const sink: LineSink = {
    write: (chunk) => chunks.push(chunk),
    flush: (done) => done?.(),
    flushSync: () => {
      syncFlushes += 1;
    },
  };
  return { sink, chunks, syncFlushes: () => syncFlushes };
}

describe('the log line batcher', () => {
  it('hands lines on in one chunk, in order, once they reach the batch size', () => {
    const { sink, chunks } = recordingSink();
    const batcher = new LineBatcher(sink, 30, 60_000);
    batcher.write('{"n":1}\n');
    batcher.write('{"n":2}\n');
    batcher.write('{"n":3}\n');
    assert.deepEqual(chunks, [], 'below the batch size nothing is written yet');
    batcher.write('{"n":4}\n');
    assert.deepEqual(chunks, ['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
    batcher.write('{"n":5}\n');
    batcher.flushSync();
    assert.deepEqual(chunks, ['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n', '{"n":5}\n']);
  });

  it('writes a line that waited the flush interval without more lines coming', async () => {
    const { sink, chunks } = recordingSink();
    const batcher = new LineBatcher(sink, 1_000_000, 20);
    batcher.write('a\n');
    batcher.write('b\n');
    assert.deepEqual(chunks, []);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(chunks, ['a\nb\n']);
    batcher.write('c\n');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(chunks, ['a\nb\n', 'c\n']);
  });

  it('flushSync writes what is collected and makes the destination write out synchronously', () => {
    const { sink, chunks, syncFlushes } = recordingSink();
    const batcher = new LineBatcher(sink, 1_000_000, 60_000);
    batcher.flushSync();
    assert.deepEqual(chunks, [], 'nothing collected, nothing handed on');
    batcher.write('x\n');
    batcher.flushSync();
    assert.deepEqual(chunks, ['x\n']);
    assert.equal(syncFlushes(), 2);
  });

  it('pino logger.flush(cb) hands the lines on and calls back', async () => {
    const { sink, chunks } = recordingSink();
    const log = createLogger('info', sink);
    log.info({ k: 1 }, 'one');
    assert.deepEqual(chunks, []);
    await new Promise<void>((resolve, reject) => log.flush((err) => (err ? reject(err) : resolve())));
    assert.equal(chunks.length, 1);
    const line = JSON.parse(chunks[0]!) as { k: number; msg: string };
    assert.deepEqual([line.k, line.msg], [1, 'one']);
  });

  it('a process that exits writes every line it logged, in order, to stdout', async () => {
    const count = 5_000;
    const code =
      `import { createLogger } from './src/lib/logger.ts';` +
      `const log = createLogger('info');` +
      `for (let i = 0; i < ${count}; i++) log.info({ i }, 'line');` +
      `process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(exitCode, 0);
    const lines = out.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    assert.equal(lines.length, count);
    assert.deepEqual(lines, Array.from({ length: count }, (_, i) => i));
  });
});
