/**
 * Nix's `builtins.match` / `builtins.split` regular expressions.
 *
 * Nix 2.8 compiles patterns with libstdc++'s std::regex in POSIX *extended* mode and runs them
 * with its depth-first executor. That executor is neither ECMAScript first-match nor true POSIX
 * leftmost-longest: both sides of every `|` are explored and the longer overall match wins,
 * while repetitions are greedy and stop at the first overall success. To reproduce Nix's
 * answers exactly (capture groups included) this module builds the same kind of NFA and runs the
 * same search order, on the UTF-8 bytes of the subject (Nix strings are byte strings and the C
 * locale is in force, so non-ASCII bytes belong to no character class).
 *
 * The executor uses an explicit work stack, so long subjects do not overflow the JS stack.
 */
import { MError } from '@m/core';
import { fromUtf8, utf8 } from '@m/nix-compat';

/** Maximum NFA size, as libstdc++'s _GLIBCXX_REGEX_STATE_LIMIT. */
const STATE_LIMIT = 100000;
/**
 * Executor steps allowed for one match attempt. Nix's depth-first executor backtracks
 * exponentially (`(a*)*b` on 30 `a`s runs for hours); m stops with an error instead. Real
 * patterns stay far below this (it is some seconds of work).
 */
const STEP_LIMIT = 100_000_000;
const NONE = -1;

type Op = 'match' | 'alt' | 'repeat' | 'begin' | 'end' | 'bol' | 'eol' | 'accept' | 'dummy';

interface NfaState {
  op: Op;
  next: number;
  alt: number;
  /** capture group index for begin/end */
  group: number;
  /** byte predicate for match states */
  test?: (b: number) => boolean;
}

interface Seq {
  start: number;
  end: number;
}

/** A compiled Nix regex. Opaque to callers; obtain with compileNixRegex. */
export interface NixRegex {
  readonly source: string;
  /** number of capture groups (excluding the whole match) */
  readonly groupCount: number;
  readonly states: readonly NfaState[];
  readonly start: number;
}

class SyntaxFail {
  constructor(readonly space: boolean) {}
}

// ---------------------------------------------------------------------------------------------
// Character classes (C locale)

function isUpper(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}
function isLower(b: number): boolean {
  return b >= 0x61 && b <= 0x7a;
}
function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
function isAlpha(b: number): boolean {
  return isUpper(b) || isLower(b);
}
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}
function isCntrl(b: number): boolean {
  return b < 0x20 || b === 0x7f;
}
function isPrint(b: number): boolean {
  return b >= 0x20 && b < 0x7f;
}
function isGraph(b: number): boolean {
  return b > 0x20 && b < 0x7f;
}
function isXdigit(b: number): boolean {
  return isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}
function isPunct(b: number): boolean {
  return isGraph(b) && !isAlpha(b) && !isDigit(b);
}

const CLASSES: Record<string, (b: number) => boolean> = {
  d: isDigit,
  w: (b) => isAlpha(b) || isDigit(b) || b === 0x5f,
  s: isSpace,
  alnum: (b) => isAlpha(b) || isDigit(b),
  alpha: isAlpha,
  blank: (b) => b === 0x20 || b === 0x09,
  cntrl: isCntrl,
  digit: isDigit,
  graph: isGraph,
  lower: isLower,
  print: isPrint,
  punct: isPunct,
  space: isSpace,
  upper: isUpper,
  xdigit: isXdigit,
};

/** POSIX collating-element names understood by libstdc++'s regex_traits::lookup_collatename. */
const COLLATE_NAMES: Record<string, number> = (() => {
  const names = [
    'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'alert', 'backspace', 'tab', 'newline',
    'vertical-tab', 'form-feed', 'carriage-return', 'SO', 'SI', 'DLE', 'DC1', 'DC2', 'DC3', 'DC4',
    'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'IS4', 'IS3', 'IS2', 'IS1', 'space',
    'exclamation-mark', 'quotation-mark', 'number-sign', 'dollar-sign', 'percent-sign',
    'ampersand', 'apostrophe', 'left-parenthesis', 'right-parenthesis', 'asterisk', 'plus-sign',
    'comma', 'hyphen', 'period', 'slash', 'zero', 'one', 'two', 'three', 'four', 'five', 'six',
    'seven', 'eight', 'nine', 'colon', 'semicolon', 'less-than-sign', 'equals-sign',
    'greater-than-sign', 'question-mark', 'commercial-at', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H',
    'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
    'left-square-bracket', 'backslash', 'right-square-bracket', 'circumflex', 'underscore',
    'grave-accent', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'left-curly-bracket', 'vertical-line',
    'right-curly-bracket', 'tilde', 'DEL',
  ];
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    out[n] = i;
  });
  return out;
})();

