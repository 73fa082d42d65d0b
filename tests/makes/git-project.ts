/**
 * A makes project for one test file: `files` written into a fresh temporary git repository (all
 * tracked, since m sees only tracked files) with a private store, created before the file's tests
 * and removed after them; `m` runs the real CLI in it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { M_BIN, runCommand, type RunResult } from '../lib/run';

export interface GitProject {
  project: string;
  storeRoot: string;
  m(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

export function gitProject(prefix: string, files: Record<string, string>, timeoutMs = 330_000): GitProject {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const project = path.join(work, 'project');
  const storeRoot = path.join(work, 'store');
  beforeAll(() => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), text);
    }
    execFileSync('git', ['init', '-q', '.'], { cwd: project });
    execFileSync('git', ['add', '-A'], { cwd: project });
  });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });
  return {
    project,
    storeRoot,
    m: (args, env = {}) => runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs }),
  };
}
