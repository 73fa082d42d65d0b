/**
 * Differential tests against `nix-instantiate --parse -E`: for every expression in
 * differential-exprs.json (`parses`: every syntax form; `errors`: syntax errors, parse-time checks,
 * undefined variables), our parse + showExpr, or our first error with its position, equals Nix's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { compareInParallel, nixBaseScope, type Outcome } from './nix-oracle';

const exprs = JSON.parse(readFileSync(fileURLToPath(new URL('./differential-exprs.json', import.meta.url)), 'utf8')) as {
  parses: string[];
  errors: string[];
};
let parses: { nix: Outcome[]; ours: Outcome[] };
let errors: { nix: Outcome[]; ours: Outcome[] };

beforeAll(async () => {
  const scope = nixBaseScope();
  // Each failing expression costs a Nix process; run those in several slices at once.
  [parses, errors] = await Promise.all([
    compareInParallel(exprs.parses.map((source) => ({ source })), '/tmp', scope, 2),
    compareInParallel(exprs.errors.map((source) => ({ source })), '/tmp', scope, 6),
  ]);
}, 120_000);

describe('expressions Nix parses', () => {
  test.each(exprs.parses.map((e, i) => [i, e] as const))('#%i %j', (i) => {
    expect(parses.nix[i]!.ok).toBe(true);
    expect(parses.ours[i]).toEqual(parses.nix[i]);
  });
});

describe('expressions Nix rejects', () => {
  test.each(exprs.errors.map((e, i) => [i, e] as const))('#%i %j', (i) => {
    expect(errors.nix[i]!.ok).toBe(false);
    expect(errors.ours[i]).toEqual(errors.nix[i]);
  });
});
