/**
 * Renders errors in Nix 2.8's layout (src/libutil/error.cc showErrorInfo), without colours:
 *
 *   error: MESSAGE
 *
 *          at FILE:LINE:COL:
 *
 *               2| previous line
 *               3| error line
 *                |     ^
 *               4| next line
 *
 * Continuation lines are indented by the width of the `error: ` prefix and stripped of trailing
 * whitespace. Code lines of files are read from disk; those of «string»/«stdin» come from the
 * `sources` lookup (or a `source` text carried by the position itself).
 */
import { readFileSync } from 'node:fs';
import { fromUtf8 } from '@m/nix-compat';

export interface RenderPos {
  file: string;
  line: number;
  column: number;
  /** Source text for non-file origins, when the evaluator attaches it. */
  source?: string;
}

export interface RenderableError {
  message: string;
  pos?: RenderPos;
  hint?: string;
  trace?: { message: string; pos?: RenderPos }[];
}

export interface RenderOptions {
  showTrace: boolean;
  /** Source text of a pseudo-origin («string», «stdin»), when known. */
  sourceOf?: (origin: string) => string | undefined;
  /** Reads a file for the code frame (default: the file system). */
  readFile?: (path: string) => string | undefined;
}

interface CodeLines {
  prev?: string;
  err?: string;
  next?: string;
}

function isPseudoOrigin(file: string): boolean {
  return file.startsWith('«');
}

function defaultReadFile(path: string): string | undefined {
  try {
    return fromUtf8(readFileSync(path)); // the source's bytes, as Nix prints them
  } catch {
    return undefined;
  }
}

/** Lines of a file: like Nix, a last line without a terminating newline is not available. */
function fileLines(text: string, line: number): CodeLines | undefined {
  const parts = text.split('\n');
  const complete = parts.slice(0, -1);
  const at = (n: number) => (n >= 1 && n <= complete.length ? complete[n - 1] : undefined);
  const res: CodeLines = { prev: line > 1 ? at(line - 1) : undefined, err: at(line), next: at(line + 1) };
  if (res.err === undefined) return undefined;
  if (res.prev === undefined && line > 1) return undefined;
  return res;
}

/** Lines of an in-memory source: like std::getline, a trailing newline yields one more empty line. */
function stringLines(text: string, line: number): CodeLines {
  const parts = text.split('\n');
  const at = (n: number) => (n >= 1 && n <= parts.length ? parts[n - 1] : undefined);
  return { prev: line > 1 ? at(line - 1) : undefined, err: at(line), next: at(line + 1) };
}

function codeLines(pos: RenderPos, opts: RenderOptions): CodeLines | undefined {
  if (pos.line <= 0) return undefined;
  if (isPseudoOrigin(pos.file)) {
    const text = pos.source ?? opts.sourceOf?.(pos.file);
    return text === undefined ? undefined : stringLines(text, pos.line);
  }
  const text = (opts.readFile ?? defaultReadFile)(pos.file);
  return text === undefined ? undefined : fileLines(text, pos.line);
}

function lineNo(n: number): string {
  return String(n).padStart(5, ' ');
}

function printCodeLines(pos: RenderPos, loc: CodeLines): string {
  let out = '';
  if (loc.prev !== undefined) out += `\n ${lineNo(pos.line - 1)}| ${loc.prev}`;
  if (loc.err !== undefined) {
    out += `\n ${lineNo(pos.line)}| ${loc.err}`;
    if (pos.column > 0) out += `\n      |${' '.repeat(pos.column)}^`;
  }
  if (loc.next !== undefined) out += `\n ${lineNo(pos.line + 1)}| ${loc.next}`;
  return out;
}

function showPos(pos: RenderPos): string {
  return pos.column > 0 ? `${pos.line}:${pos.column}` : `${pos.line}`;
}

function positionBlock(pos: RenderPos | undefined, opts: RenderOptions): string {
  if (!pos || !pos.line) return '';
  let out = `\nat ${pos.file}:${showPos(pos)}:`;
  const loc = codeLines(pos, opts);
  if (loc) out += '\n' + printCodeLines(pos, loc) + '\n';
  return out;
}

function chomp(s: string): string {
  return s.replace(/[ \n\r\t]+$/, '');
}

function indent(first: string, rest: string, s: string): string {
  return s
    .split('\n')
    .map((line, i) => chomp((i === 0 ? first : rest) + line))
    .join('\n');
}

/** Renders a message with the given level prefix ("error", "warning"), ending in a newline. */
export function renderDiagnostic(level: string, e: RenderableError, opts: RenderOptions): string {
  let body = e.message + '\n';
  body += positionBlock(e.pos, opts);
  if (e.hint) body += e.hint + '\n';
  if (opts.showTrace && e.trace && e.trace.length > 0) {
    for (const t of e.trace) {
      body += '\n… ' + t.message + '\n';
      body += positionBlock(t.pos, opts);
    }
  }
  const prefix = `${level}: `;
  return indent(prefix, ' '.repeat(prefix.length), chomp(body)) + '\n';
}

export function renderError(e: RenderableError, opts: RenderOptions): string {
  let out = renderDiagnostic('error', e, opts);
  if (!opts.showTrace && e.trace && e.trace.length > 0) {
    out += "(use '--show-trace' to show detailed location information)\n";
  }
  return out;
}
