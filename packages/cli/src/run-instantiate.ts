/**
 * The body of `m instantiate` (nix-instantiate's processExpr and main loop). Runs on the main
 * thread first, then, if that runs out of stack, in the evaluation worker; all output goes through
 * `out`, the exit code is returned.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MError, isMError } from '@m/core';
import type { InstantiateOptions, SearchPathEntry } from './instantiate-args';
import { isUri } from './instantiate-args';
import type { EvalIO as FullEvalIO } from '@m/eval';
import { instantiateValue, loadEvalModules, type AutoArgs, type EvalIO, type Evaluator, type EvaluatorOptions, type LangModule, type Value } from './eval-api';
import type { Output } from './output';
import { renderDiagnostic, renderError, type RenderableError } from './render-error';

export interface InstantiateJob {
  options: InstantiateOptions;
  cwd: string;
  /** Standard input, read by the main thread when `-` was given. */
  stdinText?: string;
  searchPath: SearchPathEntry[];
  physicalStore: string;
  storeDir: string;
  debug: boolean;
  /** Output an earlier attempt on the main thread already printed (see attemptInstantiate). */
  skipOutput?: { stdout: number; stderr: number };
}

export interface RunOptions {
  /**
   * 'give-up': when the evaluation runs out of stack (a JS stack overflow, or Nix's call depth
   * limit), print nothing more and return 'stack-exhausted', so the job can be rerun with a
   * larger stack. Otherwise that is reported as an error, as any other.
   */
  stackExhausted?: 'give-up';
}

/** True for an error that a larger stack might avoid. */
function isStackExhaustion(e: unknown): boolean {
  return (isMError(e) && e.code === 'STACK_OVERFLOW') || (e instanceof RangeError && /call stack/i.test(e.message));
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

function sysError(what: string, e: unknown): MError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new MError('IO_ERROR', `${what}: ${ERRNO_TEXT[code] ?? (e as Error).message}`);
}

/** Follows symlinks of the file itself and appends `/default.nix` to a directory (resolveExprPath). */
export function resolveExprPath(path: string): string {
  let p = path;
  for (let follow = 1; ; follow++) {
    if (follow >= 1024) throw new MError('IO_ERROR', `too many symbolic links encountered while traversing the path '${p}'`);
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      throw sysError(`getting status of '${p}'`, e);
    }
    if (st.isSymbolicLink()) {
      p = resolve(dirname(p), readlinkSync(p));
      continue;
    }
    if (!st.isDirectory()) return p;
    const file = join(p, 'default.nix');
    if (!existsSync(file)) throw new MError('IO_ERROR', `opening file '${file}': No such file or directory`);
    return file;
  }
}

function toRenderable(e: MError): RenderableError {
  return { message: e.message, pos: e.pos, hint: e.hint, trace: e.trace };
}

/** Trace entries that Nix records only under --show-trace (function calls, eval.cc callFunction). */
const SHOW_TRACE_ONLY = /^(while evaluating ('.*'|anonymous lambda)|from call site)$/;

