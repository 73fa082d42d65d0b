/**
 * Serialises a Derivation to Nix's ATerm, byte-identical to Derivation::unparse. The printer
 * streams bytes in chunks into a sink (a hash, a file, a collector), so hashing a derivation
 * never builds its text; strings are encoded by bytes.ts's `utf8Into`.
 */
import { concatBytes, fromUtf8, sortedUtf8, utf8Into } from './bytes';
import type { Derivation } from './derivation';

/**
 * Receives printed bytes in order. A chunk is valid only during the call (the printer reuses its
 * buffer), unless `stable` is true: then it is immutable and the sink may keep it without copying.
 */
export type ByteSink = (chunk: Uint8Array, stable?: boolean) => void;

export interface PrintDerivationOptions {
  /** Blank output paths and the env vars named like outputs (for hashing modulo). */
  maskOutputs?: boolean;
  /** Replaces the inputDrvs map (e.g. drv hash hex → outputs); keys printed sorted. */
  inputDrvReplacements?: ReadonlyMap<string, Iterable<string>>;
}

const CHUNK = 64 * 1024;
/** Room kept free past a block: a surrogate pair completed across a block end. */
const SLACK = 4;

/** The letter after `\` for the characters Nix escapes (`"`, `\`, newline, CR, tab), else 0. */
const ESCAPES = new Uint8Array(128);
ESCAPES[0x22] = 0x22;
ESCAPES[0x5c] = 0x5c;
ESCAPES[0x0a] = 0x6e;
ESCAPES[0x0d] = 0x72;
ESCAPES[0x09] = 0x74;

/**
 * Escaped bytes of large strings printed more than twice. Every derivation is printed twice
 * (masked for its output paths, then in full), and derivations often share one large string (a
 * script, a file read with readFile): a string seen a third time is escaped and encoded once more
 * and its bytes kept here for every later print. A string used by one derivation only is escaped
 * twice and never kept (its bytes would cost as much memory as the string itself). Both lists are
 * bounded; entries are compared with `===`, which is a pointer comparison for the same string and
 * stops at the first differing unit otherwise.
 */
const CACHE_MIN_UNITS = 64 * 1024;
const CACHE_MAX_ENTRIES = 8;
const CACHE_MAX_BYTES = 32 * 1024 * 1024;
interface CachedString {
  s: string;
  chunks: Uint8Array[];
  bytes: number;
}
const escapedCache: CachedString[] = [];
/** Large strings printed (escaped, not kept) recently, with how often; most recent first. */
const SEEN_MAX_ENTRIES = 16;
const seenLarge: { s: string; times: number }[] = [];

/** Counts a print of `s`; true when it has been printed twice before (time to keep its bytes). */
function seenTwice(s: string): boolean {
  for (let k = 0; k < seenLarge.length; k++) {
    const e = seenLarge[k]!;
    if (e.s.length === s.length && e.s === s) {
      if (e.times >= 2) {
        seenLarge.splice(k, 1);
        return true;
      }
      e.times++;
      if (k > 0) seenLarge.unshift(...seenLarge.splice(k, 1));
      return false;
    }
  }
  seenLarge.unshift({ s, times: 1 });
  if (seenLarge.length > SEEN_MAX_ENTRIES) seenLarge.length = SEEN_MAX_ENTRIES;
  return false;
}

function cachedEscape(s: string): Uint8Array[] | undefined {
  for (let k = 0; k < escapedCache.length; k++) {
    const e = escapedCache[k]!;
    if (e.s.length === s.length && e.s === s) {
      if (k > 0) escapedCache.unshift(...escapedCache.splice(k, 1));
      return e.chunks;
    }
  }
  return undefined;
}

function rememberEscape(s: string, chunks: Uint8Array[]): void {
  let bytes = 0;
  for (const c of chunks) bytes += c.length;
  if (bytes > CACHE_MAX_BYTES) return;
  escapedCache.unshift({ s, chunks, bytes });
  let total = 0;
  for (let k = 0; k < escapedCache.length; k++) {
    total += escapedCache[k]!.bytes;
    if (k >= CACHE_MAX_ENTRIES || total > CACHE_MAX_BYTES) {
      escapedCache.length = k;
      break;
    }
  }
}

const NO_ESCAPES = new Uint8Array(128);

