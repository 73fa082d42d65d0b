/** Float formatting used by the core; the exact implementations live in pure/float.ts. */
export { formatFloat, floatToString } from './pure/float';
