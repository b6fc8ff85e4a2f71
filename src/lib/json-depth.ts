/**
 * Bounds on the shape of untrusted JSON (REST bodies, socket payloads), checked without
 * recursion: a payload of 20,000 nested arrays fits in 40 KB, and any code that recursed once per
 * level over it would overflow the stack (and, inside a Socket.IO listener, end the process).
 * Every body and socket payload passes `tooDeep` before any other code walks it.
 */

/** Nesting allowed: arrays and objects together (the contract: deeper than 32 → 400). */
export const MAX_JSON_DEPTH = 32;

export const TOO_DEEP_MESSAGE = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * True when `value` nests arrays/objects more than `max` levels deep (`{}` and `[]` are one
 * level; a scalar is none). Iterative, with an explicit stack; every node is visited at most once
 * and the walk stops at the first container beyond `max`, so the work is linear in the payload's
 * size whatever its shape.
 */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max >= 1 && !Array.isArray(value) && isFlat(value)) return false; // the usual payload, no arrays allocated
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const node = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** No object or array among the object's own enumerable values (those Object.values gives). */
function isFlat(value: object): boolean {
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') return false;
  }
  return true;
}
