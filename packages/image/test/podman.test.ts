/** The seed's transcript, run for real: podman load + run (vfs storage, runc, no network). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { buildImage } from '@m/image';
import { makeSeedStore, shAsync, tempDir } from './fixtures';

const PODMAN = 'podman --storage-driver=vfs --cgroup-manager=cgroupfs --runtime=runc';
const RUN = `${PODMAN} run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024`;

describe('podman runs the image', () => {
  let dir: string;
  let imageId: string;

  beforeAll(async () => {
    const store = makeSeedStore();
    dir = tempDir('m-image-podman-');
    const out = join(dir, 'container-image.tar.gz');
    const r = await buildImage({
      roots: [store.busybox, store.custom],
      graph: store.graph,
      physicalStore: store.physicalStore,
      config: { Env: ['EXAMPLE_ENV_VAR=example-value'], WorkingDir: '/working-dir' },
      out,
    });
    imageId = r.config.digest.slice(7);
    await shAsync(`${PODMAN} rmi -f container-image:latest >/dev/null 2>&1 || true`);
    const loaded = await shAsync(`gunzip -c '${out}' > '${dir}/image.tar' && ${PODMAN} load -q -i '${dir}/image.tar'`);
    expect(loaded).toMatch(/container-image:latest/);
  });

  afterAll(async () => {
    await shAsync(`${PODMAN} rmi -f ${imageId} >/dev/null 2>&1 || true`);
  });

  const run = (cmd: string): Promise<string> => shAsync(`${RUN} container-image:latest ${cmd}`);

  test('pwd is the WorkingDir', async () => expect(await run('pwd')).toBe('/working-dir\n'));
  test('ls . and cat my-file', async () => {
    expect(await run('ls .')).toBe('my-file\n');
    expect(await run('cat my-file')).toBe('my-file-contents\n');
  });
  test('ls / shows the merged root', async () => {
    const entries = (await run('ls /')).trim().split('\n');
    expect(entries).toEqual(expect.arrayContaining(['bin', 'libexec', 'nix', 'working-dir', 'dev', 'proc', 'sys']));
  });
  test('env has the configured variable', async () => expect(await run('env')).toMatch(/^EXAMPLE_ENV_VAR=example-value$/m));
  test('the loaded image id is the config digest', async () => {
    const id = (await shAsync(`${PODMAN} inspect --format '{{.Id}}' container-image:latest`)).trim();
    expect(id).toBe(imageId);
  });
});
