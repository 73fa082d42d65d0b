import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePhysicalStore, resolveSearchPath } from '../src/environment';

describe('resolveSearchPath', () => {
  it('puts -I entries before NIX_PATH', () => {
    expect(resolveSearchPath(['a=/x', '/y'], { NIX_PATH: 'b=/z:/w' })).toEqual([
      { prefix: 'a', path: '/x' },
      { prefix: '', path: '/y' },
      { prefix: 'b', path: '/z' },
      { prefix: '', path: '/w' },
    ]);
  });

  it('an empty NIX_PATH gives no entries; an unset one only existing defaults', () => {
    expect(resolveSearchPath([], { NIX_PATH: '' })).toEqual([]);
    const home = mkdtempSync(join(tmpdir(), 'm-home-'));
    expect(resolveSearchPath([], { HOME: home }).filter((e) => e.path.startsWith(home))).toEqual([]);
    mkdirSync(join(home, '.nix-defexpr/channels'), { recursive: true });
    expect(resolveSearchPath([], { HOME: home })[0]).toEqual({ prefix: '', path: join(home, '.nix-defexpr/channels') });
  });
});

describe('resolvePhysicalStore', () => {
  const base = mkdtempSync(join(tmpdir(), 'm-store-'));
  const project = join(base, 'proj');
  mkdirSync(join(project, 'makes'), { recursive: true });
  mkdirSync(join(project, 'sub/deeper'), { recursive: true });
  const lone = join(base, 'lone');
  mkdirSync(lone);

  it('--store wins, then M_STORE', () => {
    expect(resolvePhysicalStore('/s', { M_STORE: '/m' }, project)).toBe('/s');
    expect(resolvePhysicalStore(undefined, { M_STORE: '/m' }, project)).toBe('/m');
  });

  it('store/ beside the nearest makes/ or .git', () => {
    expect(resolvePhysicalStore(undefined, {}, join(project, 'sub/deeper'))).toBe(join(project, 'store'));
    mkdirSync(join(project, 'sub/.git'));
    expect(resolvePhysicalStore(undefined, {}, join(project, 'sub/deeper'))).toBe(join(project, 'sub/store'));
  });

  it('falls back to ~/.cache/m/store', () => {
    expect(resolvePhysicalStore(undefined, { HOME: '/home/u' }, lone)).toBe(
      // /tmp has no makes/ or .git above it on a normal machine
      '/home/u/.cache/m/store',
    );
  });
});