/** Where the last writeAscii stopped: `end`, or the index of a non-ASCII unit. */
let asciiStop = 0;

/**
 * Writes the ASCII units of `s` from `i` into `b` at `p`, each escaped per `table` (0 = as is),
 * up to `end` or the first non-ASCII unit (left in `asciiStop`); returns the position in `b`.
 * A plain module function, so the per-character loop is compiled on its own.
 */
function writeAscii(s: string, i: number, end: number, table: Uint8Array, b: Uint8Array, p: number): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    const e = table[c]!;
    if (e === 0) b[p++] = c;
    else {
      b[p++] = 0x5c;
      b[p++] = e;
    }
  }
  asciiStop = i;
  return p;
}

/**
 * The chunk buffer of a finished writer, for the next one: a derivation is printed two or three
 * times and a package set has thousands, so a fresh 64 KiB buffer per print (zeroed, then
 * collected) would cost more than printing a small derivation. A writer takes it while it runs
 * (a print started from inside a sink gets a buffer of its own) and gives it back in `release`.
 */
let spareBuffer: Uint8Array | undefined;

interface AtermWriter {
  /** Where flushed chunks go; switch it only right after `flush()`. */
  sink: ByteSink;
  /** ASCII syntax (brackets, commas, `Derive(`). */
  syntax(s: string): void;
  /** A quoted string; `escape` = false writes it as Nix does paths, names and hashes. */
  string(s: string, escape: boolean): void;
  flush(): void;
  /** Flushes and hands the buffer on to the next writer; the writer is done. */
  release(): void;
}

function createAtermWriter(sink: ByteSink): AtermWriter {
  const buf = spareBuffer ?? new Uint8Array(CHUNK);
  spareBuffer = undefined;
  let pos = 0;
  /** While set, flushed bytes are copied here (and handed on as stable chunks). */
  let capture: Uint8Array[] | undefined;

  const flush = (): void => {
    if (pos === 0) return;
    if (capture === undefined) w.sink(buf.subarray(0, pos));
    else {
      const copy = buf.slice(0, pos);
      capture.push(copy);
      w.sink(copy, true);
    }
    pos = 0;
  };

  /** The bytes of `s`, escaped when `escape`, without quotes. */
  const body = (s: string, escape: boolean): void => {
    const n = s.length;
    const table = escape ? ESCAPES : NO_ESCAPES;
    let i = 0;
    while (i < n) {
      // A block of units that fits in any case: at most 3 bytes per unit.
      if (CHUNK - SLACK - pos < 192) flush();
      const end = Math.min(n, i + (((CHUNK - SLACK - pos) / 3) | 0));
      let p = pos;
      while (i < end) {
        p = writeAscii(s, i, end, table, buf, p);
        i = asciiStop;
        if (i === end) break;
        let j = i + 1;
        while (j < end && s.charCodeAt(j) >= 0x80) j++;
        // Never cut a surrogate pair at the block end.
        if (j === end && j < n) {
          const last = s.charCodeAt(j - 1);
          if (last >= 0xd800 && last <= 0xdbff) j++;
        }
        p = utf8Into(s, i, j, buf, p);
        i = j;
      }
      pos = p;
    }
  };

  const quote = (): void => {
    if (pos + 1 > CHUNK) flush();
    buf[pos++] = 0x22;
  };

  const w: AtermWriter = {
    sink,
    flush,
    release() {
      flush();
      spareBuffer = buf;
    },
    syntax(s) {
      if (pos + s.length > CHUNK) flush();
      for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    },
    string(s, escape) {
      quote();
      if (escape && s.length >= CACHE_MIN_UNITS) {
        flush();
        const hit = cachedEscape(s);
        if (hit !== undefined) for (const c of hit) w.sink(c, true);
        else if (!seenTwice(s)) body(s, true);
        else {
          const chunks: Uint8Array[] = [];
          capture = chunks;
          body(s, true);
          flush();
          capture = undefined;
          rememberEscape(s, chunks);
        }
      } else body(s, escape);
      quote();
    },
  };
  return w;
}

function writeList<T>(w: AtermWriter, items: Iterable<T>, item: (x: T) => void): void {
  w.syntax('[');
  let first = true;
  for (const x of items) {
    if (!first) w.syntax(',');
    first = false;
    item(x);
  }
  w.syntax(']');
}

