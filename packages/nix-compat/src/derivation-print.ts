/** Serialises a Derivation to Nix's ATerm text, byte-identical to Derivation::unparse. */
import { sortedUtf8 } from './bytes';
import type { Derivation } from './derivation';

/** Quotes with Nix's escapes for `"`, `\`, newline, carriage return and tab. */
export function atermString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    switch (c) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += c;
    }
  }
  return out + '"';
}

/** Nix writes some fields (paths, names, hashes, platform) without escaping. */
function raw(s: string): string {
  return `"${s}"`;
}

function list(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}

export interface PrintDerivationOptions {
  /** Blank output paths and the env vars named like outputs (for hashing modulo). */
  maskOutputs?: boolean;
  /** Replaces the inputDrvs map (e.g. drv hash hex → outputs); keys printed sorted. */
  inputDrvReplacements?: Map<string, Iterable<string>>;
}

export function printDerivation(drv: Derivation, opts: PrintDerivationOptions = {}): string {
  const mask = opts.maskOutputs ?? false;
  const parts: string[] = [];

  const outs: string[] = [];
  for (const name of sortedUtf8(drv.outputs.keys())) {
    const o = drv.outputs.get(name)!;
    outs.push(`(${raw(name)},${raw(mask ? '' : o.path)},${raw(o.hashAlgo)},${raw(o.hash)})`);
  }
  parts.push(list(outs));

  const inputs = opts.inputDrvReplacements ?? drv.inputDrvs;
  const ins: string[] = [];
  for (const p of sortedUtf8(inputs.keys())) {
    ins.push(`(${raw(p)},${list(sortedUtf8(inputs.get(p)!).map(raw))})`);
  }
  parts.push(list(ins));

  parts.push(list(sortedUtf8(drv.inputSrcs).map(raw)));
  parts.push(raw(drv.platform));
  parts.push(atermString(drv.builder));
  parts.push(list(drv.args.map(atermString)));

  const env: string[] = [];
  for (const k of sortedUtf8(drv.env.keys())) {
    const v = mask && drv.outputs.has(k) ? '' : drv.env.get(k)!;
    env.push(`(${atermString(k)},${atermString(v)})`);
  }
  parts.push(list(env));

  return `Derive(${parts.join(',')})`;
}
