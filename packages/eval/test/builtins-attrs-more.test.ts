import { compareWithNix } from './builtins-harness';

compareWithNix('attrs-more', 'catAttrs, mapAttrs, intersectAttrs, zipAttrsWith', {
  ok: [
    'builtins.catAttrs "a" [{a=1;} {b=2;} {a=3;}]',
    'builtins.catAttrs "a" []',
    'builtins.mapAttrs (n: v: n + toString v) {x=1; y=2;}',
    'builtins.mapAttrs (n: v: throw "lazy") {} ',
    'builtins.attrNames (builtins.mapAttrs (n: v: throw "lazy") {a = 1;})',
    'builtins.intersectAttrs {a=1; b=2;} {b=3; c=4;}',
    'builtins.intersectAttrs {} {b=3;}',
    'builtins.intersectAttrs {a=1; b=2; c=3;} {c=5;}',
    'builtins.zipAttrsWith (n: vs: vs) [{a=1;} {a=2; b=3;}]',
    'builtins.zipAttrsWith (n: vs: n) [{a=1;} {b=2;}]',
    'builtins.zipAttrsWith (n: vs: vs) []',
    // elements forced through application thunks: builtins as functions, an element forced twice
    'builtins.mapAttrs builtins.seq { a = 2; }',
    'builtins.mapAttrs builtins.getAttr { x = { x = 5; }; }',
    'let s = builtins.mapAttrs (n: v: v + 1) { a = 1; b = 2; }; in [ s.a s.a s.b ]',
    'let s = builtins.mapAttrs (n: v: builtins.tryEval (assert v > 1; v)) { a = 1; b = 2; }; in [ s.a s.b ]',
    'let s = builtins.mapAttrs (n: v: assert v > 1; v) { a = 1; b = 2; }; in [ (builtins.tryEval s.a) (builtins.tryEval s.a) s.b ]',
    'builtins.zipAttrsWith builtins.seq [ { a = 1; } { a = 2; } ]',
    'builtins.attrNames (builtins.zipAttrsWith (n: vs: throw "lazy") [{a=1;}])',
  ],
  err: [
    'builtins.catAttrs "a" [{a=1;} 2]',
    'builtins.catAttrs 1 []',
    'builtins.mapAttrs (n: v: v) 1',
    'builtins.intersectAttrs 1 {}',
    'builtins.intersectAttrs {} 1',
    'builtins.zipAttrsWith (n: vs: vs) [{a=1;} 2]',
    'builtins.mapAttrs (n: v: v.x) { a = 1; }',
    '(builtins.mapAttrs 1 { a = 1; }).a',
    '(builtins.zipAttrsWith (n: vs: builtins.head vs + "x") [ { a = 1; } ]).a',
    'builtins.zipAttrsWith 1 []',
    'builtins.zipAttrsWith (n: vs: vs) 1',
  ],
});

compareWithNix('attrs-more', 'functionArgs, unsafeGetAttrPos', {
  ok: [
    'builtins.functionArgs ({a, b ? 1}: a)',
    'builtins.functionArgs ({...}: 1)',
    'builtins.functionArgs ({a, ...}@x: a)',
    'builtins.functionArgs (x: x)',
    'builtins.functionArgs builtins.map',
    'builtins.functionArgs (builtins.map (x: x))',
    'builtins.unsafeGetAttrPos "x" {a=1;}',
    'builtins.unsafeGetAttrPos "a" (builtins.mapAttrs (n: v: v) {a = 1;})',
    'builtins.unsafeGetAttrPos "a" (builtins.zipAttrsWith (n: v: v) [{a = 1;}])',
    'builtins.unsafeGetAttrPos "right" (builtins.partition (x: true) [])',
    '(builtins.unsafeGetAttrPos "b" (builtins.intersectAttrs {a=1; b=2;} {b=3; c=4;})).column',
    '(builtins.unsafeGetAttrPos "a" (builtins.functionArgs ({a, b ? 1}: a))).column',
    'let p = builtins.unsafeGetAttrPos "a" { x = 1;\n a = 2; }; in [p.line p.column]',
  ],
  err: [
    'builtins.functionArgs 1',
    'builtins.functionArgs {__functor = s: x: x;}',
    'builtins.unsafeGetAttrPos 1 {}',
    'builtins.unsafeGetAttrPos "a" 1',
  ],
});

compareWithNix('attrs-more', 'addErrorContext', {
  ok: ['builtins.addErrorContext "ctx" (1 + 1)', 'builtins.addErrorContext (throw "not forced") [1]'],
  err: ['builtins.addErrorContext "ctx" (throw "boom")', 'builtins.addErrorContext 1 (throw "boom")'],
});
