// Nix 2.8.0's own language test suite (tests/lang), run against `m instantiate`
// exactly as Nix's tests/lang.sh runs nix-instantiate. The suite is fetched at
// test time from Debian's source package by scripts/fetch-nix-tests.sh into a
// git-ignored cache. Each case is also run with real Nix: a case real Nix 2.8
// does not pass is skipped (with a note), so only cases Nix passes count.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, hasJsStackTrace, hasNix, hasPosition, nixMissingReason, runM, runNix, type RunOptions, type RunResult } from '../lib/run';

function fetchSuite(): { dir?: string; reason?: string } {
  if (process.env.M_NIX_TESTS_DIR) return { dir: process.env.M_NIX_TESTS_DIR };
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'fetch-nix-tests.sh')], { encoding: 'utf8', timeout: 600_000 });
  const lines = (r.stdout ?? '').trim().split('\n');
  const dir = lines[lines.length - 1];
  if (r.status === 0 && dir && existsSync(join(dir, 'lang'))) return { dir };
  return { reason: `could not fetch Nix 2.8.0's tests/lang (exit ${r.status}): ${(r.stderr ?? '').trim() || r.error?.message}` };
}

const suite = hasNix ? fetchSuite() : { reason: nixMissingReason };
if (suite.reason) console.log(`[nix-lang] skipped: ${suite.reason}`);

/** cwd of lang.sh: the folder that holds lang/. */
const testsDir = suite.dir ?? '';
const langDir = join(testsDir, 'lang');
const cases = suite.dir ? readdirSync(langDir).filter((f) => f.endsWith('.nix') && /^(parse|eval)-(okay|fail)-/.test(f)).sort() : [];

const baseOpts: RunOptions = { cwd: testsDir, env: { TEST_VAR: 'foo', NIX_REMOTE: 'dummy://' } };
const stats = { passed: 0, failed: 0, nixFails: [] as string[] };

afterAll(() => {
  if (!suite.dir) return;
  console.log(
    `[nix-lang] summary: ${stats.passed} passed, ${stats.failed} failed, ${stats.nixFails.length} skipped because real Nix 2.8 fails them` +
      (stats.nixFails.length ? ` (${stats.nixFails.join(', ')})` : ''),
  );
});

/** Problems with an error result, judged against real Nix's error for the same input. */
function errorProblems(m: RunResult, nix: RunResult): string[] {
  const p: string[] = [];
  if (m.code === 0) p.push('exited 0 but should fail');
  if (hasJsStackTrace(m.stderr)) p.push('stderr contains a JavaScript stack trace');
  if (hasPosition(nix.stderr) && !hasPosition(m.stderr)) p.push('stderr lacks a FILE:LINE:COL position (Nix has one)');
  return p;
}

interface Step {
  args: string[];
  opts: RunOptions;
  /** Returns what is wrong with a result ([] when it passes). */
  check: (r: RunResult, nix: RunResult) => string[];
  /** Whether real Nix's own result passes (Nix's lang.sh criteria). */
  nixPasses: (nix: RunResult) => boolean;
}

function stepsFor(file: string): Step[] {
  const name = file.slice(0, -'.nix'.length);
  const rel = `lang/${file}`;
  const src = readFileSync(join(langDir, file));
  if (name.startsWith('parse-fail-')) {
    return [{ args: ['--parse', '-'], opts: { ...baseOpts, stdin: src }, check: errorProblems, nixPasses: (n) => n.code !== 0 }];
  }
  if (name.startsWith('parse-okay-')) {
    return [{
      args: ['--parse', '-'], opts: { ...baseOpts, stdin: src },
      check: (r) => (r.code === 0 ? [] : [`exit ${r.code}, expected 0; stderr: ${r.stderr.slice(0, 2000)}`]),
      nixPasses: (n) => n.code === 0,
    }];
  }
  if (name.startsWith('eval-fail-')) {
    return [{ args: ['--eval', rel], opts: baseOpts, check: errorProblems, nixPasses: (n) => n.code !== 0 }];
  }
  const steps: Step[] = [];
  const exp = join(langDir, `${name}.exp`);
  if (existsSync(exp)) {
    const want = readFileSync(exp, 'utf8');
    const flagsFile = join(langDir, `${name}.flags`);
    const flags = existsSync(flagsFile) ? readFileSync(flagsFile, 'utf8').split(/\s+/).filter(Boolean) : [];
    steps.push({
      args: [...flags, '--eval', '--strict', rel],
      opts: { ...baseOpts, nixPath: 'lang/dir3:lang/dir4' },
      check: (r) => (r.code !== 0 ? [`exit ${r.code}; stderr: ${r.stderr.slice(0, 2000)}`] : r.stdout === want ? [] : [`stdout differs from ${name}.exp`]),
      nixPasses: (n) => n.code === 0 && n.stdout === want,
    });
  }
  const expXml = join(langDir, `${name}.exp.xml`);
  if (existsSync(expXml)) {
    const want = readFileSync(expXml, 'utf8');
    steps.push({
      args: ['--eval', '--xml', '--no-location', '--strict', rel],
      opts: baseOpts,
      check: (r) => (r.code !== 0 ? [`(xml) exit ${r.code}; stderr: ${r.stderr.slice(0, 2000)}`] : r.stdout === want ? [] : [`(xml) stdout differs from ${name}.exp.xml`]),
      nixPasses: (n) => n.code === 0 && n.stdout === want,
    });
  }
  return steps;
}

describe.skipIf(!suite.dir)('Nix 2.8.0 tests/lang', () => {
  // The three checks at the top of lang.sh.
  test.concurrent('lang.sh: builtins.trace prints to stderr', async () => {
    const r = await runM(['--eval', '-E', 'builtins.trace "Hello" 123'], baseOpts);
    expect(r.stdout + r.stderr).toContain('Hello');
  });
  test.concurrent('lang.sh: addErrorContext is silent without an error', async () => {
    const r = await runM(['--show-trace', '--eval', '-E', 'builtins.addErrorContext "Hello" 123'], baseOpts);
    expect(r.stdout + r.stderr).not.toContain('Hello');
  });
  test.concurrent('lang.sh: addErrorContext shows its message with --show-trace', async () => {
    const r = await runM(['--show-trace', '--eval', '-E', 'builtins.addErrorContext "Hello" (throw "Foo")'], baseOpts);
    expect(r.stdout + r.stderr).toContain('Hello');
  });

  for (const file of cases) {
    const steps = stepsFor(file);
    if (steps.length === 0) continue; // lang.sh checks nothing for an eval-okay case without .exp files
    test.concurrent(file.slice(0, -4), async (ctx) => {
      const problems: string[] = [];
      let nixFailed = false;
      for (const step of steps) {
        const [nix, m] = await Promise.all([runNix(step.args, step.opts), runM(step.args, step.opts)]);
        if (!step.nixPasses(nix)) {
          nixFailed = true;
          continue;
        }
        for (const p of step.check(m, nix)) problems.push(`m instantiate ${step.args.join(' ')}: ${p}`);
      }
      if (nixFailed && problems.length === 0) {
        stats.nixFails.push(file);
        ctx.skip('real Nix 2.8 does not pass this case');
      }
      if (problems.length) stats.failed++;
      else stats.passed++;
      expect(problems).toEqual([]);
    });
  }
});
