/**
 * The output picker of `m PROJECT` on a terminal (makes' text interface, in a few lines of ANSI):
 * the user types a command line `OUTPUT [ARGS…]`; the outputs matching what is typed before the
 * first space are listed (prefix matches first, then any that contain it, case-insensitive);
 * ↑/↓ (and PgUp/PgDn) move the selection, Tab completes to it, Enter runs it with the ARGS typed
 * after the space, Esc or Ctrl-C cancels. It draws on the terminal's stderr and reads raw keys
 * from its stdin, and leaves both as it found them. As in makes, it opens with the last command
 * chosen (per project here, in `~/.cache/m/picker.json`) when that output still exists.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';

export type PickResult = { kind: 'chosen'; output: string; args: string[]; line: string } | { kind: 'cancelled'; interrupt: boolean };

export interface PickerTerminal {
  /** The terminal's input (process.stdin when it is a TTY). */
  input: NodeJS.ReadStream;
  write(text: string): void;
  rows(): number;
  columns(): number;
}

/** The outputs matching `filter`: those starting with it first, then those containing it. */
export function filterOutputs(outputs: readonly string[], filter: string): string[] {
  const f = filter.toLowerCase();
  const starts = outputs.filter((o) => o.toLowerCase().startsWith(f));
  const contains = outputs.filter((o) => !o.toLowerCase().startsWith(f) && o.toLowerCase().includes(f));
  return [...starts, ...contains];
}

