// libvirt's virStrToLong_* family (src/util/virstring.c) over C's strtol/strtoul, and
// virScaleInteger (src/util/virutil.c): the rules by which virsh reads numbers.

export interface StrtoResult {
  /** The value as strtoul/strtol computed it, before any range check. */
  value: bigint;
  /** Where parsing stopped (the C end pointer). */
  end: number;
  /** A minus sign was consumed. */
  negative: boolean;
  /** strtol/strtoul's ERANGE. */
  overflow: boolean;
}

const SPACE = /[ \t\n\v\f\r]/;

/**
 * C's strtoull(s, &end, base) for base 10, 16, 8 or 0 (auto), keeping the sign apart: `value` is
 * the magnitude clamped to 2^64-1 (overflow set when clamped).
 */
export function strtou(s: string, base: number): StrtoResult {
  let i = 0;
  while (i < s.length && SPACE.test(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let b = base;
  if ((b === 0 || b === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0n;
  let overflow = false;
  const max = (1n << 64n) - 1n;
  for (; i < s.length; i++) {
    const d = digit(s[i]!);
    if (d < 0 || d >= b) break;
    value = value * BigInt(b) + BigInt(d);
    if (value > max) overflow = true;
  }
  if (i === start) return { value: 0n, end: 0, negative: false, overflow: false };
  return { value: overflow ? max : value, end: i, negative, overflow };
}

function digit(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return -1;
}

/** A signed conversion (virStrToLong_i / _l / _ll) of `bits` bits; null when libvirt's would fail. */
export function strToSigned(s: string, bits: 32 | 64, base = 10, allowTrailing = false): { value: bigint; end: number } | null {
  const r = strtou(s, base);
  if (r.end === 0) return null;
  if (!allowTrailing && r.end !== s.length) return null;
  const v = r.negative ? -r.value : r.value;
  const lim = 1n << BigInt(bits - 1);
  // strtol clamps to LONG_MIN/LONG_MAX with ERANGE; a 32-bit result must also fit its type.
  if (r.overflow || v >= 1n << 63n || v < -(1n << 63n)) return null;
  if (v >= lim || v < -lim) return null;
  return { value: v, end: r.end };
}

/**
 * An unsigned conversion of `bits` bits: virStrToLong_ui/_ul/_ull when `wrap` (a minus sign wraps,
 * "-1" is the maximum), virStrToLong_uip/_ulp/_ullp when not (a minus sign is an error).
 */
export function strToUnsigned(s: string, bits: 32 | 64, wrap: boolean, base = 10, allowTrailing = false): { value: bigint; end: number } | null {
  const r = strtou(s, base);
  if (r.end === 0) return null;
  if (!allowTrailing && r.end !== s.length) return null;
  if (r.overflow) return null;
  if (r.negative) {
    if (!wrap) return null;
    if (bits === 32) {
      if (r.value > 0xffffffffn) return null;
      return { value: BigInt.asUintN(32, -r.value), end: r.end };
    }
    return { value: BigInt.asUintN(64, -r.value), end: r.end };
  }
  if (r.value >= 1n << BigInt(bits)) return null;
  return { value: r.value, end: r.end };
}

/** Why virScaleInteger refused a suffix or a value: libvirt's error, code and message. */
export class ScaleError extends Error {
  constructor(
    readonly code: 'invalid-arg' | 'overflow',
    message: string,
  ) {
    super(message);
  }
}

/** virScaleInteger: `value` times what `suffix` means (or `scale` when there is none), at most `limit`. */
export function scaleInteger(value: bigint, suffix: string, scale: bigint, limit: bigint): bigint {
  let factor = scale;
  const lower = suffix.toLowerCase();
  if (suffix === '') {
    factor = scale;
  } else if (lower === 'b' || lower === 'byte' || lower === 'bytes') {
    factor = 1n;
  } else {
    let base: bigint;
    if (suffix.length === 1 || suffix.slice(1).toLowerCase() === 'ib') base = 1024n;
    else if (suffix[1]!.toLowerCase() === 'b' && suffix.length === 2) base = 1000n;
    else throw new ScaleError('invalid-arg', `invalid argument: unknown suffix '${suffix}'`);
    const power = 'kmgtpe'.indexOf(lower[0]!) + 1;
    if (power === 0) throw new ScaleError('invalid-arg', `invalid argument: unknown suffix '${suffix}'`);
    factor = base ** BigInt(power);
  }
  if (value && value > limit / factor) throw new ScaleError('overflow', `numerical overflow: value too large: ${value}${suffix}`);
  return value * factor;
}

export const UINT_MAX = 0xffffffffn;
export const INT_MAX = 0x7fffffffn;
export const ULLONG_MAX = (1n << 64n) - 1n;
export const LLONG_MAX = (1n << 63n) - 1n;
