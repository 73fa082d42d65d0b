/**
 * The part of @m/makes that needs no evaluator, store or host packages: discovery, closest
 * matches and the evaluation cache. The CLI's main thread imports only this (`@m/makes/light`).
 */
export { discoverOutputs, closestOutputs, unknownOutputError, DEFAULT_MAKES_DIRS, type DirReader } from './discover';
export { cacheFile, withModuleOutputs, readProjectCache, writeProjectCache, depsHold, type CachedOutput, type CachedConfig, type ProjectCache } from './eval-cache';
export { type Dep, createDepChecker, depHolds } from './deps';
export { plainDirReader } from './plain-fs';
export { PROJECT_META_DIR, ensureProjectMetaDir, outLinkName, sourceLinkDir, writeOutLink } from './out-link';
export { type TrackedFiles, projectDirReader, readTrackedFiles, trackedDirReader } from './git-tracked';
