import { describe, expect, it } from 'vitest';
import { layoutPath, storeNameOf } from '../src/index';
import { relativeLink } from '../src/layout';
import { closestNames } from '../src/suggest';

describe('layout of host files in a store path', () => {
  it('maps bin, sbin, lib (multiarch flattened), libexec, share, etc', () => {
    expect(layoutPath('/bin/ls')).toBe('bin/ls');
    expect(layoutPath('/usr/sbin/chroot')).toBe('bin/chroot');
    expect(layoutPath('/lib/x86_64-linux-gnu/libc.so.6')).toBe('lib/libc.so.6');
    expect(layoutPath('/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so')).toBe('lib/gconv/UTF-16.so');
    expect(layoutPath('/lib64/ld-linux-x86-64.so.2')).toBe('lib/ld-linux-x86-64.so.2');
    expect(layoutPath('/usr/lib/python3/dist-packages/x.py')).toBe('lib/python3/dist-packages/x.py');
    expect(layoutPath('/usr/libexec/coreutils/libstdbuf.so')).toBe('libexec/coreutils/libstdbuf.so');
    expect(layoutPath('/usr/share/bash-completion/completions/x')).toBe('share/bash-completion/completions/x');
    expect(layoutPath('/etc/bash.bashrc')).toBe('etc/bash.bashrc');
    expect(layoutPath('/usr/include/bzlib.h')).toBe('include/bzlib.h');
    expect(layoutPath('/usr')).toBe('');
    expect(layoutPath('/.')).toBe('');
  });

  it('leaves out documentation, man and info pages, translations and lintian files', () => {
    for (const p of [
      '/usr/share/doc/coreutils/copyright',
      '/usr/share/man/man1/ls.1.gz',
      '/usr/share/info/coreutils.info.gz',
      '/usr/share/locale/de/LC_MESSAGES/coreutils.mo',
      '/usr/share/lintian/overrides/coreutils',
    ])
      expect(layoutPath(p)).toBeUndefined();
  });

  it('makes relative links inside a path', () => {
    expect(relativeLink('lib/libacl.so.1', 'lib/libacl.so.1.1.2301')).toBe('libacl.so.1.1.2301');
    expect(relativeLink('bin/awk', 'lib/mawk/awk')).toBe('../lib/mawk/awk');
  });

  it('names store paths <package>-<upstream version>', () => {
    expect(storeNameOf({ name: 'coreutils', version: '9.1-1' })).toBe('coreutils-9.1');
    expect(storeNameOf({ name: 'libc6', version: '2.36-9+deb12u14' })).toBe('libc6-2.36');
    expect(storeNameOf({ name: 'libgmp10', version: '2:6.2.1+dfsg1-1.1' })).toBe('libgmp10-6.2.1+dfsg1');
    expect(storeNameOf({ name: 'x', version: '1.0~rc1' })).toBe('x-1.0_rc1');
  });

  it('suggests close package names', () => {
    expect(closestNames('coreutilz', ['coreutils', 'bash', 'corekeeper'])).toEqual(['coreutils']);
    expect(closestNames('busybox', ['busybox-static', 'bash'])).toEqual(['busybox-static']);
  });
});
