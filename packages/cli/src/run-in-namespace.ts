/**
 * Runs a program from the store on the host: in a private mount namespace (bubblewrap) that sees
 * the host's file system with the physical store mounted at the logical store directory, so
 * programs whose interpreters, RUNPATHs and shebangs point into /nix/store work on hosts without
 * /nix. The process keeps the caller's terminal, environment and working directory.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { constants } from 'node:os';
import { mark } from './timing';

function findBwrap(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of ['/usr/bin', '/bin', ...(env.PATH ?? '').split(':')]) {
    if (!dir) continue;
    const p = nodePath.join(dir, 'bwrap');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * bwrap arguments: the host's root with the physical store mounted over the store directory. When
 * the store directory does not exist on the host (no /nix), the root is assembled from the host's
 * top-level entries instead, so that bwrap can create the mount point in its own tmpfs.
 */
export function namespaceArgs(physicalStore: string, storeDir: string, cwd: string): string[] {
  const a = ['--die-with-parent'];
  if (fs.existsSync(storeDir)) {
    a.push('--dev-bind', '/', '/');
  } else {
    const top = storeDir.split('/').filter(Boolean)[0]!;
    for (const d of fs.readdirSync('/', { withFileTypes: true })) {
      const p = `/${d.name}`;
      if (d.name === top) {
        // Whatever else the host keeps beside the store stays visible.
        for (const e of fs.readdirSync(p, { withFileTypes: true })) {
          const q = `${p}/${e.name}`;
          if (e.isDirectory() && !storeDir.startsWith(q + '/') && storeDir !== q) a.push('--dev-bind', q, q);
        }
      } else if (d.isSymbolicLink()) a.push('--symlink', fs.readlinkSync(p), p);
      else if (d.isDirectory()) a.push('--dev-bind', p, p);
      else if (d.isFile()) a.push('--ro-bind', p, p);
    }
  }
  a.push('--bind', physicalStore, storeDir, '--chdir', cwd);
  return a;
}

/** Runs `argv` and resolves with its exit code (128 + signal number when killed). */
export function runInStoreNamespace(argv: string[], opts: { physicalStore: string; storeDir: string; cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  const direct = nodePath.resolve(opts.physicalStore) === opts.storeDir;
  let cmd: string;
  let args: string[];
  if (direct) {
    [cmd, ...args] = argv as [string, ...string[]];
  } else {
    const bwrap = findBwrap(opts.env);
    if (!bwrap) return Promise.reject(new Error('bubblewrap (bwrap) is needed to run programs from the store on this host'));
    cmd = bwrap;
    args = [...namespaceArgs(opts.physicalStore, opts.storeDir, opts.cwd), '--', ...argv];
  }
  return new Promise((resolve, reject) => {
    // The program owns the terminal: ^C goes to it, and m reports how it ended. SIGTERM (which
    // no terminal sends) is passed on, so that m never exits before its program.
    const ignore = (): void => {};
    const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
    process.on('SIGTERM', forward);
    mark(`spawn ${nodePath.basename(cmd)}`);
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: opts.cwd, env: opts.env });
    const done = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
      process.off('SIGTERM', forward);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      done();
      mark('program exited');
      resolve(code ?? 128 + ((signal && constants.signals[signal]) || 1));
    });
  });
}
