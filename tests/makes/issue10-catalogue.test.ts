/**
 * Issue 10's done-when: README.md's table of makes' catalogue is complete against makes 24.12's
 * real list (every argument of src/args/agnostic.nix and src/args/default.nix, every option of
 * src/evaluator/modules), no row reads "missing" or "partly" without its reason, and every name
 * a row calls available really is one: a project's makes.nix reports the arguments its modules
 * get and the options they declare, through the real CLI. Also makes' `config`/`configAsJson`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, REPO_ROOT, runCommand, type RunResult } from '../lib/run';

/** makes 24.12 (fluidattacks/makes, tag 24.12): src/args/agnostic.nix and src/args/default.nix. */
const MAKES_ARGS = `__nixpkgs__ __nixpkgsSrc__ __shellCommands__ __shellOptions__ __stateDirs__ __system__
  __toModuleOutputs__ asContent attrsGet attrsMapToList attrsMerge attrsOptional computeOnAwsBatch
  deployContainer deployContainerManifest deployTerraform fakeSha256 fetchArchive fetchNixpkgs
  fetchRubyGem fetchUrl formatBash formatNix formatTerraform formatYaml fromJson fromJsonFile fromYaml
  fromYamlFile gitlabCi hasPrefix hasSuffix isDarwin isLinux libGit lintGitMailMap lintNix
  lintTerraform lintWithAjv listFilesRecursive makeContainerImage makeDerivation makeDynamoDb
  makeEnvVars makeEnvVarsForTerraform makePythonEnvironment makePythonPoetryEnvironment
  makePythonPyprojectPackage makePythonVscodeSettings makeRubyGemsEnvironment makeRubyGemsInstall
  makeScript makeSearchPaths makeSecretForAwsFromEnv makeSecretForAwsFromGitlab
  makeSecretForEnvFromSops makeSecretForTerraformFromEnv makeSslCertificate makeTemplate
  makeTerraformEnvironment managePorts patchShebangs pythonOverrideUtils removePrefix
  stringCapitalize sublist testLicense testTerraform toBashArray toBashMap toDerivationName
  toFileJson toFileJsonFromFileYaml toFileLst toFileToml toFileYaml
  inputs outputs projectIdentifier projectSrc projectPath projectPathLsDirs projectPathsMatching
  projectSrcInStore`.split(/\s+/);

/** makes 24.12: the options of src/evaluator/modules (each module's, and default.nix's own). */
const MAKES_OPTIONS = `cache computeOnAwsBatch dev deployContainer deployContainerManifest deployTerraform
  dynamoDb envVars envVarsForTerraform formatBash formatMarkdown formatNix formatTerraform
  formatYaml inputs jobs lintBash lintGitMailMap lintNix lintTerraform lintWithAjv pipelines
  secretsForAwsFromEnv secretsForAwsFromGitlab secretsForEnvFromSops secretsForTerraformFromEnv
  testLicense testTerraform globalStateDir projectStateDir projectIdentifier extendingMakesDirs
  config configAsJson outputs`.split(/\s+/);

interface Row { names: string[]; kind: string; status: string; line: string }

function catalogueRows(): Row[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf("## makes' catalogue in m");
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((line) => {
      const [first, kind, ...rest] = line.slice(2, -2).split(' | ');
      const names = [...first!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!);
      return { names, kind: kind!.trim(), status: rest.join(' | ').trim(), line };
    });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-issue10-catalogue-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');

function m(args: string[]): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot }, timeoutMs: 240_000 });
}

beforeAll(() => {
  fs.mkdirSync(path.join(project, 'makes/cfg'), { recursive: true });
  fs.writeFileSync(
    path.join(project, 'makes.nix'),
    `{ options, makeDerivation, ... }@args: {
      jobs."/report" = makeDerivation {
        name = "report";
        env.envReport = builtins.toJSON { args = builtins.attrNames args; options = builtins.attrNames options; };
        builder = ''printf '%s' "$envReport" > $out'';
      };
    }`,
  );
  fs.writeFileSync(
    path.join(project, 'makes/cfg/main.nix'),
    '{ config, makeDerivation, ... }: makeDerivation { name = "cfg"; env.envCfg = config.configAsJson; builder = "cp $envCfg $out"; }',
  );
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('issue 10: README catalogue', () => {
  it("names every argument and module option of makes 24.12, each row with m's status", () => {
    const rows = catalogueRows();
    const named = new Set(rows.flatMap((r) => r.names));
    expect(MAKES_ARGS.filter((n) => !named.has(n))).toEqual([]);
    expect(MAKES_OPTIONS.filter((n) => !named.has(n))).toEqual([]);
    for (const r of rows) expect(r.status, r.line).toMatch(/^(yes|partly|missing|in progress)\b/);
  });

  it("no row calls available what is still a placeholder in m's framework (nix/default.nix)", () => {
    const nixDir = path.join(REPO_ROOT, 'packages/makes/nix');
    const framework = fs.readFileSync(path.join(nixDir, 'default.nix'), 'utf8');
    const kebab = (n: string): string => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const placeholders = [...framework.matchAll(/^\s*(\w+) = (?:notYetAvailable|throw) /gm)]
      .map((x) => x[1]!)
      .filter((n) => !fs.existsSync(path.join(nixDir, 'args', `${kebab(n)}.nix`)) && !fs.existsSync(path.join(nixDir, 'args', kebab(n))));
    expect(placeholders.length).toBeGreaterThan(0);
    for (const row of catalogueRows()) {
      if (!/^(yes|partly)\b/.test(row.status)) continue;
      expect(row.names.filter((n) => placeholders.includes(n)), row.line).toEqual([]);
    }
  });

  it('no row reads missing or partly without a reason', () => {
    for (const r of catalogueRows()) {
      const m = /^(missing|partly)\b(.*)$/.exec(r.status);
      if (!m) continue;
      const reason = m[2]!.replace(/^[\s:(]+/, '');
      expect(reason.length, r.line).toBeGreaterThan(15);
    }
  });
});

describe.skipIf(!mIsBuilt())('issue 10: the catalogue as m runs it', () => {
  it("every argument and option a row calls available is one in m's makes.nix", async () => {
    const r = await m(['.', '/report']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim();
    const report = JSON.parse(fs.readFileSync(path.join(storeRoot, out.slice('/nix/store/'.length)), 'utf8')) as { args: string[]; options: string[] };
    const have = new Set([...report.args, ...report.options]);
    const absent: string[] = [];
    for (const row of catalogueRows()) {
      if (!/^(yes|partly)\b/.test(row.status)) continue;
      for (const n of row.names) if ((MAKES_ARGS.includes(n) || MAKES_OPTIONS.includes(n)) && !have.has(n)) absent.push(n);
    }
    expect(absent).toEqual([]);
    for (const n of MAKES_OPTIONS) {
      const row = catalogueRows().find((x) => x.names.includes(n))!;
      if (/^(yes|partly)\b/.test(row.status)) expect(report.options, n).toContain(n);
    }
  }, 300_000);

  it("configAsJson: makes' config.json, the project's outputs", async () => {
    const r = await m(['.', '/cfg']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim();
    const config = JSON.parse(fs.readFileSync(path.join(storeRoot, out.slice('/nix/store/'.length)), 'utf8'));
    expect(config).toEqual({ outputs: ['/cfg', '/report', '/secretsForAwsFromEnv/__default__'] });
  }, 300_000);
});
