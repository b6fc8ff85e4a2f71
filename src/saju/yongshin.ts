// A simplified 억부(抑扶) 용신: is the day master strong or weak, and which element balances it.
// Textbook rule (e.g. 『적천수』's 억부 as taught in Korean 명리 courses): a weak day master wants
// 인성 (the element generating it) — or 비겁 (its own element) when 재성 is what drains it most; a
// strong one wants 관성 (the element controlling it) — or 재성 when its strength comes mostly from
// 인성. Simplified: characters are counted, not weighed by hidden stems (지장간) or rooting.
import { controlledBy, controllerOf, generatedBy, generatorOf, ELEMENT_COUNT } from './five-elements.js';
import { branchOf, stemOf } from './stems-branches.js';
import type { ChartPillars } from './chart.js';

export interface DayMasterBalance {
  /** 신강 (strong) or 신약 (weak). */
  readonly strong: boolean;
  /** The 용신 element (index into ELEMENTS). */
  readonly yongshin: number;
}

/**
 * Weighted element tally of a chart: every character counts 1 and the month branch 2, because the
 * month branch (월령 月令) sets the season that feeds or starves the day master (득령 得令).
 */
export function weightedElements(pillars: ChartPillars): number[] {
  const weights = new Array<number>(ELEMENT_COUNT).fill(0);
  for (const pillar of [pillars.year, pillars.day, pillars.hour]) {
    if (pillar === null) continue;
    weights[stemOf(pillar).elementIndex]! += 1;
    weights[branchOf(pillar).elementIndex]! += 1;
  }
  weights[stemOf(pillars.month).elementIndex]! += 1;
  weights[branchOf(pillars.month).elementIndex]! += 2;
  return weights;
}

export function dayMasterBalance(pillars: ChartPillars): DayMasterBalance {
  // No inner closures: this runs for every chart key a full ranking scores (a helper arrow defined
  // per call showed up in ranking profiles).
  const w = weightedElements(pillars);
  const self = stemOf(pillars.day).elementIndex;
  const resource = generatorOf(self); // 인성
  const output = generatedBy(self); // 식상
  const wealth = controlledBy(self); // 재성
  const officer = controllerOf(self); // 관성
  let total = 0;
  for (const x of w) total += x;
  const wSelf = w[self] ?? 0;
  const wResource = w[resource] ?? 0;
  // The day master is counted with its own element; with 7 or 9 weighted characters a strict
  // majority never ties.
  const strong = 2 * (wSelf + wResource) > total;
  if (strong) {
    // Own-element weight without the day master itself, to see where the strength comes from.
    const peers = wSelf - 1;
    return { strong, yongshin: wResource > peers ? wealth : officer };
  }
  const wWealth = w[wealth] ?? 0;
  const wealthDrainsMost = wWealth > (w[output] ?? 0) && wWealth > (w[officer] ?? 0);
  return { strong, yongshin: wealthDrainsMost ? self : resource };
}
