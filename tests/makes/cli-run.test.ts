/**
 * `m PROJECT /output` as makes runs outputs (issue 9 items 3–6), end to end with the real `m`:
 * a script alone on stdout (`m . /gen > file` holds exactly its bytes) with its own exit code,
 * a non-runnable output's store path on stdout, 100 for a failed build; out-links `.m/out-<name>`
 * that `m store gc` honours; in a git repository only tracked (committed, staged, modified) files
 * reach the store; the script prologue (prompts, SSL_CERT_FILE, STATE) and asContent.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, REPO_ROOT, hasJsStackTrace, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-makes-cli-run-'));
const storeRoot = path.join(work, 'store');
const plain = path.join(work, 'plain'); // not a git repository
const repo = path.join(work, 'repo'); // a git repository
const home = path.join(work, 'home');

// Bytes no text decoding would keep: a NUL, an invalid UTF-8 byte, no final newline.
const GEN_BYTES = Buffer.from([0x6f, 0x6e, 0x65, 0x0a, 0x00, 0xff, 0x74, 0x77, 0x6f]);
const SECRET = 'untracked-secret-6b1f0c2e';
const IGNORED = 'ignored-secret-93d7aa41';
const UNTRACKED_NIX = 'untracked-nix-5ac0e7d2';

const plainFiles: Record<string, string> = {
  'makes/gen/main.nix': `{ makeScript, ... }: makeScript {
    name = "gen";
    entrypoint = ''
      info "a line for the terminal"
      printf 'one\\n\\000\\377two'
      exit "''\${1:-0}"
    '';
  }`,
  'makes/file/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "file"; builder = "echo v1 > $out"; }`,
  'makes/nested/deep/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "deep"; builder = "echo deep > $out"; }`,
  'makes/broken/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "broken"; builder = "exit 3"; }`,
  'makes/bad-eval/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "bad"; builder = 1 + "x"; }`,
  'makes/ask/main.nix': `{ makeScript, ... }: makeScript {
    name = "ask";
    entrypoint = ''
      name="$(prompt_user_for_input world)"
      echo "hello $name"
      prompt_user_for_confirmation
      echo confirmed
      echo "certificates: $(wc -c < "$SSL_CERT_FILE")"
      echo "state: $STATE"
    '';
  }`,
  'makes/content/main.nix': `{ makeDerivation, asContent, ... }: makeDerivation {
    name = "content";
    builder = "\${./build.sh}";
    env.envText = asContent "plain text";
    env.envRead = asContent "\${./build.sh}";
  }`,
  'makes/content/build.sh': 'echo "read from the file: $envText" > $out\nprintf "%s" "$envRead" >> $out\n',
};

const repoFiles: Record<string, string> = {
  // The shapes of makes' documented makeScript and projectPath examples (core-functions.md).
  'makes.nix': `{ makeScript, projectPath, ... }: {
  projectIdentifier = "demo";
  jobs."/myScript" = makeScript {
    name = "example";
    replace.__argVersion__ = "2.5";
    entrypoint = ''
      debug Version is __argVersion__
      info Working in $STATE
      mkdir "$STATE/dir"
      touch "$STATE/dir/file"
      echo "version __argVersion__"
      cd "$STATE" && ls -R
    '';
  };
  jobs."/myProjectPath" = makeScript {
    name = "myProjectPath";
    replace.__argPath__ = projectPath "/src/nix";
    entrypoint = ''
      info Path is: __argPath__
      ls __argPath__
    '';
  };
}
`,
  'src/nix/a.nix': '1\n',
  'src/nix/b.nix': '2\n',
  'makes/src/main.nix': `{ makeDerivation, projectPath, ... }: makeDerivation {
    name = "src";
    env.envSrc = projectPath "/data";
    builder = ''
      cd "$envSrc"
      for f in *; do echo "$f: $(cat "$f")"; done > $out
    '';
  }`,
  'makes/literal/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "literal"; env.envF = ./../../data/secret.txt; builder = "cat $envF > $out"; }`,
  'makes/state/main.nix': `{ makeScript, ... }: makeScript {
    name = "state";
    globalState = false;
    persistState = true;
    entrypoint = ''echo x >> "$STATE/runs"; echo "$STATE $(wc -l < "$STATE/runs")"'';
  }`,
  // What evaluation sees of src/nix: the tracked files only (untracked.nix is written after the commit).
  'makes/sees/main.nix': `{ makeDerivation, ... }: makeDerivation {
    name = "sees";
    env.envNames = builtins.concatStringsSep "," (builtins.attrNames (builtins.readDir ./../../src/nix));
    env.envExists = if builtins.pathExists ./../../src/nix/untracked.nix then "yes" else "no";
    builder = "echo $envNames $envExists > $out";
  }`,
  'makes/imports/main.nix': `args: import ./../../src/nix/untracked.nix`,
  '.gitignore': '*.log\nmakes/ignored/\n',
  'data/tracked.txt': 'tracked\n',
  'data/modified.txt': 'committed\n',
};

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'ignore', env: { ...process.env, HOME: home } });
}

function m(cwd: string, args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd, home, stdin: opts.stdin, env: { M_STORE: storeRoot, ...opts.env }, timeoutMs: 180_000 });
}

const physical = (storePath: string): string => path.join(storeRoot, path.basename(storePath.trim()));

/** Names of the store's entries whose files (not followed through symlinks) contain `needle`. */
function storeEntriesContaining(needle: string): string[] {
  const found = new Set<string>();
  const walk = (entry: string, p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(entry, path.join(p, n));
    else if (st.isFile() && fs.readFileSync(p).includes(needle)) found.add(entry);
  };
  for (const e of fs.readdirSync(storeRoot)) if (e !== '.m') walk(e, path.join(storeRoot, e));
  return [...found];
}

