/** The one place the evaluator calls @m/lang's parser: source → bound AST, or the first error thrown. */
import { parse, type Expr, type StaticScope, type SymbolTable } from '@m/lang';

export function parseWithScope(
  source: string,
  file: string,
  basePath: string,
  scope: StaticScope,
  symbols?: SymbolTable,
): Expr {
  const r = parse(source, { file, basePath, scope, symbols });
  if (r.errors.length > 0 || r.ast === undefined) throw r.errors[0];
  return r.ast;
}
