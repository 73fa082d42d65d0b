/**
 * The one way hostpkgs runs host tools (dpkg-query, ldconfig, ldd, patchelf through sh): execa,
 * synchronously (host packages are imported while the evaluator waits), with a timeout that kills
 * the tool, a bounded output buffer, and execa's messages (command line, exit code or signal,
 * stderr) when a tool cannot be started or times out.
 */
import { execaSync } from 'execa';
import { MError } from '@m/core';

export interface ToolResult {
  stdout: string;
  stderr: string;
  /** Exit status; undefined when the tool could not be started. */
  status: number | undefined;
}

/** How long a host tool may run before it is killed. */
const TOOL_TIMEOUT_MS = 300_000;

/**
 * Runs `cmd args`; a non-zero exit is returned, not thrown. A tool that cannot be started
 * (missing, not executable) gives status undefined unless `mustStart`, which throws IO_ERROR; a
 * timeout always throws.
 */
export function runTool(cmd: string, args: readonly string[], opts: { maxBuffer?: number; mustStart?: boolean; timeoutMs?: number } = {}): ToolResult {
  const r = execaSync(cmd, args, {
    reject: false,
    timeout: opts.timeoutMs ?? TOOL_TIMEOUT_MS,
    maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
    stripFinalNewline: false,
    stdin: 'ignore',
  });
  if (r.timedOut || r.isMaxBuffer) throw new MError('IO_ERROR', `host tool failed: ${r.shortMessage}`);
  if (r.exitCode === undefined && r.signal === undefined) {
    if (opts.mustStart) throw new MError('IO_ERROR', `cannot run a host tool: ${r.shortMessage}`);
    return { stdout: '', stderr: String(r.stderr ?? ''), status: undefined };
  }
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), status: r.exitCode ?? 1 };
}
