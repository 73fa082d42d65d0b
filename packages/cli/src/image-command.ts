/**
 * `m image push SOURCE DEST` (runs in the worker): a container image archive from the store (a
 * makeContainerImage output, named by store path, physical path or a symlink such as ./result)
 * to a registry over the OCI distribution API (@m/image's pushImage). Progress on stderr, the
 * manifest digest on stdout.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MError } from '@m/core';
import { parseImageReference, pushImage, pushIndex, type Credentials } from '@m/image';
import { usageFailure, type CommandContext } from './command';
import { renderCommandError } from './store-command-args';
import { openCliStore, storePathArg } from './store-open';

const HELP = `Usage: m image push [options] SOURCE docker://HOST[:PORT]/REPOSITORY[:TAG]
       m image push-manifest [options] SPEC.json

Push a container image built by m (makeContainerImage) to an OCI registry over the
distribution API, straight from the archive in the store: blobs the registry already has are
skipped, the others are streamed from the archive, and the manifest is stored under TAG.
SOURCE is a store path, a path inside the store or a symlink to one (./result), or an image
archive file. Prints the manifest digest.

push-manifest writes a multi-platform index (makes' deployContainerManifest, manifest-tool's
push from-spec) of images already in the registry. SPEC.json: {"image": "HOST/REPO:TAG",
"manifests": [{"image": "HOST/REPO:TAG", "platform": {"architecture": "amd64", "os":
"linux"}}, …], "tags": ["more", …]}. Images of other repositories are mounted into REPO.
Prints the index digest.

Options:
  --creds USER[:PASSWORD]  credentials (default: $M_REGISTRY_USER and $M_REGISTRY_PASSWORD)
  --tls-verify=false       accept any certificate, and plain http (e.g. a registry on 127.0.0.1);
                           default: $M_REGISTRY_TLS_VERIFY, else true
  --store DIR              the store (default: $M_STORE, else the project's store/)
A registry token can be given as $M_REGISTRY_TOKEN (a bearer token used as is).
`;

class Usage extends Error {}

interface Args {
  positional: string[];
  creds?: string;
  store?: string;
  tlsVerify: boolean;
  tlsVerifySet?: boolean;
  help: boolean;
}

function parseArgs(args: readonly string[]): Args {
  const r: Args = { positional: [], tlsVerify: true, help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      r.positional.push(...args.slice(i + 1));
      break;
    }
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new Usage(`flag '${flag}' requires 1 argument(s)`);
      return v;
    };
    if (flag === '--help') r.help = true;
    else if (flag === '--creds') r.creds = value();
    else if (flag === '--store') r.store = value();
    else if (flag === '--tls-verify') {
      const v = inline ?? 'true';
      if (v !== 'true' && v !== 'false') throw new Usage(`--tls-verify takes true or false, not '${v}'`);
      r.tlsVerify = v === 'true';
      r.tlsVerifySet = true;
    } else if (a.startsWith('-') && a !== '-') throw new Usage(`unrecognised flag '${a}'`);
    else r.positional.push(a);
  }
  return r;
}

function credentials(a: Args, env: Record<string, string | undefined>): Credentials | undefined {
  if (a.creds !== undefined) {
    const colon = a.creds.indexOf(':');
    return colon < 0 ? { username: a.creds, password: '' } : { username: a.creds.slice(0, colon), password: a.creds.slice(colon + 1) };
  }
  const c: Credentials = {};
  if (env.M_REGISTRY_USER) c.username = env.M_REGISTRY_USER;
  if (env.M_REGISTRY_PASSWORD !== undefined) c.password = env.M_REGISTRY_PASSWORD;
  if (env.M_REGISTRY_TOKEN) c.token = env.M_REGISTRY_TOKEN;
  return Object.keys(c).length === 0 ? undefined : c;
}

function applyTlsEnv(a: Args, env: Record<string, string | undefined>): void {
  const v = env.M_REGISTRY_TLS_VERIFY;
  if (a.tlsVerifySet || v === undefined || v === '') return;
  if (v !== 'true' && v !== 'false') throw new Usage(`M_REGISTRY_TLS_VERIFY must be true or false, not '${v}'`);
  a.tlsVerify = v === 'true';
}

async function pushManifest(ctx: CommandContext, a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new Usage(`'m image push-manifest' takes one SPEC.json, got ${a.positional.length} argument(s)`);
  const file = resolve(ctx.cwd, a.positional[0]!);
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MError('BAD_ARGUMENT', `reading the index spec '${file}': ${(e as Error).message}`);
  }
  const r = await pushIndex({ spec: spec as never, credentials: credentials(a, ctx.env), tlsVerify: a.tlsVerify, onEvent: (e) => ctx.out.stderr(e.message + '\n') });
  ctx.out.stdout(r.digest + '\n');
  return 0;
}

async function push(ctx: CommandContext, a: Args): Promise<number> {
  if (a.positional.length !== 2) throw new Usage(`'m image push' takes SOURCE and DESTINATION, got ${a.positional.length} argument(s)`);
  const [source, dest] = a.positional as [string, string];
  const destination = parseImageReference(dest);
  let archive: string;
  let name: string;
  const file = resolve(ctx.cwd, source);
  if (existsSync(file) && statSync(file).isFile()) {
    // An archive file, such as a store path seen where the store is at /nix/store (makes scripts).
    archive = file;
    name = file;
  } else {
    const store = openCliStore(a.store, ctx.env, ctx.cwd);
    try {
      const logical = storePathArg(store, source, ctx.cwd);
      if (!store.isValid(logical)) throw new MError('STORE_ERROR', `path '${logical}' is not valid`, { hint: 'build it first' });
      archive = join(store.root, basename(logical));
      name = logical;
    } finally {
      store.close();
    }
  }
  if (!statSync(archive).isFile()) throw new MError('BAD_ARGUMENT', `'${name}' is not an image archive (a directory)`, { hint: 'push the output of makeContainerImage' });
  const r = await pushImage({
    archive,
    name,
    destination,
    credentials: credentials(a, ctx.env),
    tlsVerify: a.tlsVerify,
    onEvent: (e) => ctx.out.stderr(e.message + '\n'),
  });
  ctx.out.stdout(r.digest + '\n');
  return 0;
}

export async function runImageCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args;
  try {
    if (sub === undefined || sub === '--help') {
      ctx.out.stdout(HELP);
      return sub === undefined ? 1 : 0;
    }
    if (sub !== 'push' && sub !== 'push-manifest') throw new Usage(`unknown subcommand 'm image ${sub}' (known: push, push-manifest)`);
    const a = parseArgs(rest);
    if (a.help) {
      ctx.out.stdout(HELP);
      return 0;
    }
    applyTlsEnv(a, ctx.env);
    return sub === 'push' ? await push(ctx, a) : await pushManifest(ctx, a);
  } catch (e) {
    if (e instanceof Usage) return usageFailure(ctx.out, e.message, 'm image push');
    ctx.out.stderr(renderCommandError(e, ctx.env.M_DEBUG === '1'));
    return 1;
  }
}
