/**
 * Splits a build's output byte stream into lines in linear time and bounded memory: a line longer
 * than `maxLine` UTF-16 code units is delivered in pieces of at most that length (never splitting
 * a surrogate pair). Bytes are decoded as UTF-8 (invalid sequences become U+FFFD); '\n' ends a
 * line and is not included.
 */
import { StringDecoder } from 'node:string_decoder';

/** Longest line kept in memory or passed to `onLog` (longer ones arrive in pieces). */
export const MAX_LOG_LINE = 64 * 1024;

export interface LineSplitter {
  write(chunk: Uint8Array): void;
  /** Delivers a final line without '\n', if any. */
  end(): void;
}

export function createLineSplitter(onLine: (line: string) => void, maxLine = MAX_LOG_LINE): LineSplitter {
  const decoder = new StringDecoder('utf8');
  /** The current line so far, as pieces (joined only when the line ends or grows too long). */
  let pieces: string[] = [];
  let pending = 0;

  const emitLong = (s: string): string => {
    let i = 0;
    while (s.length - i > maxLine) {
      let cut = i + maxLine;
      const c = s.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;
      onLine(s.slice(i, cut));
      i = cut;
    }
    return s.slice(i);
  };

  const append = (s: string): void => {
    if (s === '') return;
    pieces.push(s);
    pending += s.length;
    if (pending <= maxLine) return;
    const rest = emitLong(pieces.join(''));
    pieces = rest === '' ? [] : [rest];
    pending = rest.length;
  };

  const finishLine = (last: string): void => {
    const line = pieces.length === 0 ? last : pieces.join('') + last;
    pieces = [];
    pending = 0;
    onLine(line.length > maxLine ? emitLong(line) : line);
  };

  const feed = (s: string): void => {
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) break;
      finishLine(s.slice(start, nl));
      start = nl + 1;
    }
    append(start === 0 ? s : s.slice(start));
  };

  return {
    write: (chunk) => feed(decoder.write(chunk as Buffer)),
    end() {
      feed(decoder.end());
      if (pending > 0) finishLine('');
    },
  };
}
