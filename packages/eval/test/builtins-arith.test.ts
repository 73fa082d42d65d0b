import { compareWithNix } from './builtins-harness';

compareWithNix('arith', 'bitAnd, bitOr, bitXor', {
  ok: [
    'builtins.bitAnd 12 10',
    'builtins.bitOr 12 10',
    'builtins.bitXor 12 10',
    'builtins.bitAnd (-1) 255',
    'builtins.bitOr (-9223372036854775807 - 1) 1',
    'builtins.bitXor (-1) 9223372036854775807',
    'map (builtins.bitAnd 6) [0 1 2 3 4 5 6 7]',
  ],
  err: ['builtins.bitAnd 1 1.0', 'builtins.bitOr "a" 1', 'builtins.bitXor 1 null'],
});

compareWithNix('arith', 'ceil, floor', {
  ok: [
    'builtins.ceil 1.5',
    'builtins.ceil (-1.5)',
    'builtins.floor 1.5',
    'builtins.floor (-1.5)',
    'builtins.ceil 3',
    'builtins.floor (-7)',
    'builtins.ceil 0.0000001',
    'builtins.floor 123456789012.75',
    'builtins.ceil 1.0e30',
    'builtins.floor (-1.0e30)',
    'builtins.ceil 9.3e18',
    'builtins.floor 9.2e18',
    'builtins.ceil (-0.5)',
  ],
  err: ['builtins.ceil "x"', 'builtins.floor null', 'builtins.floor [ ]'],
});

compareWithNix('arith', 'sub, mul (core arithmetic used by these groups)', {
  ok: ['builtins.sub 5 3', 'builtins.mul 6 7', 'builtins.mul 2.5 2', 'builtins.sub 1 0.5', 'builtins.mul 9223372036854775807 2'],
  err: ['builtins.sub "a" 1', 'builtins.mul 1 true'],
});
