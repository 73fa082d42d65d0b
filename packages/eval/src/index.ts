/** @m/eval: the lazy Nix 2.8 evaluator. */
export { createEvaluator, parseAttrPath, type Evaluator, type EvaluatorOptions, type AutoArg } from './evaluator';
export type { EvalIO, FetchUrlRequest, FetchGitRequest, FetchGitResult, FileType, AddPathOptions, DerivationData, DerivationOutputSpec, PrintedDerivation } from './io';
export { createPlainFsIO, fsPath, readTextFile, readDirTyped } from './io';
export { createFsEvalIO } from './store-io';
export { unpackTarball } from './builtins/tarball';
export { fetchArchiveKeepRoot } from './builtins/fetchers';
export { checkFetched, checkUnpacked, hashMismatchError, type FetchedContent } from './fetched';
export { instantiate, getDerivations } from './instantiate';
export { valueToXML } from './to-xml';
export type { EvalState, SearchPathEntry } from './state';
export { getState, runWithState } from './state';
export * from './value';
export { printValue, printString } from './print';
export { valueToJSON } from './to-json';
export type { BuiltinDef, BuiltinFunction, BuiltinConstant } from './builtins/api';
export { fromDerivationData, toDerivationData } from './builtins/store-state';
