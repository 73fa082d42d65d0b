/**
 * nix2container's `perms`: a list of `{ path, regex, mode?, uid?, gid?, uname?, gname? }`. A rule
 * applies to the entries of store path `path` (its own entry and everything below it) whose source
 * path (`/nix/store/<hash>-<name>/…`) the regex matches anywhere (an unanchored search, so "" matches
 * all). Every matching rule applies in list order: uid/gid are set (0 when absent), uname/gname and
 * mode only when given. Perms change the archived attributes only; the store keeps its canonical
 * modes. In the customisation layer they apply to the directories merged from `path`.
 */
import { createHash } from 'node:crypto';
import { MError } from '@m/core';

export interface PermRule {
  path: string;
  regex: RegExp;
  mode?: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
}

/** Attributes an entry gets in a layer tar. */
export interface EntryAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}

const bad = (i: number, what: string): MError => new MError('BAD_ARGUMENT', `makeContainerImage: perms[${i}]: ${what}`);

function id(i: number, key: string, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0o7777777) throw bad(i, `${key} must be an integer from 0 to 2097151`);
  return v;
}

function name(i: number, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || Buffer.byteLength(v) > 31 || /[\0\n]/.test(v)) throw bad(i, `${key} must be a name of at most 31 bytes`);
  return v;
}

/** Parses an octal mode string ("0644", "1777") as nix2container does. */
export function parseMode(v: unknown, what: string): number {
  if (typeof v !== 'string' || !/^[0-7]{1,4}$/.test(v))
    throw new MError('BAD_ARGUMENT', `makeContainerImage: ${what} must be an octal mode string such as "0755" or "1777", got ${JSON.stringify(v)}`);
  return parseInt(v, 8);
}

export function parsePerms(v: unknown, isStorePath: (p: string) => boolean): PermRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MError('BAD_ARGUMENT', 'makeContainerImage: perms must be a list');
  return v.map((r: unknown, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(i, 'each rule must be an attribute set');
    const o = r as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!['path', 'regex', 'mode', 'uid', 'gid', 'uname', 'gname'].includes(k)) throw bad(i, `unexpected attribute '${k}'`);
    if (typeof o.path !== 'string' || !isStorePath(o.path)) throw bad(i, 'path must be a store path (a derivation or a path in the store)');
    if (typeof o.regex !== 'string') throw bad(i, 'regex must be a string');
    let regex: RegExp;
    try {
      regex = new RegExp(o.regex);
    } catch (e) {
      throw bad(i, `regex ${JSON.stringify(o.regex)} is invalid: ${(e as Error).message}`);
    }
    return {
      path: o.path,
      regex,
      mode: o.mode === undefined || o.mode === null || o.mode === '' ? undefined : parseMode(o.mode, `perms[${i}].mode`),
      uid: id(i, 'uid', o.uid),
      gid: id(i, 'gid', o.gid),
      uname: name(i, 'uname', o.uname),
      gname: name(i, 'gname', o.gname),
    };
  });
}

export const rulesFor = (rules: readonly PermRule[], storePath: string): PermRule[] => rules.filter((r) => r.path === storePath);

/** A short digest of the rules of one store path (part of its cache key); '' when there are none. */
export function rulesKey(rules: readonly PermRule[]): string {
  if (rules.length === 0) return '';
  const text = JSON.stringify(rules.map((r) => [r.regex.source, r.mode ?? null, r.uid, r.gid, r.uname ?? null, r.gname ?? null]));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The attributes the rules give the entry at `source` (a path inside the rules' store path), or undefined. */
export function applyPerms(rules: readonly PermRule[], source: string): EntryAttrs | undefined {
  let out: EntryAttrs | undefined;
  for (const r of rules) {
    if (source !== r.path && !source.startsWith(`${r.path}/`)) continue;
    r.regex.lastIndex = 0;
    if (!r.regex.test(source)) continue;
    out = { ...out, uid: r.uid, gid: r.gid };
    if (r.uname !== undefined) out.uname = r.uname;
    if (r.gname !== undefined) out.gname = r.gname;
    if (r.mode !== undefined) out.mode = r.mode;
  }
  return out;
}
