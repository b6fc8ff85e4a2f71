// Allocation profile of a bench server, garbage included (`--heap-prof` keeps only what is still
// live when it stops). Preload it into the servers:
//   BENCH_NODE_ARGS="--import ./bench/lib/alloc-profile.mjs" npm run bench -- http --rounds 2
// Sampling starts after ALLOC_AFTER responses (default 3,000: start-up and the logins are done)
// and stops at SIGTERM; the profile goes to ALLOC_DIR (default $TMPDIR/saju-alloc) as
// <script>-<responses sampled>.heapprofile, so sizes divide by the request count in its name
// (Chrome DevTools → Memory opens it too).
import dc from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = process.env.ALLOC_DIR ?? join(tmpdir(), 'saju-alloc');
const after = Number(process.env.ALLOC_AFTER ?? 3000);
const session = new Session();
session.connect();
let responses = 0;
let from = -1;
dc.subscribe('http.server.response.finish', () => {
  responses++;
  if (responses !== after) return;
  from = responses;
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
});
let written = false;
function stop() {
  if (written || from < 0) return;
  written = true;
  const sampled = responses - from;
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return console.error('alloc-profile:', err);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${process.argv.at(-1).split('/').at(-1)}-${sampled}.heapprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    console.error(`alloc-profile: ${file}`);
  });
}
process.prependListener('SIGTERM', stop);
process.on('exit', stop);