/** Renders any thrown value as Nix would print it on stderr. */
export function describeFailure(e: unknown, showTrace: boolean, sourceOf: (origin: string, line: number) => string | undefined, debug: boolean): string {
  const sourceLookup = (pos: { file: string; line: number }) => sourceOf(pos.file, pos.line);
  if (isMError(e)) {
    const r = toRenderable(e);
    const withSources = (p: RenderableError['pos']) => (p && !p.source && p.file.startsWith('«') ? { ...p, source: sourceLookup(p) } : p);
    r.pos = withSources(r.pos);
    r.trace = r.trace?.filter((t) => showTrace || !SHOW_TRACE_ONLY.test(t.message)).map((t) => ({ ...t, pos: withSources(t.pos) }));
    return renderError(r, { showTrace });
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return 'error: stack overflow (possible infinite recursion)\n';
  }
  // A JS size limit the evaluator did not catch at a call (it converts those with a position)
  if (e instanceof RangeError && /^(Invalid (string|array|typed array) length|(Map|Set) maximum size exceeded)/.test(e.message)) {
    return `error: out of memory: ${e.message}\n`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  let out = `error: internal error: ${msg}\n`;
  if (debug && e instanceof Error && e.stack) out += e.stack + '\n';
  return out;
}

/** The plain-directory EvalIO plus @m/realise's fetchers writing through it (builtins.fetch*). */
async function withFetchers(io: EvalIO, physicalStore: string): Promise<EvalIO> {
  // The fetchers alone: @m/realise's index would load the store, SQLite and the image builder.
  const { createFetchers } = await import('@m/realise/fetch');
  const fsIO = io as unknown as FullEvalIO;
  const fetchers = createFetchers({
    add: (o) => fsIO.addPathToStore(o),
    tempDir: () => mkdtempSync(join(tmpdir(), 'm-fetch-')),
    gitCacheDir: join(physicalStore, '.m', 'git-cache'),
  });
  return { ...fsIO, ...fetchers } as unknown as EvalIO;
}

export async function runInstantiate(job: InstantiateJob, out: Output, run: RunOptions): Promise<number | 'stack-exhausted'> {
  const o = job.options;
  const stringSources: string[] = [];
  let current: string | undefined;
  const sourceOf = (origin: string, line: number): string | undefined => {
    if (origin === '«stdin»') return job.stdinText;
    if (origin !== '«string»') return undefined;
    const fits = (s: string | undefined) => s !== undefined && s.split('\n').length >= line;
    if (fits(current)) return current;
    return stringSources.find(fits) ?? current;
  };
  // What --json printed of a value before an error (printed once the error is known not to be retried).
  const partial: { text?: string } = {};
  try {
    const { evalMod, langMod } = await loadEvalModules();
    const evalOpts: EvaluatorOptions = {
      io: await withFetchers(
        evalMod.createFsEvalIO({
          storeDir: job.storeDir,
          physicalStore: job.physicalStore,
          readOnly: o.readOnly || (o.evalOnly && !o.readWrite),
        }),
        job.physicalStore,
      ),
      nixPath: job.searchPath,
      storeDir: job.storeDir,
      trace: (msg) => out.stderr(`trace: ${msg}\n`),
      warn: (msg) => out.stderr(`warning: ${msg}\n`),
      showTrace: o.showTrace,
    };
    const ev = evalMod.createEvaluator(evalOpts);
    const autoArgs: AutoArgs = new Map();
    for (const a of o.autoArgs) {
      if (a.kind === 'expr') stringSources.push(a.value);
      autoArgs.set(a.name, a.kind === 'expr' ? { expr: a.value } : { str: a.value });
    }
    const ctx: Ctx = { ev, lang: langMod, out, o, autoArgs, job, rootNr: 0, warnedGc: false, partial };

    if (o.findFile) {
      for (const f of o.files) out.stdout(findFile(ctx, f) + '\n');
      return 0;
    }
    const attrPaths = o.attrPaths.length > 0 ? o.attrPaths : [''];
    if (o.readStdin) {
      current = job.stdinText ?? '';
      processSource(ctx, attrPaths, { kind: 'string', text: current, origin: '«stdin»' });
    }
    const files = o.files.length === 0 && !o.readStdin && !o.fromArgs ? ['./default.nix'] : o.files;
    for (const f of files) {
      if (o.fromArgs) {
        current = f;
        stringSources.push(f);
        processSource(ctx, attrPaths, { kind: 'string', text: f, origin: '«string»' });
      } else {
        current = undefined;
        processSource(ctx, attrPaths, { kind: 'file', path: resolveExprPath(lookupFileArg(ctx, f)) });
      }
    }
    return 0;
  } catch (e) {
    if (run.stackExhausted === 'give-up' && isStackExhaustion(e)) return 'stack-exhausted';
    if (partial.text !== undefined) out.stdout(partial.text);
    out.stderr(describeFailure(e, o.showTrace, sourceOf, job.debug));
    return 1;
  }
}

interface Ctx {
  ev: Evaluator;
  lang: LangModule;
  out: Output;
  o: InstantiateOptions;
  autoArgs: AutoArgs;
  job: InstantiateJob;
  rootNr: number;
  warnedGc: boolean;
  partial: { text?: string };
}

type Source = { kind: 'string'; text: string; origin: string } | { kind: 'file'; path: string };

/** `<p>` through the search path; the error carries no position, as in Nix. */
function findFile(ctx: Ctx, p: string): string {
  try {
    const v = ctx.ev.evalString(`<${p}>`, ctx.job.cwd, '«string»');
    return ctx.ev.printValue(ctx.ev.force(v), { strict: false });
  } catch (e) {
    if (isMError(e)) e.pos = undefined;
    throw e;
  }
}

function lookupFileArg(ctx: Ctx, s: string): string {
  if (isUri(s)) throw new MError('NOT_AVAILABLE', `cannot fetch '${s}': URLs are not supported by m`);
  if (s.length > 2 && s.startsWith('<') && s.endsWith('>')) return findFile(ctx, s.slice(1, -1));
  return resolve(ctx.job.cwd, s);
}

function processSource(ctx: Ctx, attrPaths: string[], src: Source): void {
  const { ev, o, out } = ctx;
  if (o.parseOnly) {
    const ast = src.kind === 'file' ? ev.parseFile(src.path) : ev.parseString(src.text, ctx.job.cwd, src.origin);
    out.stdout(ctx.lang.showExpr(ast) + '\n');
    return;
  }
  const root = src.kind === 'file' ? evalTopFile(ev, src.path) : ev.evalString(src.text, ctx.job.cwd, src.origin);
  for (const attrPath of attrPaths) {
    const v = ev.force(ev.findAlongAttrPath(root, attrPath, ctx.autoArgs));
    if (o.evalOnly) {
      const res = ctx.autoArgs.size === 0 ? v : ev.autoCallFunction(v, ctx.autoArgs);
      if (o.output === 'xml') out.stdout(ev.toXML(res, { location: o.xmlLocation, strict: o.strict }));
      else if (o.output === 'json') out.stdout(ev.toJSON(res, { strict: o.strict, partial: (t) => (ctx.partial.text = t) }));
      else {
        if (o.strict) ev.forceDeep(res);
        out.stdout(ev.printValue(res, { strict: o.strict }) + '\n');
      }
    } else {
      mkdirSync(ctx.job.physicalStore, { recursive: true });
      const lines = instantiateValue(ev, v, ctx.autoArgs);
      for (const line of lines) out.stdout(addRoot(ctx, line) + '\n');
    }
  }
}

/**
 * Evaluates a file given on the command line. nix-instantiate parses and evaluates it directly,
 * so unlike `import` no "while evaluating the file" trace entry is recorded for it: the entry
 * that the shared evalFile adds for this very file is dropped.
 */
function evalTopFile(ev: Evaluator, path: string): Value {
  try {
    return ev.evalFile(path);
  } catch (e) {
    if (isMError(e)) {
      const last = e.trace[e.trace.length - 1];
      if (last && last.pos === undefined && last.message === `while evaluating the file '${path}':`) e.trace.pop();
    }
    throw e;
  }
}

/** Prints the GC warning once, or registers `--add-root` symlinks (named root, root-2, …). */
function addRoot(ctx: Ctx, line: string): string {
  const { o } = ctx;
  if (o.addRoot === undefined) {
    if (!o.noGcWarning && !ctx.warnedGc) {
      ctx.warnedGc = true;
      ctx.out.stderr(
        renderDiagnostic('warning', { message: "you did not specify '--add-root'; the result might be removed by the garbage collector" }, { showTrace: false }),
      );
    }
    return line;
  }
  const bang = line.indexOf('!');
  const drvPath = bang < 0 ? line : line.slice(0, bang);
  let rootName = resolve(ctx.job.cwd, o.addRoot);
  if (++ctx.rootNr > 1) rootName += `-${ctx.rootNr}`;
  const target = join(ctx.job.physicalStore, basename(drvPath));
  try {
    unlinkSync(rootName);
  } catch {
    /* no previous root */
  }
  symlinkSync(target, rootName);
  return rootName + (bang < 0 ? '' : line.slice(bang));
}

export type { Value };
