/**
 * The one error class of m. `code` is stable and machine-readable (the CLI switches on it);
 * `message` is the human text without the "error: " prefix; `pos` locates it in Nix source.
 */
export interface SourcePos {
  /** Absolute file path, or a pseudo-origin such as «string» or «stdin». */
  file: string;
  line: number;
  column: number;
}

export type ErrorCode =
  | 'PARSE_ERROR'
  | 'UNDEFINED_VARIABLE'
  | 'DUPLICATE_ATTR'
  | 'EVAL_ERROR'
  | 'TYPE_ERROR'
  | 'MISSING_ATTR'
  | 'ASSERTION_FAILED'
  | 'THROWN'
  | 'ABORTED'
  | 'INFINITE_RECURSION'
  | 'STACK_OVERFLOW'
  | 'IO_ERROR'
  | 'RESTRICTED'
  | 'NOT_AVAILABLE'
  | 'BAD_ARGUMENT'
  | 'STORE_ERROR'
  | 'BUILD_FAILED'
  | 'INTERNAL';

export interface MErrorOptions {
  pos?: SourcePos;
  hint?: string;
  cause?: unknown;
}

export interface TraceEntry {
  message: string;
  pos?: SourcePos;
}

export class MError extends Error {
  readonly code: ErrorCode;
  pos?: SourcePos;
  readonly hint?: string;
  /** Context added while the error propagated outwards (innermost first), like Nix's traces. */
  readonly trace: TraceEntry[] = [];

  constructor(code: ErrorCode, message: string, opts: MErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MError';
    this.code = code;
    this.pos = opts.pos;
    this.hint = opts.hint;
  }

  addTrace(message: string, pos?: SourcePos): this {
    this.trace.push({ message, pos });
    return this;
  }
}

export function isMError(e: unknown): e is MError {
  return e instanceof MError;
}
