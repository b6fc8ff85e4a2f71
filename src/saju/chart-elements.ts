// Five-element (오행) counts of a chart: each of its 6 (no birth time) or 8 characters counts once
// under its element, branches under their main element (정기 正氣), the plain count most Korean
// manseryeok apps show.
import { ELEMENT_COUNT } from './five-elements.js';
import { branchOf, stemOf } from './stems-branches.js';
import type { ChartPillars } from './chart.js';

/** Element counts in ELEMENTS order (wood, fire, earth, metal, water). */
export function elementCounts(pillars: ChartPillars): number[] {
  const counts = new Array<number>(ELEMENT_COUNT).fill(0);
  for (const pillar of [pillars.year, pillars.month, pillars.day, pillars.hour]) {
    if (pillar === null) continue;
    counts[stemOf(pillar).elementIndex]! += 1;
    counts[branchOf(pillar).elementIndex]! += 1;
  }
  return counts;
}
