/**
 * nix-instantiate without --eval: Nix 2.8's getDerivations (get-drvs.cc) over a value, then
 * the `drvPath[!outputName]` line per derivation found. The .drv files were already written
 * through EvalIO by derivationStrict while `drvPath` was forced.
 */
import { MError } from '@m/core';
import { compareUtf8 } from '@m/nix-compat';
import { coerceToPath } from './coerce';
import { isDerivation } from './equal';
import { force, forceBool, forceStringNoCtx } from './eval';
import { attrPos } from './eval';
import type { AutoArg, Evaluator } from './evaluator';
import { getState } from './state';
import { isAttrs, type Lazy, type NixAttrs, type Value } from './value';

export interface FoundDerivation {
  /** Attribute path where it was found ("" for the top level, "a.b", "0"). */
  attrPath: string;
  attrs: NixAttrs;
}

const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9\-_+]*$/;

const joinPath = (a: string, b: string): string => (a === '' ? b : `${a}.${b}`);

/**
 * Collects derivations like Nix's getDerivations: the value itself, the attributes of a set
 * (names matching Nix's attribute regex, sorted; nested sets only with
 * `recurseForDerivations = true`), or the elements of a list. Functions are auto-called.
 */
export function getDerivations(ev: Evaluator, v: Lazy, autoArgs: Map<string, AutoArg> = new Map()): FoundDerivation[] {
  return ev.run(() => {
    const found: FoundDerivation[] = [];
    const done = new Set<NixAttrs>();

    /** Records `x` if it is a derivation; true when it is not one (Nix's getDerivation). */
    const take = (x: Lazy, path: string): boolean => {
      const r = force(x);
      if (!isDerivation(r)) return true;
      if (done.has(r)) return false;
      done.add(r);
      const name = r.map.get('name');
      if (name === undefined) throw new MError('TYPE_ERROR', 'derivation name missing');
      forceStringNoCtx(name);
      found.push({ attrPath: path, attrs: r });
      return false;
    };

    const walk = (vIn: Lazy, prefix: string): void => {
      const r: Value = ev.autoCallFunction(force(vIn), autoArgs);
      if (!take(r, prefix)) return;
      if (isAttrs(r)) {
        const combine = r.map.has('_combineChannels');
        for (const name of [...r.map.keys()].sort(compareUtf8)) {
          if (!ATTR_NAME.test(name)) continue;
          const child = r.map.get(name)!;
          const p2 = joinPath(prefix, name);
          if (combine) walk(child, p2);
          else if (take(child, p2)) {
            const cv = force(child);
            if (isAttrs(cv)) {
              const rec = cv.map.get('recurseForDerivations');
              if (rec !== undefined && forceBool(rec, attrPos(cv, 'recurseForDerivations'))) walk(cv, p2);
            }
          }
        }
      } else if (Array.isArray(r)) {
        r.forEach((elem, n) => {
          const p2 = joinPath(prefix, String(n));
          if (take(elem, p2)) walk(elem, p2);
        });
      } else {
        throw new MError('TYPE_ERROR', 'expression does not evaluate to a derivation (or a set or list of those)');
      }
    };

    walk(v, '');
    return found;
  });
}

/**
 * nix-instantiate's output for a value: one `drvPath` line per derivation found, with
 * `!<outputName>` appended unless the output is "out".
 */
export function instantiate(ev: Evaluator, v: Lazy, autoArgs: Map<string, AutoArg> = new Map()): string[] {
  const found = getDerivations(ev, v, autoArgs);
  return ev.run(() => {
    const state = getState();
    const lines: string[] = [];
    for (const { attrs } of found) {
      const dp = attrs.map.get('drvPath');
      if (dp === undefined) throw new MError('EVAL_ERROR', "derivation does not contain a 'drvPath' attribute");
      const drvPath = coerceToPath(dp, attrPos(attrs, 'drvPath'), new Set());
      if (!state.io.isInStore(drvPath)) throw new MError('EVAL_ERROR', `path '${drvPath}' is not in the Nix store`);
      const on = attrs.map.get('outputName');
      const outputName = on === undefined ? '' : forceStringNoCtx(on);
      if (outputName === '') throw new MError('EVAL_ERROR', `derivation '${drvPath}' lacks an 'outputName' attribute`);
      lines.push(outputName === 'out' ? drvPath : `${drvPath}!${outputName}`);
    }
    return lines;
  });
}
