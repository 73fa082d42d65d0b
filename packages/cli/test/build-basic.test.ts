/** `m build` as a process, with a real store in a temp dir and the real sandbox: outputs, caching, result links as GC roots. */
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MK, buildFixture } from './build-helpers';
import { ensureBuilt } from './helpers';

const fx = buildFixture('build-basic');
beforeAll(() => ensureBuilt());
afterAll(() => fx.cleanup());

const graph = fx.write(
  'graph.nix',
  `{ greeting ? "hello", suffix }: let ${MK}
  leaf = mk { name = "leaf"; args = [ "-c" "echo leaf > $out" ]; };
  mid = mk { name = "mid"; args = [ "-c" "echo \${leaf} > $out; echo built-mid" ]; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" ]; args = [ "-c" "echo main > $out; echo dev > $dev" ]; };
in {
  top = mk { name = "top"; args = [ "-c" "echo ${'$'}{greeting}-${'$'}{suffix} \${mid} \${multi.dev} > $out" ]; inherit greeting suffix; };
  inherit multi;
  dev = multi.dev;
}`,
);

const isPath = (s: string) => /^\/nix\/store\/[0-9a-z]{32}-[^/]+$/.test(s);

describe('m build', () => {
  let topOut = '';

  it('builds a small graph, prints the output path, links result to the physical path', () => {
    const r = fx.m(['build', graph, '-A', 'top', '--argstr', 'suffix', 'world', '--arg', 'greeting', '"hi"']);
    expect(r.stderr).toContain("building '/nix/store/");
    expect(r.stderr).toMatch(/-top\.drv'\.\.\./);
    expect(r.stderr).toContain('built-mid');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    topOut = lines[0]!;
    expect(isPath(topOut)).toBe(true);
    const link = join(fx.dir, 'result');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join(fx.store, topOut.slice('/nix/store/'.length)));
    expect(readFileSync(link, 'utf8')).toMatch(/^hi-world \/nix\/store\/\S+-mid \/nix\/store\/\S+-multi-dev\n$/);
  });

  it('a second run builds nothing and prints the same path', () => {
    const r = fx.m(['build', graph, '-A', 'top', '--argstr', 'suffix', 'world', '--arg', 'greeting', '"hi"']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(topOut + '\n');
    expect(r.stderr).not.toContain('building');
  });

  it('names links result, result-dev, result-2… as nix-build', () => {
    const r = fx.m(['build', graph, '-A', 'multi', '-A', 'dev', '-A', 'top', '--argstr', 'suffix', 'world', '-o', 'res']);
    expect(r.status).toBe(0);
    const [out, dev, top] = r.stdout.split('\n').filter(Boolean);
    expect(out).toMatch(/-multi$/);
    expect(dev).toMatch(/-multi-dev$/);
    expect(top).toMatch(/-top$/);
    expect(readFileSync(join(fx.dir, 'res'), 'utf8')).toBe('main\n');
    expect(readFileSync(join(fx.dir, 'res-dev'), 'utf8')).toBe('dev\n');
    expect(readFileSync(join(fx.dir, 'res-2'), 'utf8')).toMatch(/^hello-world /);
    rmSync(join(fx.dir, 'res'));
    rmSync(join(fx.dir, 'res-dev'));
    rmSync(join(fx.dir, 'res-2'));
  });

  it('-E with --no-out-link creates no link', () => {
    const r = fx.m(['build', '--no-out-link', '-E', `let ${MK} in mk { name = "expr"; args = [ "-c" "echo e > $out" ]; }`]);
    expect(r.status).toBe(0);
    expect(isPath(r.stdout.trim())).toBe(true);
    expect(existsSync(join(fx.dir, 'result-expr'))).toBe(false);
  });

  it('the result link is a GC root: gc keeps it; without the link gc deletes it', () => {
    const phys = join(fx.store, topOut.slice('/nix/store/'.length));
    const gc1 = fx.m(['store', 'gc']);
    expect(gc1.status).toBe(0);
    expect(gc1.stdout).toMatch(/^\d+ store paths deleted, \d+\.\d\d MiB freed\n$/);
    expect(gc1.stderr).not.toContain(topOut);
    expect(existsSync(phys)).toBe(true);

    rmSync(join(fx.dir, 'result'));
    const gc2 = fx.m(['store', 'gc']);
    expect(gc2.status).toBe(0);
    expect(gc2.stderr).toContain(`deleting '${topOut}'`);
    expect(existsSync(phys)).toBe(false);
    const v = fx.m(['store', 'verify', '--check-contents']);
    expect(v.status).toBe(0);
    expect(v.stderr).not.toMatch(/error|warning/);
  });

  it('usage errors exit 1', () => {
    const r = fx.m(['build', '--bogus']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("error: unrecognised flag '--bogus'\nTry 'm build --help' for more information.\n");
  });
});
