/**
 * @m/binary-cache — Nix's binary cache protocol (nix-cache-info, `<hash>.narinfo`, compressed
 * NARs, ed25519 signatures) over `file://` directories and HTTP(S): copying store paths into a
 * cache (`pushPaths`), substituting from caches (`createSubstituter`), and serving a store as a
 * cache, read-only unless asked (`serveStore`). The formats themselves are in @m/nix-compat.
 */
export { type Compression, COMPRESSIONS, narExtension, parseCompression } from './compression';
export { type CacheTransport, type TransportOptions, openTransport, isUnreachable } from './transport';
export { readSecretKeyFile, parseTrustedKeys } from './keys';
export { type PushEvent, type PushOptions, type PushResult, pushPaths, localNarInfo, signNarInfo, ensureCacheInfo } from './push';
export { type SubstituteEvent, type Substituter, type SubstituterOptions, createSubstituter } from './pull';
export { importNar, unpackNar } from './import-nar';
export { type CacheServer, type ServeOptions, type WritableOptions, serveStore } from './serve';
