import { describe, expect, test } from 'vitest';
import { MError } from '@m/core';
import { closureOf, orderByPopularity, packageNameKey, planPopularityLayers, popularity, splitIntoLayers } from '@m/image';

const S = '/nix/store/';
// Hash parts chosen so that hash order and name order disagree.
const p = (hash: string, name: string): string => `${S}${hash.padEnd(32, '0')}-${name}`;

describe('popularity contest (closure-graph.py)', () => {
  // The worked example of closure-graph.py: A→B,G  B→C,E  C→D,E  D→F  E→F.
  const [A, B, C, D, E, F, G] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n, i) => p(String(9 - i), n)) as [
    string, string, string, string, string, string, string,
  ];
  const graph = new Map<string, string[]>([
    [A, [A, B, G]],
    [B, [C, E]],
    [C, [D, E]],
    [D, [F]],
    [E, [F, E]],
    [F, []],
    [G, []],
  ]);

  test('counts as the script documents (A:1 B:2 C:3 D:4 E:5 F:9 G:2)', () => {
    // With A as the single contest root, as in the script's own example.
    const pop = popularity([[A]], graph);
    // Our tops are virtual nodes one level above, so every count is one more than the script's.
    expect(Object.fromEntries([...pop].map(([k, v]) => [k.slice(-1), v - 1]))).toEqual({
      a: 1, b: 2, c: 3, d: 4, e: 5, f: 9, g: 2,
    });
  });

  test('orders by popularity, ties by name then hash', () => {
    expect(orderByPopularity([[A]], graph).map((x) => x.slice(-1))).toEqual(['f', 'e', 'd', 'c', 'b', 'g', 'a']);
  });

  test('tie-break key moves the hash to the end', () => {
    expect(packageNameKey('/nix/store/abc-foo-1.0')).toBe('foo-1.0-/nix/store/abc');
    const x1 = p('1', 'zlib');
    const x2 = p('2', 'acl');
    const x3 = p('0', 'acl');
    const g = new Map<string, string[]>([[x1, []], [x2, []], [x3, []]]);
    expect(orderByPopularity([[x1, x2, x3]], g)).toEqual([x3, x2, x1]);
  });

  test('a root also referenced by another root counts on both accounts (virtual customisation root)', () => {
    const app = p('1', 'app');
    const lib = p('2', 'lib');
    const other = p('3', 'other');
    const g = new Map<string, string[]>([[app, [lib]], [lib, []], [other, []]]);
    const pop = popularity([[app, lib, other]], g);
    expect(pop.get(lib)).toBe(pop.get(app)! + 2);
    expect(orderByPopularity([[app, lib, other]], g)).toEqual([lib, app, other]);
  });

  test('config paths are a second virtual root', () => {
    const app = p('1', 'app');
    const cfg = p('2', 'cfg');
    const g = new Map<string, string[]>([[app, []], [cfg, []]]);
    expect(orderByPopularity([[app], [cfg]], g)).toEqual([app, cfg]);
  });

  test('closure fails on a path without references', () => {
    expect(() => closureOf([A], new Map([[A, [B]]]))).toThrow(MError);
  });
});

describe('layering', () => {
  const paths = Array.from({ length: 70 }, (_, i) => p(String(i), `pkg${i}`));
  test.each([
    [2, 1, [70]],
    [3, 2, [1, 69]],
    [65, 64, [...Array(63).fill(1), 7]],
    [100, 70, Array(70).fill(1)],
  ])('maxLayers %i → %i store layers', (max, count, sizes) => {
    const layers = splitIntoLayers(paths, max);
    expect(layers.length).toBe(count);
    expect(layers.length + 1).toBeLessThanOrEqual(max);
    expect(layers.map((l) => l.length)).toEqual(sizes);
    expect(layers.flat()).toEqual(paths);
  });
  test('maxLayers outside 2..125 is refused (as dockerTools)', () => {
    expect(() => splitIntoLayers(paths, 1)).toThrow(/maxLayers must be an integer from 2 to 125, got 1/);
    expect(() => splitIntoLayers(paths, 0)).toThrow(MError);
    expect(() => splitIntoLayers(paths, 126)).toThrow(/maxLayers must be an integer from 2 to 125, got 126/);
    expect(splitIntoLayers(paths, 125).length).toBeLessThanOrEqual(124);
  });
  test('explicit layers and base image layers count against maxLayers', () => {
    expect(planPopularityLayers(paths.slice(0, 5), 5, { baseLayers: 1, groups: 1 })).toEqual([[paths[0]], paths.slice(1, 5)]);
    expect(() => planPopularityLayers(paths.slice(0, 1), 3, { baseLayers: 1, groups: 1 })).toThrow(/maxLayers = 3 leaves no layer for the store paths/);
    expect(planPopularityLayers([], 3, { baseLayers: 1, groups: 1 })).toEqual([]);
  });
  test('a small closure gets fewer layers', () => {
    expect(splitIntoLayers(paths.slice(0, 3), 65)).toEqual(paths.slice(0, 3).map((x) => [x]));
    expect(splitIntoLayers([], 65)).toEqual([]);
  });
});
