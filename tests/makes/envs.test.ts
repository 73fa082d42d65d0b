/**
 * Language environments and nixpkgs names, end to end with the real CLI on one project (a temp
 * git repository with a private store): nixpkgs names of host packages (python3 with bin/python3,
 * gnugrep, gnutar, cacert, hello, nodejs), makePythonEnvironment from pyproject.toml + poetry.lock (Debian python3-six/-toml and a wheel
 * already in the store by hash), makeNodeJsEnvironment / makeNodeJsModules from a package-lock.json
 * whose tarballs come from an HTTP mirror this test serves on 127.0.0.1. (lib and formatNix:
 * envs-lib.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-envs-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const mirror = path.join(work, 'mirror');
const wheelFile = path.join(work, 'tinylib-1.0.0-py3-none-any.whl');
let server: http.Server | undefined;
const served: string[] = [];

function m(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 240_000 });
}

function write(rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  fs.writeFileSync(path.join(project, rel), text);
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
const sri512 = (b: Buffer): string => `sha512-${crypto.createHash('sha512').update(b).digest('base64')}`;

/** A wheel built by hand (zip with .dist-info, RECORD and a console script), like pip's. */
function makeWheel(): Buffer {
  const script = `
import base64, hashlib, sys, zipfile
files = {
  "tinylib/__init__.py": "def greet(who):\\n    return 'tiny hello, ' + who\\n",
  "tinylib/cli.py": "from tinylib import greet\\ndef main():\\n    print(greet('cli'))\\n",
  "tinylib-1.0.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: tinylib\\nVersion: 1.0.0\\n",
  "tinylib-1.0.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: hand\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
  "tinylib-1.0.0.dist-info/entry_points.txt": "[console_scripts]\\ntinyhello = tinylib.cli:main\\n",
}
record = [p + ",sha256=" + base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode() + "," + str(len(c)) for p, c in files.items()]
files["tinylib-1.0.0.dist-info/RECORD"] = "\\n".join(record + ["tinylib-1.0.0.dist-info/RECORD,,"]) + "\\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for p, c in files.items():
        z.writestr(zipfile.ZipInfo(p, date_time=(2020, 1, 1, 0, 0, 0)), c)
`;
  execFileSync('python3', ['-c', script, wheelFile]);
  return fs.readFileSync(wheelFile);
}

/** An npm tarball (package/ at the top, as npm pack writes it). */
function npmTarball(name: string, files: Record<string, string>): Buffer {
  const dir = path.join(work, 'pack', name, 'package');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const out = path.join(mirror, `${name}.tgz`);
  execFileSync('tar', ['-czf', out, '--owner=0', '--group=0', '-C', path.dirname(dir), 'package']);
  return fs.readFileSync(out);
}

