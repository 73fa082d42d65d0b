/**
 * derivationStrict with large environment strings, against real Nix: drvPaths, output paths and
 * the written .drv bytes, in read-write and read-only mode, including derivations that share one
 * large string and depend on each other.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, createFsEvalIO } from '../src/index';
import { mkStoreEvaluator, nixJson, ourJson } from './store-oracle';

// ≈ 1 MB strings with every escaped character, multi-byte characters and a 4-byte one.
const EXPR = `let
  big = tag: builtins.concatStringsSep "" (builtins.genList (i: "\${tag} q\\" b\\\\ n\\n t\\t r\\r é ✓ 😀 \${toString i}\\n") 25000);
  shared = big "s";
  mk = attrs: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; script = shared; } // attrs);
  a = mk { name = "a"; own = big "a"; outputs = [ "out" "dev" ]; };
  b = mk { name = "b"; dep = a.dev; };
  c = mk { name = "c"; deps = [ a b ]; again = shared; };
  many = builtins.genList (i: (mk { name = "m\${toString i}"; n = i; }).drvPath) 20;
in { a = a.drvPath; aOut = a.outPath; aDev = a.dev.outPath; b = b.drvPath; c = c.drvPath; cOut = c.outPath; inherit many; }`;

type Result = { a: string; aOut: string; aDev: string; b: string; c: string; cOut: string; many: string[] };

describe('derivations with large environment strings', () => {
  let expected: Result;
  beforeAll(() => {
    expected = nixJson(EXPR) as Result;
  }, 120_000);

  it('gives Nix drvPaths and output paths and writes byte-identical .drv files', () => {
    const { ev, physicalStore } = mkStoreEvaluator();
    const got = ourJson(ev, EXPR) as Result;
    expect(got).toEqual(expected);
    for (const drvPath of [got.a, got.b, got.c, ...got.many]) {
      const ours = readFileSync(join(physicalStore, drvPath.slice('/nix/store/'.length)));
      expect(ours.equals(readFileSync(drvPath)), drvPath).toBe(true);
    }
  });

  it('gives the same paths in read-only mode without writing', () => {
    const physicalStore = mkdtempSync(join(tmpdir(), 'm-store-test-'));
    const ro = createEvaluator({
      io: createFsEvalIO({ storeDir: '/nix/store', physicalStore, readOnly: true }),
      nixPath: [],
      storeDir: '/nix/store',
      warn: () => {},
      trace: () => {},
    });
    try {
      expect(ourJson(ro, EXPR)).toEqual(expected);
      expect(readdirSync(physicalStore).filter((f) => f.endsWith('.drv'))).toEqual([]);
    } finally {
      rmSync(physicalStore, { recursive: true, force: true });
    }
  });
});
