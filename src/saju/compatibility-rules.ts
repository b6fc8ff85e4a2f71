// The 궁합 rules' weights and point arithmetic, shared by the explainable compatibility() and the
// fast compatibilityScore() so the two cannot drift apart. Sources and reasoning: docs/saju.md.
import type { ChartFeatures } from './chart-features.js';
import type { BranchRelationKind, StemRelation } from './relations.js';

/** Bump whenever a weight or rule changes: persisted scores carry the version they came from. */
export const SAJU_ALGORITHM_VERSION = 1;

export const BASE_SCORE = 50;
export const MIN_SCORE = 0;
export const MAX_SCORE = 100;

/**
 * 일간 (day master) relation. The day masters are the two people themselves, so this and the day
 * branch below carry the most weight, as in every Korean 궁합 method.
 */
export const DAY_MASTER_POINTS: Readonly<Record<StemRelation, number>> = {
  combination: 16, // 천간합: the classic sign of attraction
  generation: 8, // 상생: one nourishes the other
  same_element: 4, // 비화: alike, comfortable
  control: -4, // 상극 (other than 충): one presses on the other
  clash: -16, // 천간충: head-on opposition
};

export const BRANCH_POSITIONS = ['day', 'month', 'year', 'hour'] as const;
export type BranchPosition = (typeof BRANCH_POSITIONS)[number];

/**
 * Branch relations per position. 일지 is the spouse palace (배우자궁), hence the full weight; 월지
 * (family and social setting) and 연지 (띠, the folk 궁합 everyone knows) weigh about half; 시지
 * (later life, children) a quarter and only when both birth times are known. Month and year values
 * are even so that halving them for an ambiguous pillar stays an integer.
 */
export const BRANCH_POINTS: Readonly<Record<BranchPosition, Readonly<Record<BranchRelationKind, number>>>> = {
  day: {
    six_combination: 16,
    triple_combination: 8,
    triple_combination_partial: 4,
    directional_combination: 4,
    clash: -16,
    punishment: -6,
    destruction: -2,
    harm: -4,
    resentment: -6,
  },
  month: {
    six_combination: 6,
    triple_combination: 4,
    triple_combination_partial: 2,
    directional_combination: 2,
    clash: -6,
    punishment: -2,
    destruction: -2,
    harm: -2,
    resentment: -4,
  },
  year: {
    six_combination: 6,
    triple_combination: 4,
    triple_combination_partial: 2,
    directional_combination: 2,
    clash: -6,
    punishment: -2,
    destruction: -2,
    harm: -2,
    resentment: -4,
  },
  hour: {
    six_combination: 4,
    triple_combination: 2,
    triple_combination_partial: 1,
    directional_combination: 1,
    clash: -4,
    punishment: -2,
    destruction: -1,
    harm: -1,
    resentment: -2,
  },
};

/** Points of one branch relation; a relation involving an ambiguous pillar counts half. */
export function branchRelationPoints(position: BranchPosition, kind: BranchRelationKind, halved: boolean): number {
  const points = BRANCH_POINTS[position][kind];
  return halved ? points / 2 : points;
}

/** Whether a position's relations count half for this pair (year and month can be ambiguous). */
export function isHalved(position: BranchPosition, a: ChartFeatures, b: ChartFeatures): boolean {
  if (position === 'month') return a.monthAmbiguous || b.monthAmbiguous;
  if (position === 'year') return a.yearAmbiguous || b.yearAmbiguous;
  return false;
}

/**
 * 오행 보완: for each element one person lacks, the other supplies it plentifully (2+ characters,
 * RICH points) or a little (1 character, SINGLE points); both directions add, up to CAP.
 */
export const ELEMENT_COMPLEMENT = { rich: 3, single: 1, cap: 6 } as const;

/** 합산 오행 균형: the pair's joined chart holds all five elements, or loses points per element neither has. */
export const ELEMENT_BALANCE = { allPresent: 2, perMissing: -2 } as const;

/** 용신 보완: the partner's day master is my 용신 element, or the partner has 2+ characters of it. */
export const YONGSHIN_POINTS = { dayMaster: 3, rich: 1 } as const;

const POPCOUNT5 = Array.from({ length: 32 }, (_, m) => (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1) + ((m >> 3) & 1) + ((m >> 4) & 1));

export function popcount5(mask: number): number {
  return POPCOUNT5[mask & 31] ?? 0;
}

/** What `giver` supplies of the elements `receiver` lacks. */
export function complementDirection(receiverMissing: number, giverRich: number, giverSingle: number): number {
  return (
    ELEMENT_COMPLEMENT.rich * popcount5(receiverMissing & giverRich) +
    ELEMENT_COMPLEMENT.single * popcount5(receiverMissing & giverSingle)
  );
}

export function complementPoints(a: ChartFeatures, b: ChartFeatures): number {
  const total =
    complementDirection(a.missingMask, b.richMask, b.singleMask) +
    complementDirection(b.missingMask, a.richMask, a.singleMask);
  return Math.min(ELEMENT_COMPLEMENT.cap, total);
}

export function balancePointsForMissing(missingInBoth: number): number {
  const missing = popcount5(missingInBoth);
  return missing === 0 ? ELEMENT_BALANCE.allPresent : ELEMENT_BALANCE.perMissing * missing;
}

/** What `giver` offers to the 용신 of `receiver`. */
export function yongshinDirection(receiverYongshin: number, giverDayMaster: number, giverRich: number): number {
  if (giverDayMaster === receiverYongshin) return YONGSHIN_POINTS.dayMaster;
  return (giverRich >> receiverYongshin) & 1 ? YONGSHIN_POINTS.rich : 0;
}

export function yongshinPoints(a: ChartFeatures, b: ChartFeatures): number {
  return (
    yongshinDirection(a.yongshin, b.dayMasterElement, b.richMask) +
    yongshinDirection(b.yongshin, a.dayMasterElement, a.richMask)
  );
}

/** The score is BASE_SCORE plus the rules, kept inside 0-100 by an explicit clamp row. */
export function clampAdjustment(rawScore: number): number {
  if (rawScore > MAX_SCORE) return MAX_SCORE - rawScore;
  if (rawScore < MIN_SCORE) return MIN_SCORE - rawScore;
  return 0;
}
