/**
 * The binary-cache commands (run in the worker): `m copy --to|--from URL PATHS…` (nix copy),
 * `m key generate-secret|convert-secret-to-public` (nix key) and `m serve` (nix-serve).
 */
import { readFileSync } from 'node:fs';
import { MError } from '@m/core';
import {
  createSubstituter,
  openTransport,
  parseCompression,
  parseTrustedKeys,
  pushPaths,
  readSecretKeyFile,
  serveStore,
  type WritableOptions,
} from '@m/binary-cache';
import { generateSecretKey, parseSecretKey, printPublicKey, printSecretKey, toPublicKey } from '@m/nix-compat';
import type { Store } from '@m/store';
import { usageFailure, type CommandContext } from './command';
import { renderCommandError } from './store-command-args';
import { openCliStore, storePathArg, validStorePathArg } from './store-open';

interface Parsed {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

class Usage extends Error {}

/** `--name VALUE` for names in `valued`, `--name` for names in `bools`; everything else positional. */
function parse(args: readonly string[], valued: readonly string[], bools: readonly string[]): Parsed {
  const r: Parsed = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      r.positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a !== '-') throw new Usage(`unrecognised flag '${a}'`);
      r.positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (valued.includes(name)) {
      const v = args[++i];
      if (v === undefined) throw new Usage(`flag '${a}' requires 1 argument(s)`);
      r.values.set(name, v);
    } else if (bools.includes(name) || name === 'help') r.flags.add(name);
    else throw new Usage(`unrecognised flag '${a}'`);
  }
  return r;
}

async function withStore<T>(ctx: CommandContext, flag: string | undefined, body: (store: Store) => Promise<T>): Promise<T> {
  const store = openCliStore(flag, ctx.env, ctx.cwd);
  try {
    return await body(store);
  } finally {
    store.close();
  }
}

/** Runs a command body: usage errors as Nix prints them, MErrors rendered, exit code returned. */
async function frame(ctx: CommandContext, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof Usage) return usageFailure(ctx.out, e.message, name);
    ctx.out.stderr(renderCommandError(e, ctx.env.M_DEBUG === '1'));
    return 1;
  }
}

const COPY_HELP = `Usage: m copy (--to URL | --from URL) [options] PATHS...

Copy store paths and their closures to or from a Nix binary cache (like nix copy).
URL is file:///DIR or http(s)://HOST/PATH (written with HTTP PUT); Nix's query parameters
?compression=xz|zstd|none and ?secret-key=FILE are understood.

Options:
  --to URL                  copy from the local store into the cache at URL
  --from URL                copy from the cache at URL into the local store
  --secret-key-file FILE    sign what is copied --to (default: $M_SECRET_KEY_FILE)
  --compression METHOD      xz (default), zstd or none
  --trusted-public-keys K…  keys accepted --from (default: $M_TRUSTED_PUBLIC_KEYS)
  --no-check-sigs           accept unsigned paths --from
  --store DIR               the local store (default: $M_STORE, else the project's store/)
An HTTP cache gets $M_CACHE_TOKEN, when set, as a bearer token.
`;

export async function runCopyCommand(ctx: CommandContext): Promise<number> {
  return frame(ctx, 'm copy', async () => {
    const a = parse(ctx.args, ['to', 'from', 'secret-key-file', 'compression', 'trusted-public-keys', 'store'], ['no-check-sigs']);
    if (a.flags.has('help')) {
      ctx.out.stdout(COPY_HELP);
      return 0;
    }
    const to = a.values.get('to');
    const from = a.values.get('from');
    if ((to === undefined) === (from === undefined)) throw new Usage("exactly one of '--to' and '--from' is required");
    if (a.positional.length === 0) throw new Usage('no store paths given');
    const token = ctx.env.M_CACHE_TOKEN || undefined;
    return withStore(ctx, a.values.get('store'), async (store) => {
      const say = (s: string) => ctx.out.stderr(s + '\n');
      if (to !== undefined) {
        const cache = openTransport(to, { token });
        const paths = a.positional.map((p) => validStorePathArg(store, p, ctx.cwd));
        const keyFile = a.values.get('secret-key-file') ?? cache.params.get('secret-key') ?? (ctx.env.M_SECRET_KEY_FILE || undefined);
        const compression = parseCompression(a.values.get('compression') ?? cache.params.get('compression') ?? 'xz');
        const r = await pushPaths({
          store,
          cache,
          paths,
          compression,
          secretKey: keyFile === undefined ? undefined : readSecretKeyFile(keyFile),
          onEvent: (e) => {
            if (e.type === 'copying') say(`copying path '${e.path}' to '${e.to}'...`);
          },
        });
        if (r.copied.length === 0) say(`all ${r.present.length} paths are already in '${cache.url}'`);
        return 0;
      }
      const paths = a.positional.map((p) => storePathArg(store, p, ctx.cwd));
      const sub = createSubstituter({
        store,
        urls: [from!],
        trustedKeys: parseTrustedKeys(a.values.get('trusted-public-keys') ?? ctx.env.M_TRUSTED_PUBLIC_KEYS ?? ''),
        checkSigs: !a.flags.has('no-check-sigs'),
        tokens: token ? new Map([[from!, token]]) : undefined,
        onEvent: (e) => say(e.type === 'copying' ? `copying path '${e.path}' from '${e.from}'...` : `warning: ${e.message}`),
      });
      const missing = await sub.substitute(paths);
      if (missing.length > 0)
        throw new MError('STORE_ERROR', `path '${missing[0]}' is not available from '${from!.split('?')[0]}'`, {
          hint: 'see the warnings above for why the cache could not provide it',
        });
      return 0;
    });
  });
}

