// Differential corpus: each case runs under `m instantiate` and must match the
// golden stdout + exit status recorded from real Nix 2.8. When nix-instantiate
// is present, each golden is also re-checked against live Nix so goldens never drift.
// M_ACCEPT=1 (scripts/accept-differential.mjs) rewrites the goldens from real Nix.
// M_DIFF_GROUP=<group> restricts the run to one group; M_DIFF_LIVE=0 skips the live-Nix drift check.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { exitFileText, loadCases, normalize, toGolden, type Case } from '../lib/cases';
import { REPO_ROOT, hasJsStackTrace, hasNix, hasPosition, nixMissingReason, runM, runNix } from '../lib/run';

const casesDir = join(REPO_ROOT, 'tests', 'differential', 'cases');
const accept = process.env.M_ACCEPT === '1';
const only = process.env.M_DIFF_GROUP;
const live = hasNix && process.env.M_DIFF_LIVE !== '0';
const all = loadCases(casesDir).filter((c) => !only || c.group === only || c.group.startsWith(`${only}/`));

const counts = new Map<string, { total: number; passed: number; failed: number }>();
for (const c of all) {
  const g = counts.get(c.group) ?? { total: 0, passed: 0, failed: 0 };
  g.total++;
  counts.set(c.group, g);
}
if (!hasNix) console.log(`[differential] live-Nix drift checks skipped: ${nixMissingReason}`);

afterAll(() => {
  let p = 0, f = 0;
  const lines = [...counts].sort().map(([g, n]) => {
    p += n.passed;
    f += n.failed;
    return `  ${g.padEnd(24)} ${String(n.total).padStart(4)} cases  ${n.passed} ok  ${n.failed} failing`;
  });
  console.log(`[differential] ${all.length} cases in ${counts.size} groups\n${lines.join('\n')}\n[differential] summary: ${p} passed, ${f} failed`);
});

async function acceptCase(c: Case) {
  const [a, b] = await Promise.all([runNix(c.args, c.opts), runNix(c.args, c.opts)]);
  const g = toGolden(a, casesDir);
  expect(toGolden(b, casesDir), `${c.id}: real Nix output is not deterministic; make the case stable`).toEqual(g);
  const base = c.file.slice(0, -4);
  writeFileSync(`${base}.out`, g.stdout);
  writeFileSync(`${base}.exit`, exitFileText(g));
}

async function checkCase(c: Case) {
  const golden = c.golden;
  if (!golden) throw new Error(`${c.id}: no golden (.out/.exit); run node scripts/accept-differential.mjs`);
  const [m, nix] = await Promise.all([runM(c.args, c.opts), live ? runNix(c.args, c.opts) : Promise.resolve(undefined)]);
  const problems: string[] = [];
  if (nix) {
    const live = toGolden(nix, casesDir);
    if (live.stdout !== golden.stdout || live.code !== golden.code || live.position !== golden.position) {
      problems.push(`golden drifted from live nix-instantiate (exit ${live.code}, stdout ${JSON.stringify(live.stdout.slice(0, 300))}); re-run scripts/accept-differential.mjs`);
    }
  }
  if (m.code !== golden.code) problems.push(`exit ${m.code}, expected ${golden.code}${m.code !== 0 ? `; stderr: ${m.stderr.slice(0, 1500)}` : ''}`);
  const out = normalize(m.stdout, casesDir);
  if (out !== golden.stdout) problems.push(`stdout differs:\n--- expected (nix)\n${golden.stdout.slice(0, 3000)}\n--- actual (m)\n${out.slice(0, 3000)}`);
  if (golden.code !== 0) {
    if (!m.stderr.includes('error:')) problems.push(`stderr lacks "error:": ${m.stderr.slice(0, 500)}`);
    if (golden.position && !hasPosition(m.stderr)) problems.push('stderr lacks a FILE:LINE:COL position (Nix has one)');
  }
  if (hasJsStackTrace(m.stderr)) problems.push(`stderr contains a JavaScript stack trace:\n${m.stderr.slice(0, 1500)}`);
  return problems;
}

describe.skipIf(accept && !hasNix)('differential corpus vs Nix 2.8', () => {
  for (const c of all) {
    test.concurrent(c.id, async () => {
      if (accept) return acceptCase(c);
      const problems = await checkCase(c);
      const n = counts.get(c.group)!;
      if (problems.length) n.failed++;
      else n.passed++;
      expect(problems, `m instantiate ${c.args.join(' ')}`).toEqual([]);
    });
  }
});
