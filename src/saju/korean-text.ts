// Small helpers for Korean sentences: particles (조사) depend on whether the previous syllable ends
// in a consonant (받침), e.g. "갑목과" but "기토와".
import { ELEMENT_NAMES } from './five-elements.js';
import { type Branch, type Stem } from './stems-branches.js';

function lastHangulHasFinal(word: string): boolean {
  for (let i = word.length - 1; i >= 0; i--) {
    const code = word.charCodeAt(i);
    if (code >= 0xac00 && code <= 0xd7a3) return (code - 0xac00) % 28 !== 0;
  }
  return false;
}

/** Appends the right particle: withParticle('갑목', '과', '와') → '갑목과'. */
export function withParticle(word: string, afterConsonant: string, afterVowel: string): string {
  return word + (lastHangulHasFinal(word) ? afterConsonant : afterVowel);
}

/** '甲(갑목)': the stem with its reading and element, how Korean 명리 books write a day master. */
export function stemLabel(stem: Stem): string {
  return `${stem.hanja}(${stem.hangul}${ELEMENT_NAMES[stem.elementIndex]?.hangul ?? ''})`;
}

/** '子(자)'. */
export function branchLabel(branch: Branch): string {
  return `${branch.hanja}(${branch.hangul})`;
}
