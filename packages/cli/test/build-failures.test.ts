/** `m build` failures as a process: Nix's messages and exit codes, interrupts, and a consistent store afterwards. */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MK, buildFixture, runMInterrupted } from './build-helpers';
import { ensureBuilt } from './helpers';

const fx = buildFixture('build-fail');
beforeAll(() => ensureBuilt());
afterAll(() => fx.cleanup());

const file = fx.write(
  'f.nix',
  `let ${MK} in {
  fail = mk { name = "fail"; args = [ "-c" "i=1; while [ $i -le 40 ]; do echo line $i; i=$((i+1)); done; exit 3" ]; };
  nobuilder = mk { name = "nob"; builder = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nonexistent"; };
  system = mk { name = "sys"; system = "riscv-plan9"; args = [ "-c" "echo > $out" ]; };
  noout = mk { name = "noout"; args = [ "-c" "echo nothing" ]; };
  fod = mk { name = "fod"; args = [ "-c" "echo hello > $out" ]; outputHashMode = "flat"; outputHashAlgo = "sha256";
             outputHash = "0000000000000000000000000000000000000000000000000000"; };
  dep = mk { name = "dep"; args = [ "-c" "echo \${mk { name = "fail2"; args = [ "-c" "echo x; exit 1" ]; }} > $out" ]; };
  slow = mk { name = "slow"; args = [ "-c" "echo started; sleep 60; echo > $out" ]; };
}`,
);

const build = (attr: string) => fx.m(['build', file, '-A', attr, '--no-out-link']);
const drvLine = (stderr: string, name: string) => stderr.match(new RegExp(`/nix/store/[0-9a-z]{32}-${name}\\.drv`))?.[0];

describe('m build failures', () => {
  it('a failing builder: exit 100, names the derivation, shows its last 25 log lines', () => {
    const r = build('fail');
    expect(r.status).toBe(100);
    expect(r.stdout).toBe('');
    const drv = drvLine(r.stderr, 'fail')!;
    expect(drv).toBeDefined();
    const err = r.stderr.slice(r.stderr.indexOf('error: '));
    const tail = Array.from({ length: 25 }, (_, i) => `       > line ${i + 16}`).join('\n');
    expect(err).toBe(`error: builder for '${drv}' failed with exit code 3;\n       last 25 log lines:\n${tail}\n`);
    // The log is kept: `m log` shows all of it.
    const log = fx.m(['log', drv]);
    expect(log.status).toBe(0);
    expect(log.stdout.split('\n').filter(Boolean)).toHaveLength(40);
  });

  it('a missing builder fails the build (exit 100) and says why', () => {
    const r = build('nobuilder');
    expect(r.status).toBe(100);
    expect(r.stderr).toMatch(/error: builder for '\/nix\/store\/\S+-nob\.drv' failed with exit code \d+/);
    expect(r.stderr).toContain('/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nonexistent: No such file or directory');
  });

  it('an unknown system is refused as Nix does (exit 1)', () => {
    const r = build('system');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: a 'riscv-plan9' with features \{\} is required to build '\/nix\/store\/\S+-sys\.drv', but I am a 'x86_64-linux' with features \{[^}]*\}\n$/,
    );
  });

  it('an output not produced (exit 1, as Nix)', () => {
    const r = build('noout');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: builder for '\/nix\/store\/\S+-noout\.drv' failed to produce output path for output 'out' at '\/nix\/store\/\S+-noout'\n$/);
  });

  it('a fixed-output hash mismatch shows wanted and got (exit 102, as Nix)', () => {
    const r = build('fod');
    expect(r.status).toBe(102);
    expect(r.stderr).toMatch(
      /error: hash mismatch in fixed-output derivation '\/nix\/store\/\S+-fod\.drv':\n {9}specified: sha256-A{43}=\n {12}got: {4}sha256-WJG1tSLV3whtD\/CxEPvZ0hu0\/HFjrzTQgoai6Eb2vgM=\n$/,
    );
  });

  it('a failed dependency: its error, then the dependent one (exit 100)', () => {
    const r = build('dep');
    expect(r.status).toBe(100);
    expect(r.stderr).toMatch(/error: builder for '\/nix\/store\/\S+-fail2\.drv' failed with exit code 1;\n {7}last 1 log lines:\n {7}> x\n/);
    expect(r.stderr).toMatch(/error: 1 dependencies of derivation '\/nix\/store\/\S+-dep\.drv' failed to build\n$/);
  });

  it('SIGINT aborts the running build: exit 130, no builder left behind', async () => {
    const r = await runMInterrupted(['build', file, '-A', 'slow', '--no-out-link', '--store', fx.store], fx.dir, 'started', 'SIGINT');
    expect(r.status).toBe(130);
    expect(r.stderr).toContain('error: interrupted by the user');
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('sleep 60'));
    expect(left).toEqual([]);
  });

  it('SIGTERM: exit 143', async () => {
    const r = await runMInterrupted(['build', file, '-A', 'slow', '--no-out-link', '--store', fx.store], fx.dir, 'started', 'SIGTERM');
    expect(r.status).toBe(143);
  });

  it('the store is consistent afterwards', () => {
    const v = fx.m(['store', 'verify', '--check-contents']);
    expect(v.stderr).not.toMatch(/error|warning/);
    expect(v.status).toBe(0);
  });
});
