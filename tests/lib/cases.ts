// The differential corpus format (tests/differential/cases/<group>/<name>.nix).
//
//   <name>.nix   the expression (a file, so positions name a real path)
//   <name>.args  optional flags, whitespace-separated, '…' or "…" quoting;
//                default `--eval --strict`. The case file's absolute path is
//                appended, unless a token is `-` (then the file is fed on stdin).
//   <name>.out   golden stdout of real nix-instantiate 2.8 (normalized, below)
//   <name>.exit  golden exit status on line 1; for a failure, line 2 is
//                `position` when Nix's stderr has a FILE:LINE:COL, else `no-position`
//
// Every run has cwd = the case's folder, HOME = $M_TEST_HOME or /tmp/m-differential-home,
// NIX_PATH = `corpus=<cases>/_data`, M_TEST_VAR=hello.
// Normalization: in stdout the absolute path of the cases folder becomes @CASES@
// and HOME becomes @HOME@, so goldens do not depend on where things live.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { RunOptions, RunResult } from './run';
import { hasPosition } from './run';

/** HOME of every case run (fetcher caches land here, outside the repository). */
export const CASE_HOME = process.env.M_TEST_HOME ?? '/tmp/m-differential-home';

export interface Case {
  /** group/name */
  id: string;
  group: string;
  file: string;
  args: string[];
  opts: RunOptions;
  golden?: Golden;
}

export interface Golden {
  stdout: string;
  code: number;
  position: boolean;
}

export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) out.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!));
  }
  return out;
}

export function loadCases(casesDir: string): Case[] {
  mkdirSync(CASE_HOME, { recursive: true });
  const cases: Case[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (entry.startsWith('_')) continue; // data folders
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith('.nix')) cases.push(loadCase(casesDir, p));
    }
  };
  walk(casesDir);
  return cases;
}

function loadCase(casesDir: string, file: string): Case {
  const base = file.slice(0, -'.nix'.length);
  const id = relative(casesDir, base);
  const argsFile = `${base}.args`;
  const flags = existsSync(argsFile) ? splitArgs(readFileSync(argsFile, 'utf8')) : ['--eval', '--strict'];
  const viaStdin = flags.includes('-');
  const opts: RunOptions = {
    cwd: dirname(file),
    home: CASE_HOME,
    nixPath: `corpus=${join(casesDir, '_data')}`,
    env: { M_TEST_VAR: 'hello' },
    stdin: viaStdin ? readFileSync(file) : undefined,
  };
  return {
    id,
    group: dirname(id),
    file,
    args: viaStdin ? flags : [...flags, file],
    opts,
    golden: readGolden(base),
  };
}

function readGolden(base: string): Golden | undefined {
  if (!existsSync(`${base}.out`) || !existsSync(`${base}.exit`)) return undefined;
  const [code, pos] = readFileSync(`${base}.exit`, 'utf8').split('\n');
  return { stdout: readFileSync(`${base}.out`, 'utf8'), code: Number(code), position: pos === 'position' };
}

export function normalize(stdout: string, casesDir: string): string {
  return stdout.split(casesDir).join('@CASES@').split(CASE_HOME).join('@HOME@');
}

export function toGolden(r: RunResult, casesDir: string): Golden {
  return { stdout: normalize(r.stdout, casesDir), code: r.code, position: r.code !== 0 && hasPosition(r.stderr) };
}

export function exitFileText(g: Golden): string {
  return g.code === 0 ? '0\n' : `${g.code}\n${g.position ? 'position' : 'no-position'}\n`;
}

export function caseName(c: Case): string {
  return basename(c.file, '.nix');
}
