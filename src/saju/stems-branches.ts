// 천간(天干) and 지지(地支) with their Hanja, Hangul, element and yin/yang, and the 60-pillar
// sexagenary cycle (육십갑자 六十甲子) that every pillar is an index into.
import { ELEMENTS, type Element } from './five-elements.js';

export type YinYang = 'yang' | 'yin';

export interface Stem {
  readonly index: number;
  readonly hanja: string;
  readonly hangul: string;
  readonly element: Element;
  readonly elementIndex: number;
  readonly yinYang: YinYang;
}

export interface Branch extends Stem {
  /** 띠 animal in Korean (쥐, 소, …) and English. */
  readonly animal: string;
  readonly animalEn: string;
}

// Stems alternate yang/yin and take the elements two by two: 甲乙 wood, 丙丁 fire, …
const STEM_TEXT = [
  ['甲', '갑'], ['乙', '을'], ['丙', '병'], ['丁', '정'], ['戊', '무'],
  ['己', '기'], ['庚', '경'], ['辛', '신'], ['壬', '임'], ['癸', '계'],
] as const;

export const STEMS: readonly Stem[] = STEM_TEXT.map(([hanja, hangul], index) => {
  const elementIndex = Math.floor(index / 2);
  return {
    index,
    hanja,
    hangul,
    element: ELEMENTS[elementIndex] as Element,
    elementIndex,
    yinYang: index % 2 === 0 ? 'yang' : 'yin',
  };
});

// Branch elements are the main (정기 正氣) element of each branch. Yin/yang is the positional one
// (子寅辰午申戌 yang), the convention of the sexagenary cycle itself, so a pillar's stem and branch
// always share their yin/yang.
const BRANCH_TEXT = [
  ['子', '자', 'water', '쥐', 'rat'],
  ['丑', '축', 'earth', '소', 'ox'],
  ['寅', '인', 'wood', '호랑이', 'tiger'],
  ['卯', '묘', 'wood', '토끼', 'rabbit'],
  ['辰', '진', 'earth', '용', 'dragon'],
  ['巳', '사', 'fire', '뱀', 'snake'],
  ['午', '오', 'fire', '말', 'horse'],
  ['未', '미', 'earth', '양', 'goat'],
  ['申', '신', 'metal', '원숭이', 'monkey'],
  ['酉', '유', 'metal', '닭', 'rooster'],
  ['戌', '술', 'earth', '개', 'dog'],
  ['亥', '해', 'water', '돼지', 'pig'],
] as const;

export const BRANCHES: readonly Branch[] = BRANCH_TEXT.map(([hanja, hangul, element, animal, animalEn], index) => ({
  index,
  hanja,
  hangul,
  element,
  elementIndex: ELEMENTS.indexOf(element),
  yinYang: index % 2 === 0 ? 'yang' : 'yin',
  animal,
  animalEn,
}));

export const PILLAR_COUNT = 60;

export function stemOf(pillar: number): Stem {
  return STEMS[pillar % 10] as Stem;
}

export function branchOf(pillar: number): Branch {
  return BRANCHES[pillar % 12] as Branch;
}

/**
 * Index (0-59, 0 = 甲子) of the pillar with this stem and branch. Only pairs of equal yin/yang
 * exist in the cycle; 6s − 5b is the solution of i ≡ s (mod 10), i ≡ b (mod 12) (CRT).
 */
export function pillarIndex(stem: number, branch: number): number {
  if ((stem - branch) % 2 !== 0) throw new RangeError(`no pillar has stem ${stem} and branch ${branch}`);
  return (((6 * stem - 5 * branch) % 60) + 60) % 60;
}

export function stemIndexByHanja(hanja: string): number {
  const i = STEMS.findIndex((s) => s.hanja === hanja);
  if (i < 0) throw new RangeError(`unknown stem ${hanja}`);
  return i;
}

export function branchIndexByHanja(hanja: string): number {
  const i = BRANCHES.findIndex((b) => b.hanja === hanja);
  if (i < 0) throw new RangeError(`unknown branch ${hanja}`);
  return i;
}

/** '甲子' and '갑자' for a pillar index. */
export function pillarNames(pillar: number): { hanja: string; hangul: string } {
  const s = stemOf(pillar);
  const b = branchOf(pillar);
  return { hanja: s.hanja + b.hanja, hangul: s.hangul + b.hangul };
}
