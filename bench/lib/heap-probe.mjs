// Preloaded into the soak's API process (NODE_OPTIONS="--expose-gc --import …/heap-probe.mjs",
// HEAP_PROBE_FILE=…): on SIGUSR2 it runs a full garbage collection and appends
// "<ms since epoch> <heap used bytes> <rss bytes>" to the file. Memory measured right after a full
// GC is what the process really keeps; between collections V8's heap grows in a sawtooth whose
// teeth can be longer than a one-minute run, and RSS with it.
import { appendFileSync } from 'node:fs';

const file = process.env.HEAP_PROBE_FILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    const { heapUsed, rss } = process.memoryUsage();
    appendFileSync(file, `${Date.now()} ${heapUsed} ${rss}\n`);
  });
  appendFileSync(file, 'ready\n');
}