function lookupCollate(name: number[]): number | undefined {
  if (name.length === 1) return name[0];
  const s = String.fromCharCode(...name);
  return Object.prototype.hasOwnProperty.call(COLLATE_NAMES, s) ? COLLATE_NAMES[s] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scanner (POSIX extended grammar, libstdc++ flavour)

type Tok =
  | 'eof' | 'ord' | 'bol' | 'eol' | 'any' | 'star' | 'plus' | 'opt' | 'or'
  | 'lparen' | 'rparen' | 'brack' | 'nbrack' | 'brace' | 'brack_end' | 'dash'
  | 'collsym' | 'equiv' | 'cclass' | 'count' | 'comma' | 'brace_end';

const SPECIAL = '.[\\()*+?{|^$';

function createScanner(p: number[]) {
  let i = 0;
  let mode: 'normal' | 'bracket' | 'brace' = 'normal';
  let atBracketStart = false;
  let tok: Tok = 'eof';
  let val: number[] = [];
  const fail = (): never => {
    throw new SyntaxFail(false);
  };

  const eatClass = (ch: number) => {
    val = [];
    while (i < p.length && p[i] !== ch) val.push(p[i++]);
    if (i >= p.length || p[i++] !== ch || i >= p.length || p[i++] !== 0x5d) fail();
  };

  const scanNormal = () => {
    const c = p[i++];
    const ch = String.fromCharCode(c);
    if (c === 0) fail();
    if (!SPECIAL.includes(ch)) {
      tok = 'ord';
      val = [c];
      return;
    }
    switch (ch) {
      case '\\': {
        if (i >= p.length) fail();
        // only special characters may be escaped (Nix's libstdc++ build is strict ANSI)
        if (p[i] === 0 || !SPECIAL.includes(String.fromCharCode(p[i]))) fail();
        tok = 'ord';
        val = [p[i++]];
        return;
      }
      case '(':
        tok = 'lparen';
        return;
      case ')':
        tok = 'rparen';
        return;
      case '[':
        mode = 'bracket';
        atBracketStart = true;
        if (i < p.length && p[i] === 0x5e) {
          tok = 'nbrack';
          i++;
        } else tok = 'brack';
        return;
      case '{':
        mode = 'brace';
        tok = 'brace';
        return;
      case '^':
        tok = 'bol';
        return;
      case '$':
        tok = 'eol';
        return;
      case '.':
        tok = 'any';
        return;
      case '*':
        tok = 'star';
        return;
      case '+':
        tok = 'plus';
        return;
      case '?':
        tok = 'opt';
        return;
      case '|':
        tok = 'or';
        return;
    }
  };

  const scanBracket = () => {
    if (i >= p.length) fail();
    const c = p[i++];
    if (c === 0x2d) tok = 'dash';
    else if (c === 0x5b) {
      if (i >= p.length) fail();
      const n = p[i];
      if (n === 0x2e) {
        tok = 'collsym';
        i++;
        eatClass(0x2e);
      } else if (n === 0x3a) {
        tok = 'cclass';
        i++;
        eatClass(0x3a);
      } else if (n === 0x3d) {
        tok = 'equiv';
        i++;
        eatClass(0x3d);
      } else {
        tok = 'ord';
        val = [c];
      }
    } else if (c === 0x5d && !atBracketStart) {
      tok = 'brack_end';
      mode = 'normal';
    } else {
      tok = 'ord';
      val = [c];
    }
    atBracketStart = false;
  };

  const scanBrace = () => {
    if (i >= p.length) fail();
    const c = p[i++];
    if (isDigit(c)) {
      tok = 'count';
      val = [c];
      while (i < p.length && isDigit(p[i])) val.push(p[i++]);
    } else if (c === 0x2c) tok = 'comma';
    else if (c === 0x7d) {
      mode = 'normal';
      tok = 'brace_end';
    } else fail();
  };

  const advance = () => {
    if (i >= p.length) {
      tok = 'eof';
      return;
    }
    if (mode === 'normal') scanNormal();
    else if (mode === 'bracket') scanBracket();
    else scanBrace();
  };
  advance();

  return {
    /** If the current token is `t`, consume it and return its value. */
    take(t: Tok): number[] | undefined {
      if (tok !== t) return undefined;
      const v = val;
      advance();
      return v;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Compiler

function compile(source: string): NixRegex {
  const pattern = [...utf8(source)];
  const scan = createScanner(pattern);
  const states: NfaState[] = [];
  const stack: Seq[] = [];
  let groupCount = 0;

  const insert = (s: Partial<NfaState> & { op: Op }): number => {
    states.push({ next: NONE, alt: NONE, group: 0, ...s });
    if (states.length > STATE_LIMIT) throw new SyntaxFail(true);
    return states.length - 1;
  };
  const single = (id: number): Seq => ({ start: id, end: id });
  const append = (seq: Seq, next: Seq | number): void => {
    const n = typeof next === 'number' ? single(next) : next;
    states[seq.end].next = n.start;
    seq.end = n.end;
  };
  const pop = (): Seq => {
    const s = stack.pop();
    if (!s) throw new SyntaxFail(false);
    return s;
  };
  const clone = (seq: Seq): Seq => {
    const map = new Map<number, number>();
    const work = [seq.start];
    while (work.length > 0) {
      const u = work.pop()!;
      if (map.has(u)) continue;
      const dup = { ...states[u] };
      const id = insert(dup);
      map.set(u, id);
      if ((dup.op === 'alt' || dup.op === 'repeat') && dup.alt !== NONE && !map.has(dup.alt)) {
        work.push(dup.alt);
      }
      if (u === seq.end) continue;
      if (dup.next !== NONE && !map.has(dup.next)) work.push(dup.next);
    }
    for (const id of map.values()) {
      const st = states[id];
      if (st.next !== NONE && map.has(st.next)) st.next = map.get(st.next)!;
      if (st.alt !== NONE && map.has(st.alt)) st.alt = map.get(st.alt)!;
    }
    return { start: map.get(seq.start)!, end: map.get(seq.end)! };
  };
  const fail = (): never => {
    throw new SyntaxFail(false);
  };

  const disjunction = (): void => {
    alternative();
    while (scan.take('or')) {
      const alt1 = pop();
      alternative();
      const alt2 = pop();
      const end = insert({ op: 'dummy' });
      append(alt1, end);
      append(alt2, end);
      // the executor tries `alt` (left branch) before `next` (right branch)
      const a = insert({ op: 'alt', next: alt2.start, alt: alt1.start });
      stack.push({ start: a, end });
    }
  };

  const alternative = (): void => {
    if (term()) {
      const re = pop();
      alternative();
      append(re, pop());
      stack.push(re);
    } else stack.push(single(insert({ op: 'dummy' })));
  };

  const term = (): boolean => {
    if (scan.take('bol')) {
      stack.push(single(insert({ op: 'bol' })));
      return true;
    }
    if (scan.take('eol')) {
      stack.push(single(insert({ op: 'eol' })));
      return true;
    }
    if (!atom()) return false;
    while (quantifier());
    return true;
  };

  const quantifier = (): boolean => {
    if (scan.take('star')) {
      if (stack.length === 0) fail();
      const e = pop();
      const r = single(insert({ op: 'repeat', alt: e.start }));
      append(e, r);
      stack.push(r);
    } else if (scan.take('plus')) {
      if (stack.length === 0) fail();
      const e = pop();
      append(e, insert({ op: 'repeat', alt: e.start }));
      stack.push(e);
    } else if (scan.take('opt')) {
      if (stack.length === 0) fail();
      const e = pop();
      const end = insert({ op: 'dummy' });
      const r = single(insert({ op: 'repeat', alt: e.start }));
      append(e, end);
      append(r, end);
      stack.push(r);
    } else if (scan.take('brace')) {
      if (stack.length === 0) fail();
      const minDigits = scan.take('count');
      if (!minDigits) return fail();
      const r = pop();
      const e = single(insert({ op: 'dummy' }));
      const min = toInt(minDigits);
      let infinite = false;
      let extra = 0;
      if (scan.take('comma')) {
        const maxDigits = scan.take('count');
        if (maxDigits) extra = toInt(maxDigits) - min;
        else infinite = true;
      }
      if (!scan.take('brace_end')) fail();
      for (let k = 0; k < min; k++) append(e, clone(r));
      if (infinite) {
        const tmp = clone(r);
        const s = single(insert({ op: 'repeat', alt: tmp.start }));
        append(tmp, s);
        append(e, s);
      } else {
        if (extra < 0) fail();
        const end = insert({ op: 'dummy' });
        for (let k = 0; k < extra; k++) {
          const tmp = clone(r);
          const a = insert({ op: 'repeat', next: end, alt: tmp.start });
          append(e, { start: a, end: tmp.end });
        }
        append(e, end);
      }
      stack.push(e);
    } else return false;
    return true;
  };

  const atom = (): boolean => {
    let v: number[] | undefined;
    if (scan.take('any')) {
      stack.push(single(insert({ op: 'match', test: (b) => b !== 0 })));
    } else if ((v = scan.take('ord'))) {
      const c = v[0];
      stack.push(single(insert({ op: 'match', test: (b) => b === c })));
    } else if (scan.take('lparen')) {
      const group = ++groupCount;
      const r = single(insert({ op: 'begin', group }));
      disjunction();
      if (!scan.take('rparen')) fail();
      append(r, pop());
      append(r, insert({ op: 'end', group }));
      stack.push(r);
    } else if (scan.take('brack')) {
      stack.push(single(insert({ op: 'match', test: bracket(false) })));
    } else if (scan.take('nbrack')) {
      stack.push(single(insert({ op: 'match', test: bracket(true) })));
    } else return false;
    return true;
  };

  const bracket = (negated: boolean): ((b: number) => boolean) => {
    const set = new Uint8Array(256);
    const preds: ((b: number) => boolean)[] = [];
    // last: a pending single char, 'class' after a class, or null
    let last: number | 'class' | null = null;
    const pushChar = (c: number) => {
      if (typeof last === 'number') set[last] = 1;
      last = c;
    };
    const pushClass = () => {
      if (typeof last === 'number') set[last] = 1;
      last = 'class';
    };
    const makeRange = (l: number, r: number) => {
      // validity is checked on signed chars, matching on unsigned bytes
      const sl = l > 127 ? l - 256 : l;
      const sr = r > 127 ? r - 256 : r;
      if (sl > sr) fail();
      for (let b = l; b <= r; b++) set[b] = 1;
    };
    let v: number[] | undefined;
    if ((v = scan.take('ord'))) last = v[0];
    else if (scan.take('dash')) last = 0x2d;
    for (;;) {
      if (scan.take('brack_end')) break;
      if ((v = scan.take('collsym'))) {
        const c = lookupCollate(v);
        if (c === undefined) fail();
        set[c!] = 1;
        pushChar(c!);
      } else if ((v = scan.take('equiv'))) {
        const c = lookupCollate(v);
        if (c === undefined) fail();
        pushClass();
        set[c!] = 1;
      } else if ((v = scan.take('cclass'))) {
        const name = String.fromCharCode(...v);
        const pred = Object.prototype.hasOwnProperty.call(CLASSES, name) ? CLASSES[name] : undefined;
        if (!pred) fail();
        pushClass();
        preds.push(pred!);
      } else if ((v = scan.take('ord'))) {
        pushChar(v[0]);
      } else if (scan.take('dash')) {
        if (scan.take('brack_end')) {
          pushChar(0x2d);
          break;
        }
        const prev = last as number | 'class' | null;
        if (prev === 'class') fail();
        if (typeof prev === 'number') {
          if ((v = scan.take('ord'))) makeRange(prev, v[0]);
          else if (scan.take('dash')) makeRange(prev, 0x2d);
          else fail();
          last = null;
        } else fail();
      } else fail();
    }
    if (typeof last === 'number') set[last] = 1;
    for (let b = 0; b < 256; b++) if (!set[b] && preds.some((p) => p(b))) set[b] = 1;
    return negated ? (b) => set[b] === 0 : (b) => set[b] === 1;
  };

  const start = insert({ op: 'dummy' });
  const whole = single(start);
  append(whole, insert({ op: 'begin', group: 0 }));
  disjunction();
  if (!scan.take('eof')) fail();
  append(whole, pop());
  append(whole, insert({ op: 'end', group: 0 }));
  append(whole, insert({ op: 'accept' }));
  return { source, groupCount, states, start };
}

function toInt(digits: number[]): number {
  let v = 0;
  for (const d of digits) v = v * 10 + (d - 0x30);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Executor (depth-first, mirroring libstdc++'s POSIX mode)

interface SearchFlags {
  notNull?: boolean;
  continuous?: boolean;
  prevAvail?: boolean;
}

/** Byte offsets of a match: groups[k] = [start, end] or null when group k did not take part. */
export interface ByteMatch {
  groups: ([number, number] | null)[];
}

type Task = number | (() => void);

function runAt(
  re: NixRegex,
  s: Uint8Array,
  begin: number,
  exact: boolean,
  flags: SearchFlags,
): ByteMatch | null {
  const { states } = re;
  const end = s.length;
  const n = re.groupCount + 1;
  const curStart = new Array<number>(n).fill(-1);
  const curEnd = new Array<number>(n).fill(-1);
  const curMatched = new Array<boolean>(n).fill(false);
  let result: ByteMatch | null = null;
  let hasSol = false;
  let solPos = -1;
  let cur = begin;
  const repPos = new Int32Array(states.length);
  const repCount = new Int32Array(states.length);

  const atBegin = () => cur === begin && !flags.prevAvail;
  const atEnd = () => cur === end;

  const tasks: Task[] = [re.start];
  let steps = 0;
  while (tasks.length > 0) {
    if (++steps > STEP_LIMIT) {
      throw new MError('EVAL_ERROR', `regular expression '${re.source}' needs more than ${STEP_LIMIT} steps of backtracking on a subject of ${s.length} bytes`, {
        hint: 'rewrite the pattern without nested repetition such as (a*)*',
      });
    }
    const t = tasks.pop()!;
    if (typeof t === 'function') {
      t();
      continue;
    }
    const st = states[t];
    switch (st.op) {
      case 'dummy':
        tasks.push(st.next);
        break;
      case 'match':
        if (cur !== end && st.test!(s[cur])) {
          cur++;
          tasks.push(() => {
            cur--;
          });
          tasks.push(st.next);
        }
        break;
      case 'repeat': {
        tasks.push(() => {
          if (!hasSol) tasks.push(st.next);
        });
        if (repCount[t] === 0 || repPos[t] !== cur) {
          const backPos = repPos[t];
          const backCount = repCount[t];
          repPos[t] = cur;
          repCount[t] = 1;
          tasks.push(() => {
            repPos[t] = backPos;
            repCount[t] = backCount;
          });
          tasks.push(st.alt);
        } else if (repCount[t] < 2) {
          repCount[t]++;
          tasks.push(() => {
            repCount[t]--;
          });
          tasks.push(st.alt);
        }
        break;
      }
      case 'begin': {
        const g = st.group;
        const back = curStart[g];
        curStart[g] = cur;
        tasks.push(() => {
          curStart[g] = back;
        });
        tasks.push(st.next);
        break;
      }
      case 'end': {
        const g = st.group;
        const bs = curStart[g];
        const be = curEnd[g];
        const bm = curMatched[g];
        curEnd[g] = cur;
        curMatched[g] = true;
        tasks.push(() => {
          curStart[g] = bs;
          curEnd[g] = be;
          curMatched[g] = bm;
        });
        tasks.push(st.next);
        break;
      }
      case 'bol':
        if (atBegin()) tasks.push(st.next);
        break;
      case 'eol':
        if (atEnd()) tasks.push(st.next);
        break;
      case 'alt': {
        let saved = false;
        tasks.push(() => {
          hasSol = hasSol || saved;
        });
        tasks.push(st.next);
        tasks.push(() => {
          saved = hasSol;
          hasSol = false;
        });
        tasks.push(st.alt);
        break;
      }
      case 'accept': {
        hasSol = exact ? cur === end : true;
        if (cur === begin && flags.notNull) hasSol = false;
        if (hasSol && (solPos === -1 || solPos - begin < cur - begin)) {
          solPos = cur;
          const groups: ([number, number] | null)[] = [];
          for (let g = 0; g < n; g++) groups.push(curMatched[g] ? [curStart[g], curEnd[g]] : null);
          result = { groups };
        }
        break;
      }
    }
  }
  return hasSol ? result : null;
}

function search(re: NixRegex, s: Uint8Array, from: number, flags: SearchFlags): ByteMatch | null {
  let begin = from;
  const f = { ...flags };
  const first = runAt(re, s, begin, false, f);
  if (first) return first;
  if (f.continuous) return null;
  f.prevAvail = true;
  while (begin !== s.length) {
    begin++;
    const m = runAt(re, s, begin, false, f);
    if (m) return m;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Public API

const cache = new Map<string, NixRegex>();

/**
 * Compile (and cache) a Nix regex. Throws MError EVAL_ERROR with Nix's message
 * ("invalid regular expression '…'" or "memory limit exceeded by regular expression '…'").
 */
export function compileNixRegex(pattern: string): NixRegex {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: NixRegex;
  try {
    re = compile(pattern);
  } catch (e) {
    if (e instanceof SyntaxFail) {
      throw new MError(
        'EVAL_ERROR',
        e.space
          ? `memory limit exceeded by regular expression '${pattern}'`
          : `invalid regular expression '${pattern}'`,
      );
    }
    throw e;
  }
  cache.set(pattern, re);
  return re;
}

/** Whole-subject match on bytes (std::regex_match); null when it does not match. */
export function matchFullBytes(re: NixRegex, s: Uint8Array): ByteMatch | null {
  return runAt(re, s, 0, true, {});
}

/** A match found by splitAllBytes: the bytes before it (since the previous match) and its groups. */
export interface ByteSplitMatch {
  prefix: [number, number];
  groups: ([number, number] | null)[];
}

/** Successive matches as std::cregex_iterator yields them (empty-match rules included). */
export function splitAllBytes(re: NixRegex, s: Uint8Array): ByteSplitMatch[] {
  const out: ByteSplitMatch[] = [];
  let flags: SearchFlags = {};
  let m = search(re, s, 0, flags);
  if (!m) return out;
  out.push({ prefix: [0, m.groups[0]![0]], groups: m.groups });
  for (;;) {
    const [mStart, mEnd] = m.groups[0]!;
    let start = mEnd;
    const prefixFirst = mEnd;
    if (mStart === mEnd) {
      if (start === s.length) break;
      const m2 = search(re, s, start, { ...flags, notNull: true, continuous: true });
      if (m2) {
        m = m2;
        out.push({ prefix: [prefixFirst, m.groups[0]![0]], groups: m.groups });
        continue;
      }
      start++;
    }
    flags = { ...flags, prevAvail: true };
    const next = search(re, s, start, flags);
    if (!next) break;
    m = next;
    out.push({ prefix: [prefixFirst, m.groups[0]![0]], groups: m.groups });
  }
  return out;
}

function slice(bytes: Uint8Array, r: [number, number] | null): string | null {
  return r === null ? null : fromUtf8(bytes.subarray(r[0], r[1]));
}

/**
 * builtins.match: the capture groups (1..n) when `re` matches the WHOLE of `s`, unmatched groups
 * as null; null when there is no match. Strings are taken and returned as UTF-8.
 */
export function matchFull(re: NixRegex | string, s: string): (string | null)[] | null {
  const rx = typeof re === 'string' ? compileNixRegex(re) : re;
  const bytes = utf8(s);
  const m = matchFullBytes(rx, bytes);
  if (!m) return null;
  return m.groups.slice(1).map((g) => slice(bytes, g));
}

/**
 * builtins.split: non-matching parts interleaved with lists of capture groups,
 * e.g. split "(a)|b" "xaybz" → ["x", ["a"], "y", [null], "z"].
 */
export function splitAll(re: NixRegex | string, s: string): Array<string | (string | null)[]> {
  const rx = typeof re === 'string' ? compileNixRegex(re) : re;
  const bytes = utf8(s);
  const ms = splitAllBytes(rx, bytes);
  if (ms.length === 0) return [s];
  const out: Array<string | (string | null)[]> = [];
  for (const m of ms) {
    out.push(slice(bytes, m.prefix)!);
    out.push(m.groups.slice(1).map((g) => slice(bytes, g)));
  }
  out.push(fromUtf8(bytes.subarray(ms[ms.length - 1].groups[0]![1])));
  return out;
}
