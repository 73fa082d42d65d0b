/**
 * @m/makes — the makes framework of m: outputs discovered under makes/, main.nix functions of the
 * framework's builtins (packages/makes/nix: makeDerivation, makeScript, makeSearchPaths,
 * makeTemplate, projectPath, outputs, toBashArray, toBashMap, toFileJson, inputs), `inputs.nixpkgs`
 * from the host's packages (@m/hostpkgs), and an evaluation cache keyed by what evaluation read.
 */
export { openMakesProject, SYSTEM, type MakesProject, type MakesProjectOptions, type OutputResult } from './project';
export { hostPackagesValue, storePathValue, type HostInputsOptions } from './host-inputs';
export { frameworkDir } from './framework-dir';
export { buildOutput, streamOutput, IMAGE_BUILDER, type BuildOutputOptions } from './container-image';
export { createDepRecorder } from './deps';
export { type MakesCache, type MakesCacheConfig, NIXOS_CACHE, readCacheConfig } from './cache-config';
export { createRecordingIO } from './recording-io';
export * from './light';
