import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import { hashBytes, printHash } from '@m/nix-compat';
import { afterAll, describe, expect, it } from 'vitest';
import { type RealiseEvent, realise } from '../src/index';
import { freshStore, readOut, rmrf } from './helpers';

const { root, store, writeDrv } = freshStore('basic');
afterAll(() => {
  store.close();
  rmrf(path.dirname(root));
});

function collect(): { events: RealiseEvent[]; onEvent: (e: RealiseEvent) => void } {
  const events: RealiseEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

describe('realise', () => {
  it('builds dependencies first, records references and deriver, and caches', async () => {
    const a = writeDrv({ name: 'a', script: 'echo building a; echo A > $out' });
    const aOut = store.derivationOutputs(a).get('out')!;
    const b = writeDrv({ name: 'b', script: `read x < ${aOut}; mkdir $out; echo "$x B" > $out/f; echo ${aOut} > $out/ref`, inputs: { [a]: ['out'] } });
    const c = writeDrv({ name: 'c', script: 'echo C > $out' });
    const { events, onEvent } = collect();
    const r = await realise([b, c], { store, onEvent, jobs: 2 });
    const bOut = r.outputs.get(b)!.out!;
    expect(readOut(store, bOut, 'f')).toBe('A B\n');
    expect(store.references(bOut)).toEqual([aOut]);
    expect(store.queryPathInfo(bOut)!.deriver).toBe(b);
    expect(r.built.sort()).toEqual([a, b, c].sort());
    expect(r.built.indexOf(a)).toBeLessThan(r.built.indexOf(b));
    const starts = events.filter((e) => e.type === 'build-start');
    expect(starts).toHaveLength(3);
    expect(starts.map((e) => (e as { n: number }).n).sort()).toEqual([1, 2, 3]);
    expect(starts.every((e) => (e as { total: number }).total === 3)).toBe(true);
    expect(events).toContainEqual({ type: 'log', drvPath: a, line: 'building a' });
    expect(fs.readFileSync(store.logPath(a), 'utf8')).toBe('building a\n');

    const again = collect();
    const r2 = await realise([b, c], { store, onEvent: again.onEvent });
    expect(r2.built).toEqual([]);
    expect(again.events).toEqual([]);
    expect(r2.outputs.get(b)).toEqual(r.outputs.get(b));
  });

  it('builds multiple outputs that refer to each other', async () => {
    const d = writeDrv({ name: 'multi', outputs: ['out', 'dev', 'lib'], script: 'echo lib > $lib; mkdir $dev; echo $lib > $dev/l; echo "$dev $lib" > $out' });
    const r = await realise([d], { store });
    const o = r.outputs.get(d)!;
    expect(Object.keys(o).sort()).toEqual(['dev', 'lib', 'out']);
    expect(readOut(store, o.lib!)).toBe('lib\n');
    expect(store.references(o.out!).sort()).toEqual([o.dev!, o.lib!].sort());
    expect(store.references(o.dev!)).toEqual([o.lib!]);
    for (const p of Object.values(o)) expect(store.queryPathInfo(p)!.deriver).toBe(d);
  });

  it('builds fixed-output derivations (flat and recursive) and reports a mismatch as Nix', async () => {
    const content = 'fixed content\n';
    const flatHash = printHash(hashBytes('sha256', content), 'base16');
    const flat = writeDrv({ name: 'flat.txt', fixed: { hashAlgo: 'sha256', hash: flatHash }, script: `printf 'fixed content\\n' > $out` });
    const rf = await realise([flat], { store });
    const fOut = rf.outputs.get(flat)!.out!;
    expect(readOut(store, fOut)).toBe(content);
    expect(store.queryPathInfo(fOut)!.ca).toBe(`fixed:${printHash(hashBytes('sha256', content), 'base32', true)}`);

    // Recursive: hash the NAR the way a first (lying) build reports it.
    const script = 'mkdir $out; echo x > $out/x; ln -s x $out/y';
    const bogus = 'sha256-' + Buffer.alloc(32).toString('base64');
    const probe = writeDrv({ name: 'rec', fixed: { hashAlgo: 'r:sha256', hash: bogus }, script });
    const err = await realise([probe], { store }).catch((e) => e);
    expect(err).toBeInstanceOf(MError);
    expect(err.code).toBe('BUILD_FAILED');
    const m = /^hash mismatch in fixed-output derivation '(.*)':\n {2}specified: (sha256-\S+)\n {5}got: {4}(sha256-\S+)$/.exec(err.message);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(probe);
    expect(m![2]).toBe(bogus);
    expect(store.isValid(store.derivationOutputs(probe).get('out')!)).toBe(false);

    const good = writeDrv({ name: 'rec', fixed: { hashAlgo: 'r:sha256', hash: m![3]! }, script });
    const rr = await realise([good], { store });
    const rOut = rr.outputs.get(good)!.out!;
    expect(fs.readlinkSync(path.join(store.realPath(rOut), 'y'))).toBe('x');
    expect(store.queryPathInfo(rOut)!.ca).toMatch(/^fixed:r:sha256:[0-9a-z]{52}$/);
    expect(store.verify({ checkContents: true }).ok).toBe(true);
  });

  it('rejects a flat fixed output that is not a regular file', async () => {
    const d = writeDrv({ name: 'notfile', fixed: { hashAlgo: 'sha256', hash: printHash(hashBytes('sha256', ''), 'base16') }, script: 'mkdir $out' });
    const err = await realise([d], { store }).catch((e) => e);
    expect(err.message).toBe(
      `output path '${store.derivationOutputs(d).get('out')}' should be a non-executable regular file since recursive hashing is not enabled (outputHashMode=flat)`,
    );
  });

  it('fails with the builder error and its last log lines, leaving nothing valid', async () => {
    const d = writeDrv({ name: 'bad', script: 'i=1; while [ $i -le 30 ]; do echo line $i; i=$((i+1)); done; echo half > $out; exit 7' });
    const { events, onEvent } = collect();
    const err = await realise([d], { store, onEvent }).catch((e) => e);
    expect(err).toBeInstanceOf(MError);
    expect(err.code).toBe('BUILD_FAILED');
    const tail = Array.from({ length: 25 }, (_, k) => `> line ${k + 6}`).join('\n');
    expect(err.message).toBe(`builder for '${d}' failed with exit code 7;\nlast 25 log lines:\n${tail}`);
    expect(store.isValid(store.derivationOutputs(d).get('out')!)).toBe(false);
    expect(events.filter((e) => e.type === 'build-failed')).toHaveLength(1);
    expect(fs.readFileSync(store.logPath(d), 'utf8').split('\n')).toHaveLength(31);
  });

  it('a failing dependency fails its dependents (reported as Nix) and stops other builds', async () => {
    const bad = writeDrv({ name: 'dep-bad', script: 'echo no; exit 1' });
    const slow = writeDrv({ name: 'slow', script: 'sleep 30; echo > $out' });
    const top = writeDrv({ name: 'top', script: 'echo > $out', inputs: { [bad]: ['out'], [slow]: ['out'] } });
    const { events, onEvent } = collect();
    const t0 = Date.now();
    const err = await realise([top], { store, onEvent, jobs: 2 }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(err.message).toBe(`1 dependencies of derivation '${top}' failed to build`);
    const failed = events.filter((e) => e.type === 'build-failed') as Extract<RealiseEvent, { type: 'build-failed' }>[];
    expect(failed.map((e) => [e.drvPath, e.topLevel])).toEqual([
      [bad, false],
      [top, true],
    ]);
    expect(failed[0]!.error.message).toMatch(/^builder for '.*-dep-bad\.drv' failed with exit code 1;\nlast 1 log lines:\n> no$/);
    expect(store.isValid(store.derivationOutputs(slow).get('out')!)).toBe(false);
  });

  it('keepGoing builds what does not depend on the failure and names all failed requests', async () => {
    const bad = writeDrv({ name: 'kg-bad', script: 'exit 1' });
    const good = writeDrv({ name: 'kg-good', script: 'echo ok > $out' });
    const top = writeDrv({ name: 'kg-top', script: 'echo > $out', inputs: { [bad]: ['out'] } });
    const err = await realise([top, good, bad], { store, keepGoing: true, jobs: 1 }).catch((e) => e);
    expect(err.message).toBe(`build of '${top}', '${bad}' failed`);
    expect(store.isValid(store.derivationOutputs(good).get('out')!)).toBe(true);
  });

  it('refuses outputs that refer to each other in a cycle, naming them as Nix does', async () => {
    const d = writeDrv({ name: 'cycle', outputs: ['bin', 'out'], script: 'echo $bin > $out; echo $out > $bin' });
    const err = await realise([d], { store }).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toBe(`cycle detected in build of '${d}' in the references of output 'bin' from output 'out'`);
    for (const p of store.derivationOutputs(d).values()) expect(store.isValid(p)).toBe(false);
  });

  it('an aborted realise kills the build and leaves nothing valid or staged', async () => {
    const d = writeDrv({ name: 'interrupted', script: 'echo started; echo partial > $out; sleep 30' });
    const ac = new AbortController();
    const t0 = Date.now();
    const err = await realise([d], { store, signal: ac.signal, onEvent: (e) => e.type === 'log' && ac.abort() }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toBe(`build of '${d}' was interrupted`);
    expect(store.isValid(store.derivationOutputs(d).get('out')!)).toBe(false);
    expect(fs.readdirSync(store.layout.tmp).filter((e) => e.startsWith(`${process.pid}-`))).toEqual([]);
  });

  it('reports a missing output', async () => {
    const d = writeDrv({ name: 'noout', outputs: ['out', 'doc'], script: 'echo > $out' });
    const err = await realise([d], { store }).catch((e) => e);
    expect(err.message).toBe(`builder for '${d}' failed to produce output path for output 'doc' at '${store.derivationOutputs(d).get('doc')}'`);
    expect(store.isValid(store.derivationOutputs(d).get('out')!)).toBe(false);
  });

  it('refuses an unknown system as Nix does', async () => {
    const d = writeDrv({ name: 'arm', system: 'aarch64-linux', script: 'echo > $out', env: { requiredSystemFeatures: 'kvm big-parallel' } });
    const err = await realise([d], { store }).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toMatch(
      new RegExp(`^a 'aarch64-linux' with features \\{big-parallel, kvm\\} is required to build '${d.replace(/\./g, '\\.')}', but I am a 'x86_64-linux' with features \\{benchmark, big-parallel(, kvm)?, nixos-test\\}$`),
    );
  });

  it('passes only the input closure into the sandbox', async () => {
    const src = store.addText('input.txt', 'from a source\n');
    const seen = writeDrv({ name: 'closure', inputSrcs: [src], script: `cat ${src} > $out; ls /nix/store >> $out` });
    const r = await realise([seen], { store });
    const outPath = r.outputs.get(seen)!.out!;
    const lines = readOut(store, outPath).split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('from a source');
    expect(lines.slice(1)).toEqual([path.basename(src), path.basename(outPath)].sort());
    expect(store.references(outPath)).toEqual([src, outPath].sort());
  });
});