/** Splits typed arguments as a shell would for plain words and '…' / "…" quotes. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === ' ' || ch === '\t') {
      if (has) args.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) args.push(cur);
  return args;
}

type Key = { name: 'up' | 'down' | 'pageup' | 'pagedown' | 'enter' | 'tab' | 'backspace' | 'escape' | 'interrupt' | 'eof' | 'clear' } | { name: 'text'; text: string };

/** The keys in one chunk of raw terminal input. */
export function parseKeys(chunk: string): Key[] {
  if (chunk === '\x1b') return [{ name: 'escape' }];
  const keys: Key[] = [];
  const seqs: [string, Key['name']][] = [
    ['\x1b[A', 'up'],
    ['\x1bOA', 'up'],
    ['\x1b[B', 'down'],
    ['\x1bOB', 'down'],
    ['\x1b[5~', 'pageup'],
    ['\x1b[6~', 'pagedown'],
  ];
  let i = 0;
  outer: while (i < chunk.length) {
    for (const [s, name] of seqs) {
      if (chunk.startsWith(s, i)) {
        keys.push({ name } as Key);
        i += s.length;
        continue outer;
      }
    }
    const ch = chunk[i]!;
    if (ch === '\x1b') {
      // Another escape sequence (←, →, Home, …): skipped whole; a lone ESC at the end cancels.
      const m = /^\x1b(\[[0-9;]*[~A-Za-z]|O[A-Za-z])/.exec(chunk.slice(i));
      if (m) i += m[0].length;
      else {
        keys.push({ name: 'escape' });
        i++;
      }
      continue;
    }
    i++;
    if (ch === '\r' || ch === '\n') keys.push({ name: 'enter' });
    else if (ch === '\t') keys.push({ name: 'tab' });
    else if (ch === '\x7f' || ch === '\b') keys.push({ name: 'backspace' });
    else if (ch === '\x03') keys.push({ name: 'interrupt' });
    else if (ch === '\x04') keys.push({ name: 'eof' });
    else if (ch === '\x15') keys.push({ name: 'clear' });
    else if (ch === '\x0e') keys.push({ name: 'down' }); // Ctrl-N
    else if (ch === '\x10') keys.push({ name: 'up' }); // Ctrl-P
    else if (ch >= ' ') {
      const last = keys[keys.length - 1];
      if (last?.name === 'text') last.text += ch;
      else keys.push({ name: 'text', text: ch });
    }
  }
  return keys;
}

function historyFile(env: NodeJS.ProcessEnv): string {
  const cache = env.XDG_CACHE_HOME || nodePath.join(env.HOME || os.homedir(), '.cache');
  return nodePath.join(cache, 'm', 'picker.json');
}

function readHistory(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    const v = JSON.parse(fs.readFileSync(historyFile(env), 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The command line last chosen for the project `key`, if its output is still one of `outputs`. */
export function lastPick(env: NodeJS.ProcessEnv, key: string, outputs: readonly string[]): string | undefined {
  const line = readHistory(env)[key];
  if (typeof line !== 'string') return undefined;
  return outputs.includes(line.split(' ')[0]!) ? line : undefined;
}

/** Remembers `line` for the project `key` (best effort: a cache that cannot be written is skipped). */
export function savePick(env: NodeJS.ProcessEnv, key: string, line: string): void {
  try {
    const file = historyFile(env);
    const all = { ...readHistory(env), [key]: line };
    fs.mkdirSync(nodePath.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all));
    fs.renameSync(tmp, file);
  } catch {
    /* nothing to remember then */
  }
}

/** Shows the picker (its command line starting as `initial`) until the user chooses an output or cancels. */
export function pickOutput(project: string, outputs: readonly string[], term: PickerTerminal, initial = ''): Promise<PickResult> {
  let line = initial;
  let selected = 0;
  let top = 0;
  let drawn = 0;

  const split = (): { filter: string; rest: string } => {
    const sp = line.indexOf(' ');
    return sp < 0 ? { filter: line, rest: '' } : { filter: line.slice(0, sp), rest: line.slice(sp + 1) };
  };
  const matches = (): string[] => filterOutputs(outputs, split().filter);

  const clip = (s: string, width: number): string => (s.length > width ? s.slice(0, Math.max(0, width - 1)) + '…' : s);

  const render = (): void => {
    const cols = Math.max(20, term.columns());
    const list = matches();
    if (selected >= list.length) selected = Math.max(0, list.length - 1);
    const room = Math.max(3, Math.min(list.length, term.rows() - 4));
    if (selected < top) top = selected;
    if (selected >= top + room) top = selected - room + 1;
    if (top > Math.max(0, list.length - room)) top = Math.max(0, list.length - room);
    const rows: string[] = [];
    rows.push(clip(`Choose an output of \x1b[1m${project}\x1b[22m (type to filter, ↑/↓, Tab, Enter; Esc cancels)`, cols + 9));
    const { filter } = split();
    const valid = list.length > 0;
    rows.push(`${valid ? '\x1b[32m' : '\x1b[31m'}$\x1b[39m m ${project} ${line}\x1b[7m \x1b[27m`);
    if (list.length === 0) rows.push('  (no output matches)');
    for (const o of list.slice(top, top + room)) {
      const i = list.indexOf(o);
      const name = clip(o, cols - 4);
      const at = o.toLowerCase().indexOf(filter.toLowerCase());
      const shown = filter && at >= 0 && at + filter.length <= name.length ? `${name.slice(0, at)}\x1b[33m${name.slice(at, at + filter.length)}\x1b[39m${name.slice(at + filter.length)}` : name;
      rows.push(i === selected ? `\x1b[7m> ${shown}\x1b[27m` : `  ${shown}`);
    }
    const more = list.length - (top + room);
    if (more > 0) rows.push(`  … ${more} more`);
    const up = drawn > 1 ? `\x1b[${drawn - 1}A` : '';
    term.write(`\r${up}\x1b[J${rows.join('\r\n')}`);
    drawn = rows.length;
  };

  const erase = (): void => {
    const up = drawn > 1 ? `\x1b[${drawn - 1}A` : '';
    term.write(`\r${up}\x1b[J`);
    drawn = 0;
  };

  return new Promise<PickResult>((resolve) => {
    const { input } = term;
    const wasRaw = input.isRaw;
    const finish = (r: PickResult): void => {
      input.off('data', onData);
      process.off('SIGWINCH', render);
      erase();
      if (r.kind === 'chosen') term.write(`$ m ${project} ${[r.output, ...r.args].join(' ')}\n`);
      term.write('\x1b[?25h');
      input.setRawMode(wasRaw);
      input.pause();
      resolve(r);
    };
    const onData = (buf: Buffer | string): void => {
      for (const key of parseKeys(buf.toString())) {
        const list = matches();
        switch (key.name) {
          case 'up':
            selected = Math.max(0, selected - 1);
            break;
          case 'down':
            selected = Math.min(Math.max(0, list.length - 1), selected + 1);
            break;
          case 'pageup':
            selected = Math.max(0, selected - Math.max(1, term.rows() - 5));
            break;
          case 'pagedown':
            selected = Math.min(Math.max(0, list.length - 1), selected + Math.max(1, term.rows() - 5));
            break;
          case 'tab':
            if (list[selected] !== undefined) {
              const { rest } = split();
              line = `${list[selected]!}${line.includes(' ') ? ` ${rest}` : ''}`;
              selected = 0;
            }
            break;
          case 'enter':
            if (list[selected] !== undefined) {
              const { rest } = split();
              return finish({ kind: 'chosen', output: list[selected]!, args: splitArgs(rest), line: rest ? `${list[selected]!} ${rest}` : list[selected]! });
            }
            break;
          case 'backspace':
            line = [...line].slice(0, -1).join('');
            selected = 0;
            break;
          case 'clear':
            line = '';
            selected = 0;
            break;
          case 'escape':
            return finish({ kind: 'cancelled', interrupt: false });
          case 'interrupt':
            return finish({ kind: 'cancelled', interrupt: true });
          case 'eof':
            if (line === '') return finish({ kind: 'cancelled', interrupt: false });
            break;
          case 'text':
            line += key.text;
            if (!line.includes(' ')) selected = 0;
            break;
        }
      }
      render();
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
    process.on('SIGWINCH', render);
    term.write('\x1b[?25l');
    render();
  });
}
