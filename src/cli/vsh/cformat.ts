// C's printf for the formats virsh prints with, so that ported commands keep virsh's format
// strings as they are ("%-15s %s\n", "%.3lf", "%02x", "%llu"). Length modifiers (h, l, ll, z, j)
// are accepted and ignored: numbers are JavaScript numbers or bigints.

export type CArg = string | number | bigint | boolean | null | undefined;

const SPEC = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|z|j|t)?([diouxXeEfFgGcs%])/g;

/** sprintf(fmt, ...args) with C's conversions d i o u x X e E f F g G c s and %%. */
export function cformat(fmt: string, ...args: CArg[]): string {
  let next = 0;
  const take = (): CArg => args[next++];
  return fmt.replace(SPEC, (_m, flags: string, width: string | undefined, precision: string | undefined, _len: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let w = width === '*' ? Number(take()) : width !== undefined ? Number(width) : 0;
    let left = flags.includes('-');
    if (w < 0) {
      left = true;
      w = -w;
    }
    const prec = precision === undefined ? undefined : precision === '*' ? Number(take()) : precision === '' ? 0 : Number(precision);
    const value = take();
    let body: string;
    let sign = '';
    switch (conv) {
      case 's':
        body = value === null || value === undefined ? '(null)' : String(value);
        if (prec !== undefined) body = body.slice(0, prec);
        return pad(body, w, left, false, '');
      case 'c':
        body = typeof value === 'number' ? String.fromCharCode(value) : String(value ?? '').slice(0, 1);
        return pad(body, w, left, false, '');
      case 'd':
      case 'i': {
        const n = toBigInt(value);
        if (n < 0n) sign = '-';
        else if (flags.includes('+')) sign = '+';
        else if (flags.includes(' ')) sign = ' ';
        body = (n < 0n ? -n : n).toString();
        if (prec !== undefined) body = prec === 0 && n === 0n ? '' : body.padStart(prec, '0');
        return pad(body, w, left, flags.includes('0') && prec === undefined, sign);
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        let n = toBigInt(value);
        if (n < 0n) n = BigInt.asUintN(_len === 'll' || _len === 'l' || _len === 'j' || _len === 'z' ? 64 : 32, n);
        const radix = conv === 'u' ? 10 : conv === 'o' ? 8 : 16;
        body = n.toString(radix);
        if (conv === 'X') body = body.toUpperCase();
        if (prec !== undefined) body = prec === 0 && n === 0n ? '' : body.padStart(prec, '0');
        if (flags.includes('#') && n !== 0n) sign = conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '';
        return pad(body, w, left, flags.includes('0') && prec === undefined, sign);
      }
      default: {
        const x = Number(value);
        if (x < 0 || Object.is(x, -0)) sign = '-';
        else if (flags.includes('+')) sign = '+';
        else if (flags.includes(' ')) sign = ' ';
        body = floatBody(Math.abs(x), conv, prec ?? 6, flags.includes('#'));
        return pad(body, w, left, flags.includes('0') && Number.isFinite(x), sign);
      }
    }
  });
}

function toBigInt(v: CArg): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const n = Number(v ?? 0);
  return BigInt(Number.isFinite(n) ? Math.trunc(n) : 0);
}

function pad(body: string, width: number, left: boolean, zero: boolean, sign: string): string {
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  if (left) return sign + body + ' '.repeat(width - len);
  if (zero) return sign + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + sign + body;
}

function floatBody(x: number, conv: string, prec: number, alt: boolean): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? (conv === conv.toUpperCase() ? 'NAN' : 'nan') : conv === conv.toUpperCase() ? 'INF' : 'inf';
  switch (conv) {
    case 'f':
    case 'F':
      return fixed(x, prec);
    case 'e':
    case 'E': {
      const s = expo(x, prec);
      return conv === 'E' ? s.toUpperCase() : s;
    }
    default: {
      // %g: the shorter of %e and %f at precision P (0 counts as 1), trailing zeros removed.
      const p = prec === 0 ? 1 : prec;
      const e = x === 0 ? 0 : Math.floor(Math.log10(Number(x.toExponential(p - 1)) || x));
      let s = e < -4 || e >= p ? expo(x, p - 1) : fixed(x, p - 1 - e);
      if (!alt) s = s.replace(/\.?0+(e|$)/, '$1').replace(/\.(?=e)/, '');
      return conv === 'G' ? s.toUpperCase() : s;
    }
  }
}

/** %.Nf as glibc rounds it: the exact binary value, rounded half to even (toFixed rounds ties up). */
function fixed(x: number, prec: number): string {
  if (x >= 1e21 || prec > 100) return BigInt(Math.round(x)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  // x = mant * 2^exp exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? frac : frac | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  const scaled = mant * 10n ** BigInt(prec);
  let q: bigint;
  if (exp >= 0) q = scaled << BigInt(exp);
  else {
    const d = 1n << BigInt(-exp);
    q = scaled / d;
    const twice = (scaled % d) * 2n;
    if (twice > d || (twice === d && q % 2n === 1n)) q++;
  }
  const digits = q.toString().padStart(prec + 1, '0');
  return prec > 0 ? `${digits.slice(0, -prec)}.${digits.slice(-prec)}` : digits;
}

function expo(x: number, prec: number): string {
  const [mant, exp] = x.toExponential(Math.min(prec, 100)).split('e');
  const n = Number(exp);
  return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}
