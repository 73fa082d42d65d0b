/** Error constructors with Nix 2.8's wording. */
import { MError, type ErrorCode } from '@m/core';
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

/** Turns a JS stack exhaustion into Nix's positioned error; other errors pass through. */
export function convertStackOverflow(e: unknown, pos: Pos | undefined): unknown {
  if (isStackOverflow(e)) return new MError('STACK_OVERFLOW', STACK_MESSAGE, { pos });
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