beforeAll(() => {
  fs.mkdirSync(home, { recursive: true });
  write(plain, plainFiles);
  write(repo, repoFiles);
  git('init', '-q', '.');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  // After the commit: a modified file, a staged new one, an untracked and an ignored one.
  fs.writeFileSync(path.join(repo, 'data/modified.txt'), 'changed in the work tree\n');
  fs.writeFileSync(path.join(repo, 'data/staged.txt'), 'staged\n');
  git('add', 'data/staged.txt');
  fs.writeFileSync(path.join(repo, 'data/secret.txt'), SECRET + '\n');
  fs.writeFileSync(path.join(repo, 'data/debug.log'), IGNORED + '\n');
  fs.writeFileSync(path.join(repo, 'src/nix/untracked.nix'), `"${UNTRACKED_NIX}"\n`);
  // Outputs git does not know: an untracked main.nix and an ignored one.
  write(repo, {
    'makes/untracked/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "untracked"; builder = "echo untracked > $out"; }`,
    'makes/ignored/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "ignored"; builder = "echo ignored > $out"; }`,
  });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('m PROJECT /output: streams, exit codes, out-links, git source, script prologue', () => {
  it('a script writes only its own bytes to stdout; m . /gen > file holds exactly them; its exit code passes through', async () => {
    const out = path.join(work, 'gen.out');
    const r = await runCommand('sh', ['-c', `"$M" . /gen > "${out}"`], { cwd: plain, home, env: { M: M_BIN, M_STORE: storeRoot }, timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(GEN_BYTES)).toBe(true);
    expect(r.stderr).toMatch(/^\/nix\/store\/[a-z0-9]{32}-gen$/m);
    expect(r.stderr).toContain('[INFO] a line for the terminal');
    const [seven, quiet] = await Promise.all([m(plain, ['.', '/gen', '7']), m(plain, ['.', '-q', '/gen'])]);
    expect(seven.code).toBe(7);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('/nix/store/');
  }, 240_000);

  it('a non-runnable output prints its store path, alone, on stdout; a failed build exits 100, an evaluation error 1', async () => {
    const [file, broken, bad] = await Promise.all([m(plain, ['.', '/file']), m(plain, ['.', '/broken']), m(plain, ['.', '/bad-eval'])]);
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toMatch(/^\/nix\/store\/[a-z0-9]{32}-file\n$/);
    expect(fs.readFileSync(physical(file.stdout), 'utf8')).toBe('v1\n');
    expect(broken.code).toBe(100);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('failed with exit code 3');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(hasJsStackTrace(bad.stderr)).toBe(false);
  }, 240_000);

  it('each output has an out-link .m/out-<name> to its physical path; m store gc keeps the last one of each', async () => {
    const deep = await m(plain, ['.', '/nested/deep']);
    expect(deep.code, deep.stderr).toBe(0);
    const links = fs.readdirSync(path.join(plain, '.m')).sort();
    expect(links).toEqual(expect.arrayContaining(['.gitignore', 'out-file', 'out-gen', 'out-nested-deep']));
    expect(fs.readlinkSync(path.join(plain, '.m/out-nested-deep'))).toBe(physical(deep.stdout));
    expect(fs.readFileSync(path.join(plain, '.m/out-nested-deep'), 'utf8')).toBe('deep\n');
    const v1 = fs.readlinkSync(path.join(plain, '.m/out-file'));
    expect(fs.readFileSync(path.join(plain, '.m/out-gen/bin/gen'), 'utf8')).toContain('prompt_user_for_confirmation');

    fs.writeFileSync(path.join(plain, 'makes/file/main.nix'), plainFiles['makes/file/main.nix']!.replace('v1', 'v2'));
    const v2 = await m(plain, ['.', '/file']);
    expect(v2.code, v2.stderr).toBe(0);
    expect(fs.readlinkSync(path.join(plain, '.m/out-file'))).toBe(physical(v2.stdout));
    const gc = await runCommand(M_BIN, ['store', 'gc'], { home, env: { M_STORE: storeRoot }, timeoutMs: 120_000 });
    expect(gc.code, gc.stderr).toBe(0);
    expect(fs.existsSync(physical(v2.stdout))).toBe(true);
    expect(fs.existsSync(path.join(plain, '.m/out-gen/bin/gen'))).toBe(true);
    expect(fs.existsSync(path.join(plain, '.m/out-nested-deep'))).toBe(true);
    expect(fs.existsSync(v1)).toBe(false); // the previous /file: no root left
    // The out-link still runs from the cache after gc.
    const again = await m(plain, ['.', '/gen', '3']);
    expect(again.code).toBe(3);
    // A copy of the whole project leaves the out-links out: the same source every time.
    fs.mkdirSync(path.join(plain, 'makes/tree'));
    fs.writeFileSync(path.join(plain, 'makes/tree/main.nix'), `{ makeDerivation, ... }: makeDerivation { name = "tree"; env.envRoot = ./../..; builder = "ls -A $envRoot > $out"; }`);
    const tree = await m(plain, ['.', '/tree']);
    expect(tree.code, tree.stderr).toBe(0);
    expect(fs.readFileSync(physical(tree.stdout), 'utf8')).toBe('makes\n');
    const tree2 = await m(plain, ['.', '--no-eval-cache', '/tree']);
    expect(tree2.stdout).toBe(tree.stdout);
  }, 240_000);

  it('in a git repository only tracked, staged and modified files reach the store; untracked and ignored ones never', async () => {
    const r = await m(repo, ['.', '/src']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(physical(r.stdout), 'utf8')).toBe('modified.txt: changed in the work tree\nstaged.txt: staged\ntracked.txt: tracked\n');
    expect(storeEntriesContaining(SECRET)).toEqual([]);
    expect(storeEntriesContaining(IGNORED)).toEqual([]);
    // Copying an untracked file by a path literal is refused, saying why.
    const lit = await m(repo, ['.', '/literal']);
    expect(lit.code).toBe(1);
    expect(lit.stderr).toContain(`error: '${fs.realpathSync(repo)}/data/secret.txt' is not tracked by git, so it is not copied into the store`);
    expect(lit.stderr).toContain(`at ${fs.realpathSync(repo)}/makes/literal/main.nix:1:`);
    expect(storeEntriesContaining(SECRET)).toEqual([]);
    // The out-links folder is ignored by git.
    expect(execFileSync('git', ['status', '--porcelain', '--ignored=no'], { cwd: repo, encoding: 'utf8' })).not.toContain('.m/');
    // `git add` changes what is copied (the eval cache sees the index).
    git('add', 'data/secret.txt');
    const added = await m(repo, ['.', '/src']);
    expect(added.code, added.stderr).toBe(0);
    expect(fs.readFileSync(physical(added.stdout), 'utf8')).toContain(`secret.txt: ${SECRET}`);
    // What `git status` refreshes in the index (stat data) is no reason to evaluate again.
    const cacheDir = path.join(storeRoot, '.m/makes-cache');
    const cacheOf = fs.readdirSync(cacheDir).map((f) => path.join(cacheDir, f)).find((f) => JSON.parse(fs.readFileSync(f, 'utf8')).projectDir === fs.realpathSync(repo))!;
    const written = fs.statSync(cacheOf); // a new evaluation would replace the file (new inode)
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(repo, 'data/tracked.txt'), later, later);
    execFileSync('git', ['status', '--porcelain'], { cwd: repo, stdio: 'ignore' });
    const cached = await m(repo, ['.', '/src']);
    expect(cached.stdout).toBe(added.stdout);
    expect(fs.statSync(cacheOf).ino).toBe(written.ino);
    expect(fs.statSync(cacheOf).mtimeMs).toBe(written.mtimeMs);
  }, 240_000);

  it('in a git repository the listing and the evaluation see only tracked files: untracked main.nix is no output, untracked .nix is not read', async () => {
    const real = fs.realpathSync(repo);
    const listed = (r: RunResult): string[] => r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    // Twice: the first listing evaluates makes.nix (worker), the second comes from the eval cache (main thread).
    for (let i = 0; i < 2; i++) {
      const list = await m(repo, ['.']);
      expect(list.code).toBe(1); // not a terminal: the listing, as makes
      expect(listed(list)).toEqual(expect.arrayContaining(['/sees', '/imports', '/src', '/myScript']));
      expect(listed(list)).not.toContain('/untracked');
      expect(listed(list)).not.toContain('/ignored');
      expect(list.stderr).toContain('note: not tracked by git, so not outputs (as in makes): /ignored, /untracked; git add their main.nix to use them');
      const un = await m(repo, ['.', '/untracked']);
      expect(un.code).toBe(1);
      expect(un.stderr).toContain(`error: '/untracked' is not an output of this project: '${real}/makes/untracked/main.nix' is not tracked by git`);
      expect(un.stderr).toContain('git add it');
      const ig = await m(repo, ['.', '/ignored']);
      expect(ig.code).toBe(1);
      expect(ig.stderr).toContain('is not tracked by git');
    }
    // readDir and pathExists of the project do not see src/nix/untracked.nix; importing it fails, saying why.
    const sees = await m(repo, ['.', '/sees']);
    expect(sees.code, sees.stderr).toBe(0);
    expect(fs.readFileSync(physical(sees.stdout), 'utf8')).toBe('a.nix,b.nix no\n');
    const imp = await m(repo, ['.', '/imports']);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toContain(`'${real}/src/nix/untracked.nix': No such file or directory`);
    expect(imp.stderr).toContain(`'${real}/src/nix/untracked.nix' exists but git does not track it`);
    expect(imp.stderr).not.toContain(UNTRACKED_NIX);
    expect(hasJsStackTrace(imp.stderr)).toBe(false);
    // Staged, it is an output like any other (the index changed, so the listing is evaluated again).
    git('add', 'makes/untracked/main.nix');
    const list = await m(repo, ['.']);
    expect(list.stdout).toContain('  /untracked\n');
    const built = await m(repo, ['.', '/untracked']);
    expect(built.code, built.stderr).toBe(0);
    expect(fs.readFileSync(physical(built.stdout), 'utf8')).toBe('untracked\n');
    git('add', 'src/nix/untracked.nix');
    const seen = await m(repo, ['.', '/sees']);
    expect(fs.readFileSync(physical(seen.stdout), 'utf8')).toBe('a.nix,b.nix,untracked.nix yes\n');
    git('rm', '-q', '--cached', 'src/nix/untracked.nix', 'makes/untracked/main.nix');
  }, 180_000);

  it('script prologue: prompt_user_for_input and prompt_user_for_confirmation (interactive and on CI), SSL_CERT_FILE', async () => {
    const [typed, refused, ci] = await Promise.all([
      m(plain, ['.', '/ask'], { stdin: 'bob\nCONFIRM\n' }),
      m(plain, ['.', '/ask'], { stdin: '\nno\n' }),
      m(plain, ['.', '/ask'], { env: { CI: 'true' } }),
    ]);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toMatch(/^hello bob\nconfirmed\ncertificates: \d+\nstate: .*\/ask\n$/);
    expect(Number(/certificates: (\d+)/.exec(typed.stdout)![1])).toBeGreaterThan(10_000);
    expect(typed.stderr).toContain('[WARNING] Please type "CONFIRM" to continue:');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('hello world\n');
    expect(refused.stderr).toContain('[CRITICAL] Only CONFIRM will be accepted as an answer, aborting');
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stdout).toMatch(/^hello world\nconfirmed\n/);
    expect(ci.stderr).toContain('Running on CI/CD provider, assuming you would have confirmed');
  }, 240_000);

  it('STATE in projectStateDir with globalState = false (persisted); asContent reads a /nix/store/… string', async () => {
    const one = await m(repo, ['.', '/state']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe(`${home}/.cache/m/state/demo/state 1\n`);
    const two = await m(repo, ['.', '/state']);
    expect(two.stdout).toBe(`${home}/.cache/m/state/demo/state 2\n`);
    // Without a project state directory of its own, globalState = false is an error that says so.
    fs.mkdirSync(path.join(plain, 'makes/nostate'));
    fs.writeFileSync(path.join(plain, 'makes/nostate/main.nix'), `{ makeScript, ... }: makeScript { name = "nostate"; globalState = false; entrypoint = "true"; }`);
    const content = await m(plain, ['.', '/content']);
    expect(content.code, content.stderr).toBe(0);
    expect(fs.readFileSync(physical(content.stdout), 'utf8')).toBe(`read from the file: plain text\n${plainFiles['makes/content/build.sh']}`);
    const nostate = await m(plain, ['.', '/nostate']);
    expect(nostate.code).toBe(1);
    expect(nostate.stderr).toContain("makeScript 'nostate': globalState = false needs a projectStateDir other than globalStateDir");
  }, 240_000);

  it("the repository's makes/prompt example: answers on stdin, its own line alone on stdout, runs counted in STATE", async () => {
    const first = await m(REPO_ROOT, ['.', '/prompt'], { stdin: 'ann\nCONFIRM\n' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('released by ann (run 1)\n');
    expect(first.stderr).toMatch(/\[INFO\] CA bundle: \/nix\/store\/[a-z0-9]{32}-cacert-[^/]+\/etc\/ssl\/certs\/ca-bundle\.crt \(\d+ bytes\)/);
    const ci = await m(REPO_ROOT, ['.', '/prompt'], { env: { CI: '1', USER: 'ci-bot' } });
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stdout).toBe('released by ci-bot (run 2)\n');
  }, 240_000);

  it("makes' documented makeScript and projectPath examples: STATE of the project (projectIdentifier), tracked files only", async () => {
    const [script, paths] = await Promise.all([m(repo, ['.', '/myScript']), m(repo, ['.', '/myProjectPath'])]);
    expect(script.code, script.stderr).toBe(0);
    expect(script.stdout).toBe('version 2.5\n.:\ndir\n\n./dir:\nfile\n');
    expect(script.stderr).toContain('[DEBUG] Version is 2.5');
    expect(script.stderr).toContain(`[INFO] Working in ${home}/.cache/m/state/demo/example`);
    expect(paths.code, paths.stderr).toBe(0);
    expect(paths.stdout).toBe('a.nix\nb.nix\n');
    expect(paths.stderr).toMatch(/\[INFO\] Path is: \/nix\/store\/[a-z0-9]{32}-nix\n/);
    expect(storeEntriesContaining(UNTRACKED_NIX)).toEqual([]);
  }, 240_000);

  it('a revision (local:PATH@REV) keeps its out-links in the store, named by PROJECT, and gc keeps them', async () => {
    const r = await m(repo, ['local:.@HEAD', '/myProjectPath']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('a.nix\nb.nix\n');
    const link = path.join(storeRoot, '.m/out/local-.-HEAD/out-myProjectPath');
    const target = fs.readlinkSync(link);
    const gc = await runCommand(M_BIN, ['store', 'gc'], { home, env: { M_STORE: storeRoot }, timeoutMs: 120_000 });
    expect(gc.code, gc.stderr).toBe(0);
    expect(fs.existsSync(path.join(target, 'bin/myProjectPath'))).toBe(true);
  }, 240_000);
});
