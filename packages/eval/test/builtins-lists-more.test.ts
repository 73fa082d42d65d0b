import { describe, expect, it } from 'vitest';
import { compareWithNix, mEval } from './builtins-harness';

compareWithNix('lists-more', 'sort', {
  ok: [
    'builtins.sort builtins.lessThan [3 1 2 1.5 0.5]',
    'builtins.sort builtins.lessThan ["b" "a" "é" "e" ""]',
    'builtins.sort builtins.lessThan [[1 2] [1] [0 5] []]',
    'builtins.sort builtins.lessThan [/b /a]',
    'builtins.sort (a: b: a < b) []',
    'builtins.sort (a: b: a > b) [1]',
    'builtins.sort (a: b: true) [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20]',
    'builtins.sort (a: b: false) [3 1 2]',
    'builtins.sort (a: b: a.k < b.k) (builtins.genList (i: {k = builtins.bitAnd (i * 7919) 15; i = i;}) 40)',
    'let l = builtins.genList (i: builtins.bitAnd (i * 2654435761) 1023) 100; in builtins.sort (a: b: a > b) l',
    'let l = builtins.genList (i: builtins.bitAnd (i * 40503) 63) 37; in builtins.sort (a: b: a <= b) l',
    'builtins.sort (a: b: builtins.bitAnd a 1 < builtins.bitAnd b 1) (builtins.genList (x: x) 30)',
    // the plain comparators `a: b: a < b` / `a: b: b < a` (compared without calling them)
    'builtins.sort (a: b: a < b) [ 3 1.5 2 1 0.5 (-1) ]',
    'builtins.sort (x: y: y < x) [ "b" "a" "é" "e" "" "ab" ]',
    'builtins.sort (a: b: a < b) [ [ 1 2 ] [ 1 ] [ 0 5 ] [ ] [ 1 1 ] ]',
    'builtins.sort (a: b: b < a) [ /b /a /c ]',
    'builtins.sort (a: b: b > a) (builtins.genList (i: builtins.bitAnd (i * 7919) 255) 300)',
    'let __lessThan = a: b: builtins.lessThan b a; in builtins.sort (a: b: a < b) [ 3 1 2 ]',
    'let f = __lessThan: a: b: a < b; in builtins.sort (f (x: y: true)) [ 3 1 2 ]',
    'with { __lessThan = a: b: false; }; builtins.sort (a: b: a < b) [ 3 1 2 ]',
    'builtins.sort (a: b: a < b) [ "${toString 1}" "0" ]',
  ],
  err: [
    'builtins.sort builtins.lessThan [3 1 2 1.5 "a"]',
    'builtins.sort (a: b: a < b) [3 1 "a" 2]',
    'builtins.sort (a: b: (if a == 5 then "x" else a) < b) [9 8 7 6 5 4 3 2 1 0 11 12 13 14 15 16 17]',
    'builtins.sort (a: b: (if b == 12 then null else a) < b) (builtins.genList (x: 20 - x) 20)',
    'builtins.sort (a: b: 1) [1 2]',
    'builtins.sort 1 [1 2]',
    'builtins.sort builtins.lessThan 1',
    'builtins.sort builtins.lessThan [true false]',
    'builtins.sort builtins.lessThan [{} {}]',
    'builtins.sort (a: b: a < b) [1 (throw "elem")]',
    'builtins.sort (a: b: b < a) [ 3 1 "a" 2 ]',
    'builtins.sort (a: b: a < b) [ [ 1 ] [ (throw "nested") ] [ 0 ] ]',
    'builtins.sort (a: b: a < b) [ 2 1 {} ]',
    'builtins.sort (a: b: a < b) [ 1.5 2 true ]',
  ],
});

compareWithNix('lists-more', 'partition, groupBy, concatMap, any, all', {
  ok: [
    'builtins.partition (x: x > 2) [1 2 3 4]',
    'builtins.partition (x: x > 2) []',
    'builtins.groupBy (x: if x > 2 then "big" else "small") [1 2 3 4]',
    'builtins.groupBy (x: x) []',
    'builtins.groupBy builtins.typeOf [1 "a" 2 null]',
    'builtins.concatMap (x: [x x]) [1 2]',
    'builtins.concatMap (x: []) [1 2]',
    'builtins.any (x: x) [false true]',
    'builtins.any (x: x) []',
    'builtins.any (x: x > 1) [2 "a"]',
    'builtins.all (x: x) []',
    'builtins.all (x: x > 1) [0 "a"]',
    'builtins.all (x: x) [true true]',
  ],
  err: [
    'builtins.partition (x: 1) [1]',
    'builtins.partition 1 [1]',
    'builtins.groupBy (x: 1) [1]',
    'builtins.groupBy (x: x) ["${builtins.toFile "m-gb" "x"}"]',
    'builtins.concatMap (x: x) [1 2]',
    'builtins.concatMap (x: [x]) 1',
    'builtins.all (x: x) [1]',
    'builtins.any (x: x) [null]',
    'builtins.any 1 []',
  ],
});

compareWithNix('lists-more', 'genericClosure', {
  ok: [
    'builtins.genericClosure {startSet = [{key = 5;}]; operator = item: [{key = if (item.key / 2) * 2 == item.key then item.key / 2 else 3 * item.key + 1;}];}',
    'builtins.genericClosure {startSet = []; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key = 1; a = 1;} {key = 1.0; a = 2;} {key = 2;}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key = [1 "a"];} {key = [1 "a"];} {key = [1 "b"];}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key = "b";} {key = "a";}]; operator = x: if x.key == "b" then [{key = "a"; n = 1;} {key = "c";}] else [];}',
    'builtins.length (builtins.genericClosure {startSet = [{key = 0;}]; operator = x: if x.key < 3000 then [{key = x.key + 1;} {key = x.key / 2;}] else [];})',
  ],
  err: [
    'builtins.genericClosure {startSet = [{key=1;} {key="a";}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key=1;} {key=2.5;} {key = 3;} {key="a";}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key=[1 2];} {key=[1 2.0];} {key = [1 "a"];}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key=1;} {x=1;}]; operator = x: [];}',
    'builtins.genericClosure {startSet = [];}',
    'builtins.genericClosure {operator = x: [];}',
    'builtins.genericClosure {startSet = [1]; operator = x: [];}',
    'builtins.genericClosure {startSet = [{key=1;}]; operator = x: 1;}',
    'builtins.genericClosure {startSet = [{key=true;} {key=false;}]; operator = x: [];}',
    'builtins.genericClosure 1',
  ],
});

describe('long lists (no JS recursion per element)', () => {
  it('sort, partition, concatMap and genericClosure on 30000 elements', () => {
    expect(mEval('builtins.length (builtins.sort (a: b: a > b) (builtins.genList (x: x) 30000))')).toBe('30000');
    expect(mEval('builtins.head (builtins.sort builtins.lessThan (builtins.genList (x: 30000 - x) 30000))')).toBe('1');
    expect(mEval('builtins.length (builtins.partition (x: x > 5) (builtins.genList (x: x) 30000)).right')).toBe('29994');
    expect(mEval('builtins.length (builtins.concatMap (x: [x x]) (builtins.genList (x: x) 30000))')).toBe('60000');
    expect(
      mEval('builtins.length (builtins.genericClosure { startSet = [{key = 0;}]; operator = x: if x.key < 30000 then [{key = x.key + 1;}] else []; })'),
    ).toBe('30001');
  });
});
