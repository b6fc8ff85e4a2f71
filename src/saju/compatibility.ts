// 궁합 (compatibility) of two charts, explained rule by rule. The first chart is read as "나" (the
// viewer) and the second as "상대" in the Korean texts; the points never depend on the order.
//
// Two presentations of the same rows and points (the caller picks one; this module knows nothing
// of matches):
// - 'full': every pillar may be named (for two people who are matched);
// - 'private': nothing in the texts names the other person's month or hour pillar characters, nor
//   relation names or element facts built from them. The other's day pillar (일주) and year pillar
//   (띠) may be named. Month and hour relations are described by position and kind only ("월지가
//   서로 충"), the element rows generically, and the "halved on a solar-term day" note appears only
//   for the viewer's own pillars (the other's would reveal a birth date near a 절기). The viewer's
//   own month and hour characters are not named either: with the relation kind they would give
//   the other's away.
import type { Chart } from './chart.js';
import { type ChartFeatures, chartFeatures } from './chart-features.js';
import {
  BASE_SCORE,
  BRANCH_POSITIONS,
  type BranchPosition,
  DAY_MASTER_POINTS,
  ELEMENT_COMPLEMENT,
  SAJU_ALGORITHM_VERSION,
  balancePointsForMissing,
  branchRelationPoints,
  clampAdjustment,
  complementPoints,
  isHalved,
  yongshinDirection,
  yongshinPoints,
} from './compatibility-rules.js';
import { ELEMENTS, controlledBy, elementLabel, generatedBy } from './five-elements.js';
import { branchLabel, stemLabel, withParticle } from './korean-text.js';
import {
  type BranchRelationKind,
  STEM_CLASHES,
  STEM_COMBINATIONS,
  branchRelations,
  stemClash,
  stemCombination,
  stemRelation,
} from './relations.js';
import { BRANCHES, STEMS, type Branch, type Stem } from './stems-branches.js';

export interface CompatibilityRow {
  /** Stable machine id, e.g. "day_master_combination" or "day_branch_clash". */
  rule: string;
  /** Integer; all rows of a result add up to its score. */
  points: number;
  /** Korean explanation for the user. */
  description: string;
}

/** 'private' until the two people are matched (see the top of this file). */
export type CompatibilityView = 'full' | 'private';

export interface CompatibilityOptions {
  /** Default 'full'. */
  view?: CompatibilityView;
}

export interface CompatibilityResult {
  score: number;
  breakdown: CompatibilityRow[];
  summary: string;
  version: number;
}

/** A row plus the short phrase the summary quotes. */
interface ExplainedRow extends CompatibilityRow {
  headline: string;
}

const HALF_NOTE = ' (절기가 바뀌는 날 태어나 출생 시각 없이는 이 기둥을 확정할 수 없어 절반만 반영했습니다.)';
/** The private view's note: only ever about the viewer's own pillar. */
const OWN_HALF_NOTE = ' (내가 절기가 바뀌는 날 태어나 출생 시각 없이는 내 기둥을 확정할 수 없어 절반만 반영했습니다.)';

function dayMasterRow(a: Stem, b: Stem): ExplainedRow {
  const relation = stemRelation(a.index, b.index);
  const points = DAY_MASTER_POINTS[relation];
  const la = stemLabel(a);
  const lb = stemLabel(b);
  const both = `${withParticle(la, '과', '와')} ${withParticle(lb, '이', '가')}`;
  switch (relation) {
    case 'combination': {
      const entry = STEM_COMBINATIONS[stemCombination(a.index, b.index) ?? 0]!;
      return {
        rule: 'day_master_combination',
        points,
        headline: `일간의 천간합(${entry.pair}合)`,
        description: `두 사람의 일간 ${both} 천간합(${entry.pair}合, ${entry.hangul})을 이룹니다. 서로 끌리고 하나로 묶이는, 궁합에서 가장 반기는 관계입니다.`,
      };
    }
    case 'clash': {
      const entry = STEM_CLASHES[stemClash(a.index, b.index) ?? 0]!;
      return {
        rule: 'day_master_clash',
        points,
        headline: `일간의 천간충(${entry.pair}沖)`,
        description: `두 사람의 일간 ${both} 천간충(${entry.pair}沖, ${entry.hangul})입니다. 생각과 방식이 정면으로 부딪히기 쉬워 서로의 양보가 필요합니다.`,
      };
    }
    case 'generation': {
      const [giver, receiver] = generatedBy(a.elementIndex) === b.elementIndex ? [a, b] : [b, a];
      return {
        rule: 'day_master_generation',
        points,
        headline: '일간의 상생',
        description: `일간 ${withParticle(stemLabel(giver), '이', '가')} ${withParticle(stemLabel(receiver), '을', '를')} 생(生)하는 상생 관계입니다. 한 사람이 다른 사람을 북돋아 주는 조합입니다.`,
      };
    }
    case 'same_element':
      return {
        rule: 'day_master_same_element',
        points,
        headline: '일간의 비화',
        description: `두 사람의 일간 ${both} 같은 ${elementLabel(a.elementIndex)} 기운(비화 比和)입니다. 서로 닮아 편안하지만 자극은 적은 편입니다.`,
      };
    case 'control': {
      const [controller, controlled] = controlledBy(a.elementIndex) === b.elementIndex ? [a, b] : [b, a];
      return {
        rule: 'day_master_control',
        points,
        headline: '일간의 상극',
        description: `일간 ${withParticle(stemLabel(controller), '이', '가')} ${withParticle(stemLabel(controlled), '을', '를')} 극(剋)하는 상극 관계입니다. 한쪽이 다른 쪽을 누르거나 간섭하기 쉽습니다.`,
      };
    }
  }
}

