/**
 * The slice of @m/eval and @m/lang that the CLI uses, typed locally so that the CLI type-checks
 * independently of their progress. Loaded dynamically (inside the evaluation worker only), so the
 * main thread never pays for loading the parser and evaluator.
 */
export type Value = unknown;
export type AutoArg = Value | { expr: string } | { str: string };
export type AutoArgs = Map<string, AutoArg>;

export interface EvalIO {
  readonly __evalIO?: never;
}

export interface EvaluatorOptions {
  io: EvalIO;
  nixPath: { prefix: string; path: string }[];
  storeDir: string;
  trace?: (msg: string) => void;
  warn?: (msg: string) => void;
  /** Whether the user asked for --show-trace (Nix only records some trace entries then). */
  showTrace?: boolean;
}

export interface Evaluator {
  evalFile(path: string): Value;
  evalString(source: string, basePath: string, origin: string): Value;
  parseFile(path: string): unknown;
  parseString(source: string, basePath: string, origin: string): unknown;
  force(v: Value): Value;
  forceDeep(v: Value): Value;
  autoCallFunction(v: Value, autoArgs: AutoArgs): Value;
  findAlongAttrPath(v: Value, attrPath: string, autoArgs: AutoArgs): Value;
  printValue(v: Value, opts: { strict: boolean }): string;
  /** `partial` receives what Nix's streaming writer would have printed before an error. */
  toJSON(v: Value, opts: { strict: boolean; partial?: (text: string) => void }): string;
  toXML(v: Value, opts: { location: boolean; strict?: boolean }): string;
  instantiate(v: Value): string[];
}

export interface EvalModule {
  createEvaluator(opts: EvaluatorOptions): Evaluator;
  /** `readOnly`: Nix's read-only store mode (derivations are not written). */
  createFsEvalIO(opts: { storeDir: string; physicalStore: string; readOnly?: boolean }): EvalIO;
}

/**
 * nix-instantiate's derivation lines (`drvPath` or `drvPath!output`) for a value, auto-calling a
 * function with `autoArgs` first as getDerivations does.
 */
export function instantiateValue(ev: Evaluator, v: Value, autoArgs: AutoArgs): string[] {
  return ev.instantiate(ev.autoCallFunction(v, autoArgs));
}

export interface LangModule {
  showExpr(expr: unknown): string;
}

/** Loads the evaluator; a missing export is reported as an internal error by the caller. */
export async function loadEvalModules(): Promise<{ evalMod: EvalModule; langMod: LangModule }> {
  const evalMod = (await import('@m/eval')) as unknown as Partial<EvalModule>;
  const langMod = (await import('@m/lang')) as unknown as Partial<LangModule>;
  if (typeof evalMod.createEvaluator !== 'function' || typeof evalMod.createFsEvalIO !== 'function') {
    throw new Error('the evaluator (@m/eval createEvaluator/createFsEvalIO) is not available in this build');
  }
  if (typeof langMod.showExpr !== 'function') {
    throw new Error('@m/lang showExpr is not available in this build');
  }
  return { evalMod: evalMod as EvalModule, langMod: langMod as LangModule };
}
