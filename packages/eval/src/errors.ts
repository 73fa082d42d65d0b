/** Error constructors with Nix 2.8's wording. */
import { MError, isMError, type ErrorCode } from '@m/core';
import type { ExprLambda, Pos } from '@m/lang';
import { showType, type Lazy } from './value';

export function evalError(message: string, pos?: Pos, hint?: string): MError {
  return new MError('EVAL_ERROR', message, { pos, hint });
}

export function typeError(message: string, pos?: Pos, hint?: string): MError {
  return new MError('TYPE_ERROR', message, { pos, hint });
}

export function error(code: ErrorCode, message: string, pos?: Pos, hint?: string): MError {
  return new MError(code, message, { pos, hint });
}

/** `value is a string while a set was expected` */
export function expectedError(v: Lazy, expected: string, pos?: Pos): MError {
  return typeError(`value is ${showType(v)} while ${expected} was expected`, pos);
}

/** How Nix prints a position inside a message: `/abs/file.nix:3:5`, `(string):1:2`. */
export function showPos(pos: Pos | undefined): string {
  if (!pos) return 'undefined position';
  const f = pos.file.startsWith('/') ? pos.file : '(string)';
  return `${f}:${pos.line}:${pos.column}`;
}

/** `'f' at file:1:2` or `anonymous function at file:1:2`. */
export function showLambda(fn: ExprLambda): string {
  return fn.name !== undefined ? `'${fn.name}' at ${showPos(fn.pos)}` : `anonymous function at ${showPos(fn.pos)}`;
}

const STACK_MESSAGE = 'stack overflow (possible infinite recursion)';

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes('call stack');
}

/** Turns a JS stack exhaustion or a JS size limit into a positioned error; other errors pass through. */
export function convertStackOverflow(e: unknown, pos: Pos | undefined): unknown {
  if (isStackOverflow(e)) return new MError('STACK_OVERFLOW', STACK_MESSAGE, { pos });
  return convertLimitError(e, pos);
}

/** V8's longest string, in UTF-16 units (one per byte for ASCII and escaped bytes). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;
/**
 * The longest list m builds: V8's FixedArray::kMaxLength on 64-bit (a 1 GiB backing store);
 * longer JS arrays fall back to dictionary elements (several times the memory, orders of
 * magnitude slower), so m refuses them up front instead of running out of memory slowly.
 */
export const MAX_LIST_LENGTH = 2 ** 27 - 2;
/** V8's largest Map (the attribute sets' representation). */
export const MAX_ATTRS = 2 ** 24;

export function stringTooLong(pos?: Pos): MError {
  return new MError('EVAL_ERROR', `out of memory: the string would be longer than ${MAX_STRING_LENGTH} bytes, m's maximum string length`, { pos });
}

export function listTooLong(len: number | bigint, pos?: Pos): MError {
  return new MError('EVAL_ERROR', `out of memory: cannot create a list of ${len} elements (m's maximum list length is ${MAX_LIST_LENGTH})`, { pos });
}

/**
 * A JS engine limit (string, array, Map or buffer too large) as a positioned Nix-style error;
 * other values pass through unchanged.
 */
export function convertLimitError(e: unknown, pos: Pos | undefined): unknown {
  if (!(e instanceof Error) || isMError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e.message;
  if (code === 'ERR_STRING_TOO_LONG' || (e instanceof RangeError && msg === 'Invalid string length')) return stringTooLong(pos);
  if (e instanceof RangeError) {
    if (msg === 'Invalid array length') return new MError('EVAL_ERROR', `out of memory: the list would be longer than m's maximum list length (${MAX_LIST_LENGTH})`, { pos });
    if (/^(Map|Set) maximum size exceeded/.test(msg)) {
      return new MError('EVAL_ERROR', `out of memory: the attribute set would have more than ${MAX_ATTRS} attributes, m's maximum`, { pos });
    }
    if (/Array buffer allocation failed|Invalid typed array length|Array buffer.*length/i.test(msg)) {
      return new MError('EVAL_ERROR', 'out of memory: a byte buffer is too large', { pos });
    }
  }
  if (code === 'ERR_BUFFER_TOO_LARGE' || code === 'ERR_FS_FILE_TOO_LARGE') return new MError('EVAL_ERROR', `out of memory: ${msg}`, { pos });
  return e;
}

export function stackOverflowError(pos?: Pos): MError {
  return new MError('STACK_OVERFLOW', STACK_MESSAGE, { pos });
}

function levenshtein(a: string, b: string): number {
  let v0 = new Array<number>(b.length + 1);
  let v1 = new Array<number>(b.length + 1);
  for (let i = 0; i <= b.length; i++) v0[i] = i;
  for (let i = 0; i < a.length; i++) {
    v1[0] = i + 1;
    for (let j = 0; j < b.length; j++) {
      v1[j + 1] = Math.min(v0[j + 1] + 1, v1[j] + 1, a[i] === b[j] ? v0[j] : v0[j] + 1);
    }
    [v0, v1] = [v1, v0];
  }
  return v0[b.length];
}

/** Nix's "Did you mean …?" hint: up to 5 candidates at edit distance ≤ 2, or undefined. */
export function suggestionHint(candidates: Iterable<string>, query: string): string | undefined {
  const scored: [number, string][] = [];
  for (const c of new Set(candidates)) {
    const d = levenshtein(query, c);
    if (d <= 2) scored.push([d, c]);
  }
  if (scored.length === 0) return undefined;
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  const names = scored.slice(0, 5).map((s) => s[1]);
  if (names.length === 1) return `Did you mean ${names[0]}?`;
  return `Did you mean one of ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}?`;
}
