// The differential corpus must exercise every builtin of Nix 2.8 and every
// syntax form; this checks the corpus text mentions each one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCases } from '../lib/cases';
import { REPO_ROOT, hasNix, runNix } from '../lib/run';

const casesDir = join(REPO_ROOT, 'tests', 'differential', 'cases');
const cases = loadCases(casesDir);
const corpus = cases.map((c) => readFileSync(c.file, 'utf8')).join('\n');

/** `builtins.attrNames builtins` of Nix 2.8.0, minus `builtins` itself: 108 names. */
const BUILTINS = `abort add addErrorContext all any appendContext attrNames attrValues baseNameOf bitAnd bitOr bitXor
catAttrs ceil compareVersions concatLists concatMap concatStringsSep currentSystem currentTime deepSeq derivation
derivationStrict dirOf div elem elemAt false fetchGit fetchMercurial fetchTarball fetchTree fetchurl filter
filterSource findFile floor foldl' fromJSON fromTOML functionArgs genList genericClosure getAttr getContext getEnv
groupBy hasAttr hasContext hashFile hashString head import intersectAttrs isAttrs isBool isFloat isFunction isInt
isList isNull isPath isString langVersion length lessThan listToAttrs map mapAttrs match mul nixPath nixVersion null
parseDrvName partition path pathExists placeholder readDir readFile removeAttrs replaceStrings scopedImport seq sort
split splitVersion storeDir storePath stringLength sub substring tail throw toFile toJSON toPath toString toXML
trace true tryEval typeOf unsafeDiscardOutputDependency unsafeDiscardStringContext unsafeGetAttrPos
zipAttrsWith`.split(/\s+/);

describe('differential corpus coverage', () => {
  test('lists 108 builtins', () => expect(BUILTINS.length).toBe(108));

  test.skipIf(!hasNix)('the list equals live Nix 2.8 builtins', async () => {
    const r = await runNix(['--eval', '--json', '-E', 'builtins.filter (n: n != "builtins") (builtins.attrNames builtins)']);
    expect(JSON.parse(r.stdout)).toEqual([...BUILTINS].sort());
  });

  test('every builtin is used by some case', () => {
    const missing = BUILTINS.filter((b) => !new RegExp(`(^|[^A-Za-z0-9_'-])${b.replace(/'/g, "\\'")}($|[^A-Za-z0-9_'-])`).test(corpus));
    expect(missing).toEqual([]);
  });

  test('every syntax form appears', () => {
    const forms: Record<string, RegExp> = {
      'indented string': /''/,
      'string interpolation': /"[^"\n]*\$\{/,
      'indented escapes': /''\$|'''|''\\/,
      'path literal': /\.\/[a-z]/,
      'home path': /~\//,
      'search path': /<[a-z]+[/>]/,
      uri: /https?:\/\/|mailto:/,
      let: /\blet\b/,
      'legacy let': /let \{/,
      rec: /\brec \{/,
      with: /\bwith\b/,
      inherit: /\binherit [a-z]/,
      'inherit from': /\binherit \(/,
      'dynamic attr': /\$\{[^}]*\} =/,
      or: /\bor\b/,
      'has attr': / \? /,
      'set pattern': /\{ [a-z]+, /,
      'pattern default': /\? [^:]*\}:/,
      ellipsis: /\.\.\. \}/,
      '@ pattern': /@/,
      if: /\bif\b/,
      assert: /\bassert\b/,
      implication: /->/,
      update: /\/\//,
      concat: /\+\+/,
      'not equal': /!=/,
      float: /\d\.\d/,
    };
    const missing = Object.entries(forms).filter(([, re]) => !re.test(corpus)).map(([k]) => k);
    expect(missing).toEqual([]);
  });

  test('at least 320 expression cases and 60 derivation cases', () => {
    const drv = cases.filter((c) => c.group === 'derivations').length;
    console.log(`[coverage] ${cases.length - drv} expression cases, ${drv} derivation cases`);
    expect(cases.length - drv).toBeGreaterThanOrEqual(320);
    expect(drv).toBeGreaterThanOrEqual(60);
  });
});
