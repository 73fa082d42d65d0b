/** Runs one BuildRequest in a sandbox and returns its outputs (still in temp space) and references. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import { storePathHashPart } from '@m/nix-compat';
import { bwrapArgs, BWRAP } from './bwrap';
import { makeBuilderEnv } from './env';
import { scanPathForReferences } from './refscan';
import {
  type BuildFailure,
  type BuildOptions,
  type BuildRequest,
  type BuildResult,
  DEFAULT_SANDBOX_PATHS,
  SANDBOX_BUILD_DIR,
} from './request';
import { type ProcessOutcome, runProcess } from './run-process';
import { type SandboxChoice, findSandbox } from './sandbox-detect';
import { type SandboxInput, chownLayout, createSandboxLayout, sandboxBinds } from './sandbox-layout';
import { ENV, directSources, killUserProcesses, planRootSources, rootCommand } from './sandbox-root';
import { type BuildUser, acquireBuildUser, needsBuildUser } from './sandbox-user';
import { SETPRIV, UNSHARE, unshareArgs } from './unshare';

export async function runBuild(req: BuildRequest, opts: BuildOptions = {}): Promise<BuildResult> {
  checkRequest(req);
  const inputs: SandboxInput[] = [];
  for (const p of req.inputPaths) {
    if (Object.values(req.outputs).includes(p)) continue;
    const phys = path.join(req.physicalStore, path.basename(p));
    let st: fs.Stats;
    try {
      st = fs.lstatSync(phys);
    } catch {
      throw new MError('STORE_ERROR', `input path '${p}' of '${req.drvPath}' is missing from the store (${phys})`);
    }
    inputs.push({ logical: p, physical: phys, symlink: st.isSymbolicLink() ? fs.readlinkSync(phys) : undefined });
  }
  if (req.noSandbox) return runUnsandboxed(req, opts);

  // As root, the build runs as a dedicated unprivileged pool identity, never as root.
  const user = needsBuildUser() ? acquireBuildUser(path.join(req.physicalStore, '.m', 'build-users')) : undefined;
  try {
    const choice = findSandbox(req.sandbox, user);
    if (!choice)
      throw new MError(
        'BUILD_FAILED',
        user
          ? `cannot build '${req.drvPath}' as root: ${req.sandbox ?? 'no sandbox'} cannot run the build as an unprivileged build user (${BWRAP} or ${UNSHARE}, with ${SETPRIV}, in a user namespace owned by uid ${user.uid})`
          : `cannot build '${req.drvPath}': no working sandbox (${req.sandbox ?? `neither ${BWRAP} nor ${UNSHARE}`} can create the namespaces it needs)`,
        { hint: "install bubblewrap and util-linux, enable user namespaces, or set 'noSandbox: true' in the request" },
      );
    return await runSandboxed(req, opts, inputs, choice, user);
  } finally {
    user?.release();
  }
}

async function runSandboxed(req: BuildRequest, opts: BuildOptions, inputs: SandboxInput[], choice: SandboxChoice, user: BuildUser | undefined): Promise<BuildResult> {
  const createdTemp = req.tempDir === undefined;
  const tempDir = req.tempDir ?? makeTempDir(req.physicalStore);
  const layout = createSandboxLayout(tempDir, req.fixedOutput);
  const cleanup = (keepStore: boolean): void => {
    for (const d of [layout.buildDir, layout.tmpDir, layout.etcDir, layout.rootDir, layout.stageDir, ...(keepStore ? [] : [layout.storeDir])]) removeTree(d);
    if (!keepStore && createdTemp) removeTree(tempDir);
  };
  try {
    const { env, files } = makeBuilderEnv(req, SANDBOX_BUILD_DIR);
    for (const [name, contents] of Object.entries(files)) fs.writeFileSync(path.join(layout.buildDir, name), contents);
    if (user) {
      killUserProcesses(user); // leftovers of a build whose m died
      chownLayout(layout, user.uid, user.gid);
    }
    const binds = sandboxBinds(req.sandboxPaths ?? DEFAULT_SANDBOX_PATHS);
    let program: string;
    let args: string[];
    if (choice.kind === 'bwrap') {
      if (user) {
        const plan = planRootSources(req, layout, inputs, binds);
        [program, args] = rootCommand(layout, plan, user, [BWRAP, ...bwrapArgs(req, env, inputs, binds, plan.sources, choice.disableUserns)]);
      } else {
        // bwrap's own process is the sandbox's PID 1: it starts with an empty environment.
        program = ENV;
        args = ['-i', BWRAP, ...bwrapArgs(req, env, inputs, binds, directSources(req, layout, binds), choice.disableUserns)];
      }
    } else {
      program = SETPRIV;
      args = unshareArgs(req, layout, env, inputs, binds, user);
    }
    const outcome = await runProcess({
      program,
      args,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      timeoutSeconds: req.timeoutSeconds,
      maxSilentSeconds: req.maxSilentSeconds,
      onLog: opts.onLog,
      logFile: opts.logFile,
      signal: opts.signal,
      onKill: user ? () => killUserProcesses(user) : undefined,
    });
    checkOutcome(req, outcome);

    const outputs: Record<string, string> = {};
    for (const [name, logical] of Object.entries(req.outputs)) {
      const phys = path.join(layout.storeDir, path.basename(logical));
      if (!isPresent(phys)) throw missingOutput(req, name, logical, outcome);
      outputs[name] = phys;
    }
    // Anything else the builder left in its store (and the inputs' mount points) is discarded.
    const keep = new Set(Object.values(outputs).map((p) => path.basename(p)));
    for (const e of fs.readdirSync(layout.storeDir)) if (!keep.has(e)) removeTree(path.join(layout.storeDir, e));

    const result: BuildResult = { exitCode: outcome.exitCode, outputs, references: scanOutputs(req, outputs), tempDir };
    cleanup(true);
    return result;
  } catch (e) {
    cleanup(false);
    throw e;
  }
}

function checkRequest(req: BuildRequest): void {
  const names = Object.keys(req.outputs);
  if (names.length === 0) throw new MError('BAD_ARGUMENT', `derivation '${req.drvPath}' has no outputs`);
  for (const p of [...Object.values(req.outputs), ...req.inputPaths])
    if (path.dirname(p) !== req.storeDir)
      throw new MError('BAD_ARGUMENT', `path '${p}' is not in the Nix store`);
}

function outputList(req: BuildRequest): string {
  return Object.keys(req.outputs).sort().join(',');
}

function failure(message: string, f: BuildFailure): MError {
  return new MError('BUILD_FAILED', message, { cause: f });
}

function withTail(msg: string, tail: string[]): string {
  if (tail.length === 0) return msg;
  return `${msg};\nlast ${tail.length} log lines:\n${tail.map((l) => `> ${l}`).join('\n')}`;
}

function checkOutcome(req: BuildRequest, o: ProcessOutcome): void {
  const base = { logTail: o.logTail, exitCode: o.exitCode };
  const goal = `building of '${req.drvPath}!${outputList(req)}' from .drv file`;
  if (o.killed === 'timeout')
    throw failure(`${goal} timed out after ${req.timeoutSeconds} seconds`, { kind: 'timeout', ...base });
  if (o.killed === 'silence')
    throw failure(`${goal} timed out after ${req.maxSilentSeconds} seconds of silence`, { kind: 'silence', ...base });
  if (o.killed === 'aborted') throw failure(`build of '${req.drvPath}' was interrupted`, { kind: 'aborted', ...base });
  if (o.exitCode !== 0)
    throw failure(withTail(`builder for '${req.drvPath}' failed with exit code ${o.exitCode}`, o.logTail), { kind: 'exit', ...base });
}

function missingOutput(req: BuildRequest, name: string, logical: string, o: ProcessOutcome): MError {
  return failure(`builder for '${req.drvPath}' failed to produce output path for output '${name}' at '${logical}'`, {
    kind: 'missing-output',
    exitCode: o.exitCode,
    logTail: o.logTail,
  });
}

function scanOutputs(req: BuildRequest, outputs: Record<string, string>): Record<string, string[]> {
  const byHash = new Map<string, string>();
  for (const p of [...req.inputPaths, ...Object.values(req.outputs)]) byHash.set(storePathHashPart(p), p);
  const refs: Record<string, string[]> = {};
  for (const [name, phys] of Object.entries(outputs)) {
    const found = scanPathForReferences(phys, req.refscanNeedles, req.outputs[name]);
    refs[name] = [...found].map((h) => byHash.get(h) ?? h).sort();
  }
  return refs;
}

/** Without isolation: only when the physical store is the logical one, so outputs land in place. */
async function runUnsandboxed(req: BuildRequest, opts: BuildOptions): Promise<BuildResult> {
  if (path.resolve(req.physicalStore) !== req.storeDir)
    throw new MError('BUILD_FAILED', `cannot build '${req.drvPath}' without a sandbox: the store is not physically at '${req.storeDir}'`);
  const createdTemp = req.tempDir === undefined;
  const tempDir = req.tempDir ?? makeTempDir(req.physicalStore);
  const buildDir = path.join(tempDir, 'build');
  fs.mkdirSync(buildDir, { mode: 0o700 });
  try {
    const { env, files } = makeBuilderEnv(req, buildDir);
    for (const [name, contents] of Object.entries(files)) fs.writeFileSync(path.join(buildDir, name), contents);
    const outcome = await runProcess({
      program: req.builder,
      args: req.args,
      env,
      cwd: buildDir,
      timeoutSeconds: req.timeoutSeconds,
      maxSilentSeconds: req.maxSilentSeconds,
      onLog: opts.onLog,
      logFile: opts.logFile,
      signal: opts.signal,
    });
    checkOutcome(req, outcome);
    const outputs: Record<string, string> = {};
    for (const [name, logical] of Object.entries(req.outputs)) {
      if (!isPresent(logical)) throw missingOutput(req, name, logical, outcome);
      outputs[name] = logical;
    }
    return { exitCode: outcome.exitCode, outputs, references: scanOutputs(req, outputs), tempDir };
  } finally {
    removeTree(buildDir);
    if (createdTemp) removeTree(tempDir);
  }
}

function makeTempDir(physicalStore: string): string {
  const root = path.join(physicalStore, '.m', 'tmp');
  fs.mkdirSync(root, { recursive: true });
  return fs.mkdtempSync(path.join(root, 'build-'));
}

function isPresent(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function removeTree(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}