const KEY_HELP = `Usage: m key generate-secret --key-name NAME
       m key convert-secret-to-public < SECRET-KEY

Ed25519 signing keys for binary caches, in Nix's format (like nix key): generate-secret prints a
new secret key 'NAME:base64'; convert-secret-to-public reads a secret key on standard input and
prints its public key (for trusted-public-keys).
`;

export async function runKeyCommand(ctx: CommandContext): Promise<number> {
  return frame(ctx, 'm key', async () => {
    const [sub, ...rest] = ctx.args;
    if (sub === undefined || sub === '--help') {
      (sub === undefined ? ctx.out.stderr : ctx.out.stdout)(KEY_HELP);
      return sub === undefined ? 1 : 0;
    }
    if (sub === 'generate-secret') {
      const a = parse(rest, ['key-name'], []);
      const name = a.values.get('key-name');
      if (name === undefined) throw new Usage("required argument '--key-name' is missing");
      ctx.out.stdout(printSecretKey(generateSecretKey(name)));
      return 0;
    }
    if (sub === 'convert-secret-to-public') {
      parse(rest, [], []);
      ctx.out.stdout(printPublicKey(toPublicKey(parseSecretKey(readFileSync(0, 'utf8')))));
      return 0;
    }
    throw new Usage(`unknown key command '${sub}'`);
  });
}

const SERVE_HELP = `Usage: m serve [--port N] [--listen-address ADDR] [--secret-key-file FILE] [--store DIR]
               [--writable [--trusted-public-keys 'K…' | --no-require-sigs]]

Serve the local store as a Nix binary cache over HTTP (like nix-serve) until interrupted. Prints
the cache's URL on standard output. Narinfos are signed with FILE (default: $M_SECRET_KEY_FILE)
when given. Defaults: 127.0.0.1, a free port, read-only.

With --writable, uploads (HTTP PUT, as 'nix copy --to http://…' and 'm copy --to http://…' send
them) are verified and imported into the store: each narinfo must be signed by one of the
trusted keys (default: $M_TRUSTED_PUBLIC_KEYS); when $M_SERVE_TOKEN is set, uploads must carry
it as a bearer token.
`;

export async function runServeCommand(ctx: CommandContext): Promise<number> {
  return frame(ctx, 'm serve', async () => {
    const a = parse(ctx.args, ['port', 'listen-address', 'secret-key-file', 'store', 'priority', 'trusted-public-keys'], ['verbose', 'writable', 'no-require-sigs']);
    if (a.flags.has('help')) {
      ctx.out.stdout(SERVE_HELP);
      return 0;
    }
    if (a.positional.length > 0) throw new Usage(`unexpected argument '${a.positional[0]}'`);
    const port = a.values.get('port');
    if (port !== undefined && !/^\d+$/.test(port)) throw new Usage(`'${port}' is not a valid port`);
    const keyFile = a.values.get('secret-key-file') ?? (ctx.env.M_SECRET_KEY_FILE || undefined);
    let writable: WritableOptions | undefined;
    if (a.flags.has('writable')) {
      const trustedKeys = parseTrustedKeys(a.values.get('trusted-public-keys') ?? ctx.env.M_TRUSTED_PUBLIC_KEYS ?? '');
      const requireSigs = !a.flags.has('no-require-sigs');
      if (requireSigs && trustedKeys.length === 0)
        throw new MError('BAD_ARGUMENT', "'m serve --writable' needs the keys whose signatures it accepts", {
          hint: "give --trusted-public-keys 'NAME:KEY …' (or --no-require-sigs to accept unsigned uploads)",
        });
      writable = { trustedKeys, requireSigs, token: ctx.env.M_SERVE_TOKEN || undefined };
    }
    const store = openCliStore(a.values.get('store'), ctx.env, ctx.cwd);
    const server = await serveStore({
      store,
      port: port === undefined ? 0 : Number(port),
      host: a.values.get('listen-address'),
      priority: a.values.has('priority') ? Number(a.values.get('priority')) : undefined,
      secretKey: keyFile === undefined ? undefined : readSecretKeyFile(keyFile),
      writable,
      onRequest: a.flags.has('verbose') ? (e) => ctx.out.stderr(`${e.method} ${e.url} ${e.status}\n`) : undefined,
    });
    ctx.out.stderr(`serving the store '${store.root}' at ${server.url} (${writable ? 'writable' : 'read-only'})\n`);
    ctx.out.stdout(`${server.url}\n`);
    // Serves until the process is interrupted (signals end the main thread, and with it this worker).
    return new Promise<number>(() => {});
  });
}

