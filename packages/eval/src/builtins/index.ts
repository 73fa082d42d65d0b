/**
 * All builtin groups. To add a group: create builtins/<group>.ts exporting `BuiltinDef[]`
 * and append it here. Later entries replace earlier ones with the same name.
 */
import type { BuiltinDef } from './api';
import { contextBuiltins } from './context';
import { coreBuiltins } from './core';
import { derivationBuiltins } from './derivation';
import { fetcherBuiltins } from './fetchers';
import { fileBuiltins } from './files';
import { importBuiltins } from './import';
import { listAttrBuiltins } from './lists-attrs';
import { arithBuiltins } from './arith';
import { stringBuiltins } from './strings';
import { dataBuiltins } from './data';
import { listMoreBuiltins } from './lists-more';
import { attrMoreBuiltins } from './attrs-more';
import { miscBuiltins } from './misc';

export const allBuiltins: BuiltinDef[] = [...coreBuiltins, ...listAttrBuiltins, ...importBuiltins, ...contextBuiltins, ...fileBuiltins, ...fetcherBuiltins, ...derivationBuiltins, ...arithBuiltins, ...stringBuiltins, ...dataBuiltins, ...listMoreBuiltins, ...attrMoreBuiltins, ...miscBuiltins];
