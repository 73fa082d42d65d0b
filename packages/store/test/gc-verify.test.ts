import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../src/index';
import { rmrf, tmpDir } from './helpers';

let work: string;
beforeAll(() => {
  work = tmpDir('gc');
});
afterAll(() => rmrf(work));

/** Populates a store in a handle that is closed afterwards (dropping its temp roots). */
function populate(root: string) {
  const s = openStore({ root });
  const c = s.addText('c', 'c');
  const b = s.addText('b', `b ${c}`, [c]);
  const a = s.addText('a', `a ${b}`, [b]);
  const d = s.addText('d', `d ${c}`, [c]);
  const e = s.addText('e', 'e');
  const f = s.addText('f', `f ${e}`, [e]);
  const srcDir = path.join(work, `src-${path.basename(root)}`);
  fs.mkdirSync(srcDir, { recursive: true });
  fs.writeFileSync(path.join(srcDir, 'file'), 'content');
  const tree = s.addPath({ name: 'tree', srcPath: srcDir });
  s.close();
  return { a, b, c, d, e, f, tree };
}

describe('gc', () => {
  test('removes exactly the unreachable paths', () => {
    const root = path.join(work, 's1');
    const { a, b, c, d, e, f, tree } = populate(root);
    const s = openStore({ root });
    s.addGcRoot(a);
    // An indirect root: a `result`-style link elsewhere, registered with the store.
    const result = path.join(work, 'result');
    fs.symlinkSync(s.realPath(tree), result);
    s.addIndirectRoot(result);
    // A crash leftover: on disk, never registered.
    const leftover = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-leftover';
    fs.mkdirSync(s.realPath(leftover));
    fs.writeFileSync(path.join(s.realPath(leftover), 'x'), 'x');

    const dry = s.gc({ roots: [d], dryRun: true });
    expect(dry.deleted).toEqual([e, f].sort());
    expect(s.isValid(e)).toBe(true);

    const r = s.gc({ roots: [d] });
    expect(r.deleted).toEqual([e, f].sort());
    expect(r.garbage).toEqual([leftover]);
    expect(r.bytesFreed).toBe('e'.length + `f ${e}`.length + 'x'.length);
    for (const p of [a, b, c, d, tree]) {
      expect(s.isValid(p)).toBe(true);
      expect(fs.existsSync(s.realPath(p))).toBe(true);
    }
    for (const p of [e, f, leftover]) {
      expect(s.isValid(p)).toBe(false);
      expect(fs.existsSync(s.realPath(p))).toBe(false);
    }

    // Without the explicit root, d goes; c stays (a → b → c).
    expect(s.gc().deleted).toEqual([d]);
    // Removing the indirect root's link makes the tree garbage.
    fs.rmSync(result);
    expect(s.gc().deleted).toEqual([tree]);
    expect(s.verify({ checkContents: true }).ok).toBe(true);
    s.close();
  });

  test('temp roots of live handles protect paths; closing drops them', () => {
    const root = path.join(work, 's2');
    const adder = openStore({ root });
    const t = adder.addText('temp', 'kept while the adder is open');
    const collector = openStore({ root });
    expect(collector.gc().deleted).toEqual([]);
    adder.close();
    expect(collector.gc().deleted).toEqual([t]);
    collector.close();
  });

  test('keep-derivations keeps the deriver of live outputs; delete only selected paths', () => {
    const root = path.join(work, 's3');
    const s = openStore({ root });
    const drv = s.addText('thing.drv', 'Derive([])');
    const out = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-thing';
    const staging = path.join(s.makeTempDir(), 'out');
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(staging, 'bin'), 'x', { mode: 0o755 });
    s.registerOutputs([{ path: out, references: [], deriver: drv, from: staging }]);
    expect(fs.statSync(s.realPath(out)).mode & 0o777).toBe(0o555);
    const other = s.addText('other', 'other');
    s.close();

    const g = openStore({ root });
    expect(() => g.gc({ roots: [out], only: [out] })).toThrow(`cannot delete path '${out}' since it is still alive`);
    expect(g.gc({ roots: [out], only: [other] }).deleted).toEqual([other]);
    expect(g.gc({ roots: [out] }).deleted).toEqual([]);
    expect(g.gc({ roots: [out], keepDerivations: false }).deleted).toEqual([drv]);
    expect(g.isValid(out)).toBe(true);
    g.close();
  });
});

describe('verify', () => {
  test('detects modified and missing paths; repair invalidates unreferenced missing ones', () => {
    const root = path.join(work, 'v1');
    const { a, b, c, d, tree } = populate(root);
    const s = openStore({ root });
    expect(s.verify({ checkContents: true })).toMatchObject({ ok: true, corrupt: [], missing: [] });

    const file = path.join(s.realPath(tree), 'file');
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'tampered');
    const expected = s.queryPathInfo(tree)!.narHash;
    const r1 = s.verify({ checkContents: true });
    expect(r1.ok).toBe(false);
    expect(r1.corrupt).toHaveLength(1);
    expect(r1.corrupt[0]).toMatchObject({ path: tree, expected });
    expect(r1.corrupt[0]!.actual).not.toBe(expected);
    expect(r1.notCanonical).toEqual([tree]);
    // Without checkContents, only existence is checked.
    expect(s.verify().ok).toBe(true);

    fs.rmSync(s.realPath(d));
    fs.rmSync(s.realPath(b));
    const r2 = s.verify();
    expect(r2.missing).toEqual([b, d].sort());
    const r3 = s.verify({ repair: true });
    // d has no referrers: invalidated. b is still referenced by a: stays missing.
    expect(r3.invalidated).toEqual([d]);
    expect(r3.missing).toEqual([b]);
    expect(s.isValid(d)).toBe(false);
    expect(s.isValid(c)).toBe(true);
    expect(s.referrers(b)).toEqual([a]);
    s.close();
  });
});
