/** addErrorContext: adds a message to the trace of errors raised while forcing a value. */
import { isMError } from '@m/core';
import { coerceToString, force, type BuiltinDef } from './api';

export const miscBuiltins: BuiltinDef[] = [
  {
    name: '__addErrorContext',
    arity: 2,
    fn: (args, _c, pos) => {
      try {
        return force(args[1], pos);
      } catch (e) {
        if (isMError(e)) e.addTrace(coerceToString(args[0], pos, new Set(), false, true));
        throw e;
      }
    },
  },
];
