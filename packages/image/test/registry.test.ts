/** Image references and auth challenges as the registry client reads them (registry.ts). */
import { describe, expect, it } from 'vitest';
import { MError } from '@m/core';
import { formatReference, parseChallenge, parseImageReference } from '../src/registry';

describe('parseImageReference', () => {
  it('reads host, port, repository, tag or digest, with or without docker://', () => {
    expect(parseImageReference('docker://127.0.0.1:5000/team/app:1.0')).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app', reference: '1.0' });
    expect(parseImageReference('ghcr.io/fluidattacks/makes:amd64')).toEqual({ registry: 'ghcr.io', repository: 'fluidattacks/makes', reference: 'amd64' });
    expect(parseImageReference('localhost/a')).toEqual({ registry: 'localhost', repository: 'a', reference: 'latest' });
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`registry.example:443/x/y@${d}`)).toEqual({ registry: 'registry.example:443', repository: 'x/y', reference: d });
    expect(formatReference(parseImageReference(`registry.example:443/x/y@${d}`))).toBe(`registry.example:443/x/y@${d}`);
  });

  it('follows docker for names without a registry host', () => {
    expect(parseImageReference('busybox')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/busybox', reference: 'latest' });
    expect(parseImageReference('docker.io/me/app:v2')).toEqual({ registry: 'registry-1.docker.io', repository: 'me/app', reference: 'v2' });
  });

  it('refuses what is not a reference, with the reason', () => {
    const why = (s: string): string => {
      try {
        parseImageReference(s);
      } catch (e) {
        expect(e).toBeInstanceOf(MError);
        return (e as MError).message;
      }
      return 'accepted';
    };
    expect(why('host.io/Team/app')).toMatch(/not a valid repository name/);
    expect(why('host.io/app:bad tag')).toMatch(/not a valid tag/);
    expect(why('host.io/app@sha256:12')).toMatch(/not a sha256 digest/);
    expect(why('oci:dir')).toMatch(/only the docker:\/\/ transport/);
    expect(why('docker-archive:/tmp/x.tar')).toMatch(/only the docker:\/\/ transport/);
    expect(why('https://host.io/app')).toMatch(/only the docker:\/\/ transport/);
  });
});

describe('parseChallenge', () => {
  it('reads Basic and Bearer challenges with quoted parameters', () => {
    expect(parseChallenge('Basic realm="m-test"')).toEqual({ scheme: 'basic', params: { realm: 'm-test' } });
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});
