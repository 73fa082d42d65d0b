export { runCli, topLevelHelp } from './cli';
export { parseInstantiateArgs, parseNixPathVar, toSearchPathEntry, isUsageError } from './instantiate-args';
export type { InstantiateOptions, SearchPathEntry, UsageError } from './instantiate-args';
export { renderError, renderDiagnostic } from './render-error';
export type { RenderableError, RenderPos, RenderOptions } from './render-error';
export { resolvePhysicalStore, resolveSearchPath } from './environment';
export { createFdOutput } from './output';
export type { Output } from './output';
export type { Command, CommandContext } from './command';
