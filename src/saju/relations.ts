// Relation tables between stems (천간) and between branches (지지) as Korean 명리 practice names
// them. Sources: the classical lists of 《淵海子平》 and 《三命通會》 (合, 沖, 刑, 破, 害), as
// repeated in Korean 명리 textbooks; 원진 (怨嗔) is the relation Korean folk 궁합 adds. Pairs are
// written in Hanja with their Hangul reading so a reviewer can check each one against a book.
import { controlledBy, generatedBy } from './five-elements.js';
import { STEMS, branchIndexByHanja, stemIndexByHanja } from './stems-branches.js';

// ---------------------------------------------------------------------------------------------
// Stems (천간)

/** 천간합 (天干合): five pairs, each a yang stem with the yin stem it controls. */
export const STEM_COMBINATIONS = [
  { pair: '甲己', hangul: '갑기합', transformsTo: '土' },
  { pair: '乙庚', hangul: '을경합', transformsTo: '金' },
  { pair: '丙辛', hangul: '병신합', transformsTo: '水' },
  { pair: '丁壬', hangul: '정임합', transformsTo: '木' },
  { pair: '戊癸', hangul: '무계합', transformsTo: '火' },
] as const;

/**
 * 천간충 (天干沖): the four stems facing each other across the cycle with the same yin/yang.
 * 戊 and 己 (earth, the centre) have no 충 in this list; some schools add 甲戊 or 丙庚 as 충 — we
 * follow the common four-pair list and score the rest of 상극 as plain control.
 */
export const STEM_CLASHES = [
  { pair: '甲庚', hangul: '갑경충' },
  { pair: '乙辛', hangul: '을신충' },
  { pair: '丙壬', hangul: '병임충' },
  { pair: '丁癸', hangul: '정계충' },
] as const;

export type StemRelation = 'combination' | 'clash' | 'generation' | 'same_element' | 'control';

function stemPairTable<T>(entries: readonly { pair: string }[], value: (entry: number) => T): (T | null)[] {
  const table = new Array<T | null>(100).fill(null);
  entries.forEach((entry, i) => {
    const a = stemIndexByHanja(entry.pair[0] as string);
    const b = stemIndexByHanja(entry.pair[1] as string);
    table[a * 10 + b] = value(i);
    table[b * 10 + a] = value(i);
  });
  return table;
}

const STEM_COMBINATION_BY_PAIR = stemPairTable(STEM_COMBINATIONS, (i) => i);
const STEM_CLASH_BY_PAIR = stemPairTable(STEM_CLASHES, (i) => i);

/** The table row (index into STEM_COMBINATIONS) for two stems, or null. */
export function stemCombination(a: number, b: number): number | null {
  return STEM_COMBINATION_BY_PAIR[a * 10 + b] ?? null;
}

export function stemClash(a: number, b: number): number | null {
  return STEM_CLASH_BY_PAIR[a * 10 + b] ?? null;
}

/**
 * How two day masters relate. 합 and 충 come first because every 합 and 충 pair is also a 상극 pair
 * (甲己: wood controls earth; 甲庚: metal controls wood) and the named relation is the stronger one.
 */
export function stemRelation(a: number, b: number): StemRelation {
  if (stemCombination(a, b) !== null) return 'combination';
  if (stemClash(a, b) !== null) return 'clash';
  const sa = STEMS[a];
  const sb = STEMS[b];
  if (!sa || !sb) throw new RangeError(`stem index out of range: ${a}, ${b}`);
  const ea = sa.elementIndex;
  const eb = sb.elementIndex;
  if (ea === eb) return 'same_element';
  if (generatedBy(ea) === eb || generatedBy(eb) === ea) return 'generation';
  if (controlledBy(ea) === eb || controlledBy(eb) === ea) return 'control';
  throw new Error('unreachable: two elements are equal, generate or control one another');
}

// ---------------------------------------------------------------------------------------------
// Branches (지지)

/** 육합 (六合): six pairs. */
export const SIX_COMBINATIONS = [
  { pair: '子丑', hangul: '자축합' },
  { pair: '寅亥', hangul: '인해합' },
  { pair: '卯戌', hangul: '묘술합' },
  { pair: '辰酉', hangul: '진유합' },
  { pair: '巳申', hangul: '사신합' },
  { pair: '午未', hangul: '오미합' },
] as const;

/**
 * 삼합 (三合): 생지·왕지·고지 of one element. Two of the three form a 반합 (半合); a pair holding
 * the 왕지 (子午卯酉, the middle character) is the true 반합, the 생지+고지 pair (申辰 …) is the
 * weaker 공합 (拱合) that only hints at the missing 왕지.
 */
export const TRIPLE_COMBINATIONS = [
  { trio: '申子辰', hangul: '신자진 수국(水局)' },
  { trio: '亥卯未', hangul: '해묘미 목국(木局)' },
  { trio: '寅午戌', hangul: '인오술 화국(火局)' },
  { trio: '巳酉丑', hangul: '사유축 금국(金局)' },
] as const;

/** 방합 (方合): the three branches of one season and direction. */
export const DIRECTIONAL_COMBINATIONS = [
  { trio: '寅卯辰', hangul: '인묘진 동방 목(東方木)' },
  { trio: '巳午未', hangul: '사오미 남방 화(南方火)' },
  { trio: '申酉戌', hangul: '신유술 서방 금(西方金)' },
  { trio: '亥子丑', hangul: '해자축 북방 수(北方水)' },
] as const;

