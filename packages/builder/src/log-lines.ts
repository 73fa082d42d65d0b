/**
 * Splits a build's output byte stream into lines in linear time and bounded memory. Lines are
 * cut on bytes ('\n', not included) and only then decoded as UTF-8 (invalid sequences become
 * U+FFFD). A line longer than `maxLine` bytes is delivered in pieces of at most that many bytes,
 * cut before a UTF-8 continuation byte where possible, so no more than `maxLine` bytes of an
 * unfinished line are ever held.
 */

/** Longest line, in bytes, kept in memory or passed to `onLog` (longer ones arrive in pieces). */
export const MAX_LOG_LINE = 64 * 1024;

export interface LineSplitter {
  write(chunk: Uint8Array): void;
  /** Delivers a final line without '\n', if any. */
  end(): void;
}

const NL = 0x0a;

export function createLineSplitter(onLine: (line: string) => void, maxLine = MAX_LOG_LINE): LineSplitter {
  /** Bytes of the current, unfinished line (copies: never views of the caller's chunks). */
  let pieces: Buffer[] = [];
  let pending = 0;

  const emit = (tail: Buffer): void => {
    const line = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
    pieces = [];
    pending = 0;
    onLine(line.toString('utf8'));
  };

  return {
    write(data) {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NL, start);
        const end = nl < 0 ? chunk.length : nl;
        // The line is too long: deliver it in pieces of maxLine bytes.
        while (pending + (end - start) > maxLine) {
          const full = start + (maxLine - pending);
          let cut = full;
          while (cut > start && (chunk[cut]! & 0xc0) === 0x80) cut--;
          if (cut === start && pending === 0) cut = full;
          emit(chunk.subarray(start, cut));
          start = cut;
        }
        if (nl < 0) {
          if (end > start) {
            pieces.push(Buffer.from(chunk.subarray(start, end)));
            pending += end - start;
          }
          return;
        }
        emit(chunk.subarray(start, end));
        start = nl + 1;
      }
    },
    end() {
      if (pending > 0) emit(Buffer.alloc(0));
    },
  };
}
