/** Contents of the files Nix 2.8 writes into a sandbox's /etc. */
import { SANDBOX_BUILD_DIR, SANDBOX_GID, SANDBOX_UID } from './request';

export function etcPasswd(): string {
  return (
    `root:x:0:0:Nix build user:${SANDBOX_BUILD_DIR}:/noshell\n` +
    `nixbld:x:${SANDBOX_UID}:${SANDBOX_GID}:Nix build user:${SANDBOX_BUILD_DIR}:/noshell\n` +
    'nobody:x:65534:65534:Nobody:/:/noshell\n'
  );
}

export function etcGroup(): string {
  return `root:x:0:\nnixbld:!:${SANDBOX_GID}:\nnogroup:x:65534:\n`;
}

/** Only for sandboxed (not fixed-output) builds; those get the host's /etc/hosts instead. */
export function etcHosts(): string {
  return '127.0.0.1 localhost\n::1 localhost\n';
}

/** Only for fixed-output builds. */
export function etcNsswitch(): string {
  return 'hosts: files dns\nservices: files\n';
}
