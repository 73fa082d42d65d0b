/**
 * `m show-derivation [-r] PATHS…`: the derivations as JSON, byte for byte like
 * `nix show-derivation` (Nix 2.8): an object keyed by .drv path (sorted), outputs / inputSrcs /
 * inputDrvs / system / builder / args / env. An output path stands for its deriver.
 */
import { MError } from '@m/core';
import { isDerivationPath, type Derivation } from '@m/nix-compat';
import { readStoreDerivation } from '@m/realise';
import type { Store } from '@m/store';
import { compareBytes, printNixJson, sortedEntries, type NixJson } from './nix-json';
import { runStoreCommand } from './store-command-args';
import { validStorePathArg } from './store-open';
import type { CommandContext } from './command';

const HELP = `Usage: m show-derivation [options] PATHS...

Show the contents of store derivations as JSON (like \`nix show-derivation\`). An output path
stands for the derivation that produced it.

Options:
  -r, --recursive   include the derivations of the whole closure
  --store DIR       physical store directory
`;

function outputJson(o: Derivation['outputs'] extends Map<string, infer V> ? V : never): NixJson {
  const entries: [string, NixJson][] = [];
  if (o.path !== '') entries.push(['path', o.path]);
  if (o.hashAlgo !== '') {
    entries.push(['hashAlgo', o.hashAlgo]);
    if (o.hash === 'impure') entries.push(['impure', true]);
    else if (o.hash !== '' && o.path !== '') entries.push(['hash', o.hash]);
  }
  return { entries };
}

/** One derivation's JSON object. */
export function derivationJson(drv: Derivation): NixJson {
  const sorted = (xs: Iterable<string>) => [...xs].sort(compareBytes);
  return {
    entries: [
      ['outputs', { entries: sortedEntries(drv.outputs).map(([k, o]) => [k, outputJson(o)]) }],
      ['inputSrcs', sorted(drv.inputSrcs)],
      ['inputDrvs', { entries: sortedEntries(drv.inputDrvs).map(([k, outs]) => [k, sorted(outs)]) }],
      ['system', drv.platform],
      ['builder', drv.builder],
      ['args', [...drv.args]],
      ['env', { entries: sortedEntries(drv.env) }],
    ],
  };
}

function toDrvPath(store: Store, p: string): string {
  if (isDerivationPath(p)) return p;
  const deriver = store.queryPathInfo(p)?.deriver ?? store.derivers(p)[0];
  if (!deriver) throw new MError('STORE_ERROR', `'${p}' does not have a known deriver`);
  return deriver;
}

export function showDerivations(store: Store, paths: string[], recursive: boolean): string {
  let drvPaths = [...new Set(paths.map((p) => toDrvPath(store, p)))];
  if (recursive) drvPaths = store.closure(drvPaths);
  drvPaths = drvPaths.filter(isDerivationPath).sort(compareBytes);
  const root: NixJson = { entries: drvPaths.map((p) => [p, derivationJson(readStoreDerivation(store, p))]) };
  return printNixJson(root) + '\n';
}

/** `m show-derivation PATHS…` (runs in the worker). */
export function runShowDerivationCommand(ctx: CommandContext): Promise<number> {
  return runStoreCommand(ctx, { name: 'm show-derivation', help: HELP, flags: { r: 'recursive', recursive: 'recursive' } }, (a, store) => {
      if (a.positional.length === 0) throw new MError('BAD_ARGUMENT', 'no paths given');
      const paths = a.positional.map((p) => validStorePathArg(store, p, ctx.cwd));
      ctx.out.stdout(showDerivations(store, paths, a.flags.has('recursive')));
      return 0;
    });
}
