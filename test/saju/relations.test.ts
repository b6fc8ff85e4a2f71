// Table-driven checks of every relation table against the pairs as Korean 명리 books list them,
// written out here independently of src/saju/relations.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BranchRelationKind, branchRelations, stemRelation } from '../../src/saju/relations.js';

const STEMS = '甲乙丙丁戊己庚辛壬癸';
const BRANCHES = '子丑寅卯辰巳午未申酉戌亥';
const stem = (c: string) => STEMS.indexOf(c);
const branch = (c: string) => BRANCHES.indexOf(c);

test('천간합 甲己 乙庚 丙辛 丁壬 戊癸 and 천간충 甲庚 乙辛 丙壬 丁癸, both orders', () => {
  for (const pair of ['甲己', '乙庚', '丙辛', '丁壬', '戊癸']) {
    assert.equal(stemRelation(stem(pair[0]!), stem(pair[1]!)), 'combination', pair);
    assert.equal(stemRelation(stem(pair[1]!), stem(pair[0]!)), 'combination', pair);
  }
  for (const pair of ['甲庚', '乙辛', '丙壬', '丁癸']) {
    assert.equal(stemRelation(stem(pair[0]!), stem(pair[1]!)), 'clash', pair);
    assert.equal(stemRelation(stem(pair[1]!), stem(pair[0]!)), 'clash', pair);
  }
});

test('the other day-master pairs are 상생, 비화 or 상극 by their elements', () => {
  const cases: [string, string][] = [
    ['甲丙', 'generation'], ['丙戊', 'generation'], ['戊庚', 'generation'], ['庚壬', 'generation'], ['壬甲', 'generation'],
    ['乙丁', 'generation'], ['癸乙', 'generation'], ['丁己', 'generation'],
    ['甲甲', 'same_element'], ['甲乙', 'same_element'], ['戊己', 'same_element'], ['壬癸', 'same_element'],
    ['甲戊', 'control'], ['乙己', 'control'], ['乙戊', 'control'], ['丙庚', 'control'], ['丁辛', 'control'],
    ['丁庚', 'control'], ['戊壬', 'control'], ['己癸', 'control'], ['己壬', 'control'], ['甲辛', 'control'], ['丙癸', 'control'],
  ];
  for (const [pair, relation] of cases) {
    assert.equal(stemRelation(stem(pair[0]!), stem(pair[1]!)), relation, pair);
    assert.equal(stemRelation(stem(pair[1]!), stem(pair[0]!)), relation, pair);
  }
  // Over all 100 ordered pairs: 10 합, 8 충, 20 비화, 40 상생, 22 other 상극.
  const tally: Record<string, number> = {};
  for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) tally[stemRelation(a, b)] = (tally[stemRelation(a, b)] ?? 0) + 1;
  assert.deepEqual(tally, { combination: 10, clash: 8, same_element: 20, generation: 40, control: 22 });
});

// Branch relations as the books list them. 반합 pairs hold the 왕지 (子午卯酉); 공합 pairs are the
// 생지+고지 ends of a 삼합; 방합 pairs are any two of a season.
const EXPECTED: Record<BranchRelationKind, string[]> = {
  six_combination: ['子丑', '寅亥', '卯戌', '辰酉', '巳申', '午未'],
  triple_combination: ['申子', '子辰', '亥卯', '卯未', '寅午', '午戌', '巳酉', '酉丑'],
  triple_combination_partial: ['申辰', '亥未', '寅戌', '巳丑'],
  directional_combination: ['寅卯', '卯辰', '寅辰', '巳午', '午未', '巳未', '申酉', '酉戌', '申戌', '亥子', '子丑', '亥丑'],
  clash: ['子午', '丑未', '寅申', '卯酉', '辰戌', '巳亥'],
  punishment: ['寅巳', '巳申', '寅申', '丑戌', '戌未', '丑未', '子卯', '辰辰', '午午', '酉酉', '亥亥'],
  destruction: ['子酉', '丑辰', '寅亥', '卯午', '巳申', '未戌'],
  harm: ['子未', '丑午', '寅巳', '卯辰', '申亥', '酉戌'],
  resentment: ['子未', '丑午', '寅酉', '卯申', '辰亥', '巳戌'],
};

test('every one of the 144 branch pairs has exactly the relations the tables name (육합 삼합 방합 충 형 파 해 원진)', () => {
  const expected = new Map<string, Set<string>>();
  for (const [kind, pairs] of Object.entries(EXPECTED)) {
    for (const pair of pairs) {
      for (const key of [pair, pair[1]! + pair[0]!]) {
        if (!expected.has(key)) expected.set(key, new Set());
        expected.get(key)!.add(kind);
      }
    }
  }
  for (const a of BRANCHES) {
    for (const b of BRANCHES) {
      const actual = branchRelations(branch(a), branch(b)).map((r) => r.kind);
      assert.equal(new Set(actual).size, actual.length, `${a}${b} lists a relation twice`);
      assert.deepEqual(new Set(actual), expected.get(a + b) ?? new Set(), `${a}${b}`);
    }
  }
});

test('relation names carry the Hangul reading and pairs with several relations list them all', () => {
  assert.deepEqual(branchRelations(branch('巳'), branch('申')).map((r) => r.name), ['사신합', '사신형 (무은지형)', '사신파']);
  assert.deepEqual(branchRelations(branch('子'), branch('未')).map((r) => r.name), ['자미해', '자미 원진']);
  assert.deepEqual(branchRelations(branch('申'), branch('子')).map((r) => r.name), ['신자진 수국(水局) 반합']);
  assert.deepEqual(branchRelations(branch('辰'), branch('申')).map((r) => r.name), ['신자진 수국(水局) 공합(拱合)']);
  assert.deepEqual(branchRelations(branch('酉'), branch('酉')).map((r) => r.name), ['유유 자형']);
  assert.deepEqual(branchRelations(branch('子'), branch('子')), []);
});
