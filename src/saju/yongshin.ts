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
  const w = weightedElements(pillars);
  const self = stemOf(pillars.day).elementIndex;
  const weight = (element: number): number => w[element] ?? 0;
  const resource = generatorOf(self); // 인성
  const output = generatedBy(self); // 식상
  const wealth = controlledBy(self); // 재성
  const officer = controllerOf(self); // 관성
  const total = w.reduce((sum, x) => sum + x, 0);
  // The day master is counted with its own element; with 7 or 9 weighted characters a strict
  // majority never ties.
  const strong = 2 * (weight(self) + weight(resource)) > total;
  if (strong) {
    // Own-element weight without the day master itself, to see where the strength comes from.
    const peers = weight(self) - 1;
    return { strong, yongshin: weight(resource) > peers ? wealth : officer };
  }
  const wealthDrainsMost = weight(wealth) > weight(output) && weight(wealth) > weight(officer);
  return { strong, yongshin: wealthDrainsMost ? self : resource };
}
