export * from './request';
export { runBuild } from './run-build';
export { makeBuilderEnv, type BuilderEnv } from './env';
export { createRefScanner, scanPathForReferences, type RefScanner } from './refscan';
export { findSandbox, type SandboxKind } from './sandbox-detect';
