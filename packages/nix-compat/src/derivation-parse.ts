/** Parses Nix's ATerm .drv text into a Derivation, with Nix's FormatError messages. */
import { MError } from '@m/core';
import type { Derivation, DerivationOutput } from './derivation';
import { parseHashBody, parseHashType } from './hash';
import { DEFAULT_STORE_DIR, parseStorePath } from './store-path';

export interface ParseDerivationOptions {
  /** Store directory the input and output paths must lie in (default /nix/store). */
  storeDir?: string;
}

function formatError(msg: string): MError {
  return new MError('STORE_ERROR', msg);
}

/** Undoes ATerm escapes left to right, as Nix's parseString reads them. */
function unescape(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

function createReader(text: string) {
  let pos = 0;
  const expect = (s: string): void => {
    if (text.startsWith(s, pos)) pos += s.length;
    else throw formatError(`expected string '${s}'`);
  };
  /**
   * Next `"` and `\\` at or after a position, cached: positions only grow, so each search resumes
   * past the previous hit and the text is scanned once in all.
   */
  const next = { '"': -1, '\\': -1 };
  const find = (c: '"' | '\\', from: number): number => {
    if (next[c] < from) {
      const i = text.indexOf(c, from);
      next[c] = i < 0 ? Infinity : i;
    }
    return next[c];
  };
  /** Nix's parseString: `\n`, `\r`, `\t` and `\<c>` (= c) escapes, up to the closing quote. */
  const readString = (): string => {
    expect('"');
    const start = pos;
    let escaped = false;
    for (;;) {
      const quote = find('"', pos);
      if (quote === Infinity) throw formatError('unexpected end of derivation');
      const bs = find('\\', pos);
      if (bs > quote) {
        pos = quote + 1;
        const raw = text.slice(start, quote);
        return escaped ? unescape(raw) : raw;
      }
      if (bs + 1 >= text.length) throw formatError('unexpected end of derivation');
      escaped = true;
      pos = bs + 2;
    }
  };
  /** Consumes ',' (→ false: more items) or ']' (→ true: list ended). */
  const endOfList = (): boolean => {
    const c = text[pos];
    if (c === ',') {
      pos++;
      return false;
    }
    if (c === ']') {
      pos++;
      return true;
    }
    return false;
  };
  const atEnd = (): boolean => pos === text.length;
  return { expect, readString, endOfList, atEnd };
}

function validatePath(s: string): string {
  if (s.length === 0 || s[0] !== '/') throw formatError(`bad path '${s}' in derivation`);
  return s;
}

function checkOutput(o: DerivationOutput, storeDir: string): void {
  if (o.hashAlgo !== '') {
    const algo = parseHashType(o.hashAlgo.startsWith('r:') ? o.hashAlgo.slice(2) : o.hashAlgo);
    if (o.hash !== '' && o.hash !== 'impure') {
      validatePath(o.path);
      parseHashBody(o.hash, algo);
    }
  } else if (o.path !== '') {
    validatePath(o.path);
    parseStorePath(o.path, storeDir);
  }
}

export function parseDerivation(text: string, opts: ParseDerivationOptions = {}): Derivation {
  const storeDir = opts.storeDir ?? DEFAULT_STORE_DIR;
  const r = createReader(text);
  const drv: Derivation = {
    outputs: new Map(),
    inputDrvs: new Map(),
    inputSrcs: new Set(),
    platform: '',
    builder: '',
    args: [],
    env: new Map(),
  };

  r.expect('Derive([');
  while (!r.endOfList()) {
    r.expect('(');
    const id = r.readString();
    r.expect(',');
    const path = r.readString();
    r.expect(',');
    const hashAlgo = r.readString();
    r.expect(',');
    const hash = r.readString();
    r.expect(')');
    const out = { path, hashAlgo, hash };
    checkOutput(out, storeDir);
    drv.outputs.set(id, out);
  }

  r.expect(',[');
  while (!r.endOfList()) {
    r.expect('(');
    const drvPath = validatePath(r.readString());
    parseStorePath(drvPath, storeDir);
    r.expect(',[');
    const outs = new Set<string>();
    while (!r.endOfList()) outs.add(r.readString());
    drv.inputDrvs.set(drvPath, outs);
    r.expect(')');
  }

  r.expect(',[');
  while (!r.endOfList()) {
    const p = validatePath(r.readString());
    parseStorePath(p, storeDir);
    drv.inputSrcs.add(p);
  }

  r.expect(',');
  drv.platform = r.readString();
  r.expect(',');
  drv.builder = r.readString();

  r.expect(',[');
  while (!r.endOfList()) drv.args.push(r.readString());

  r.expect(',[');
  while (!r.endOfList()) {
    r.expect('(');
    const k = r.readString();
    r.expect(',');
    const v = r.readString();
    r.expect(')');
    drv.env.set(k, v);
  }

  r.expect(')');
  return drv;
}
