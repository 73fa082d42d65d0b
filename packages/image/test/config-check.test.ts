/** The image config is checked field by field, as OCI tools read it, before anything is written. */
import { expect, test } from 'vitest';
import { checkContainerConfig } from '@m/image';

test('a valid config passes, ExposedPorts/Volumes lists become objects', () => {
  expect(
    checkContainerConfig({
      Env: ['A=b', 'EMPTY='],
      User: '1000:1000',
      WorkingDir: '/w',
      ExposedPorts: ['80/tcp', '53/udp', '8080'],
      Volumes: ['/data'],
      Entrypoint: ['/bin/sh'],
      Cmd: ['-c', 'true'],
      Labels: { a: 'b' },
      StopSignal: 'SIGTERM',
    }),
  ).toMatchObject({ ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8080': {} }, Volumes: { '/data': {} } });
});

test.each([
  [{ Env: ['NOEQUALS'] }, /config\.Env\[0\] must be KEY=VALUE/],
  [{ Env: ['=v'] }, /config\.Env\[0\] must be KEY=VALUE/],
  [{ Env: 'A=1' }, /config\.Env must be a list of strings/],
  [{ Env: ['A=\u0000'] }, /config\.Env\[0\] must be a string without NUL bytes/],
  [{ WorkingDir: 'relative' }, /config\.WorkingDir must be an absolute path/],
  [{ User: 'a:b:c' }, /config\.User must be user, uid, user:group or uid:gid/],
  [{ User: '' }, /config\.User must be/],
  [{ ExposedPorts: ['http'] }, /config\.ExposedPorts must be keyed by "port\/proto"/],
  [{ ExposedPorts: { '70000/tcp': {} } }, /config\.ExposedPorts must be keyed/],
  [{ ExposedPorts: { '80/tcp': 'yes' } }, /config\.ExposedPorts\."80\/tcp" must be \{\}/],
  [{ Volumes: ['data'] }, /config\.Volumes key must be an absolute path/],
  [{ Cmd: ['a', 1] }, /config\.Cmd\[1\] must be a string/],
  [{ Entrypoint: 'sh' }, /config\.Entrypoint must be a list of strings/],
  [{ Labels: { a: 1 } }, /config\.Labels\."a" must be a string/],
  [{ StopSignal: 'kill me' }, /config\.StopSignal must be a signal name/],
  [{ env: ['A=b'] }, /config\.env is not an image config property/],
])('%j is refused', (config, message) => {
  expect(() => checkContainerConfig(config)).toThrow(message);
  try {
    checkContainerConfig(config);
  } catch (e) {
    expect((e as { code: string }).code).toBe('BAD_ARGUMENT');
  }
});
