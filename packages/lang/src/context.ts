/** State shared by the parser's actions during one parse. */
import type { ExprAttrs, AttrDef } from './ast';
import type { PosTable } from './positions';
import type { SymbolTable } from './symbols';

export interface ParseContext {
  file: string;
  basePath: string;
  home: string;
  positions: PosTable;
  symbols: SymbolTable;
  /** Name → definition for the attribute sets of this parse too large to search linearly. */
  attrIndex: Map<ExprAttrs, Map<string, AttrDef>>;
}
