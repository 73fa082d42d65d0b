/**
 * Nix's exit status for failed builds (Worker::exitStatus), shared by `m build` and `m PROJECT
 * /output`: the failures a run met are classified into flags, and the flags give the status.
 */
import type { MError } from '@m/core';

export interface BuildFailureFlags {
  permanentFailure: boolean;
  timedOut: boolean;
  hashMismatch: boolean;
}

export const noBuildFailures = (): BuildFailureFlags => ({ permanentFailure: false, timedOut: false, hashMismatch: false });

/** 100 + 1 timeout + 2 hash mismatch; 1 when no build itself failed (evaluation, store or platform errors). */
export function buildExitStatus(flags: BuildFailureFlags): number {
  let mask = 0;
  if (flags.permanentFailure || flags.timedOut || flags.hashMismatch) mask |= 0x04;
  if (flags.timedOut) mask |= 0x01;
  if (flags.hashMismatch) mask |= 0x02;
  return mask ? mask | 0x60 : 1;
}

/** Records the kind of a `build-failed` event's error in `flags`. */
export function classifyBuildFailure(e: MError, flags: BuildFailureFlags): void {
  if (e.code !== 'BUILD_FAILED') return;
  const kind = (e.cause as { kind?: string } | undefined)?.kind;
  if (kind === 'timeout' || kind === 'silence') flags.timedOut = true;
  else if (/^hash mismatch in fixed-output derivation/.test(e.message)) flags.hashMismatch = true;
  // As Nix 2.8: an output not produced is a plain error (exit 1), not a permanent build failure.
  else if (kind === 'exit' || kind === 'setup') flags.permanentFailure = true;
  else if (/^(illegal path references in fixed-output|cycle detected in build of|output path '.*' should be)/.test(e.message))
    flags.permanentFailure = true;
}
