// 오행(五行): the five elements and the two cycles every saju rule is built from.
// Order matters: each element generates the next one (상생 相生 木→火→土→金→水→木) and
// controls the one two steps ahead (상극 相剋 木→土→水→火→金→木).

export const ELEMENTS = ['wood', 'fire', 'earth', 'metal', 'water'] as const;
export type Element = (typeof ELEMENTS)[number];

/** Hanja and Hangul of each element, in ELEMENTS order (木목 火화 土토 金금 水수). */
export const ELEMENT_NAMES: readonly { readonly hanja: string; readonly hangul: string }[] = [
  { hanja: '木', hangul: '목' },
  { hanja: '火', hangul: '화' },
  { hanja: '土', hangul: '토' },
  { hanja: '金', hangul: '금' },
  { hanja: '水', hangul: '수' },
];

export const ELEMENT_COUNT = 5;

/** The element that `element` (an index into ELEMENTS) generates (상생). */
export function generatedBy(element: number): number {
  return (element + 1) % ELEMENT_COUNT;
}

/** The element that `element` controls (상극). */
export function controlledBy(element: number): number {
  return (element + 2) % ELEMENT_COUNT;
}

/** The element that generates `element` (its 인성 印星 as seen from a day master). */
export function generatorOf(element: number): number {
  return (element + 4) % ELEMENT_COUNT;
}

/** The element that controls `element` (its 관성 官星 as seen from a day master). */
export function controllerOf(element: number): number {
  return (element + 3) % ELEMENT_COUNT;
}

export function elementLabel(element: number): string {
  const name = ELEMENT_NAMES[element];
  if (!name) throw new RangeError(`element index out of range: ${element}`);
  return `${name.hangul}(${name.hanja})`;
}