const POSITION_LABELS: Record<BranchPosition, string> = {
  day: '일지(배우자 자리)',
  month: '월지(가정·사회 환경)',
  year: '띠(연지)',
  hour: '시지(자녀·노후)',
};

const RELATION_MEANINGS: Record<BranchRelationKind, string> = {
  six_combination: '서로 맞물려 화합하는 육합입니다.',
  triple_combination: '같은 오행으로 뜻을 모으는 삼합의 반합입니다.',
  triple_combination_partial: '삼합의 가운데 글자가 빠져 힘이 약한 합입니다.',
  directional_combination: '같은 계절·방향의 방합으로 생활 리듬이 비슷합니다.',
  clash: '정면으로 부딪히는 충으로 갈등과 변화가 잦기 쉽습니다.',
  punishment: '서로 상처를 주거나 간섭하기 쉬운 형입니다.',
  destruction: '관계에 틈이 생기기 쉬운 파입니다.',
  harm: '은근히 서로를 서운하게 하는 해입니다.',
  resentment: '이유 없이 미움과 원망이 쌓이기 쉬운 원진입니다.',
};

const POSITION_SHORT: Record<BranchPosition, string> = { day: '일지', month: '월지', year: '띠', hour: '시지' };

/** A relation's kind without the characters it is built from ("충", not "자오충"). */
const RELATION_KIND_LABELS: Record<BranchRelationKind, string> = {
  six_combination: '육합',
  triple_combination: '삼합의 반합',
  triple_combination_partial: '삼합의 공합',
  directional_combination: '방합',
  clash: '충',
  punishment: '형',
  destruction: '파',
  harm: '해',
  resentment: '원진',
};

/** Positions whose characters the private view never names (with the day and year, they would pin
 * down a birth date and time). */
const PRIVATE_POSITIONS: ReadonlySet<BranchPosition> = new Set(['month', 'hour']);

/**
 * Rows for every relation between the two branches at one position. `halved`: the points are
 * halved (either chart is ambiguous there); `ownHalved`: the viewer's own chart is (what the
 * private view may say).
 */
export function branchRows(
  position: BranchPosition,
  a: Branch,
  b: Branch,
  halved: boolean,
  view: CompatibilityView = 'full',
  ownHalved = halved,
): ExplainedRow[] {
  const note = view === 'full' ? (halved ? HALF_NOTE : '') : ownHalved ? OWN_HALF_NOTE : '';
  return branchRelations(a.index, b.index).map((relation) => {
    const rule = `${position}_branch_${relation.kind}`;
    const points = branchRelationPoints(position, relation.kind, halved);
    const meaning = RELATION_MEANINGS[relation.kind];
    if (view === 'private' && PRIVATE_POSITIONS.has(position)) {
      const kind = RELATION_KIND_LABELS[relation.kind];
      return {
        rule,
        points,
        headline: `${POSITION_SHORT[position]}의 ${kind}`,
        description: `${POSITION_LABELS[position]}: 두 사람의 ${withParticle(POSITION_SHORT[position], '이', '가')} 서로 ${kind}입니다. ${meaning}${note}`,
      };
    }
    const pair =
      a.index === b.index
        ? `둘 다 ${branchLabel(a)}`
        : `${withParticle(branchLabel(a), '과', '와')} ${branchLabel(b)}`;
    return {
      rule,
      points,
      headline: `${POSITION_SHORT[position]}의 ${relation.name}`,
      description: `${POSITION_LABELS[position]} ${pair}: ${relation.name}. ${meaning}${note}`,
    };
  });
}

