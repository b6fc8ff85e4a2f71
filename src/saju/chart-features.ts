// What the compatibility rules read from a chart, computed once per chart (or per chart key).
import type { Chart } from './chart.js';
import { elementCounts } from './chart-elements.js';
import { branchOf, stemOf } from './stems-branches.js';
import { dayMasterBalance } from './yongshin.js';

export interface ChartFeatures {
  readonly dayStem: number;
  readonly dayBranch: number;
  readonly monthBranch: number;
  readonly yearBranch: number;
  readonly hourBranch: number | null;
  readonly monthAmbiguous: boolean;
  readonly yearAmbiguous: boolean;
  /** Element counts over the 6 or 8 characters (ELEMENTS order). */
  readonly counts: readonly number[];
  /** Bit e set when element e is absent (count 0), present once, present twice or more. */
  readonly missingMask: number;
  readonly singleMask: number;
  readonly richMask: number;
  readonly dayMasterElement: number;
  readonly strong: boolean;
  readonly yongshin: number;
}

export function chartFeatures(chart: Chart): ChartFeatures {
  const { pillars } = chart;
  const counts = elementCounts(pillars);
  let missingMask = 0;
  let singleMask = 0;
  let richMask = 0;
  counts.forEach((count, element) => {
    if (count === 0) missingMask |= 1 << element;
    else if (count === 1) singleMask |= 1 << element;
    else richMask |= 1 << element;
  });
  const balance = dayMasterBalance(pillars);
  return {
    dayStem: stemOf(pillars.day).index,
    dayBranch: branchOf(pillars.day).index,
    monthBranch: branchOf(pillars.month).index,
    yearBranch: branchOf(pillars.year).index,
    hourBranch: pillars.hour === null ? null : branchOf(pillars.hour).index,
    monthAmbiguous: chart.ambiguous.includes('month'),
    yearAmbiguous: chart.ambiguous.includes('year'),
    counts,
    missingMask,
    singleMask,
    richMask,
    dayMasterElement: stemOf(pillars.day).elementIndex,
    strong: balance.strong,
    yongshin: balance.yongshin,
  };
}
