/**
 * Float formatting exactly as Nix 2.8 (C++ iostreams / printf on glibc) prints doubles.
 *
 * - formatFloat: `std::ostream << double` with default flags, i.e. printf "%g" with precision 6.
 *   Used by value printing (`nix-instantiate --eval`), builtins.toJSON and --xml.
 * - floatToString: std::to_string(double), i.e. printf "%f". Used by builtins.toString and
 *   string interpolation of floats.
 *
 * glibc rounds the exact binary value half-to-even, so the digits are computed here from the
 * exact decimal expansion of the double (BigInt) rather than with Number#toPrecision.
 */

interface Decimal {
  /** significant digits, no leading zeros ("" for zero) */
  digits: string;
  /** value = 0.digits × 10^point */
  point: number;
}

/** Exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biasedExp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  let digits: string;
  let fracDigits: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    fracDigits = 0;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    fracDigits = -exp;
  }
  let point = digits.length - fracDigits;
  const stripped = digits.replace(/^0+/, '');
  point -= digits.length - stripped.length;
  return { digits: stripped.replace(/0+$/, ''), point };
}

/** Round to `keep` leading digits (keep may be ≤ 0), half to even on the exact value. */
function roundTo(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: '', point: d.point };
  const head = d.digits.slice(0, keep);
  const rest = d.digits.slice(keep);
  let up: boolean;
  if (rest[0] > '5') up = true;
  else if (rest[0] < '5') up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else {
    const last = keep > 0 ? Number(head[keep - 1]) : 0;
    up = last % 2 === 1;
  }
  if (!up) return { digits: head.replace(/0+$/, ''), point: d.point };
  // add one unit in the last kept place
  if (keep === 0) return { digits: '1', point: d.point + 1 };
  const bumped = (BigInt(head) + 1n).toString();
  const point = bumped.length > head.length ? d.point + 1 : d.point;
  return { digits: bumped.replace(/0+$/, ''), point };
}

/** printf "%.{prec}f" of |x| from its decimal expansion. */
function fixed(d: Decimal, prec: number): string {
  const r = roundTo(d, d.point + prec);
  const intDigits = r.point > 0 ? (r.digits.slice(0, r.point).padEnd(r.point, '0')) : '0';
  let frac = '';
  for (let k = 0; k < prec; k++) {
    const idx = r.point + k;
    frac += idx >= 0 && idx < r.digits.length ? r.digits[idx] : '0';
  }
  return prec > 0 ? `${intDigits}.${frac}` : intDigits;
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) {
    // glibc shows the sign bit; x86 arithmetic produces the negative default NaN
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    return view.getUint32(0) >>> 31 ? '-nan' : 'nan';
  }
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

function sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** printf("%.{precision}g", x) as glibc does it (no '#' flag). */
export function formatG(x: number, precision = 6): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const p = precision === 0 ? 1 : precision;
  const d = exactDecimal(Math.abs(x));
  const r = roundTo(d, p);
  const X = r.digits === '' ? 0 : r.point - 1;
  let body: string;
  if (p > X && X >= -4) {
    body = fixed(d, p - 1 - X);
    if (body.includes('.')) body = body.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    let mant = r.digits.padEnd(p, '0');
    mant = mant.length > 1 ? `${mant[0]}.${mant.slice(1)}` : mant;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ax = Math.abs(X);
    body = `${mant}e${X < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  return sign(x) + body;
}

/** A float as `nix-instantiate --eval` prints it (also toJSON and toXML): %g, precision 6. */
export function formatFloat(x: number): string {
  return formatG(x, 6);
}

/** builtins.toString / interpolation of a float: std::to_string, i.e. "%f". */
export function floatToString(x: number): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  return sign(x) + fixed(exactDecimal(Math.abs(x)), 6);
}