function elementList(mask: number): string {
  return ELEMENTS.map((_, e) => e)
    .filter((e) => (mask >> e) & 1)
    .map(elementLabel)
    .join('·');
}

function complementRow(a: ChartFeatures, b: ChartFeatures, view: CompatibilityView): ExplainedRow | null {
  const points = complementPoints(a, b);
  if (points === 0) return null;
  const capped = points === ELEMENT_COMPLEMENT.cap ? ` (최대 ${ELEMENT_COMPLEMENT.cap}점)` : '';
  if (view === 'private') {
    // Which elements the other lacks or holds is counted over all eight characters.
    return {
      rule: 'element_complement',
      points,
      headline: '서로 부족한 오행을 채워 주는 점',
      description: `한 사람의 사주에 없는 오행을 다른 사람이 가지고 있어 서로 채워 줍니다. 2개 이상 가진 오행은 ${ELEMENT_COMPLEMENT.rich}점, 1개는 ${ELEMENT_COMPLEMENT.single}점으로 계산했습니다${capped}.`,
    };
  }
  const toMe = a.missingMask & (b.richMask | b.singleMask);
  const toPartner = b.missingMask & (a.richMask | a.singleMask);
  const parts: string[] = [];
  if (toMe) parts.push(`내 사주에 없는 ${withParticle(elementList(toMe), '을', '를')} 상대가`);
  if (toPartner) parts.push(`상대 사주에 없는 ${withParticle(elementList(toPartner), '을', '를')} 내가`);
  return {
    rule: 'element_complement',
    points,
    headline: '서로 부족한 오행을 채워 주는 점',
    description: `${parts.join(', ')} 채워 줍니다. 2개 이상 가진 오행은 ${ELEMENT_COMPLEMENT.rich}점, 1개는 ${ELEMENT_COMPLEMENT.single}점으로 계산했습니다${capped}.`,
  };
}

function balanceRow(a: ChartFeatures, b: ChartFeatures, view: CompatibilityView): ExplainedRow {
  const missing = a.missingMask & b.missingMask;
  const points = balancePointsForMissing(missing);
  if (view === 'private' && missing !== 0) {
    return {
      rule: 'element_balance',
      points,
      headline: '두 사주를 합쳐도 비어 있는 오행',
      description: '두 사람의 사주를 합쳐도 갖춰지지 않는 오행이 있어 함께해도 그 기운이 비어 있습니다.',
    };
  }
  if (missing === 0) {
    return {
      rule: 'element_balance',
      points,
      headline: '두 사주를 합친 오행의 균형',
      description: '두 사람의 사주를 합치면 목·화·토·금·수 오행이 모두 갖춰집니다.',
    };
  }
  return {
    rule: 'element_balance',
    points,
    headline: `둘 다 없는 ${elementList(missing)}`,
    description: `두 사람 모두 ${withParticle(elementList(missing), '이', '가')} 없어 함께해도 그 기운이 비어 있습니다.`,
  };
}

function yongshinRow(a: ChartFeatures, b: ChartFeatures, view: CompatibilityView): ExplainedRow | null {
  const points = yongshinPoints(a, b);
  if (points === 0) return null;
  if (view === 'private') {
    // The other's 용신 and strength come mostly from the month branch.
    return {
      rule: 'yongshin_support',
      points,
      headline: '서로에게 필요한 용신을 보태 주는 점',
      description: '한 사람에게 필요한 기운(용신, 일간의 강약을 조절하는 기운)을 다른 사람이 넉넉히 가지고 있습니다. 서로에게 필요한 기운을 보태 주는 관계입니다.',
    };
  }
  const describe = (receiver: ChartFeatures, giver: ChartFeatures, whose: string, who: string): string | null => {
    const gain = yongshinDirection(receiver.yongshin, giver.dayMasterElement, giver.richMask);
    if (gain === 0) return null;
    const how = giver.dayMasterElement === receiver.yongshin ? '일간으로' : '2개 이상';
    const strength = receiver.strong ? '신강' : '신약';
    return `${whose} 용신(${strength}한 일간을 조절하는 기운) ${withParticle(elementLabel(receiver.yongshin), '을', '를')} ${who} ${how} 가지고 있습니다`;
  };
  const parts = [describe(a, b, '내', '상대가'), describe(b, a, '상대의', '내가')].filter((p) => p !== null);
  return {
    rule: 'yongshin_support',
    points,
    headline: '서로에게 필요한 용신을 보태 주는 점',
    description: `${parts.join('. ')}. 서로에게 필요한 기운을 보태 주는 관계입니다.`,
  };
}

