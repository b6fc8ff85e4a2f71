// `npm run bench -- saju [--rounds=7] [--pairs=2000000] [--population=4000] [--seed=1]`
// Throughput of the fast compatibilityScore() on random key pairs from a realistic population
// (birth dates uniform 1960-2006, no birth time), against the explainable compatibility() on the
// same pairs in the same run, then the score distribution over every pair of that population.
import { commandLine } from '../src/lib/cli.js';
import { type Chart, chartFromKey, compatibility, compatibilityScore } from '../src/saju/index.js';
import { mulberry32, percentile, realisticChartKeys } from '../test/saju/population.js';

interface Options {
  rounds: number;
  pairs: number;
  population: number;
  seed: number;
}

function parseOptions(args: string[]): Options {
  const { values } = commandLine(
    {
      command: 'npm run bench -- saju',
      options: {
        rounds: { type: 'integer', default: 7, min: 1, help: 'rounds per measurement' },
        pairs: { type: 'integer', default: 2_000_000, min: 1, help: 'scored pairs per round' },
        population: { type: 'integer', default: 4_000, min: 2, help: 'distinct charts the pairs are drawn from' },
        seed: { type: 'integer', default: 1, min: 0, help: 'random seed' },
      },
    },
    args,
  );
  return values;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `body` once per round and returns pairs per second for each round. */
function measure(rounds: number, pairs: number, body: () => number): { rates: number[]; checksum: number } {
  const rates: number[] = [];
  let checksum = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    checksum += body(); // consumed so the work cannot be optimised away
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(pairs / seconds);
  }
  return { rates, checksum };
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const keys = realisticChartKeys(options.population, options.seed);
  const charts: Chart[] = keys.map(chartFromKey);
  const random = mulberry32(options.seed + 1);
  const left = Uint32Array.from({ length: options.pairs }, () => Math.floor(random() * keys.length));
  const right = Uint32Array.from({ length: options.pairs }, () => Math.floor(random() * keys.length));

  const fastRound = () => {
    let sum = 0;
    for (let i = 0; i < options.pairs; i++) sum += compatibilityScore(keys[left[i]!]!, keys[right[i]!]!);
    return sum;
  };
  // The explainable path is far slower (it builds Korean text): time it on a slice of the same pairs.
  const slowPairs = Math.min(options.pairs, 20_000);
  const slowRound = () => {
    let sum = 0;
    for (let i = 0; i < slowPairs; i++) sum += compatibility(charts[left[i]!]!, charts[right[i]!]!).score;
    return sum;
  };

  fastRound(); // warm-up: JIT and feature cache
  slowRound();
  const fast = measure(options.rounds, options.pairs, fastRound);
  const slow = measure(options.rounds, slowPairs, slowRound);
  const fastMedian = median(fast.rates);
  const slowMedian = median(slow.rates);

  console.log(`saju compatibility — ${options.population} charts (births 1960-2006, no time), node ${process.version}, one core`);
  console.log(`  compatibilityScore(keyA, keyB)    ${format(fastMedian).padStart(12)} pairs/s  (median of ${options.rounds} rounds × ${format(options.pairs)} pairs; rounds ${fast.rates.map((r) => (r / 1e6).toFixed(2)).join(', ')} M/s)`);
  console.log(`  compatibility(chartA, chartB)     ${format(slowMedian).padStart(12)} pairs/s  (baseline: explainable, median of ${options.rounds} rounds × ${format(slowPairs)} pairs)`);
  console.log(`  ratio fast / explainable          ${(fastMedian / slowMedian).toFixed(1).padStart(12)}×`);
  console.log(`  target ≥ 1,000,000 pairs/s:       ${fastMedian >= 1_000_000 ? 'met' : 'NOT met'}`);

  // Distribution over every unordered pair of the population (the numbers docs/saju.md quotes).
  const scores: number[] = [];
  for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) scores.push(compatibilityScore(keys[i]!, keys[j]!));
  scores.sort((a, b) => a - b);
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  console.log(`\nscore distribution over all ${format(scores.length)} pairs: mean ${mean.toFixed(1)}, p5 ${percentile(scores, 5)}, p25 ${percentile(scores, 25)}, median ${percentile(scores, 50)}, p75 ${percentile(scores, 75)}, p95 ${percentile(scores, 95)} (p95 − p5 = ${percentile(scores, 95) - percentile(scores, 5)})`);
  const buckets = new Array<number>(11).fill(0);
  for (const s of scores) buckets[Math.min(10, Math.floor(s / 10))]! += 1;
  const widest = Math.max(...buckets);
  buckets.forEach((count, b) => {
    const label = b === 10 ? '   100' : `${String(b * 10).padStart(2)}-${String(b * 10 + 9).padStart(2)}`;
    const share = ((100 * count) / scores.length).toFixed(1).padStart(5);
    console.log(`  ${label} ${share}% ${'#'.repeat(Math.round((50 * count) / widest))}`);
  });
  if (fast.checksum < 0 || slow.checksum < 0) console.log('(checksum)');
}
