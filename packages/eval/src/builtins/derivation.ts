/**
 * derivationStrict, derivation and placeholder (Nix 2.8 primops.cc prim_derivationStrict and
 * the `derivation` wrapper that Nix evaluates from Nix source into the base environment).
 */
import { MError, isMError } from '@m/core';
import type { Pos } from '@m/lang';
import {
  compareUtf8,
  emptyDerivation,
  hashPlaceholder,
  instantiateDerivation,
  isDerivationPath,
  parseHashAllowEmpty,
  parseHashTypeOpt,
  base16Encode,
  type Derivation,
} from '@m/nix-compat';
import {
  attrPos,
  coerceToString,
  evalError,
  evalExpr,
  force,
  forceAttrs,
  forceBool,
  forceList,
  forceStringNoCtx,
  forceStringCtx,
  mkAttrs,
  mkString,
  typeError,
  type BuiltinDef,
  type EvalState,
  type Lazy,
  type NixAttrs,
  type Value,
} from './api';
import { escapeJsonString } from '../pure/json';
import { K_PRIMOP } from '../value';
import { valueToJSON } from '../to-json';
import { drvHashModulo, readDerivation, storeClosure, storeState, toDerivationData } from './store-state';

/**
 * The `derivation` function: calls derivationStrict lazily and presents one attribute set per
 * output (`all`, `drvAttrs`, `drvPath`, `outPath`, `outputName`, `type`, and every output by
 * name). The first output stands for the derivation. The layout puts the `builtins.head` call at
 * line 28, column 5, each output's `name` at line 17, column 7, `all` at 12:7 and `drvAttrs` at
 * line 13: where Nix reports errors of its own wrapper (an empty `outputs` list, an output name
 * that is not a string) and the attribute positions `--xml` and unsafeGetAttrPos show.
 */
const DERIVATION_NIX = `# m: the derivation wrapper over derivationStrict.
drvAttrs @ { outputs ? [ "out" ], ... }:

let
  # The instantiated store derivation: drvPath and one path per output.
  strict = builtins.derivationStrict drvAttrs;

  # One { name, value } pair per output, in the order of 'outputs'.
  outputsList = builtins.map outputAttrs outputs;

  commonAttrs = drvAttrs // builtins.listToAttrs outputsList //
    { all = builtins.map (o: o.value) outputsList;
      inherit drvAttrs;
    };

  outputAttrs = outputName:
    { name = outputName;
      value = commonAttrs // {
        outPath = builtins.getAttr outputName strict;
        drvPath = strict.drvPath;
        type = "derivation";
        inherit outputName;
      };
    };

in
  (
    builtins.head outputsList
  ).value
`;

const DERIVATION_ORIGIN = '//builtin/derivation.nix';

function experimentalError(feature: string, pos?: Pos): MError {
  return new MError(
    'EVAL_ERROR',
    `experimental Nix feature '${feature}' is disabled; use '--extra-experimental-features ${feature}' to override`,
    { pos },
  );
}

function attrsPos(attrs: NixAttrs): Pos | undefined {
  const p = attrs.pos;
  if (p !== null && !(p instanceof Map) && 'kind' in p) return p.pos;
  return undefined;
}

/** Nix's getAttr helper of primops.cc: a missing attribute is a TypeError at the set. */
export function requireAttr(attrs: NixAttrs, name: string, funcName: string, pos: Pos | undefined): Lazy {
  const v = attrs.map.get(name);
  if (v !== undefined) return v;
  const msg = `attribute '${name}' missing for call to '${funcName}'`;
  const aPos = attrsPos(attrs);
  if (aPos === undefined) throw typeError(msg, pos);
  throw typeError(msg, aPos).addTrace(`while invoking '${funcName}'`, pos);
}

/** `tokenizeString` on Nix's default separators. */
function tokenize(s: string): string[] {
  return s.split(/[ \t\n\r]+/).filter((t) => t !== '');
}