function bandOf(score: number): string {
  if (score >= 80) return '아주 좋은 궁합';
  if (score >= 65) return '좋은 궁합';
  if (score >= 50) return '무난한 궁합';
  if (score >= 35) return '서로 노력이 필요한 궁합';
  return '맞추기 어려운 궁합';
}

function summaryOf(score: number, rows: readonly ExplainedRow[], view: CompatibilityView): string {
  const rules = rows.filter((r) => r.rule !== 'base' && r.rule !== 'score_clamp');
  const best = rules.reduce<ExplainedRow | null>((top, r) => (r.points > 0 && (!top || r.points > top.points) ? r : top), null);
  const worst = rules.reduce<ExplainedRow | null>((low, r) => (r.points < 0 && (!low || r.points < low.points) ? r : low), null);
  const sentences = [`두 사람의 궁합 점수는 ${score}점으로 ${bandOf(score)}입니다.`];
  if (best && worst) sentences.push(`가장 큰 장점은 ${best.headline}이고, 가장 조심할 점은 ${worst.headline}입니다.`);
  else if (best) sentences.push(`가장 큰 장점은 ${best.headline}이며, 크게 부딪히는 관계는 없습니다.`);
  else if (worst) sentences.push(`가장 조심할 점은 ${worst.headline}이며, 서로를 이해하려는 노력이 관계를 지켜 줍니다.`);
  if (view === 'full' && rows.some((r) => r.description.endsWith(HALF_NOTE))) {
    sentences.push('절기가 바뀌는 날 태어난 기둥이 있어 그 관계는 절반만 반영했으며, 출생 시각을 입력하면 더 정확해집니다.');
  }
  if (view === 'private' && rows.some((r) => r.description.endsWith(OWN_HALF_NOTE))) {
    sentences.push('내가 절기가 바뀌는 날 태어나 확정할 수 없는 기둥은 절반만 반영했으며, 출생 시각을 입력하면 더 정확해집니다.');
  }
  return sentences.join(' ');
}

export function compatibility(a: Chart, b: Chart, options: CompatibilityOptions = {}): CompatibilityResult {
  const view = options.view ?? 'full';
  const fa = chartFeatures(a);
  const fb = chartFeatures(b);
  const rows: ExplainedRow[] = [
    { rule: 'base', points: BASE_SCORE, headline: '기본 점수', description: `기본 점수 ${BASE_SCORE}점에서 아래 항목들을 더하고 뺍니다.` },
    dayMasterRow(STEMS[fa.dayStem]!, STEMS[fb.dayStem]!),
  ];
  const branchPairs: Record<BranchPosition, [number, number] | null> = {
    day: [fa.dayBranch, fb.dayBranch],
    month: [fa.monthBranch, fb.monthBranch],
    year: [fa.yearBranch, fb.yearBranch],
    hour: fa.hourBranch !== null && fb.hourBranch !== null ? [fa.hourBranch, fb.hourBranch] : null,
  };
  for (const position of BRANCH_POSITIONS) {
    const pair = branchPairs[position];
    if (!pair) continue;
    const ownHalved = position === 'month' ? fa.monthAmbiguous : position === 'year' ? fa.yearAmbiguous : false;
    rows.push(...branchRows(position, BRANCHES[pair[0]]!, BRANCHES[pair[1]]!, isHalved(position, fa, fb), view, ownHalved));
  }
  for (const row of [complementRow(fa, fb, view), balanceRow(fa, fb, view), yongshinRow(fa, fb, view)]) if (row) rows.push(row);

  const raw = rows.reduce((sum, r) => sum + r.points, 0);
  const clamp = clampAdjustment(raw);
  if (clamp !== 0) {
    rows.push({
      rule: 'score_clamp',
      points: clamp,
      headline: '점수 범위 보정',
      description: `점수는 0점에서 100점 사이로 표시하므로 ${clamp > 0 ? '모자란' : '넘친'} ${Math.abs(clamp)}점을 보정했습니다.`,
    });
  }
  const score = raw + clamp;
  return {
    score,
    breakdown: rows.map(({ rule, points, description }) => ({ rule, points, description })),
    summary: summaryOf(score, rows, view),
    version: SAJU_ALGORITHM_VERSION,
  };
}
