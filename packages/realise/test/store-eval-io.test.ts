/** createStoreEvalIO: the evaluator's store writes land in a real store, at the paths Nix computes. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEvaluator } from '@m/eval';
import type { Derivation } from '@m/nix-compat';
import { openStore } from '@m/store';
import { afterAll, describe, expect, it } from 'vitest';
import { createStoreEvalIO, readStoreDerivation, realise } from '../src/index';
import { rmrf, tmpDir } from './helpers';

const work = tmpDir('evalio');
const src = path.join(work, 'src');
fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
fs.writeFileSync(path.join(src, 'a.txt'), 'A\n');
fs.writeFileSync(path.join(src, 'sub', 'b.txt'), 'B\n');
fs.writeFileSync(path.join(src, 'skip.me'), 'skipped\n');
const store = openStore({ root: path.join(work, 'store') });
afterAll(() => {
  store.close();
  rmrf(work);
});

const expr = `
  let d = derivation {
    name = "evalio"; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" "cat \${./src/a.txt} \${builtins.toFile "t.txt" "text"} > $out; cp -r \${builtins.path { path = ./src; name = "named"; }} $out-x 2>/dev/null; true" ];
    dir = "\${./src}";
    filtered = builtins.filterSource (p: t: baseNameOf p != "skip.me") ./src;
  };
  in { inherit (d) drvPath; out = d.outPath; dir = d.dir; filtered = d.filtered; file = "\${./src/a.txt}";
       named = builtins.path { path = ./src; name = "named"; };
       toFile = builtins.toFile "t.txt" "text"; }`;

function evalOurs(): Record<string, string> {
  const ev = createEvaluator({ io: createStoreEvalIO(store), nixPath: [], storeDir: '/nix/store' });
  return JSON.parse(ev.toJSON(ev.evalString(expr, work, '«string»'), { strict: true }));
}

describe('createStoreEvalIO', () => {
  it('adds sources, text files and .drv files to the store at the paths nix-instantiate computes', async () => {
    const ours = evalOurs();
    const theirs = JSON.parse(
      execFileSync('nix-instantiate', ['--read-write-mode', '--eval', '--strict', '--json', '-E', expr], { cwd: work, encoding: 'utf8' }),
    );
    // ./src as seen from nix-instantiate -E is relative to the cwd, as for us.
    expect(ours).toEqual(theirs);
    for (const k of ['drvPath', 'dir', 'filtered', 'file', 'named', 'toFile']) expect([k, store.isValid(ours[k]!)]).toEqual([k, true]);
    expect(Object.keys(ours).sort()).toEqual(['dir', 'drvPath', 'file', 'filtered', 'named', 'out', 'toFile']);
    expect(fs.existsSync(path.join(store.realPath(ours.filtered!), 'skip.me'))).toBe(false);
    expect(fs.readFileSync(path.join(store.realPath(ours.dir!), 'sub', 'b.txt'), 'utf8')).toBe('B\n');
    // The .drv is registered with its inputs as references, and its output recorded.
    const drv = readStoreDerivation(store, ours.drvPath!);
    expect(store.references(ours.drvPath!)).toEqual([...drv.inputSrcs].sort());
    expect(store.derivationOutputs(ours.drvPath!).get('out')).toBe(ours.out);
    // And it builds.
    const r = await realise([ours.drvPath!], { store });
    expect(fs.readFileSync(store.realPath(r.outputs.get(ours.drvPath!)!.out!), 'utf8')).toBe('A\ntext');
  });

  it('a second evaluation reuses the valid paths', () => {
    const written: string[] = [];
    const s2 = openStore({ root: store.root, onWrite: (p) => written.push(p) });
    const ev = createEvaluator({ io: createStoreEvalIO(s2), nixPath: [], storeDir: '/nix/store' });
    ev.toJSON(ev.evalString(expr, work, '«string»'), { strict: true });
    expect(written).toEqual([]);
    s2.close();
  });

  it('hands the derivations it wrote or found valid to realise, which then needs no .drv file', async () => {
    const chain = `let a = derivation { name = "known-a"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo a > $out" ]; };
      in derivation { name = "known-b"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat \${a} > $out" ]; }`;
    const instantiate = (s: typeof store, derivations: Map<string, Derivation>): string => {
      const ev = createEvaluator({ io: createStoreEvalIO(s, { derivations }), nixPath: [], storeDir: '/nix/store' });
      return ev.instantiate(ev.evalString(chain, work, '«string»'))[0]!;
    };
    const known = new Map<string, Derivation>();
    const top = instantiate(store, known);
    expect(known.get(top)).toEqual(readStoreDerivation(store, top));
    expect(known.size).toBe(2);
    const built = await realise([top], { store, derivations: known });
    expect(fs.readFileSync(store.realPath(built.outputs.get(top)!.out!), 'utf8')).toBe('a\n');

    // Already valid on a second evaluation: the map is filled all the same, and a no-op realise
    // finds the outputs valid from it even with the .drv files unreadable.
    const s2 = openStore({ root: store.root });
    const again = new Map<string, Derivation>();
    expect(instantiate(s2, again)).toBe(top);
    expect([...again.keys()].sort()).toEqual([...known.keys()].sort());
    const real = s2.realPath(top);
    fs.renameSync(real, real + '.aside');
    try {
      const noop = await realise([top], { store: s2, derivations: again });
      expect(noop.built).toEqual([]);
      expect(noop.outputs.get(top)).toEqual(built.outputs.get(top));
    } finally {
      fs.renameSync(real + '.aside', real);
      s2.close();
    }
  });
});