/** 충 (沖): the six pairs of opposite branches. */
export const BRANCH_CLASHES = [
  { pair: '子午', hangul: '자오충' },
  { pair: '丑未', hangul: '축미충' },
  { pair: '寅申', hangul: '인신충' },
  { pair: '卯酉', hangul: '묘유충' },
  { pair: '辰戌', hangul: '진술충' },
  { pair: '巳亥', hangul: '사해충' },
] as const;

/**
 * 형 (刑): 寅巳申 무은지형(無恩之刑) and 丑戌未 지세지형(持勢之刑), any two of each; 子卯
 * 무례지형(無禮之刑); and 자형(自刑), a branch with itself, for 辰午酉亥.
 */
export const PUNISHMENTS = [
  { pair: '寅巳', hangul: '인사형 (무은지형)' },
  { pair: '巳申', hangul: '사신형 (무은지형)' },
  { pair: '寅申', hangul: '인신형 (무은지형)' },
  { pair: '丑戌', hangul: '축술형 (지세지형)' },
  { pair: '戌未', hangul: '술미형 (지세지형)' },
  { pair: '丑未', hangul: '축미형 (지세지형)' },
  { pair: '子卯', hangul: '자묘형 (무례지형)' },
  { pair: '辰辰', hangul: '진진 자형' },
  { pair: '午午', hangul: '오오 자형' },
  { pair: '酉酉', hangul: '유유 자형' },
  { pair: '亥亥', hangul: '해해 자형' },
] as const;

/** 파 (破): six pairs. */
export const DESTRUCTIONS = [
  { pair: '子酉', hangul: '자유파' },
  { pair: '丑辰', hangul: '축진파' },
  { pair: '寅亥', hangul: '인해파' },
  { pair: '卯午', hangul: '묘오파' },
  { pair: '巳申', hangul: '사신파' },
  { pair: '未戌', hangul: '미술파' },
] as const;

/** 해 (害, 육해 六害): six pairs, each the 충 of the other's 육합 partner. */
export const HARMS = [
  { pair: '子未', hangul: '자미해' },
  { pair: '丑午', hangul: '축오해' },
  { pair: '寅巳', hangul: '인사해' },
  { pair: '卯辰', hangul: '묘진해' },
  { pair: '申亥', hangul: '신해해' },
  { pair: '酉戌', hangul: '유술해' },
] as const;

/** 원진 (怨嗔): six pairs, the relation Korean 궁합 reads as "resentment without reason". */
export const RESENTMENTS = [
  { pair: '子未', hangul: '자미 원진' },
  { pair: '丑午', hangul: '축오 원진' },
  { pair: '寅酉', hangul: '인유 원진' },
  { pair: '卯申', hangul: '묘신 원진' },
  { pair: '辰亥', hangul: '진해 원진' },
  { pair: '巳戌', hangul: '사술 원진' },
] as const;

/** Branch relation kinds, in the order breakdown rows list them (harmony first, then friction). */
export const BRANCH_RELATION_KINDS = [
  'six_combination',
  'triple_combination',
  'triple_combination_partial',
  'directional_combination',
  'clash',
  'punishment',
  'destruction',
  'harm',
  'resentment',
] as const;
export type BranchRelationKind = (typeof BRANCH_RELATION_KINDS)[number];

export interface BranchRelation {
  readonly kind: BranchRelationKind;
  /** The relation's name as a reader would say it, e.g. "자축합" or "신자진 수국(水局) 반합". */
  readonly name: string;
}

const BRANCH_RELATIONS: BranchRelation[][] = Array.from({ length: 144 }, () => []);

function addPair(a: string, b: string, relation: BranchRelation): void {
  const i = branchIndexByHanja(a);
  const j = branchIndexByHanja(b);
  BRANCH_RELATIONS[i * 12 + j]!.push(relation);
  if (i !== j) BRANCH_RELATIONS[j * 12 + i]!.push(relation);
}

function addPairs(kind: BranchRelationKind, table: readonly { pair: string; hangul: string }[]): void {
  for (const { pair, hangul } of table) addPair(pair[0] as string, pair[1] as string, { kind, name: hangul });
}

function addTrioPairs(table: readonly { trio: string; hangul: string }[], kindOf: (k: number, l: number) => BranchRelationKind, suffix: (kind: BranchRelationKind) => string): void {
  for (const { trio, hangul } of table) {
    for (const [k, l] of [[0, 1], [1, 2], [0, 2]] as const) {
      const kind = kindOf(k, l);
      addPair(trio[k] as string, trio[l] as string, { kind, name: `${hangul} ${suffix(kind)}` });
    }
  }
}

addPairs('six_combination', SIX_COMBINATIONS);
addTrioPairs(
  TRIPLE_COMBINATIONS,
  (k, l) => (k === 1 || l === 1 ? 'triple_combination' : 'triple_combination_partial'),
  (kind) => (kind === 'triple_combination' ? '반합' : '공합(拱合)'),
);
addTrioPairs(DIRECTIONAL_COMBINATIONS, () => 'directional_combination', () => '방합');
addPairs('clash', BRANCH_CLASHES);
addPairs('punishment', PUNISHMENTS);
addPairs('destruction', DESTRUCTIONS);
addPairs('harm', HARMS);
addPairs('resentment', RESENTMENTS);
// Breakdown rows list a pair's relations in BRANCH_RELATION_KINDS order.
for (const list of BRANCH_RELATIONS) {
  list.sort((x, y) => BRANCH_RELATION_KINDS.indexOf(x.kind) - BRANCH_RELATION_KINDS.indexOf(y.kind));
}

/** Every relation between two branches (indexes 0-11), possibly several (巳申: 합, 형 and 파). */
export function branchRelations(a: number, b: number): readonly BranchRelation[] {
  return BRANCH_RELATIONS[a * 12 + b] ?? [];
}
