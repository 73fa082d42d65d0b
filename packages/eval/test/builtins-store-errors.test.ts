/** Error messages of the derivation, context, file and fetcher builtins vs. real nix-instantiate. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkStoreEvaluator, nixErrors, ourError } from './store-oracle';


const fix = mkdtempSync(join(tmpdir(), 'm-err-fix-'));
writeFileSync(join(fix, 'a.txt'), 'hello\n');

/** An existing store path that is not a derivation, as a context-free attribute name. */
const TF = '${builtins.unsafeDiscardStringContext (builtins.toFile "f" "x")}';
const B = 'builder = "b"; system = "s";';
const cases: [string, string][] = [
  ['missing name', 'derivation { }'],
  ['missing builder', 'derivation { name = "a"; system = "s"; }'],
  ['missing system', 'derivation { name = "a"; builder = "b"; }'],
  ['.drv name', `derivation { name = "a.drv"; ${B} }`],
  ['illegal character', `derivation { name = "a b"; ${B} }`],
  ['empty name', `derivation { name = ""; ${B} }`],
  ['name with context', `derivation { name = "\${builtins.toFile "f" "x"}"; ${B} }`],
  ['name not a string', `derivation { name = 1; ${B} }`],
  ['duplicate output', `derivation { name = "a"; ${B} outputs = [ "a" "a" ]; }`],
  ['output named drv', `derivation { name = "a"; ${B} outputs = [ "drv" ]; }`],
  ['empty outputs (strict)', `builtins.derivationStrict { name = "a"; ${B} outputs = [ ]; }`],
  ['empty hash without algo', `derivation { name = "a"; ${B} outputHash = ""; }`],
  ['hash of wrong length', `derivation { name = "a"; ${B} outputHashAlgo = "sha256"; outputHash = "abc"; }`],
  ['hash without type', `derivation { name = "a"; ${B} outputHash = "${'0'.repeat(64)}"; }`],
  ['hash of other type', `derivation { name = "a"; ${B} outputHashAlgo = "sha1"; outputHash = "sha256:${'0'.repeat(64)}"; }`],
  ['bad outputHashMode', `derivation { name = "a"; ${B} outputHashMode = "foo"; }`],
  ['fixed output with two outputs', `derivation { name = "a"; ${B} outputs = [ "out" "dev" ]; outputHashAlgo = "sha256"; outputHash = "${'0'.repeat(64)}"; }`],
  ['set in env', `derivation { name = "a"; ${B} foo = { }; }`],
  ['function in env', `derivation { name = "a"; ${B} foo = x: x; }`],
  ['function in args', `derivation { name = "a"; ${B} args = [ (x: x) ]; }`],
  ['args not a list', `derivation { name = "a"; ${B} args = "x"; }`],
  ['content addressed', `derivation { name = "a"; ${B} __contentAddressed = true; }`],
  ['impure', `derivation { name = "a"; ${B} __impure = true; }`],
  ['structuredAttrs not bool', `derivation { name = "a"; ${B} __structuredAttrs = 1; }`],
  ['toFile with drv reference', `builtins.toFile "a" "\${derivation { name = "a"; ${B} }}"`],
  ['toFile bad name', 'builtins.toFile "a b" "x"'],
  ['path unsupported argument', 'builtins.path { foo = 1; }'],
  ['path required', 'builtins.path { }'],
  ['path missing', `builtins.path { path = ${fix}/nope; }`],
  ['filterSource not a function', `builtins.filterSource 1 ${fix}`],
  ['storePath outside the store', `builtins.storePath ${fix}/a.txt`],
  ['readFile missing', `builtins.readFile ${fix}/nope`],
  ['readFile directory', `builtins.readFile ${fix}`],
  ['readDir missing', `builtins.readDir ${fix}/nope`],
  ['readDir of a file', `builtins.readDir ${fix}/a.txt`],
  ['hashFile unknown type', `builtins.hashFile "foo" ${fix}/a.txt`],
  ['fetchurl hash mismatch', `builtins.fetchurl { url = "file://${fix}/a.txt"; sha256 = "${'0'.repeat(52)}"; }`],
  ['fetchurl unsupported argument', 'builtins.fetchurl { url = "file:///x"; foo = 1; }'],
  ['fetchurl without url', 'builtins.fetchurl { }'],
  ['fetchTree', 'builtins.fetchTree { type = "path"; path = "/tmp"; }'],
  ['appendContext key', 'builtins.appendContext "x" { "/tmp/x" = { path = true; }; }'],
  ['appendContext key identifier', 'builtins.appendContext "x" { x = { path = true; }; }'],
  ['appendContext allOutputs of non-drv', 'builtins.appendContext "x" { ${TF} = { allOutputs = true; }; }'],
  ['appendContext outputs of non-drv', 'builtins.appendContext "x" { ${TF} = { outputs = [ "out" ]; }; }'],
  ['path unsupported argument (quoted)', 'builtins.path { "a b" = 1; }'],
  ['fetchurl unsupported argument (quoted)', 'builtins.fetchurl { url = "file:///x"; "a-b c" = 1; }'],
  ['placeholder with context', 'builtins.placeholder "${builtins.toFile "f" "x"}"'],
];

describe('store builtin errors equal real nix-instantiate', () => {
  const { ev } = mkStoreEvaluator();
  let expected: string[] = [];
  beforeAll(async () => {
    expected = await nixErrors(cases.map(([, e]) => e));
  }, 60_000);
  it.each(cases.map(([name, e], i) => [name, e, i] as const))('%s', (_name, e, i) => {
    const ours = ourError(ev, e);
    expect(ours.code).not.toBe('INTERNAL');
    expect(ours.message).toBe(expected[i]);
  });

  it('offline fetchers are NOT_AVAILABLE', () => {
    expect(ourError(ev, 'builtins.fetchurl "https://example.org/x.tar.gz"')).toEqual({
      code: 'NOT_AVAILABLE',
      message: "fetchurl is not available offline: cannot download 'https://example.org/x.tar.gz'",
    });
    expect(ourError(ev, 'builtins.fetchTarball "https://example.org/x.tar.gz"').code).toBe('NOT_AVAILABLE');
    expect(ourError(ev, 'builtins.fetchGit "https://example.org/x.git"').code).toBe('NOT_AVAILABLE');
    expect(ourError(ev, 'builtins.fetchMercurial "https://example.org/x"').code).toBe('NOT_AVAILABLE');
  });
});
