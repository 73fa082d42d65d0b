/**
 * Issue 10, 'm . lists the builtin outputs the project enabled' and item 4's data helpers: fromYaml against
 * gojq on a corpus, toFileYaml/Toml/JsonFromFileYaml, makeSslCertificate, attrs*, sublist, …, project
 * paths, projectSrcInStore; patchShebangs.
 * The project is tests/makes/issue10-fixture.ts's.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { useCatalogueProject } from './issue10-fixture';

const proj = useCatalogueProject('m-issue10-data-');
const { m, project, outPath } = proj;

describe.skipIf(!mIsBuilt())('issue 10: data helpers, patchShebangs and the outputs list', () => {
  it('m . lists the outputs the enabled modules add', async () => {
    const r = await m(['.']);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
    expect(listed).toEqual([
      '/data', '/envVars/myEnv', '/formatBash', '/formatMarkdown', '/formatYaml', '/gpg', '/lintBash', '/lintGitMailMap',
      '/lintNix', '/lintWithAjv/config', '/patched', '/secrets', '/secretsForAwsFromEnv/__default__',
      '/secretsForAwsFromEnv/myAws', '/secretsForEnvFromSops/gpgSops', '/secretsForEnvFromSops/mySops', '/secretsForTerraformFromEnv/myTf', '/testLicense',
    ]);
  }, 300_000);

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
  }, 360_000);

  it('patchShebangs points #!/usr/bin/env lines at the store', async () => {
    const r = await m(['.', '/patched']);
    expect(r.code, r.stderr).toBe(0);
    const first = fs.readFileSync(path.join(outPath(r), 'bin/hi'), 'utf8').split('\n')[0];
    expect(first).toMatch(/^#! \/nix\/store\/[a-z0-9]{32}-bash-[^/]+\/bin\/bash$/);
  }, 300_000);
});
