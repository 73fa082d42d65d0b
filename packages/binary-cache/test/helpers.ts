/** Shared by the binary-cache tests: temp dirs, `m` runs against a given store, `m serve`, keys. */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const M_BIN = path.join(REPO, 'node_modules/.bin/m');

export function mIsBuilt(): boolean {
  return fs.existsSync(M_BIN) && fs.existsSync(path.join(REPO, 'packages/cli/dist/m.js'));
}

/** Runs a command (environment: ours plus `env`), with optional stdin; never throws. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(cmd, args, { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.end(opts.stdin ?? '');
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? 128 + (sig === 'SIGKILL' ? 9 : 15) });
    });
  });
}

export const nonce = (): string => randomBytes(8).toString('hex');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-cache-${prefix}-`));
}

/** `m ARGS…` with M_STORE=store. */
export function m(store: string, args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: cwd ?? path.dirname(store), env: { M_STORE: store, ...env }, timeoutMs: 180_000 });
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return runCommand(cmd, args, { cwd: opts.cwd ?? os.tmpdir(), env: opts.env, timeoutMs: 120_000 });
}

/** A key pair made by `m key`: the secret key file and the public key. */
export async function mKeys(dir: string, name: string): Promise<{ secretFile: string; pub: string }> {
  const store = path.join(dir, 'unused-store');
  const sec = await m(store, ['key', 'generate-secret', '--key-name', name]);
  if (sec.code !== 0) throw new Error(sec.stderr);
  const secretFile = path.join(dir, `${name}.sec`);
  fs.writeFileSync(secretFile, sec.stdout);
  const pub = await runCommand(M_BIN, ['key', 'convert-secret-to-public'], { stdin: sec.stdout, cwd: dir });
  if (pub.code !== 0) throw new Error(pub.stderr);
  return { secretFile, pub: pub.stdout.trim() };
}

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** `m serve` on a free port of 127.0.0.1; resolves once it prints its URL. */
export function mServe(store: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(M_BIN, ['serve', '--store', store, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve({ url: line, child, stop: () => child.kill('SIGTERM') });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`m serve exited with ${code}: ${err}`)));
  });
}

/**
 * A derivation chain in Nix syntax: `n` derivations, each output naming the previous one (a
 * runtime reference), unique by `tag`. The attribute `top` is the last.
 */
export function chainExpr(tag: string, n: number): string {
  const mk = `mk = name: dep: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${tag} \${dep} > $out" ]; };`;
  let body = 'd0 = mk "c0" "";';
  for (let i = 1; i < n; i++) body += ` d${i} = mk "c${i}" d${i - 1};`;
  return `let ${mk} ${body} in d${n - 1}`;
}

export function buildLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^building '/.test(l));
}

export function copyLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^copying path '/.test(l));
}
