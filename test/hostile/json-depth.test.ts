import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nulPath } from '../../src/lib/validation.js';
import { MAX_JSON_DEPTH, tooDeep } from '../../src/lib/json-depth.js';
import { nestedArrays, nestedObjects } from './raw-socket.js';

describe('tooDeep (iterative depth bound)', () => {
  it('allows exactly 32 levels of arrays and objects together, refuses 33', () => {
    assert.equal(MAX_JSON_DEPTH, 32);
    assert.equal(tooDeep(JSON.parse(nestedArrays(32))), false);
    assert.equal(tooDeep(JSON.parse(nestedArrays(33))), true);
    assert.equal(tooDeep(JSON.parse(nestedObjects(32))), false);
    assert.equal(tooDeep(JSON.parse(nestedObjects(33))), true);
    // 16 objects around 16 arrays = 32; one more of either kind = 33.
    assert.equal(tooDeep(JSON.parse(nestedObjects(16, nestedArrays(16)))), false);
    assert.equal(tooDeep(JSON.parse(nestedObjects(17, nestedArrays(16)))), true);
    assert.equal(tooDeep(JSON.parse(nestedObjects(16, nestedArrays(17)))), true);
  });

  it('counts depth along each branch, not the number of containers', () => {
    const wide = Array.from({ length: 10_000 }, () => JSON.parse(nestedArrays(31)));
    assert.equal(tooDeep(wide), false);
    wide.push(JSON.parse(nestedArrays(32)));
    assert.equal(tooDeep(wide), true);
    // The deep branch last among many shallow keys.
    const keys: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) keys[`k${i}`] = { x: [i] };
    keys.last = JSON.parse(nestedObjects(40));
    assert.equal(tooDeep(keys), true);
  });

  it('scalars have no depth', () => {
    for (const v of [null, 1, 'x', true, undefined]) assert.equal(tooDeep(v), false);
    assert.equal(tooDeep({}), false);
    assert.equal(tooDeep([], 0), true);
  });

  it('handles 100,000 levels without recursion', () => {
    assert.equal(tooDeep(JSON.parse(nestedArrays(100_000))), true);
    assert.equal(tooDeep(JSON.parse(nestedObjects(100_000))), true);
    assert.equal(tooDeep(JSON.parse(nestedArrays(100_000)), Infinity), false);
  });
});

describe('nulPath (iterative)', () => {
  it('finds NULs and lone surrogates in values and keys, with their path', () => {
    assert.equal(nulPath({ a: 'ok', b: { c: ['x', 'y\u0000'] } }), '/b/c/1');
    assert.equal(nulPath({ a: { 'bad\u0000key': 1 } }), '/a');
    assert.equal(nulPath({ a: '\ud800' }), '/a');
    assert.equal(nulPath('\u0000'), '');
    assert.equal(nulPath({ a: '😀 fine', b: [1, null, true] }), null);
  });

  it('walks 100,000 levels without recursion', () => {
    assert.equal(nulPath(JSON.parse(nestedArrays(100_000))), null);
    const path = nulPath(JSON.parse(nestedObjects(50_000, '"\\u0000"')));
    assert.equal(path, '/a'.repeat(50_000));
  });
});
