/**
 * The project of issue 10's catalogue tests (issue10-data, -secrets, -lint, -format): a temp git
 * repository with a private store enabling makes' builtin formatter, linter, secret and
 * environment modules in makes.nix and using the data helpers in main.nix files, run with the real
 * CLI. Tools are Debian packages imported into the store (shfmt, shellcheck, gojq, openssl, age,
 * reuse, git, nodejs with node-yaml, node-ajv and markdown-it, nix-bin, gpg). Each test file gets
 * its own copy (the formatters and linters rewrite files), so the files run side by side.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { M_BIN, mIsBuilt, runCommand, type RunResult } from '../lib/run';

export const files: Record<string, string> = {
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

/** Secret values the secrets test sets; none may ever be found in the store. */
export const SECRETS = { aws: 'aws-SECRET-7f3a91', tf: 'tf-DB-5c2e8d', sops: 's3cr3t-sops-b71c04', token: 'tok-9e44d2', gpg: 'gpg-SECRET-d0a7c3' };


/** Every file under dir whose bytes contain one of the needles (symlinks not followed). */
export function filesContaining(dir: string, needles: string[]): string[] {
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

/**
 * Registers beforeAll/afterAll creating the project (with an age key and a private gpg keyring
 * encrypting the secrets manifests when `keys`) and removing it; returns the paths and `m`.
 */
export function useCatalogueProject(prefix: string, opts: { keys?: boolean } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const project = path.join(work, 'project');
  const storeRoot = path.join(work, 'store');
  const gnupgHome = path.join(work, 'gnupg');
  const state = { ageKey: '' };

  function m(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
    return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 330_000 });
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

  beforeAll(() => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), text);
    }
    if (!mIsBuilt()) return;
    if (opts.keys) {
      const keyFile = path.join(work, 'age-key.txt');
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
      state.ageKey = fs.readFileSync(keyFile, 'utf8');
      const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
      const manifest = `db:\n  password: ${SECRETS.sops}\ntoken: ${SECRETS.token}\n`;
      fs.writeFileSync(path.join(project, 'data/secrets.yaml.age'), execFileSync('age', ['-r', recipient], { input: manifest }));
      // An OpenPGP key without passphrase in a private keyring, for the gpg-encrypted manifest.
      fs.mkdirSync(gnupgHome, { mode: 0o700 });
      const gpgEnv = { ...process.env, GNUPGHOME: gnupgHome };
      execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Test <test@example.com>', 'default', 'default', 'never'], { env: gpgEnv, stdio: 'ignore' });
      const gpgManifest = `db:\n  password: ${SECRETS.gpg}\n`;
      fs.writeFileSync(path.join(project, 'data/secrets.yaml.gpg'), execFileSync('gpg', ['--batch', '-r', 'test@example.com', '--encrypt'], { env: gpgEnv, input: gpgManifest, stdio: ['pipe', 'pipe', 'ignore'] }));
    } else {
      // The manifests' names only (makes.nix refers to them); no test here decrypts them.
      fs.writeFileSync(path.join(project, 'data/secrets.yaml.age'), 'not used\n');
      fs.writeFileSync(path.join(project, 'data/secrets.yaml.gpg'), 'not used\n');
    }
    git('init', '-q', '.');
    git('add', '-A');
    git('-c', 'user.name=Ann Example', '-c', 'user.email=ann@example.com', 'commit', '-q', '-m', 'one');
    git('-c', 'user.name=bob', '-c', 'user.email=bob@example.com', 'commit', '-q', '--allow-empty', '-m', 'two');
  });

  afterAll(() => {
    if (fs.existsSync(gnupgHome)) execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome }, stdio: 'ignore' });
    fs.rmSync(work, { recursive: true, force: true });
  });

  return { work, project, storeRoot, gnupgHome, m, outPath, get ageKey() { return state.ageKey; } };
}
