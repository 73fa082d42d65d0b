/**
 * makes' catalogue end to end: one project (a temp git repository with a private store) enabling
 * the builtin formatter, linter, secret and environment modules in makes.nix and using the data
 * helpers in main.nix files, run with the real CLI. Tools are Debian packages imported into the
 * store (shfmt, shellcheck, gojq, openssl, age, reuse, git, nodejs with node-yaml, node-ajv and
 * markdown-it, nix-bin, gpg). Secrets are checked never to reach the store.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const files: Record<string, string> = {
  'makes.nix': `{ ... }: {
    formatBash = { enable = true; targets = [ "/scripts" ]; };
    formatMarkdown = { enable = true; targets = [ "/README.md" ]; };
    formatYaml = { enable = true; targets = [ "/yaml/config.yaml" ]; };
    lintBash = { enable = true; targets = [ "/scripts" ]; };
    lintGitMailMap.enable = true;
    lintNix = { enable = true; targets = [ "/nix" ]; };
    lintWithAjv.config = { schema = "/data/schema.json"; targets = [ "/data/good.yaml" "/data/bad.json" ]; };
    testLicense.enable = true;
    secretsForAwsFromEnv.myAws = { accessKeyId = "MY_KEY_ID"; secretAccessKey = "MY_SECRET"; };
    secretsForEnvFromSops.mySops = { manifest = "/data/secrets.yaml.age"; vars = [ "db.password" "token" ]; };
    secretsForEnvFromSops.gpgSops = { manifest = "/data/secrets.yaml.gpg"; vars = [ "db.password" ]; };
    secretsForTerraformFromEnv.myTf = { dbPass = "DB_PASS"; };
    envVars.myEnv = { GREETING = "hello there"; };
  }`,
  'makes/data/main.nix': `{ fromYaml, fromYamlFile, toFileYaml, toFileToml, toFileJsonFromFileYaml, makeDerivation
  , attrsGet, attrsMerge, attrsMapToList, attrsOptional, isLinux, isDarwin, listFilesRecursive, sublist
  , stringCapitalize, fakeSha256, projectPath, projectPathLsDirs, projectPathsMatching, projectSrcInStore
  , makeSslCertificate, ... }:
  let
    corpus = projectPath "/yaml/corpus.yml";
    summary = {
      inline = fromYaml "a: [1, {b: x}]\\nc: |\\n  text\\n";
      get = [ (attrsGet { a = 1; } "a" 0) (attrsGet { } "a" 0) ];
      merged = attrsMerge [ { a.b = 1; c = 1; } { a.d = 2; c = 2; } ];
      listed = attrsMapToList (n: v: "\${n}=\${toString v}") { x = 1; y = 2; };
      optional = [ (attrsOptional true { a = 1; }) (attrsOptional false { a = 1; }) ];
      system = [ isLinux isDarwin ];
      files = map baseNameOf (listFilesRecursive ./.);
      sub = sublist [ 0 1 2 3 4 ] 1 3;
      cap = stringCapitalize "hello world";
      fake = fakeSha256;
      dirs = projectPathLsDirs "/";
      matching = projectPathsMatching { regex = ".*\\\\.sh"; targets = [ "/scripts" ]; };
    };
  in
  makeDerivation {
    name = "data";
    env = {
      envSummary = builtins.toJSON summary;
      envFromYaml = builtins.toJSON (fromYamlFile corpus);
      envGojq = toFileJsonFromFileYaml corpus;
      envYaml = toFileYaml "doc.yaml" { name = "demo"; list = [ 1 "two" ]; nested.ok = true; };
      envToml = toFileToml "doc.toml" { title = "x"; n = 1; f = 2.0; owner.name = "y"; servers = [ { ip = "10.0.0.1"; } ]; };
      envCert = makeSslCertificate { name = "test"; keyType = "rsa:2048"; options = [ [ "-subj" "/CN=localhost" ] ]; };
      envSrc = projectSrcInStore;
    };
    builder = ''
      mkdir $out
      printf '%s' "$envSummary" > $out/summary.json
      printf '%s' "$envFromYaml" > $out/from-yaml.json
      cp $envGojq $out/gojq.json
      cp $envYaml $out/doc.yaml
      cp $envToml $out/doc.toml
      cp $envCert/cert.crt $out/cert.crt
      ls $envSrc > $out/src.txt
    '';
  }`,
  'makes/patched/main.nix': `{ makeDerivation, patchShebangs, inputs, ... }: makeDerivation {
    name = "patched";
    searchPaths = { bin = [ inputs.nixpkgs.bash ]; source = [ patchShebangs ]; };
    builder = ''
      mkdir -p $out/bin
      printf '#!/usr/bin/env bash\\necho patched\\n' > $out/bin/hi
      chmod +x $out/bin/hi
      patch_shebangs $out/bin
    '';
  }`,
  'makes/secrets/main.nix': `{ makeScript, outputs, ... }: makeScript {
    name = "secrets";
    searchPaths.source = [
      outputs."/secretsForAwsFromEnv/myAws"
      outputs."/secretsForEnvFromSops/mySops"
      outputs."/secretsForTerraformFromEnv/myTf"
      outputs."/envVars/myEnv"
    ];
    entrypoint = ''
      echo "aws=$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY:$AWS_DEFAULT_REGION"
      echo "sops=$db__password:$token"
      echo "tf=$TF_VAR_dbPass"
      echo "env=$GREETING"
    '';
  }`,
  'makes/gpg/main.nix': `{ makeScript, outputs, ... }: makeScript {
    name = "gpg";
    searchPaths.source = [ outputs."/secretsForEnvFromSops/gpgSops" ];
    entrypoint = ''echo "gpg=$db__password"'';
  }`,
  'yaml/corpus.yml': `# YAML the pure-Nix fromYaml must read as gojq does
name: makes  # trailing comment
version: 1.5
count: 42
neg: -7
hex: 0x1F
oct: 0o17
exp: 1e3
flags: [true, False, no, on]
nothing: ~
empty:
url: http://example.com:8080/x#frag
"quoted key": 'it''s'
dq: "tab\\there \\u00e9 \\"q\\""
list:
- a
- b c
-   - nested
    - 2
items:
  - name: one
    value: 1
  - name: two
    tags: [x, "y z", 3, {k: v}]
map: {a: 1, b: [1, 2], c: {d: null}}
multi: [
  1, # comment
  2
]
literal: |
  line 1
    indented
  line 3

folded: >-
  one
  two

  three
keep: |+
  kept

plain: this is
  a continued
  plain scalar
sq: 'multi
  line'
deep:
  a:
    b:
      c: [ ]
  e: {}
`,
  'yaml/config.yaml': 'name:   demo\nlist:\n- 1\n- two   # kept\nnested: {a: true, b: null}\n',
  'scripts/ugly.sh': '#!/bin/bash\nif [ "$1" ]; then\necho  "$1"\nfi\n',
  'scripts/warn.sh': '#!/bin/bash\necho $1\n',
  'nix/good.nix': '{ a = 1; }\n',
  'nix/bad.nix': '{ a = ; }\n',
  'data/schema.json': '{ "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "port": { "type": "integer" } } }\n',
  'data/good.yaml': 'name: ok\nport: 80\n',
  'data/bad.json': '{"port": "eighty"}\n',
  'README.md': '# Project\n\nIntro.\n\n## Install it!\n\n```\n# not a heading\n```\n\n### With `m`\n\n## Install it!\n',
};

const SECRETS = { aws: 'aws-SECRET-7f3a91', tf: 'tf-DB-5c2e8d', sops: 's3cr3t-sops-b71c04', token: 'tok-9e44d2', gpg: 'gpg-SECRET-d0a7c3' };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-catalogue-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const gnupgHome = path.join(work, 'gnupg');
let ageKey = '';

function m(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 240_000 });
}

function git(...args: string[]): void {
  execFileSync('git', args, { cwd: project, stdio: 'ignore' });
}

/** The physical path of the store path `m . /output` printed first. */
function outPath(r: RunResult): string {
  const p = r.stdout.split('\n').find((l) => l.startsWith('/nix/store/'));
  expect(p, r.stderr).toBeDefined();
  return path.join(storeRoot, p!.slice('/nix/store/'.length));
}

