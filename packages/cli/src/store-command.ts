/**
 * `m store gc | verify | path-info | why-depends`: maintenance and queries of the physical store,
 * printed as Nix's corresponding commands print them.
 */
import { MError } from '@m/core';
import type { Store } from '@m/store';
import { usageFailure, type CommandContext } from './command';
import { compareBytes } from './nix-json';
import { runStoreCommand, type StoreCommandArgs } from './store-command-args';
import { validStorePathArg } from './store-open';
import { whyDependsText } from './why-depends';

const STORE_HELP = `Usage: m store COMMAND [options]

Commands:
  gc                       delete unreachable store paths (roots: result links, gcroots)
  verify                   check that valid paths exist (--check-contents: and are unmodified;
                           --repair: fix what can be fixed, and rebuild a lost or corrupt
                           database from the store's contents)
  path-info PATHS          print store paths (-s NAR size, -S closure size, -r closure, -h human)
  why-depends PKG DEP      show why PKG depends on DEP (-a: all routes)

Every command takes --store DIR (physical store; default $M_STORE, else store/ in the project).
`;

/** `%.2f MiB` as Nix's showBytes. */
export function showBytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

/** Nix's path-info size column: `\t%11d`, or `\t%6.1f<unit>` when human-readable. */
export function formatSize(n: number, human: boolean): string {
  if (!human) return '\t' + String(n).padStart(11, ' ');
  const units = ' KMGTPEZY';
  let res = n;
  let power = 0;
  while (res > 1024 && power < units.length - 1) {
    power++;
    res /= 1024;
  }
  return '\t' + res.toFixed(1).padStart(6, ' ') + units[power];
}

function gcCommand(ctx: CommandContext, a: StoreCommandArgs, store: Store): number {
  if (a.positional.length > 0) throw new MError('BAD_ARGUMENT', `unexpected argument '${a.positional[0]}'`);
  const dryRun = a.flags.has('dry-run');
  const r = store.gc({ dryRun });
  if (dryRun) {
    for (const p of r.deleted) ctx.out.stdout(p + '\n');
    return 0;
  }
  for (const p of [...r.deleted, ...r.garbage].sort(compareBytes)) ctx.out.stderr(`deleting '${p}'\n`);
  ctx.out.stdout(`${r.deleted.length + r.garbage.length} store paths deleted, ${showBytes(r.bytesFreed)} freed\n`);
  return 0;
}

function verifyCommand(ctx: CommandContext, a: StoreCommandArgs, store: Store): number {
  if (a.positional.length > 0) throw new MError('BAD_ARGUMENT', `unexpected argument '${a.positional[0]}'`);
  const checkContents = a.flags.has('check-contents');
  const repair = a.flags.has('repair');
  const err = (s: string) => ctx.out.stderr(s + '\n');
  err('reading the Nix store...');
  err('checking path existence...');
  if (checkContents) err('checking hashes...');
  const r = store.verify({ checkContents, repair });
  if (r.rebuilt.length > 0) err(`rebuilt the database: ${r.rebuilt.length} store paths registered from the store's contents`);
  for (const p of r.invalidated) err(`path '${p}' disappeared, removing from database...`);
  for (const p of r.missing) err(`error: path '${p}' disappeared, but it still has valid referrers!`);
  for (const c of r.corrupt) err(`error: path '${c.path}' was modified! expected hash '${c.expected}', got '${c.actual}'`);
  for (const p of r.repaired) err(`repaired the metadata of '${p}'`);
  const unrepaired = r.notCanonical.filter((p) => !r.repaired.includes(p));
  for (const p of unrepaired) err(`error: path '${p}' has non-canonical permissions or timestamps (use --repair)`);
  for (const p of r.invalidOnDisk) err(`warning: '${p}' is on disk but not valid (a leftover; 'm store gc' deletes it)`);
  if (!r.ok || unrepaired.length > 0) {
    err('warning: not all store errors were fixed');
    return 1;
  }
  return 0;
}

/**
 * The order in which Nix's store-path commands list a set of paths: a depth-first walk over the
 * set in path order (references in path order, restricted to the set), each path after the
 * paths it references.
 */
