// The JSON of GET /api/users/me/saju (docs/api.md, "My profile"): a chart with the Hanja, Hangul,
// element and yin/yang of every character.
import type { AmbiguousPillar, Chart } from './chart.js';
import { elementCounts } from './chart-elements.js';
import type { Element } from './five-elements.js';
import { type Branch, type Stem, type YinYang, branchOf, pillarNames, stemOf } from './stems-branches.js';

export interface SajuCharacterView {
  hanja: string;
  hangul: string;
  element: Element;
  yin_yang: YinYang;
}

export interface SajuPillarView {
  stem: SajuCharacterView;
  branch: SajuCharacterView;
  /** The pillar's name, e.g. "甲子" and "갑자". */
  hanja: string;
  hangul: string;
}

export interface SajuView {
  pillars: { year: SajuPillarView; month: SajuPillarView; day: SajuPillarView; hour: SajuPillarView | null };
  elements: Record<Element, number>;
  day_master: SajuCharacterView;
  zodiac: { hanja: string; hangul: string; animal: string; animal_en: string };
  ambiguous: AmbiguousPillar[];
}

function characterView(character: Stem | Branch): SajuCharacterView {
  return {
    hanja: character.hanja,
    hangul: character.hangul,
    element: character.element,
    yin_yang: character.yinYang,
  };
}

function pillarView(pillar: number): SajuPillarView {
  return { stem: characterView(stemOf(pillar)), branch: characterView(branchOf(pillar)), ...pillarNames(pillar) };
}

export function presentChart(chart: Chart): SajuView {
  const { year, month, day, hour } = chart.pillars;
  const [wood, fire, earth, metal, water] = elementCounts(chart.pillars) as [number, number, number, number, number];
  const yearBranch = branchOf(year);
  return {
    pillars: {
      year: pillarView(year),
      month: pillarView(month),
      day: pillarView(day),
      hour: hour === null ? null : pillarView(hour),
    },
    elements: { wood, fire, earth, metal, water },
    day_master: characterView(stemOf(day)),
    zodiac: {
      hanja: yearBranch.hanja,
      hangul: yearBranch.hangul,
      animal: yearBranch.animal,
      animal_en: yearBranch.animalEn,
    },
    ambiguous: [...chart.ambiguous],
  };
}
