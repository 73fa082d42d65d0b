export * from './ast';
export { parse, type ParseOptions, type ParseResult } from './parse';
export { bindVars } from './bind-vars';
export { showExpr, showId, showString, showAttrPath, showFloat } from './show';
export { showPos } from './attrs';
export { createSymbolTable, type SymbolTable } from './symbols';
