/**
 * Issue 10, catalogue gaps closed: makes' `pipelines` module (/pipeline/<name> runs its jobs in
 * order and stops at the first failure; /pipelineOnGitlab/<name> writes GitLab CI YAML and fails
 * while the file was not up to date) and `makePythonVscodeSettings` (merges the environment's
 * settings into .vscode/settings.json). A temp git project with a private store, real CLI.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const files: Record<string, string> = {
  'makes.nix': `{ ... }: {
    pipelines.ok = {
      gitlabPath = "/.gitlab-ci.yml";
      jobs = [
        { output = "/hello"; args = [ "a b" "c" ]; gitlabExtra.stage = "test"; }
        { output = "/built"; }
        { output = "/hello"; }
      ];
    };
    pipelines.bad.jobs = [ { output = "/hello"; args = [ "first" ]; } { output = "/fail"; } { output = "/hello"; args = [ "never" ]; } ];
  }`,
  'makes/hello/main.nix': `{ makeScript, ... }: makeScript {
    name = "hello";
    entrypoint = ''echo "hello $# $*"'';
  }`,
  'makes/fail/main.nix': `{ makeScript, ... }: makeScript { name = "fail"; entrypoint = "echo failing; exit 4"; }`,
  'makes/built/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "built"; builder = "echo built > $out"; }`,
  'makes/vscode/main.nix': `{ makeDerivation, makePythonVscodeSettings, inputs, ... }:
  let
    env = makeDerivation {
      name = "python-env";
      builder = ''
        mkdir -p $out/lib/python3.11/site-packages/demo
        echo 'X = 1' > $out/lib/python3.11/site-packages/demo/__init__.py
      '';
    };
  in
  makePythonVscodeSettings { name = "vscode"; inherit env; bins = [ inputs.nixpkgs.grep ]; }`,
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-issue10-pipelines-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');

function m(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 240_000 });
}

beforeAll(() => {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  fs.mkdirSync(path.join(project, '.vscode'));
  fs.writeFileSync(path.join(project, '.vscode/settings.json'), '{ "editor.tabSize": 3, "python.linting.enabled": false }\n');
  execFileSync('git', ['init', '-q', '.'], { cwd: project });
  execFileSync('git', ['add', '-A'], { cwd: project });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('issue 10: pipelines and makePythonVscodeSettings', () => {
  it('m . lists the pipeline outputs the project enabled', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual([
      '/built', '/fail', '/hello', '/pipeline/bad', '/pipeline/ok', '/pipelineOnGitlab/ok',
      '/secretsForAwsFromEnv/__default__', '/vscode', // makes' module always adds __default__
    ]);
  }, 300_000);

  it('/pipeline/ok runs each job in order with its arguments', async () => {
    const r = await m(['.', '/pipeline/ok']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello 2 a b c\nhello 0 \n');
    const jobs = r.stderr.split('\n').filter((l) => l.includes('Running job:'));
    expect(jobs).toEqual(['[INFO] Running job: /hello__a b__c', '[INFO] Running job: /built', '[INFO] Running job: /hello']);
  }, 360_000);

  it('/pipeline/bad stops at the failing job, exit 1, naming it', async () => {
    const r = await m(['.', '/pipeline/bad']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('hello 1 first\nfailing\n');
    expect(r.stderr).toContain('[CRITICAL] Job failed: /fail');
  }, 360_000);

  it('/pipelineOnGitlab/ok writes the GitLab CI YAML, failing until the file is up to date', async () => {
    const first = await m(['.', '/pipelineOnGitlab/ok']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('[ERROR] ./.gitlab-ci.yml was not up to date');
    expect(first.stdout).toContain('+/hello__a b__c:');
    const yaml = fs.readFileSync(path.join(project, '.gitlab-ci.yml'), 'utf8');
    const parsed = JSON.parse(execFileSync('gojq', ['--yaml-input', '.'], { input: yaml, encoding: 'utf8' }));
    const common = { image: 'ghcr.io/fluidattacks/makes:24.12', interruptible: true, needs: [], variables: { GIT_DEPTH: 3, MAKES_GIT_DEPTH: 3 } };
    expect(parsed).toEqual({
      '/hello__a b__c': { ...common, script: ["m . /hello 'a b' 'c'"], stage: 'test' },
      '/built': { ...common, script: ['m . /built'] },
      '/hello': { ...common, script: ['m . /hello'] },
    });
    const again = await m(['.', '/pipelineOnGitlab/ok']);
    expect(again.code, again.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, '.gitlab-ci.yml'), 'utf8')).toBe(yaml);
  }, 360_000);

  it('makePythonVscodeSettings merges the environment into .vscode/settings.json', async () => {
    const r = await m(['.', '/vscode']);
    expect(r.code, r.stderr).toBe(0);
    const settings = JSON.parse(fs.readFileSync(path.join(project, '.vscode/settings.json'), 'utf8'));
    expect(settings['editor.tabSize']).toBe(3); // the user's own key is kept
    expect(settings['python.linting.enabled']).toBe(true);
    expect(settings['python.testing.pytestEnabled']).toBe(true);
    expect(settings['python.defaultInterpreterPath']).toMatch(/^\/nix\/store\/[a-z0-9]{32}-python3[^/]*\/bin\/python3$/);
    expect(settings['python.analysis.extraPaths']).toHaveLength(1);
    const site: string = settings['python.analysis.extraPaths'][0];
    expect(site).toMatch(/^\/nix\/store\/[a-z0-9]{32}-python-env\/lib\/python3\.11\/site-packages$/);
    expect(fs.readFileSync(path.join(storeRoot, site.slice('/nix/store/'.length), 'demo/__init__.py'), 'utf8')).toBe('X = 1\n');
    const interpreter: string = settings['python.defaultInterpreterPath'];
    expect(fs.existsSync(path.join(storeRoot, interpreter.slice('/nix/store/'.length)))).toBe(true);
  }, 360_000);
});
