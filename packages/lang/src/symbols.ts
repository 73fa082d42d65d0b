/**
 * Symbol creation order, which Nix uses to order `let` bindings (in `--parse` output) and lambda
 * formals. A table starts with Nix's initial symbols; the parser interns names at the moments
 * Nix's parser creates them.
 */
import { lowSymbols, highSymbols } from './initial-symbols';
import type { AttrDef } from './ast';

/** Symbol rank of each parsed static attribute definition (Nix orders `let` bindings by it). */
export const attrRank = new WeakMap<AttrDef, number>();

export interface SymbolTable {
  /** Interns `name` and returns its creation rank. */
  intern(name: string): number;
  /** The table's state now, for `rollback`. */
  mark(): number;
  /** Forgets the symbols interned since `mark` returned `m` (an abandoned parse's). */
  rollback(m: number): void;
}

/*
 * Ranks model the address order Nix 2.8 compares symbols by: initial symbols as measured, then
 * symbols created while parsing in creation order, then `highSymbols`. When the symbol count
 * reaches 258 Nix's hash table grows and frees its old bucket array; the next 13 symbols are
 * allocated in that hole, which lies after the initial symbol `hasAttr` (measured).
 */
const STEP = 1000;
const HIGH = 2 ** 40;
const HOLE_FIRST = 258;
const HOLE_SIZE = 13;
const holeRank = lowSymbols.indexOf('hasAttr') * STEP + 1;
const base = new Map<string, number>([
  ...lowSymbols.map((s, i): [string, number] => [s, i * STEP]),
  ...highSymbols.map((s, i): [string, number] => [s, HIGH + i]),
]);
const initialCount = lowSymbols.length + highSymbols.length;

export function createSymbolTable(): SymbolTable {
  const added = new Map<string, number>();
  const order: string[] = [];
  let count = initialCount;
  return {
    mark: () => order.length,
    rollback(m) {
      while (order.length > m) added.delete(order.pop()!);
      count = initialCount + order.length;
    },
    intern(name) {
      const b = base.get(name);
      if (b !== undefined) return b;
      let r = added.get(name);
      if (r === undefined) {
        const k = count++;
        r = k >= HOLE_FIRST && k < HOLE_FIRST + HOLE_SIZE ? holeRank + (k - HOLE_FIRST) : lowSymbols.length * STEP + k;
        added.set(name, r);
        order.push(name);
      }
      return r;
    },
  };
}
