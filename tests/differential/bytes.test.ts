// Strings as bytes, compared byte for byte: the corpus runner reads stdout as UTF-8 (lossy), so
// here stdout is compared raw. Fixtures that git should not carry (non-UTF-8 file names, binary
// files) are made in a temp dir; every output is independent of where that dir is (store paths
// depend on names and contents only). Goldens from real Nix 2.8 live in tests/differential/bytes/
// (<case>.out raw stdout, <case>.exit); M_ACCEPT=1 rewrites them from live nix-instantiate, and
// when Nix is installed each golden is also re-checked against it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { M_BIN, NIX_INSTANTIATE, REPO_ROOT, hasJsStackTrace, hasNix, mStoreDir } from '../lib/run';

const goldenDir = join(REPO_ROOT, 'tests', 'differential', 'bytes');
const accept = process.env.M_ACCEPT === '1';
const B = (s: string): Buffer => Buffer.from(s, 'latin1'); // "\xff" in these literals is one byte

const work = mkdtempSync(join(tmpdir(), 'm-bytes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Fixtures
const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : i)));
writeFileSync(join(work, 'binary.dat'), binary);
writeFileSync(join(work, 'nul.dat'), Buffer.from([0x61, 0, 0x62]));
const dir = join(work, 'tree');
const P = (rel: string): Buffer => Buffer.concat([Buffer.from(dir + '/'), B(rel)]); // a raw-byte path
mkdirSync(P('sub\xe9'), { recursive: true });
writeFileSync(P('n\xffme'), 'plain');
writeFileSync(P('sub\xe9/\xc3\xa9-utf8'), B('contents \xfe\n'));
writeFileSync(P('ok'), 'ok');
symlinkSync(B('target-\xff'), P('link\x80'));

interface Case {
  name: string;
  /** The .nix file's bytes (written into the fixture dir). */
  nix: Buffer;
  args?: string[];
}

const cases: Case[] = [
  {
    name: 'print-raw',
    nix: B('[ "a\xffb" "\xc3\xa9" "\xc3" { "k\xfe" = "v\x80"; } ]\n'),
  },
  {
    name: 'readfile-binary',
    nix: B(`let s = builtins.readFile ./binary.dat; in {
  len = builtins.stringLength s;
  sha256 = builtins.hashString "sha256" s;
  same = builtins.hashString "sha256" s == builtins.hashFile "sha256" ./binary.dat;
  file = builtins.toFile "binary" s;
  slice = builtins.substring 190 10 s;
}\n`),
  },
  { name: 'readfile-nul', nix: B('builtins.readFile ./nul.dat\n') },
  {
    name: 'readdir-names',
    nix: B('[ (builtins.readDir ./tree) (builtins.attrNames (builtins.readDir (./tree + "/sub\xe9"))) ]\n'),
    args: ['--eval', '--strict'],
  },
  {
    name: 'path-import',
    nix: B(`[
  "\${./tree}"
  (builtins.path { path = ./tree; name = "tree"; })
  (builtins.filterSource (p: t: t != "symlink") ./tree)
  (builtins.path { path = ./tree; name = "filtered"; filter = p: t: builtins.substring 0 1 (baseNameOf p) != "o"; })
]\n`),
  },
  {
    name: 'derivation-env',
    nix: B(`let
  text = builtins.readFile ./binary.dat;
  d = derivation { name = "bytes"; system = "x86_64-linux"; builder = "/bin/sh"; env1 = text; env2 = "\xc3\xa9\xff"; src = ./tree; };
in [ d.drvPath d.outPath ]\n`),
  },
  {
    name: 'instantiate-drv',
    nix: B('derivation { name = "raw"; system = "x86_64-linux"; builder = "/bin/sh"; v = "\xff\xfe\xc3"; src = ./tree; }\n'),
    args: [],
  },
  {
    name: 'error-message',
    nix: B('let x = "\xc3\xa9\xff"; in\n  throw "bad ${x} byte"\n'),
  },
];

interface Run {
  stdout: Buffer;
  code: number;
  stderr: string;
  /** The first line of stderr, raw (the error message), the fixture dir written @WORK@. */
  message: Buffer;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, LANG: 'C.UTF-8', ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const e = Buffer.concat(err);
      const nl = e.indexOf(10);
      const first = (nl < 0 ? e : e.subarray(0, nl)).toString('latin1').split(work).join('@WORK@');
      resolve({ stdout: Buffer.concat(out), code: code ?? 1, stderr: e.toString('utf8'), message: Buffer.from(first, 'latin1') });
    });
  });
}

function argsOf(c: Case, file: string): string[] {
  return [...(c.args ?? ['--eval', '--strict', '--read-write-mode']), file];
}

const runNix = (c: Case, file: string) => run(NIX_INSTANTIATE!, argsOf(c, file), {});
const runM = (c: Case, file: string) => run(M_BIN, ['instantiate', ...argsOf(c, file)], { M_STORE: mStoreDir() });

describe.skipIf(accept && !hasNix)('strings as bytes, byte for byte against Nix 2.8', () => {
  for (const c of cases) {
    test.concurrent(c.name, async () => {
      const file = join(work, `${c.name}.nix`);
      writeFileSync(file, c.nix);
      const outFile = join(goldenDir, `${c.name}.out`);
      const exitFile = join(goldenDir, `${c.name}.exit`);
      if (accept) {
        const nix = await runNix(c, file);
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(outFile, nix.stdout);
        writeFileSync(exitFile, nix.code === 0 ? '0\n' : Buffer.concat([Buffer.from(`${nix.code}\n`), nix.message, Buffer.from('\n')]));
        return;
      }
      expect(existsSync(outFile), `${c.name}: no golden; run M_ACCEPT=1 npx vitest run tests/differential/bytes.test.ts`).toBe(true);
      const exit = readFileSync(exitFile);
      const nl = exit.indexOf(10);
      // <case>.exit: the exit code, then for a failure the raw first line of Nix's stderr
      const golden = { stdout: readFileSync(outFile), code: Number(exit.subarray(0, nl).toString()), message: exit.subarray(nl + 1, Math.max(nl + 1, exit.length - 1)) };
      const [m, nix] = await Promise.all([runM(c, file), hasNix ? runNix(c, file) : Promise.resolve(undefined)]);
      if (nix) {
        expect(nix.stdout.toString('hex'), `${c.name}: golden drifted from live Nix`).toBe(golden.stdout.toString('hex'));
        expect(nix.code).toBe(golden.code);
        if (golden.code !== 0) expect(nix.message.toString('hex')).toBe(golden.message.toString('hex'));
      }
      expect(m.code, m.stderr).toBe(golden.code);
      // hex, so a difference in a single byte shows
      expect(m.stdout.toString('hex'), `m stdout:\n${m.stdout.toString('latin1')}`).toBe(golden.stdout.toString('hex'));
      if (golden.code !== 0) expect(m.message.toString('hex'), m.stderr).toBe(golden.message.toString('hex'));
      expect(hasJsStackTrace(m.stderr), m.stderr).toBe(false);
    });
  }
});
