/**
 * `m store path-info / why-depends`, `m log`, `m show-derivation` on a real build, compared with
 * real Nix (nix-build, nix path-info, nix why-depends, nix show-derivation) on the same expression.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MK, buildFixture } from './build-helpers';
import { ensureBuilt } from './helpers';

const fx = buildFixture('build-store');
afterAll(() => fx.cleanup());

const file = fx.write(
  't.nix',
  `let ${MK}
  src = builtins.toFile "src.txt" "source\\n";
  flat = mk { name = "flat"; args = [ "-c" "echo hello > $out" ]; outputHashMode = "flat"; outputHashAlgo = "sha256";
              outputHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; };
  recursive = mk { name = "rec"; args = [ "-c" "echo hello > $out" ]; outputHashMode = "recursive"; outputHashAlgo = "sha256";
             outputHash = "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13"; };
  c = mk { name = "c"; args = [ "-c" "echo c > $out" ]; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" ]; args = [ "-c" "echo \${c} > $out; echo dev > $dev" ]; };
  b = mk { name = "b"; args = [ "-c" "echo \${src} \${multi.out} > $out" ];
           weird = "tab\\there \\"q\\" \\\\ back \x01 \x1f é \\r\\n"; };
in {
  a = mk { name = "a"; args = [ "-c" "echo building a; echo \${b} \${c} \${flat} \${recursive} > $out" ]; };
  inherit c;
}`,
);

const nix = (args: string[]) => {
  const r = spawnSync('nix', ['--extra-experimental-features', 'nix-command', ...args], { cwd: fx.dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const nixBuild = (attr: string) =>
  spawnSync('nix-build', [file, '-A', attr, '--no-out-link', '--option', 'substituters', ''], { cwd: fx.dir, encoding: 'utf8' });

let aOut = '';
let cOut = '';
let aDrv = '';

beforeAll(() => {
  ensureBuilt();
  const r = fx.m(['build', file, '-A', 'a']);
  if (r.status !== 0) throw new Error(`m build failed: ${r.stderr}`);
  aOut = r.stdout.trim();
  cOut = fx.m(['build', file, '-A', 'c', '--no-out-link']).stdout.trim();
  aDrv = spawnSync('nix-instantiate', [file, '-A', 'a'], { cwd: fx.dir, encoding: 'utf8' }).stdout.trim();
});

describe('store queries against real Nix', () => {
  it('m build prints the same output path as nix-build', () => {
    const n = nixBuild('a');
    expect(n.status).toBe(0);
    expect(aOut).toBe(n.stdout.trim());
  });

  it('path-info -r -s -S (and -h) as nix path-info', () => {
    for (const flags of [['-rsS'], ['-rSh']]) {
      const want = nix(['path-info', ...flags, aOut]);
      expect(want.status).toBe(0);
      const got = fx.m(['store', 'path-info', ...flags, aOut]);
      expect(got.status).toBe(0);
      expect(got.stdout).toBe(want.stdout);
    }
    // Paths may be given through the result link.
    expect(fx.m(['store', 'path-info', './result']).stdout).toBe(aOut + '\n');
  });

  it('why-depends (shortest chain and --all) as nix why-depends', () => {
    for (const flags of [[], ['--all']]) {
      const want = nix(['why-depends', ...flags, aOut, cOut]);
      expect(want.status).toBe(0);
      const got = fx.m(['store', 'why-depends', ...flags, aOut, cOut]);
      expect(got.status).toBe(0);
      expect(got.stdout).toBe(want.stdout);
    }
    const no = fx.m(['store', 'why-depends', cOut, aOut]);
    expect(no.stderr).toBe(`error: '${cOut}' does not depend on '${aOut}'\n`);
  });

  it('show-derivation (-r) gives the same JSON as nix show-derivation', () => {
    expect(aDrv).toMatch(/^\/nix\/store\/\S+-a\.drv$/);
    for (const flags of [[], ['-r']]) {
      const want = nix(['show-derivation', ...flags, aDrv]);
      expect(want.status).toBe(0);
      const got = fx.m(['show-derivation', ...flags, aDrv]);
      expect(got.stderr).toBe('');
      expect(got.stdout).toBe(want.stdout);
    }
    // An output path stands for its deriver.
    expect(fx.m(['show-derivation', aOut]).stdout).toBe(nix(['show-derivation', aDrv]).stdout);
  });

  it('log shows the build log of a derivation or its output; none is an error', () => {
    expect(fx.m(['log', aDrv])).toMatchObject({ status: 0, stdout: 'building a\n' });
    expect(fx.m(['log', './result'])).toMatchObject({ status: 0, stdout: 'building a\n' });
    const flat = fx.m(['log', '/nix/store/00000000000000000000000000000000-nothing']);
    expect(flat.status).toBe(1);
    expect(flat.stderr).toBe("error: build log of '/nix/store/00000000000000000000000000000000-nothing' is not available\n");
  });

  it('path-info of an invalid path is an error', () => {
    const r = fx.m(['store', 'path-info', '/nix/store/00000000000000000000000000000000-nothing']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("error: path '/nix/store/00000000000000000000000000000000-nothing' is not valid\n");
  });
});