function derivationStrict(args: Lazy[], ctx: EvalState, pos: Pos | undefined): Value {
  const attrs = forceAttrs(args[0], pos);
  const nameV = requireAttr(attrs, 'name', 'derivationStrict', pos);
  const posDrvName = attrPos(attrs, 'name') ?? pos;
  let drvName: string;
  try {
    drvName = forceStringNoCtx(nameV, pos);
  } catch (e) {
    if (isMError(e)) e.addTrace("while evaluating the derivation attribute 'name'", posDrvName);
    throw e;
  }

  const structuredV = attrs.map.get('__structuredAttrs');
  const structured = structuredV !== undefined && forceBool(structuredV, pos);
  const jsonParts: string[] | null = structured ? [] : null;

  const ignoreNullsV = attrs.map.get('__ignoreNulls');
  const ignoreNulls = ignoreNullsV !== undefined && forceBool(ignoreNullsV, pos);

  const drv: Derivation = emptyDerivation();
  const context = new Set<string>();
  let outputHash: string | undefined;
  let outputHashAlgo = '';
  let ingestion: 'flat' | 'recursive' | undefined;
  let outputs = new Set<string>(['out']);
  let contentAddressed = false;
  let impure = false;

  const handleHashMode = (s: string): void => {
    if (s === 'recursive') ingestion = 'recursive';
    else if (s === 'flat') ingestion = 'flat';
    else throw evalError(`invalid value '${s}' for 'outputHashMode' attribute`, posDrvName);
  };
  const handleOutputs = (names: string[]): void => {
    const set = new Set<string>();
    for (const j of names) {
      if (set.has(j)) throw evalError(`duplicate derivation output '${j}'`, posDrvName);
      if (j === 'drv') throw evalError("invalid derivation output name 'drv'", posDrvName);
      set.add(j);
    }
    if (set.size === 0) throw evalError('derivation cannot have an empty set of outputs', posDrvName);
    outputs = set;
  };

  const keys = [...attrs.map.keys()].sort(compareUtf8);
  for (const key of keys) {
    if (key === '__ignoreNulls') continue;
    const v = attrs.map.get(key)!;
    try {
      if (ignoreNulls && force(v, pos) === null) continue;
      if (key === '__contentAddressed') {
        contentAddressed = forceBool(v, pos);
        if (contentAddressed) throw experimentalError('ca-derivations');
      } else if (key === '__impure') {
        impure = forceBool(v, pos);
        if (impure) throw experimentalError('impure-derivations');
      } else if (key === 'args') {
        for (const elem of forceList(v, pos)) drv.args.push(coerceToString(elem, posDrvName, context, true, true));
      } else if (jsonParts !== null) {
        if (key === '__structuredAttrs') continue;
        jsonParts.push(`${escapeJsonString(key)}:${valueToJSON(v, true, context, pos)}`);
        if (key === 'builder') drv.builder = forceStringCtx(v, context, posDrvName);
        else if (key === 'system') drv.platform = forceStringNoCtx(v, posDrvName);
        else if (key === 'outputHash') outputHash = forceStringNoCtx(v, posDrvName);
        else if (key === 'outputHashAlgo') outputHashAlgo = forceStringNoCtx(v, posDrvName);
        else if (key === 'outputHashMode') handleHashMode(forceStringNoCtx(v, posDrvName));
        else if (key === 'outputs') handleOutputs(forceList(v, posDrvName).map((e) => forceStringNoCtx(e, posDrvName)));
      } else {
        const s = coerceToString(v, attrPos(attrs, key), context, true, true);
        drv.env.set(key, s);
        if (key === 'builder') drv.builder = s;
        else if (key === 'system') drv.platform = s;
        else if (key === 'outputHash') outputHash = s;
        else if (key === 'outputHashAlgo') outputHashAlgo = s;
        else if (key === 'outputHashMode') handleHashMode(s);
        else if (key === 'outputs') handleOutputs(tokenize(s));
      }
    } catch (e) {
      if (isMError(e)) e.addTrace(`while evaluating the attribute '${key}' of the derivation '${drvName}'`, posDrvName);
      throw e;
    }
  }

  if (jsonParts !== null) drv.env.set('__json', `{${jsonParts.join(',')}}`);

  for (const path of context) {
    if (path.startsWith('=')) {
      // Nix's computeFSClosure needs the derivation in the store (not so in read-only mode).
      if (!ctx.io.pathExists(path.slice(1))) throw new MError('STORE_ERROR', `path '${path.slice(1)}' is not valid`);
      for (const j of storeClosure(ctx, path.slice(1))) {
        drv.inputSrcs.add(j);
        if (isDerivationPath(j)) drv.inputDrvs.set(j, new Set(readDerivation(ctx, j).outputs.keys()));
      }
    } else if (path.startsWith('!')) {
      const second = path.indexOf('!', 1);
      const drvPath = path.slice(second + 1);
      const outName = path.slice(1, second);
      let set = drv.inputDrvs.get(drvPath);
      if (set === undefined) drv.inputDrvs.set(drvPath, (set = new Set()));
      set.add(outName);
    } else {
      drv.inputSrcs.add(path);
    }
  }

  if (drv.builder === '') throw evalError("required attribute 'builder' missing", posDrvName);
  if (drv.platform === '') throw evalError("required attribute 'system' missing", posDrvName);
  if (drvName.endsWith('.drv')) throw evalError("derivation names are not allowed to end in '.drv'", posDrvName);

  if (outputHash !== undefined) {
    if (outputs.size !== 1 || !outputs.has('out')) {
      throw evalError('multiple outputs are not supported in fixed-output derivations', posDrvName);
    }
    const { hash, warning } = parseHashAllowEmpty(outputHash, parseHashTypeOpt(outputHashAlgo));
    if (warning !== undefined) ctx.warn(warning);
    const method = ingestion ?? 'flat';
    drv.outputs.set('out', {
      path: '',
      hashAlgo: (method === 'recursive' ? 'r:' : '') + hash.type,
      hash: base16Encode(hash.bytes),
    });
  } else {
    // Content-addressed and impure derivations stop above with the experimental-feature error.
    for (const o of outputs) {
      drv.env.set(o, '');
      drv.outputs.set(o, { path: '', hashAlgo: '', hash: '' });
    }
  }

  const st = storeState(ctx);
  const inst = instantiateDerivation(drv, (p) => drvHashModulo(ctx, p), {
    name: drvName,
    storeDir: ctx.storeDir,
    keepAterm: ctx.io.readOnly !== true,
  });
  const written = ctx.io.writeDerivation(toDerivationData(drvName, inst.drv), { path: inst.drvPath, aterm: inst.aterm });
  if (written !== inst.drvPath) {
    throw new MError('INTERNAL', `derivation '${drvName}' was written to '${written}', expected '${inst.drvPath}'`);
  }
  st.drvs.set(inst.drvPath, inst.drv);
  st.drvHashes.set(inst.drvPath, inst.hashModulo);

  const res = new Map<string, Lazy>();
  res.set('drvPath', mkString(inst.drvPath, new Set(['=' + inst.drvPath])));
  for (const [o, p] of inst.outputPaths) res.set(o, mkString(p, new Set([`!${o}!${inst.drvPath}`])));
  return mkAttrs(res);
}

export const derivationBuiltins: BuiltinDef[] = [
  { name: 'derivationStrict', arity: 1, fn: derivationStrict },
  {
    name: 'placeholder',
    arity: 1,
    fn: (args, _ctx, pos) => hashPlaceholder(forceStringNoCtx(args[0], pos)),
  },
  {
    name: 'derivation',
    value: (ctx) => {
      try {
        return evalExpr(ctx.parseString(DERIVATION_NIX, '/', DERIVATION_ORIGIN), ctx.baseEnv);
      } catch (e) {
        // Without a working parser the evaluator still starts; `derivation` reports why it cannot run.
        const fn = (): Value => {
          throw e;
        };
        return { k: K_PRIMOP, name: 'derivation', arity: 1, fn };
      }
    },
  },
];