beforeAll(async () => {
  if (!mIsBuilt()) return;
  fs.mkdirSync(mirror, { recursive: true });
  const wheel = makeWheel();
  const dep = npmTarball('tiny-dep-1.0.0', {
    'package.json': '{ "name": "tiny-dep", "version": "1.0.0", "main": "index.js" }\n',
    'index.js': "module.exports = (who) => 'tiny greeting, ' + who;\n",
  });
  const greet = npmTarball('tiny-greet-2.0.0', {
    'package.json': '{ "name": "tiny-greet", "version": "2.0.0", "main": "index.js", "bin": { "tiny-greet": "bin/cli.js" }, "dependencies": { "tiny-dep": "1.0.0" } }\n',
    'index.js': "module.exports = require('tiny-dep');\n",
    'bin/cli.js': '#!/usr/bin/env node\nconsole.log(require("..")("cli"));\n',
  });
  const liar = npmTarball('tiny-liar-1.0.0', { 'package.json': '{ "name": "tiny-liar", "version": "1.0.0" }\n' });

  server = http.createServer((req, res) => {
    served.push(req.url ?? '');
    const file = path.join(mirror, path.basename(req.url ?? ''));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // nixpkgs names, in a script (host) and in a build (sandbox).
  write('makes/names/main.nix', `{ makeScript, inputs, outputs, ... }: makeScript {
    name = "names";
    searchPaths.bin = with inputs.nixpkgs; [ python3 gnugrep gnutar hello nodejs ];
    entrypoint = ''
      test -x \${inputs.nixpkgs.python3}/bin/python3 && echo "bin/python3 ok"
      python3 -c 'import sys, json, sqlite3, ssl; print("prefix", sys.prefix)'
      grep --version | head -n 1
      tar --version | head -n 1
      hello
      node -e 'console.log("node", process.versions.node)'
      echo "certs $(grep -c 'BEGIN CERTIFICATE' \${inputs.nixpkgs.cacert}/etc/ssl/certs/ca-bundle.crt)"
      echo "built with $(cat \${outputs."/pybuild"})"
    '';
  }\n`);
  write('makes/pybuild/main.nix', `{ makeDerivation, __nixpkgs__, ... }: makeDerivation {
    name = "pybuild";
    searchPaths.bin = [ __nixpkgs__.python3 ];
    builder = ''python3 -c 'import json, sys; print(json.dumps({"v": sys.version_info[:2]}))' > $out'';
  }\n`);
  // Python: Debian's python3-six and python3-toml at the locked versions, a wheel by hash.
  const pyproject = '[tool.poetry]\nname = "demo"\nversion = "0.1.0"\ndescription = ""\nauthors = []\n\n[tool.poetry.dependencies]\npython = "^3.11"\nsix = "1.16.0"\ntoml = "0.10.2"\ntinylib = "1.0.0"\n';
  const pkg = (name: string, version: string, files: string) =>
    `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = ""\noptional = false\npython-versions = ">=3.8"\nfiles = [${files}]\n\n`;
  write('py/pyproject.toml', pyproject);
  write('py/poetry.lock',
    pkg('six', '1.16.0', '\n    {file = "six-1.16.0.tar.gz", hash = "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"},\n') +
    pkg('toml', '0.10.2', '') +
    pkg('tinylib', '1.0.0', `\n    {file = "tinylib-1.0.0-py3-none-any.whl", hash = "sha256:${sha256(wheel)}"},\n`) +
    '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "0"\n');
  write('py-missing/pyproject.toml', pyproject);
  write('py-missing/poetry.lock', pkg('six', '0.0.1', ''));
  // Puts the wheel into the store at the path a fetchurl of it by name and sha256 has.
  write('makes/seed/main.nix', `{ ... }: builtins.fetchurl { url = "file://${wheelFile}"; sha256 = "${sha256(wheel)}"; }\n`);
  const pyScript = (name: string, dir: string, version: string) => `{ makePythonEnvironment, makeScript, projectPath, ... }: makeScript {
    name = "${name}";
    searchPaths.source = [ (makePythonEnvironment { pythonProjectDir = projectPath "${dir}"; pythonVersion = "${version}"; }) ];
    entrypoint = ''
      python3 -c 'import six, toml, tinylib; print(six.__version__, toml.dumps({"a": 1}).strip(), tinylib.greet("env"))'
      readlink -f "$(python3 -c 'import six; print(six.__file__)')"
      tinyhello
    '';
  }\n`;
  write('makes/pyenv/main.nix', pyScript('pyenv', '/py', '3.11'));
  write('makes/py39/main.nix', pyScript('py39', '/py', '3.9'));
  write('makes/pymissing/main.nix', pyScript('pymissing', '/py-missing', '3.11'));

  // Node.js: lockfile v3 with tarballs on the local mirror, one for another OS (left out).
  const lockEntry = (name: string, version: string, tgz: Buffer, extra = '') =>
    `"node_modules/${name}": { "version": "${version}", "resolved": "${base}/${name}-${version}.tgz", "integrity": "${sri512(tgz)}"${extra} }`;
  write('node/package.json', '{ "name": "demo", "version": "1.0.0", "dependencies": { "tiny-greet": "2.0.0" } }\n');
  write('node/package-lock.json', `{ "name": "demo", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
    "": { "name": "demo", "version": "1.0.0", "dependencies": { "tiny-greet": "2.0.0" } },
    ${lockEntry('tiny-dep', '1.0.0', dep)},
    ${lockEntry('tiny-greet', '2.0.0', greet, ', "bin": { "tiny-greet": "bin/cli.js" }')},
    "node_modules/fsevents": { "version": "2.3.3", "resolved": "${base}/fsevents-2.3.3.tgz", "integrity": "sha512-AAAA", "os": [ "darwin" ], "optional": true }
  } }\n`);
  // The lock promises other bytes than the mirror serves.
  write('node-liar/package.json', '{ "name": "liar", "version": "1.0.0" }\n');
  write('node-liar/package-lock.json', `{ "lockfileVersion": 1, "dependencies": {
    "tiny-liar": { "version": "1.0.0", "resolved": "${base}/tiny-liar-1.0.0.tgz", "integrity": "${sri512(Buffer.concat([liar, Buffer.from('x')]))}" } } }\n`);
  write('makes/nodeenv/main.nix', `{ makeNodeJsEnvironment, makeScript, projectPath, ... }: makeScript {
    name = "nodeenv";
    searchPaths.source = [ (makeNodeJsEnvironment {
      name = "demo"; nodeJsVersion = "20";
      packageJson = projectPath "/node/package.json"; packageLockJson = projectPath "/node/package-lock.json"; }) ];
    entrypoint = ''
      node -e 'console.log(require("tiny-greet")("script"))'
      tiny-greet
    '';
  }\n`);
  write('makes/nodemods/main.nix', `{ makeNodeJsModules, makeDerivation, projectPath, ... }: makeDerivation {
    name = "nodemods";
    env.envMods = makeNodeJsModules {
      name = "demo"; nodeJsVersion = "20";
      packageJson = projectPath "/node/package.json"; packageLockJson = projectPath "/node/package-lock.json"; };
    builder = ''cd $envMods/lib/node_modules && ls -A > $out && readlink .bin/tiny-greet >> $out && ls $envMods/bin >> $out'';
  }\n`);
  write('makes/nodeliar/main.nix', `{ makeNodeJsModules, projectPath, ... }: makeNodeJsModules {
    name = "liar"; nodeJsVersion = "20";
    packageJson = projectPath "/node-liar/package.json"; packageLockJson = projectPath "/node-liar/package-lock.json"; }\n`);
  write('makes/nodeold/main.nix', `{ makeNodeJsModules, projectPath, ... }: makeNodeJsModules {
    name = "old"; nodeJsVersion = "16";
    packageJson = projectPath "/node/package.json"; packageLockJson = projectPath "/node/package-lock.json"; }\n`);

  execFileSync('git', ['init', '-q', '.'], { cwd: project });
  execFileSync('git', ['add', '-A'], { cwd: project });
});

afterAll(() => {
  server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('makes: language environments and nixpkgs names', () => {
  it('m . lists the outputs', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual([
      '/names', '/nodeenv', '/nodeliar', '/nodemods', '/nodeold', '/py39', '/pybuild', '/pyenv', '/pymissing', '/seed',
    ]);
  }, 120_000);

  it('nixpkgs names: python3 has bin/python3 and its standard library, gnugrep, gnutar, hello, nodejs, cacert', async () => {
    const r = await m(['.', '/names']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bin/python3 ok');
    expect(r.stdout).toMatch(/prefix \/nix\/store\/[a-z0-9]{32}-python3-3\.11/);
    expect(r.stdout).toContain('grep (GNU grep)');
    expect(r.stdout).toContain('tar (GNU tar)');
    expect(r.stdout).toContain('Hello, world!');
    expect(r.stdout).toMatch(/node \d+\./);
    expect(Number(/certs (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThan(50);
    expect(r.stdout).toContain('built with {"v": [3, 11]}');
  }, 180_000);

  it('makePythonEnvironment: Debian python3-* packages and a wheel already in the store, no network', async () => {
    const seed = await m(['.', '/seed']);
    expect(seed.code, seed.stderr).toBe(0);
    const r = await m(['.', '/pyenv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1.16.0 a = 1 tiny hello, env');
    expect(r.stdout).toMatch(/\/nix\/store\/[a-z0-9]{32}-python3-six-1\.16\.0\/lib\/python3\/dist-packages\/six\.py/);
    expect(r.stdout).toContain('tiny hello, cli');

    const [v, missing] = await Promise.all([m(['.', '/py39']), m(['.', '/pymissing'])]);
    expect(v.code).not.toBe(0);
    expect(v.stderr).toContain("pythonVersion '3.9'");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('six 0.0.1: no wheel');
  }, 180_000);

  it('makeNodeJsEnvironment / makeNodeJsModules: tarballs from the 127.0.0.1 mirror checked by integrity', async () => {
    const r = await m(['.', '/nodeenv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('tiny greeting, script');
    expect(r.stdout).toContain('tiny greeting, cli');
    expect(served.filter((u) => u.endsWith('.tgz')).sort()).toEqual(['/tiny-dep-1.0.0.tgz', '/tiny-greet-2.0.0.tgz']);

    const mods = await m(['.', '/nodemods']);
    expect(mods.code, mods.stderr).toBe(0);
    const out = mods.stdout.split('\n').find((l) => l.startsWith('/nix/store/'))!;
    expect(fs.readFileSync(path.join(storeRoot, out.slice('/nix/store/'.length)), 'utf8').split('\n')).toEqual([
      '.bin', 'tiny-dep', 'tiny-greet', '../tiny-greet/bin/cli.js', 'tiny-greet', '',
    ]);
    // The same tarballs again: already in the store, nothing downloaded.
    expect(served.filter((u) => u.endsWith('.tgz'))).toHaveLength(2);

    const [liar, old] = await Promise.all([m(['.', '/nodeliar']), m(['.', '/nodeold'])]);
    expect(liar.code).not.toBe(0);
    expect(liar.stderr).toMatch(/hash mismatch/i);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain("nodeJsVersion '16'");
  }, 180_000);
});
