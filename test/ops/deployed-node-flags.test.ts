import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEPLOYED_NODE_FLAGS, nodeCommand } from '../../bench/lib/processes.js';

// `npm start` gives the API process V8 flags (docs/operations.md, "V8's garbage collector"); the
// benchmarks start the app's servers with the same ones, so that they measure what is deployed.
describe('the V8 flags the API process runs with', () => {
  it('npm start passes exactly the flags the benchmarks give the app', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, `npm run build && node ${DEPLOYED_NODE_FLAGS.join(' ')} dist/main.js`);
    assert.deepEqual(DEPLOYED_NODE_FLAGS, ['--single-threaded-gc']);
  });

  it("the benchmarks' app servers get them, the baselines do not", () => {
    for (const app of ['src/main.ts', 'bench/chat-server.ts']) {
      assert.deepEqual(nodeCommand(app).slice(1, 1 + DEPLOYED_NODE_FLAGS.length), [...DEPLOYED_NODE_FLAGS], app);
    }
    for (const baseline of ['bench/chat-bare-server.ts', 'bench/chat-durable-server.ts', 'bench/http-raw-server.ts']) {
      assert.ok(!nodeCommand(baseline).some((arg) => DEPLOYED_NODE_FLAGS.includes(arg)), baseline);
    }
  });

  it('this Node accepts them (an unknown V8 flag would stop npm start)', () => {
    const child = spawnSync(
      process.execPath,
      [...DEPLOYED_NODE_FLAGS, '-p', "require('node:v8').getHeapStatistics().total_heap_size > 0"],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'true');
    assert.equal(child.stderr, '');
  });
});