/** `Derive(` and the outputs list, up to the comma before inputDrvs. */
function writeHead(w: AtermWriter, drv: Derivation, mask: boolean): void {
  w.syntax('Derive(');
  writeList(w, sortedUtf8(drv.outputs.keys()), (name) => {
    const o = drv.outputs.get(name)!;
    w.syntax('(');
    w.string(name, false);
    w.syntax(',');
    w.string(mask ? '' : o.path, false);
    w.syntax(',');
    w.string(o.hashAlgo, false);
    w.syntax(',');
    w.string(o.hash, false);
    w.syntax(')');
  });
  w.syntax(',');
}

function writeInputDrvs(w: AtermWriter, inputs: ReadonlyMap<string, Iterable<string>>): void {
  writeList(w, sortedUtf8(inputs.keys()), (p) => {
    w.syntax('(');
    w.string(p, false);
    w.syntax(',');
    writeList(w, sortedUtf8(inputs.get(p)!), (o) => w.string(o, false));
    w.syntax(')');
  });
}

/**
 * Everything after inputDrvs: inputSrcs, platform, builder, args, env and the closing `)`. With
 * `mask`, the env values of outputs are blank, written by `blank` when given.
 */
function writeTail(w: AtermWriter, drv: Derivation, mask: boolean, blank?: (outputName: string) => void): void {
  w.syntax(',');
  writeList(w, sortedUtf8(drv.inputSrcs), (p) => w.string(p, false));
  w.syntax(',');
  w.string(drv.platform, false);
  w.syntax(',');
  w.string(drv.builder, true);
  w.syntax(',');
  writeList(w, drv.args, (a) => w.string(a, true));
  w.syntax(',');
  writeList(w, sortedUtf8(drv.env.keys()), (k) => {
    w.syntax('(');
    w.string(k, true);
    w.syntax(',');
    if (!mask || !drv.outputs.has(k)) w.string(drv.env.get(k)!, true);
    else if (blank !== undefined) blank(k);
    else w.string('', true);
    w.syntax(')');
  });
  w.syntax(')');
}

/** Streams the ATerm of `drv` into `sink`. */
export function streamDerivation(drv: Derivation, sink: ByteSink, opts: PrintDerivationOptions = {}): void {
  const mask = opts.maskOutputs ?? false;
  const w = createAtermWriter(sink);
  writeHead(w, drv, mask);
  writeInputDrvs(w, opts.inputDrvReplacements ?? drv.inputDrvs);
  writeTail(w, drv, mask);
  w.release();
}

/**
 * Streams the ATerm of `drv` into `sink` and, in the same pass, the same ATerm with inputDrvs
 * replaced by `replacements` into `replacedSink` (the text hashDerivationModulo hashes).
 */
export function streamDerivationWithReplacements(
  drv: Derivation,
  sink: ByteSink,
  replacements: ReadonlyMap<string, Iterable<string>>,
  replacedSink: ByteSink,
): void {
  const both: ByteSink = (chunk, stable) => {
    sink(chunk, stable);
    replacedSink(chunk, stable);
  };
  const w = createAtermWriter(both);
  writeHead(w, drv, false);
  w.flush();
  w.sink = sink;
  writeInputDrvs(w, drv.inputDrvs);
  w.flush();
  w.sink = replacedSink;
  writeInputDrvs(w, replacements);
  w.flush();
  w.sink = both;
  writeTail(w, drv, false);
  w.release();
}

/**
 * The bytes of a masked print after inputDrvs, to print the same derivation again once its
 * output paths are known without escaping its strings a second time. Bytes the printer produced
 * are copied into one buffer (`bytes`, parts as [start, end) offsets); chunks that are immutable
 * anyway (large strings already cached) are referenced; each blanked output env value is
 * recorded as that output's name. Valid until it is replayed: the buffer is then reused.
 */
export interface PrintedTail {
  bytes: Uint8Array;
  parts: (number | Uint8Array | string)[];
}

/**
 * The tail buffer of the last replayed tail, for the next masked print: a fresh buffer per
 * derivation would be promoted to the old generation before its replay and then wait for a full
 * garbage collection, and a package set has thousands. Taken while a tail is alive.
 */
let spareTailBytes: Uint8Array | undefined;