export function nixPathOrder(store: Store, paths: Iterable<string>): string[] {
  const items = [...new Set(paths)].sort(compareBytes);
  const inSet = new Set(items);
  const seen = new Set<string>();
  const order: string[] = [];
  for (const root of items) {
    if (seen.has(root)) continue;
    seen.add(root);
    const children = (p: string) => store.references(p).filter((r) => r !== p && inSet.has(r)).sort(compareBytes);
    const stack = [{ p: root, next: children(root), i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const c = top.next[top.i++]!;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push({ p: c, next: children(c), i: 0 });
        }
      } else {
        stack.pop();
        order.push(top.p);
      }
    }
  }
  return order;
}

function pathInfoCommand(ctx: CommandContext, a: StoreCommandArgs, store: Store): number {
  if (a.positional.length === 0) throw new MError('BAD_ARGUMENT', 'no paths given');
  const given = [...new Set(a.positional.map((p) => validStorePathArg(store, p, ctx.cwd)))];
  const paths = nixPathOrder(store, a.flags.has('recursive') ? store.closure(given) : given);
  const showSize = a.flags.has('size');
  const showClosure = a.flags.has('closure-size');
  const human = a.flags.has('human-readable');
  const width = Math.max(...paths.map((p) => p.length));
  const entries = store.pathInfo(paths, { closureSize: showClosure });
  let out = '';
  for (const e of entries) {
    out += e.path;
    if (showSize || showClosure) out += ' '.repeat(width - e.path.length);
    if (showSize) out += formatSize(e.narSize, human);
    if (showClosure) out += formatSize(e.closureSize ?? 0, human);
    out += '\n';
  }
  ctx.out.stdout(out);
  return 0;
}

function whyDependsCommand(ctx: CommandContext, a: StoreCommandArgs, store: Store): number {
  if (a.positional.length !== 2) throw new MError('BAD_ARGUMENT', 'expected two paths: PACKAGE DEPENDENCY');
  const [pkg, dep] = a.positional.map((p) => validStorePathArg(store, p, ctx.cwd)) as [string, string];
  const r = whyDependsText(store, pkg, dep, a.flags.has('all'));
  if (r.notDependent) ctx.out.stderr(`error: ${r.notDependent}\n`);
  ctx.out.stdout(r.stdout);
  return 0;
}

type Sub = {
  flags: Record<string, string>;
  usage: string;
  run: (ctx: CommandContext, a: StoreCommandArgs, store: Store) => number;
};

const SUBCOMMANDS: Record<string, Sub> = {
  gc: { flags: { 'dry-run': 'dry-run' }, usage: 'm store gc [--dry-run]', run: gcCommand },
  verify: {
    flags: { 'check-contents': 'check-contents', repair: 'repair' },
    usage: 'm store verify [--check-contents] [--repair]',
    run: verifyCommand,
  },
  'path-info': {
    flags: { s: 'size', size: 'size', S: 'closure-size', 'closure-size': 'closure-size', r: 'recursive', recursive: 'recursive', h: 'human-readable', 'human-readable': 'human-readable' },
    usage: 'm store path-info [-s] [-S] [-r] [-h] PATHS...',
    run: pathInfoCommand,
  },
  'why-depends': { flags: { a: 'all', all: 'all' }, usage: 'm store why-depends [-a] PACKAGE DEPENDENCY', run: whyDependsCommand },
};

/** `m store ARGS…` (runs in the worker: the store is not loaded on the main thread). */
export async function runStoreCommandLine(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    (sub === undefined ? ctx.out.stderr : ctx.out.stdout)(STORE_HELP);
    return sub === undefined ? 1 : 0;
  }
  const spec = SUBCOMMANDS[sub];
  if (!spec) return usageFailure(ctx.out, `unknown store command '${sub}'`, 'm store');
  const help = `Usage: ${spec.usage} [--store DIR]\n`;
  const rebuildsDatabase = sub === 'verify' ? (a: StoreCommandArgs) => a.flags.has('repair') : undefined;
  return runStoreCommand({ ...ctx, args: rest }, { name: `m store ${sub}`, help, flags: spec.flags, rebuildsDatabase }, (a, store) =>
    spec.run(ctx, a, store),
  );
}