/** Every file under dir whose bytes contain one of the needles (symlinks not followed). */
function filesContaining(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const b = fs.readFileSync(p);
        if (needles.some((n) => b.includes(n))) found.push(p);
      }
    }
  };
  walk(dir);
  return found;
}

beforeAll(() => {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  if (!mIsBuilt()) return;
  const keyFile = path.join(work, 'age-key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  ageKey = fs.readFileSync(keyFile, 'utf8');
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const manifest = `db:\n  password: ${SECRETS.sops}\ntoken: ${SECRETS.token}\n`;
  fs.writeFileSync(path.join(project, 'data/secrets.yaml.age'), execFileSync('age', ['-r', recipient], { input: manifest }));
  // An OpenPGP key without passphrase in a private keyring, for the gpg-encrypted manifest.
  fs.mkdirSync(gnupgHome, { mode: 0o700 });
  const gpgEnv = { ...process.env, GNUPGHOME: gnupgHome };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Test <test@example.com>', 'default', 'default', 'never'], { env: gpgEnv, stdio: 'ignore' });
  const gpgManifest = `db:\n  password: ${SECRETS.gpg}\n`;
  fs.writeFileSync(path.join(project, 'data/secrets.yaml.gpg'), execFileSync('gpg', ['--batch', '-r', 'test@example.com', '--encrypt'], { env: gpgEnv, input: gpgManifest, stdio: ['pipe', 'pipe', 'ignore'] }));
  git('init', '-q', '.');
  git('add', '-A');
  git('-c', 'user.name=Ann Example', '-c', 'user.email=ann@example.com', 'commit', '-q', '-m', 'one');
  git('-c', 'user.name=bob', '-c', 'user.email=bob@example.com', 'commit', '-q', '--allow-empty', '-m', 'two');
});

afterAll(() => {
  if (fs.existsSync(gnupgHome)) execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: 'ignore' });
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('makes catalogue', () => {
  it('m . lists the outputs the enabled modules add', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual([
      '/data', '/envVars/myEnv', '/formatBash', '/formatMarkdown', '/formatYaml', '/gpg', '/lintBash', '/lintGitMailMap',
      '/lintNix', '/lintWithAjv/config', '/patched', '/secrets', '/secretsForAwsFromEnv/__default__',
      '/secretsForAwsFromEnv/myAws', '/secretsForEnvFromSops/gpgSops', '/secretsForEnvFromSops/mySops', '/secretsForTerraformFromEnv/myTf', '/testLicense',
    ]);
  }, 120_000);

  it('data helpers: fromYaml reads YAML as gojq does, toFileYaml/Toml, certificates, project paths', async () => {
    const r = await m(['.', '/data']);
    expect(r.code, r.stderr).toBe(0);
    const out = outPath(r);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toEqual({
      inline: { a: [1, { b: 'x' }], c: 'text\n' },
      get: [1, 0],
      merged: { a: { b: 1, d: 2 }, c: 2 },
      listed: ['x=1', 'y=2'],
      optional: [{ a: 1 }, {}],
      system: [true, false],
      files: ['main.nix'],
      sub: [1, 2],
      cap: 'Hello world',
      fake: '0'.repeat(52),
      dirs: ['data', 'makes', 'nix', 'scripts', 'yaml'],
      matching: ['/scripts/ugly.sh', '/scripts/warn.sh'],
    });
    // The pure-Nix parser and Debian's gojq agree on the whole corpus.
    const fromNix = JSON.parse(fs.readFileSync(path.join(out, 'from-yaml.json'), 'utf8'));
    expect(fromNix).toEqual(JSON.parse(fs.readFileSync(path.join(out, 'gojq.json'), 'utf8')));
    expect(fromNix.flags).toEqual([true, false, 'no', 'on']);
    expect(fromNix.folded).toBe('one two\nthree');
    expect(fs.readFileSync(path.join(out, 'doc.yaml'), 'utf8')).toBe('list:\n  - 1\n  - two\nname: demo\nnested:\n  ok: true\n');
    expect(fs.readFileSync(path.join(out, 'doc.toml'), 'utf8')).toBe(
      'f = 2.0\nn = 1\ntitle = "x"\n\n[owner]\nname = "y"\n\n[[servers]]\nip = "10.0.0.1"\n',
    );
    const subject = execFileSync('openssl', ['x509', '-in', path.join(out, 'cert.crt'), '-noout', '-subject'], { encoding: 'utf8' });
    expect(subject.trim()).toBe('subject=CN = localhost');
    expect(fs.readFileSync(path.join(out, 'src.txt'), 'utf8')).toBe('README.md\ndata\nmakes\nmakes.nix\nnix\nscripts\nyaml\n');
  }, 180_000);

  it('patchShebangs points #!/usr/bin/env lines at the store', async () => {
    const r = await m(['.', '/patched']);
    expect(r.code, r.stderr).toBe(0);
    const first = fs.readFileSync(path.join(outPath(r), 'bin/hi'), 'utf8').split('\n')[0];
    expect(first).toMatch(/^#! \/nix\/store\/[a-z0-9]{32}-bash-[^/]+\/bin\/bash$/);
  }, 120_000);

  it('secrets and env vars are exported at run time and never reach the store', async () => {
    const env = { MY_KEY_ID: 'AKIA-ID', MY_SECRET: SECRETS.aws, DB_PASS: SECRETS.tf, SOPS_AGE_KEY: ageKey };
    const r = await m(['.', '/secrets'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`aws=AKIA-ID:${SECRETS.aws}:us-east-1\n`);
    expect(r.stdout).toContain(`sops=${SECRETS.sops}:${SECRETS.token}\n`);
    expect(r.stdout).toContain(`tf=${SECRETS.tf}\n`);
    expect(r.stdout).toContain('env=hello there\n');
    expect(r.stderr).toContain('[INFO] - AWS_SECRET_ACCESS_KEY from MY_SECRET');
    const gpg = await m(['.', '/gpg'], { GNUPGHOME: gnupgHome });
    expect(gpg.code, gpg.stderr).toBe(0);
    expect(gpg.stdout).toContain(`gpg=${SECRETS.gpg}\n`);
    expect(filesContaining(storeRoot, Object.values(SECRETS))).toEqual([]);

    const missing = await m(['.', '/secrets'], { ...env, MY_SECRET: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[CRITICAL] Env var is required but is empty or not present: MY_SECRET');
    const wrongKey = await m(['.', '/secrets'], { ...env, SOPS_AGE_KEY: execFileSync('age-keygen', { encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }) });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toMatch(/age: error: no identity matched any of the recipients/);
  }, 180_000);

  it('formatBash: in CI shows shfmt diff and fails, else formats in place', async () => {
    const ci = await m(['.', '/formatBash'], { CI: 'true' });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toContain('-echo  "$1"\n+  echo "$1"');
    const local = await m(['.', '/formatBash']);
    expect(local.code, local.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'scripts/ugly.sh'), 'utf8')).toBe('#!/bin/bash\nif [ "$1" ]; then\n  echo "$1"\nfi\n');
    expect((await m(['.', '/formatBash'], { CI: 'true' })).code).toBe(0);
  }, 120_000);

  it("lintBash: the build fails with shellcheck's findings", async () => {
    const r = await m(['.', '/lintBash']);
    expect(r.code).toBe(100); // a failed build, as Nix
    expect(r.stderr).toMatch(/warn\.sh line 2:/);
    expect(r.stderr).toContain('SC2086');
  }, 120_000);

  it("lintNix: Nix's parser reports the syntax error with its position", async () => {
    const r = await m(['.', '/lintNix']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: syntax error, unexpected ';'");
    expect(r.stderr).toContain(`${fs.realpathSync(project)}/nix/bad.nix:1:7:`);
    fs.writeFileSync(path.join(project, 'nix/bad.nix'), '{ a = 2; }\n');
    const fixed = await m(['.', '/lintNix']);
    expect(fixed.code, fixed.stderr).toBe(0);
  }, 120_000);

  it("lintWithAjv: Ajv's errors for the invalid file", async () => {
    const r = await m(['.', '/lintWithAjv/config']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/good\.yaml valid\n/);
    expect(r.stderr).toMatch(/bad\.json invalid\n/);
    expect(r.stderr).toContain("should have required property 'name'");
    expect(r.stderr).toContain('"dataPath": ".port"');
  }, 120_000);

  it('formatYaml and formatMarkdown rewrite the files, fail once, then pass', async () => {
    const y = await m(['.', '/formatYaml']);
    expect(y.code).toBe(1);
    expect(y.stderr).toContain('./yaml/config.yaml was not formatted; formatted it');
    expect(fs.readFileSync(path.join(project, 'yaml/config.yaml'), 'utf8')).toBe(
      'name: demo\nlist:\n  - 1\n  - two # kept\nnested: { a: true, b: null }\n',
    );
    expect((await m(['.', '/formatYaml'])).code).toBe(0);

    const md = await m(['.', '/formatMarkdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('+  - [Install it!](#install-it)\n+    - [With `m`](#with-m)\n+  - [Install it!](#install-it-1)');
    const again = await m(['.', '/formatMarkdown']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Table of contents is ok');
  }, 180_000);

  it('lintGitMailMap checks .mailmap against the history', async () => {
    const none = await m(['.', '/lintGitMailMap']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('.mailmap does not exist');
    fs.writeFileSync(path.join(project, '.mailmap'), 'Ann Example <ann@example.com> Ann Example <ann@example.com>\n');
    const unmapped = await m(['.', '/lintGitMailMap']);
    expect(unmapped.code).toBe(1);
    expect(unmapped.stderr).toContain('[ERROR]   Not in .mailmap: bob <bob@example.com>');
    fs.appendFileSync(path.join(project, '.mailmap'), 'Bob Builder <bob@example.com> bob <bob@example.com>\n');
    const ok = await m(['.', '/lintGitMailMap']);
    expect(ok.code, ok.stderr).toBe(0);
  }, 120_000);

  it("testLicense: reuse lint's report, failing until every file is licensed", async () => {
    const r = await m(['.', '/testLicense']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('* scripts/warn.sh');
    expect(r.stdout).toContain('not compliant with version 3.0 of the REUSE Specification');
    fs.mkdirSync(path.join(project, '.reuse'));
    fs.writeFileSync(
      path.join(project, '.reuse/dep5'),
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2026 Ann Example\nLicense: MIT\n',
    );
    fs.mkdirSync(path.join(project, 'LICENSES'));
    fs.writeFileSync(path.join(project, 'LICENSES/MIT.txt'), 'MIT License\n');
    const ok = await m(['.', '/testLicense']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  }, 120_000);
});
