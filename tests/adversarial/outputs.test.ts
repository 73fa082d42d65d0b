/**
 * Hostile build outputs (issue 14): special files in `$out` (a FIFO hung m forever, unkillable,
 * blocking every other build of the derivation), sockets and device nodes, and newline-free logs
 * (quadratic: 40 MB took 7 s). Run against the built `m` (`pnpm build`), as root in CI.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { scanPathForReferences } from '../../packages/builder/src/index';
import { hasJsStackTrace } from '../lib/run';
import { attempt } from './attempt';
import { build, cpuAtExit, makeWork, runM, storeState } from './outputs-lib';

const work = makeWork('outputs');
afterAll(() => work.remove());

describe('special files in build outputs', () => {
  attempt('fault', 'a FIFO inside $out fails the build promptly; nothing registered, no temp left, lock released', async () => {
    const store = path.join(work.dir, 'fifo-store');
    const r = await build(work, store, 'fifo', 'mkdir $out; echo data > $out/file; mkfifo $out/fifo');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: file '\/nix\/store\/[0-9a-z]{32}-fifo\/fifo' has an unsupported type$/m);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    expect(r.ms).toBeLessThan(30_000);
    expect(storeState(store).entries.filter((e) => e.endsWith('-fifo'))).toEqual([]);
    expect(storeState(store).temp).toEqual([]);
    // The derivation's lock is free: the same build runs again (and fails the same way) at once.
    const again = await build(work, store, 'fifo', 'mkdir $out; echo data > $out/file; mkfifo $out/fifo');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/has an unsupported type/);
    expect(again.ms).toBeLessThan(30_000);
  }, 90_000);

  attempt('fault', 'a FIFO as $out itself is refused without being opened', async () => {
    const store = path.join(work.dir, 'fifo-top-store');
    const r = await build(work, store, 'fifo-top', 'mkfifo $out');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: file '\/nix\/store\/[0-9a-z]{32}-fifo-top' has an unsupported type$/m);
    expect(storeState(store).entries.filter((e) => !e.endsWith('.drv'))).toEqual([]);
    expect(storeState(store).temp).toEqual([]);
  }, 60_000);

  attempt('fault', 'a socket in an output is refused by the reference scanner (never connected to)', async () => {
    const dir = path.join(work.dir, 'socket-out');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a'), 'a');
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((res) => server.listen(path.join(dir, 'sock'), res));
    let connections = 0;
    server.on('connection', () => connections++);
    try {
      expect(() => scanPathForReferences(dir, ['x'.repeat(32)], '/nix/store/00000000000000000000000000000000-out')).toThrow(
        "file '/nix/store/00000000000000000000000000000000-out/sock' has an unsupported type",
      );
      expect(connections).toBe(0);
    } finally {
      await new Promise((res) => server.close(res));
    }
  });

  attempt('fault', 'character and block devices in an output are refused by the reference scanner', () => {
    expect(() => scanPathForReferences('/dev/null', [])).toThrow("file '/dev/null' has an unsupported type");
    const block = fs.readdirSync('/dev').map((e) => `/dev/${e}`).find((p) => {
      try {
        return fs.lstatSync(p).isBlockDevice();
      } catch {
        return false;
      }
    });
    // A container may have no block device to point at; as root one is made in the work dir.
    const target = block ?? path.join(work.dir, 'blockdev');
    if (!block) {
      if (process.getuid?.() !== 0) return;
      if (spawnSync('mknod', [target, 'b', '7', '0']).status !== 0) return;
    }
    expect(() => scanPathForReferences(target, [])).toThrow(`file '${target}' has an unsupported type`);
  });
});

describe('reference checks', () => {
  attempt('fault', 'allowedReferences = [] with a reference: the build fails before registration, as nix-build does', async () => {
    const file = path.join(work.dir, 'refcheck.nix');
    fs.writeFileSync(
      file,
      `let dep = derivation { name = "adv-oc-dep"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo dep > $out" ]; };
in derivation { name = "adv-oc-top"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo \${dep} > $out" ]; allowedReferences = [ ]; }\n`,
    );
    const store = path.join(work.dir, 'refcheck-store');
    const mine = await runM(work, ['build', '--store', store, '--no-out-link', file], { timeoutMs: 60_000 });
    const nix = spawnSync('nix-build', ['--option', 'substituters', '', '--option', 'sandbox-paths', '/bin/sh=/bin/busybox', '--no-out-link', file], { encoding: 'utf8' });
    const errorOf = (s: string) => s.slice(s.lastIndexOf('error: ')).trimEnd();
    expect(errorOf(mine.stderr)).toMatch(/^error: output '\/nix\/store\/[0-9a-z]{32}-adv-oc-top' is not allowed to refer to the following paths:\n {9}\/nix\/store\/[0-9a-z]{32}-adv-oc-dep$/);
    expect(errorOf(mine.stderr)).toBe(errorOf(nix.stderr));
    // Nix 2.8 reports a rejected output as a plain failure (exit 1), not a failed build (100).
    expect(mine.code).toBe(nix.status);
    expect(fs.readdirSync(store).filter((e) => e.endsWith('-adv-oc-top'))).toEqual([]);
  }, 90_000);
});

describe('special files in sources', () => {
  attempt('fault', 'builtins.path over a directory holding a FIFO fails promptly with Nix\'s message', async () => {
    const src = path.join(work.dir, 'src-with-fifo');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'a'), 'a');
    expect(spawnSync('mkfifo', [path.join(src, 'fifo')]).status).toBe(0);
    const expr = `builtins.path { path = ${src}; }`;
    for (const args of [['instantiate', '--eval', '-E', expr], ['build', '--store', path.join(work.dir, 'src-store'), '--no-out-link', '-E', `derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cp \${${expr}}/a $out" ]; }`]]) {
      const r = await runM(work, args, { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: file '${src}/fifo' has an unsupported type`);
      expect(hasJsStackTrace(r.stderr)).toBe(false);
    }
  }, 70_000);
});

describe('newline-free logs', () => {
  attempt('fault', '40 MB of log without a newline costs m well under a second and ends in the error tail', async () => {
    const store = path.join(work.dir, 'log-store-3');
    const timing = { M_TIMING: '1' };
    const base = await runM(work, ['build', '--store', store, '--no-out-link', work.probe, '--argstr', 'name', 'quiet', '--argstr', 'script', 'echo > $out'], { timeoutMs: 60_000, env: timing });
    expect(base.code, base.stderr).toBe(0);
    const size = 40 * 1000 * 1000;
    // Printed (not -Q), then failing: the log goes to the terminal and the tail into the error.
    const r = await runM(
      work,
      ['build', '--store', store, '--no-out-link', work.probe, '--argstr', 'name', 'flat40', '--argstr', 'script', `head -c ${size} /dev/zero | tr '\\0' c; exit 3`],
      { timeoutMs: 60_000, env: timing },
    );
    const at = r.stderr.indexOf('error: builder for');
    const error = r.stderr.slice(at, at + 300);
    expect(r.code, error).toBe(100);
    expect(error).toMatch(/^error: builder for '\/nix\/store\/[0-9a-z]{32}-flat40\.drv' failed with exit code 3;\n +last 25 log lines:\n +> c{100}/);
    const overhead = cpuAtExit(r.stderr) - cpuAtExit(base.stderr);
    console.log(`40 MB without newlines: ${overhead} ms of m's own CPU over a trivial build`);
    expect(overhead).toBeLessThan(1000);
  }, 150_000);
});
