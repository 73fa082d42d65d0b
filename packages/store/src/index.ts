/**
 * @m/store — a Nix-compatible store on a plain directory. `openStore({ root, storeDir })` returns a
 * handle of synchronous functions; store paths are logical (`/nix/store/<hash>-<name>`, hashes
 * exactly as Nix computes them) and live physically at `<root>/<hash>-<name>`; the database, locks,
 * temp space, logs and GC roots are under `<root>/.m/`.
 */
export { openStore, type Store, type OpenStoreOptions } from './store';
export type { AddPathOptions, IngestionMethod, PathRegistration } from './add';
export type {
  ClosureOptions,
  PathInfo,
  PathInfoEntry,
  PathInfoOptions,
  WhyDependsEdge,
  WhyDependsHit,
  WhyDependsOptions,
  WhyDependsResult,
} from './query';
export type { GcOptions, GcResult } from './gc';
export type { CorruptPath, VerifyOptions, VerifyResult } from './verify';
export type { Release } from './lock';
export { type FsEntryType, type PathFilter, fsNarSource, hashPath } from './fs-nar-source';
export { CANONICAL_MTIME } from './fs-tree';
export { META_DIR } from './layout';
export { SCHEMA_VERSION } from './db';
export { removeOwnLeftovers, tempRootsFile, type TempRootsFile } from './temp-roots';
