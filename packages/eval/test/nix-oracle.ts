/**
 * m's evaluator and real `nix-instantiate --eval --strict` (Nix 2.8) on the same source, each
 * reduced to what the differential tests compare: the printed value, or the error message and its
 * `at «string»:L:C:` line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isMError } from '@m/core';
import { createEvaluator, createFsEvalIO } from '../src/index';

const execFileP = promisify(execFile);

/** m's answer for `src`, from an evaluator with a private physical store (`prefix` names its folder). */
export function mEvaluation(prefix: string): (src: string) => string {
  const physicalStore = mkdtempSync(join(tmpdir(), prefix));
  const ev = createEvaluator({ io: createFsEvalIO({ storeDir: '/nix/store', physicalStore }), nixPath: [], storeDir: '/nix/store' });
  return (src) => {
    try {
      return ev.printValue(ev.evalString(src, tmpdir(), '«string»'), { strict: true }) + '\n';
    } catch (e) {
      if (!isMError(e)) throw e;
      const at = e.pos && e.pos.line > 0 ? `\n       at «string»:${e.pos.line}:${e.pos.column}:` : '';
      return `error: ${e.message}${at}`;
    }
  };
}

/** Nix's answer for `src`: stdout, or the error message and its position line. */
export async function nixEvaluation(src: string): Promise<string> {
  try {
    const { stdout } = await execFileP('nix-instantiate', ['--eval', '--strict', '-E', src], { cwd: tmpdir() });
    return stdout;
  } catch (e) {
    const stderr = (e as { stderr: string }).stderr;
    const lines = stderr.split('\n');
    const msgEnd = lines.findIndex((l, i) => i > 0 && l === '');
    const message = (msgEnd > 0 ? lines.slice(0, msgEnd) : lines.slice(0, 1)).join('\n');
    const at = lines.find((l) => l.startsWith('       at «string»'));
    return at ? `${message}\n${at}` : message;
  }
}
