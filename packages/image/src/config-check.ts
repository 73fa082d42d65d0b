/**
 * Validation of an image's "config" object before anything is written, with the rules OCI tools
 * apply when they read it (umoci unpack, podman, runc's spec generation): every `Env` entry is
 * `KEY=VALUE`, `WorkingDir` and `Volumes` keys are absolute paths, `ExposedPorts` keys are
 * `port[/tcp|udp|sctp]`, `User` is `user[:group]`, `StopSignal` a signal name or number, argument
 * lists are lists of strings, labels are strings, no string holds a NUL byte, and only the keys of
 * the OCI image spec (plus docker's documented extensions) appear. `ExposedPorts`/`Volumes` given as
 * lists of names become objects of `{}`. Errors are MError BAD_ARGUMENT naming the field.
 */
import { MError } from '@m/core';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(field: string, want: string, got?: unknown): MError {
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got)}`;
  return new MError('BAD_ARGUMENT', `makeContainerImage: config.${field} must be ${want}${shown}`, {
    hint: 'see the OCI image spec, "config" properties',
  });
}

function checkString(field: string, v: unknown, want = 'a string'): string {
  if (typeof v !== 'string') throw bad(field, want, v);
  if (v.includes('\0')) throw bad(field, `${want} without NUL bytes`, v);
  return v;
}

function checkStringList(field: string, v: unknown): string[] {
  if (!Array.isArray(v)) throw bad(field, 'a list of strings', v);
  v.forEach((x, i) => checkString(`${field}[${i}]`, x));
  return v as string[];
}

function checkNames(field: string, v: unknown, checkKey: (k: string) => void): Record<string, unknown> {
  const obj = Array.isArray(v)
    ? Object.fromEntries(checkStringList(field, v).map((x) => [x, {}]))
    : isObject(v)
      ? v
      : undefined;
  if (obj === undefined) throw bad(field, 'an attribute set of {} or a list of strings', v);
  for (const [k, x] of Object.entries(obj)) {
    checkKey(k);
    if (!isObject(x) || Object.keys(x).length !== 0) throw bad(`${field}.${JSON.stringify(k)}`, '{}', x);
  }
  return obj;
}

function checkAbsolute(field: string, v: unknown): void {
  const s = checkString(field, v, 'an absolute path');
  if (!s.startsWith('/')) throw bad(field, 'an absolute path', s);
}

const PORT = /^([0-9]{1,5})(?:\/(tcp|udp|sctp))?$/;
const USER_PART = /^[^:\s\0]+$/;
const SIGNAL = /^(?:(?:SIG)?[A-Z][A-Z0-9]*(?:[+-][0-9]+)?|[0-9]+)$/;

function checkNonNegativeInt(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(field, 'a non-negative integer', v);
}

function checkHealthcheck(v: unknown): void {
  if (!isObject(v)) throw bad('Healthcheck', 'an attribute set', v);
  for (const [k, x] of Object.entries(v)) {
    if (k === 'Test') checkStringList('Healthcheck.Test', x);
    else if (['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'].includes(k)) checkNonNegativeInt(`Healthcheck.${k}`, x);
    else throw bad(`Healthcheck.${k}`, 'one of Test, Interval, Timeout, StartPeriod, StartInterval, Retries (unknown key)');
  }
}

type Check = (v: unknown) => unknown;

const CHECKS: Record<string, Check> = {
  User: (v) => {
    const s = checkString('User', v);
    const parts = s.split(':');
    if (parts.length > 2 || !parts.every((p) => USER_PART.test(p))) throw bad('User', 'user, uid, user:group or uid:gid', s);
    return s;
  },
  Env: (v) => {
    checkStringList('Env', v).forEach((e, i) => {
      const eq = e.indexOf('=');
      if (eq <= 0) throw bad(`Env[${i}]`, 'KEY=VALUE with a non-empty KEY', e);
    });
    return v;
  },
  Entrypoint: (v) => checkStringList('Entrypoint', v),
  Cmd: (v) => checkStringList('Cmd', v),
  Shell: (v) => checkStringList('Shell', v),
  OnBuild: (v) => checkStringList('OnBuild', v),
  WorkingDir: (v) => (checkAbsolute('WorkingDir', v), v),
  Labels: (v) => {
    if (!isObject(v)) throw bad('Labels', 'an attribute set of strings', v);
    for (const [k, x] of Object.entries(v)) {
      if (k === '') throw bad('Labels', 'an attribute set with non-empty names');
      checkString(`Labels.${JSON.stringify(k)}`, x);
    }
    return v;
  },
  ExposedPorts: (v) =>
    checkNames('ExposedPorts', v, (k) => {
      const m = PORT.exec(k);
      if (m === null || Number(m[1]) < 1 || Number(m[1]) > 65535) throw bad('ExposedPorts', 'keyed by "port/proto" (port 1-65535, proto tcp, udp or sctp)', k);
    }),
  Volumes: (v) => checkNames('Volumes', v, (k) => checkAbsolute(`Volumes key`, k)),
  StopSignal: (v) => {
    const s = checkString('StopSignal', v);
    if (!SIGNAL.test(s)) throw bad('StopSignal', 'a signal name (SIGTERM) or number', s);
    return s;
  },
  ArgsEscaped: (v) => {
    if (typeof v !== 'boolean') throw bad('ArgsEscaped', 'a boolean', v);
    return v;
  },
  Memory: (v) => (checkNonNegativeInt('Memory', v), v),
  MemorySwap: (v) => (checkNonNegativeInt('MemorySwap', v), v),
  CpuShares: (v) => (checkNonNegativeInt('CpuShares', v), v),
  Healthcheck: (v) => (checkHealthcheck(v), v),
};

/** The checked config, with ExposedPorts/Volumes lists turned into objects; throws on the first invalid field. */
export function checkContainerConfig(config: unknown): Record<string, unknown> {
  if (!isObject(config)) throw new MError('BAD_ARGUMENT', 'makeContainerImage: config must be an attribute set');
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(config).sort()) {
    const check = CHECKS[k];
    if (check === undefined)
      throw new MError('BAD_ARGUMENT', `makeContainerImage: config.${k} is not an image config property`, {
        hint: `the OCI image config has ${Object.keys(CHECKS).join(', ')}`,
      });
    out[k] = check(config[k]);
  }
  return out;
}