/**
 * Streams the ATerm of `drv` masked (output paths and the env values of outputs blank) with
 * inputDrvs replaced by `replacements` into `sink` — the text whose hash gives the output paths —
 * and returns its tail for `streamDerivationFromTail`, or undefined when keeping it would take more
 * than `maxKeep` bytes beyond chunks that are immutable anyway (large strings already cached).
 */
export function streamMaskedDerivation(
  drv: Derivation,
  replacements: ReadonlyMap<string, Iterable<string>>,
  sink: ByteSink,
  maxKeep: number,
): PrintedTail | undefined {
  const w = createAtermWriter(sink);
  writeHead(w, drv, true);
  writeInputDrvs(w, replacements);
  w.flush();
  let bytes: Uint8Array | undefined = spareTailBytes ?? new Uint8Array(CHUNK);
  spareTailBytes = undefined;
  let used = 0;
  const parts: PrintedTail['parts'] = [];
  let keeping = true;
  w.sink = (chunk, stable) => {
    sink(chunk, stable);
    if (bytes === undefined || !keeping) return;
    if (stable === true) {
      parts.push(chunk);
      return;
    }
    if (used + chunk.length > maxKeep) {
      spareTailBytes = bytes;
      bytes = undefined;
      return;
    }
    if (used + chunk.length > bytes.length) {
      const grown = new Uint8Array(Math.min(Math.max(bytes.length * 2, used + chunk.length), maxKeep));
      grown.set(bytes.subarray(0, used));
      bytes = grown;
    }
    bytes.set(chunk, used);
    parts.push(used, used + chunk.length);
    used += chunk.length;
  };
  writeTail(w, drv, true, (outputName) => {
    // The blank value `""` goes to the hash only; the tail records the output's name instead.
    w.flush();
    keeping = false;
    w.string('', true);
    w.flush();
    keeping = true;
    parts.push(outputName);
  });
  w.release();
  return bytes === undefined ? undefined : { bytes, parts };
}

/**
 * What `streamDerivationWithReplacements` streams (or `streamDerivation`, without `replaced`),
 * with the bytes after inputDrvs taken from `tail` (from `streamMaskedDerivation` of the same
 * derivation before its output paths were filled in) and each output's env value from `drv.env`.
 * The tail's buffer is reused afterwards: its bytes are handed on as not stable.
 */
export function streamDerivationFromTail(
  drv: Derivation,
  sink: ByteSink,
  tail: PrintedTail,
  replaced?: { replacements: ReadonlyMap<string, Iterable<string>>; sink: ByteSink },
): void {
  const both: ByteSink =
    replaced === undefined
      ? sink
      : (chunk, stable) => {
          sink(chunk, stable);
          replaced.sink(chunk, stable);
        };
  const w = createAtermWriter(both);
  writeHead(w, drv, false);
  if (replaced === undefined) writeInputDrvs(w, drv.inputDrvs);
  else {
    w.flush();
    w.sink = sink;
    writeInputDrvs(w, drv.inputDrvs);
    w.flush();
    w.sink = replaced.sink;
    writeInputDrvs(w, replaced.replacements);
    w.flush();
    w.sink = both;
  }
  const { bytes, parts } = tail;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (typeof part === 'string') w.string(drv.env.get(part)!, true);
    else {
      w.flush();
      if (typeof part === 'number') both(bytes.subarray(part, parts[++k] as number), false);
      else both(part, true);
    }
  }
  w.release();
  spareTailBytes = bytes;
}

/** A sink that keeps the chunks (copies of those that are not stable), and the chunks it kept. */
export function createChunkCollector(): { sink: ByteSink; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  return { sink: (c, stable) => void chunks.push(stable ? c : c.slice()), chunks };
}

/** The ATerm bytes of `drv`. */
export function printDerivationBytes(drv: Derivation, opts: PrintDerivationOptions = {}): Uint8Array {
  const c = createChunkCollector();
  streamDerivation(drv, c.sink, opts);
  return c.chunks.length === 1 ? c.chunks[0]! : concatBytes(c.chunks);
}

/** The ATerm text of `drv` (its bytes decoded as bytes.ts's `fromUtf8` does). */
export function printDerivation(drv: Derivation, opts: PrintDerivationOptions = {}): string {
  return fromUtf8(printDerivationBytes(drv, opts));
}
