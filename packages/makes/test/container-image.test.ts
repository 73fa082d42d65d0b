/** makeContainerImage: layers built in the sandbox, then the image written by @m/image. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildOutput, openMakesProject } from '../src/index';
import { freshStore, makeProject, rmrf } from './helpers';

const { root, store } = freshStore('image');
const dir = makeProject('image', {
  'makes/image/main.nix': `{ inputs, makeContainerImage, makeDerivation, ... }: makeContainerImage {
    config = { Env = [ "A=b" ]; WorkingDir = "/working-dir"; };
    maxLayers = 4;
    layers = [
      inputs.nixpkgs.coreutils
      (makeDerivation { name = "custom-layer"; builder = "mkdir -p $out/working-dir; echo my-file-contents > $out/working-dir/my-file"; })
    ];
  }`,
  'makes/bad/main.nix': `{ makeContainerImage, ... }: makeContainerImage { maxLayers = 1; }`,
});
afterAll(() => {
  store.close();
  rmrf(path.dirname(root));
  rmrf(dir);
});

it('builds an OCI + docker-save archive of the layers and their closure', async () => {
  const p = openMakesProject({ projectDir: dir, store });
  const r = p.evalOutput('/image');
  expect(r.outPath).toMatch(/-container-image\.tar\.gz$/);
  const messages: string[] = [];
  await buildOutput(r.drvPath!, { store, onImageEvent: (e) => messages.push(e.message) });
  expect(messages.at(-1)).toBe('Done.');
  expect(messages.some((m) => /^Creating layer \d+ with customisation\.\.\.$/.test(m))).toBe(true);
  const file = store.realPath(r.outPath);
  const names = execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).split('\n');
  expect(names).toContain('manifest.json');
  expect(names).toContain('index.json');
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', file, 'manifest.json'], { encoding: 'utf8' }));
  expect(manifest[0].RepoTags).toEqual(['container-image:latest']);
  expect(manifest[0].Layers.length).toBe(4);
  const config = JSON.parse(execFileSync('tar', ['xzOf', file, manifest[0].Config], { encoding: 'utf8' }));
  expect(config.config.WorkingDir).toBe('/working-dir');
  expect(config.config.Env).toContain('A=b');
  expect(store.queryPathInfo(r.outPath)!.deriver).toBe(r.drvPath);
  // Built once: a second call finds the output valid.
  const again: string[] = [];
  await buildOutput(r.drvPath!, { store, onImageEvent: (e) => again.push(e.message) });
  expect(again).toEqual([]);
}, 60_000);

it('rejects maxLayers below 2', () => {
  const p = openMakesProject({ projectDir: dir, store });
  expect(() => p.evalOutput('/bad')).toThrow(/maxLayers must be an integer from 2 to 125/);
});
