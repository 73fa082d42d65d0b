/** The plain data a build runs from, and what it yields. The builder knows no database. */

export interface BuildRequest {
  /** Logical path of the derivation, used in messages only. */
  drvPath: string;
  /** Program to run, as seen inside the sandbox (a logical store path or a sandbox path such as /bin/sh). */
  builder: string;
  args: string[];
  /** The derivation's environment (passAsFile is honoured as Nix does). */
  env: Record<string, string>;
  /** Output name → logical store path the builder must create. */
  outputs: Record<string, string>;
  /** Logical store paths of the whole input closure; only these are visible in the sandbox's store. */
  inputPaths: string[];
  /** Logical store directory, normally /nix/store. */
  storeDir: string;
  /** Directory where store entries `<hash>-<name>` physically live. */
  physicalStore: string;
  /**
   * Sandbox path → host path, bound read-only (like Nix's sandbox-paths). A host path ending in '?'
   * is optional. Default: { '/bin/sh': '/bin/busybox' }.
   */
  sandboxPaths?: Record<string, string>;
  /** Network access (and the host's /etc/resolv.conf, /etc/hosts, /etc/services) only then. */
  fixedOutput: boolean;
  /** Kill the build after this many seconds (0 or absent: no limit). */
  timeoutSeconds?: number;
  /** Kill the build after this many seconds without log output (0 or absent: no limit). */
  maxSilentSeconds?: number;
  /** NIX_BUILD_CORES. */
  cores: number;
  /** Hash parts (32 nixbase32 chars) to look for in the outputs: the input closure's and the outputs'. */
  refscanNeedles: string[];
  /**
   * An existing, empty directory owned by the caller, on the same file system as physicalStore
   * (normally in the store's temp space). Default: a fresh directory in `<physicalStore>/.m/tmp`.
   */
  tempDir?: string;
  /** Run on the host without isolation. Only allowed when physicalStore is storeDir itself. */
  noSandbox?: boolean;
  /** Force a sandbox implementation (default: bwrap if usable, else unshare). */
  sandbox?: 'bwrap' | 'unshare';
}

export interface BuildOptions {
  /** Called with each complete line of build output (stdout and stderr interleaved), without '\n'. */
  onLog?(line: string): void;
  /** Aborting kills the build; runBuild then rejects with BUILD_FAILED. */
  signal?: AbortSignal;
  /**
   * The full build log (raw bytes) is streamed to this file, created or truncated, as the build
   * runs; nothing but the last LOG_TAIL_LINES lines is kept in memory. Absent: the log is not kept.
   */
  logFile?: string;
}

export interface BuildResult {
  exitCode: number;
  /** Output name → physical path of the freshly built output (inside `tempDir`); the store moves it in. */
  outputs: Record<string, string>;
  /**
   * Output name → sorted references found: the logical store path for needles that are hash parts
   * of inputPaths or outputs, else the bare hash part.
   */
  references: Record<string, string[]>;
  /** The temp directory holding the outputs; the caller removes it once they are moved. */
  tempDir: string;
}

/** Attached as `cause` to the MError('BUILD_FAILED') of a failed build. */
export interface BuildFailure {
  kind: 'exit' | 'timeout' | 'silence' | 'aborted' | 'missing-output' | 'setup';
  exitCode?: number;
  /** The last (up to) 25 log lines (the full log is in BuildOptions.logFile). */
  logTail: string[];
}

export const LOG_TAIL_LINES = 25;
export const DEFAULT_SANDBOX_PATHS: Readonly<Record<string, string>> = { '/bin/sh': '/bin/busybox' };
/** Where the build directory appears inside the sandbox (Nix's sandbox-build-dir). */
export const SANDBOX_BUILD_DIR = '/build';
/** HOME, deliberately nonexistent. */
export const HOMELESS_SHELTER = '/homeless-shelter';
/** Build user and group inside the sandbox's user namespace. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 100;
