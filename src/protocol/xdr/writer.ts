import { XdrError } from './error.js';

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const UINT_MAX = 0xffffffff;
const HYPER_MIN = -(1n << 63n);
const HYPER_MAX = (1n << 63n) - 1n;
const UHYPER_MAX = (1n << 64n) - 1n;

/**
 * Encodes XDR (RFC 4506) into a growable buffer. Every value is checked against its C type and
 * every length against its declared bound before it is written, so a bad argument becomes an
 * XdrError naming the field instead of corrupt bytes on the wire.
 */
export class XdrWriter {
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  fail(where: string, detail: string): never {
    throw new XdrError(where, detail, this.pos);
  }

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64);
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  int(where: string, v: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < INT_MIN || v > INT_MAX) this.badValue(where, v, 'a 32-bit signed integer');
    if (this.pos + 4 > this.buf.length) this.reserve(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  uint(where: string, v: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > UINT_MAX) this.badValue(where, v, 'a 32-bit unsigned integer');
    if (this.pos + 4 > this.buf.length) this.reserve(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** char and short (signed or not) travel as a 4-byte int. */
  ranged(where: string, v: number, min: number, max: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.badValue(where, v, `an integer in ${min}..${max}`);
    if (this.pos + 4 > this.buf.length) this.reserve(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  hyper(where: string, v: bigint): void {
    if (typeof v !== 'bigint' || v < HYPER_MIN || v > HYPER_MAX) this.badValue(where, v, 'a 64-bit signed bigint');
    if (this.pos + 8 > this.buf.length) this.reserve(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  uhyper(where: string, v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > UHYPER_MAX) this.badValue(where, v, 'a 64-bit unsigned bigint');
    if (this.pos + 8 > this.buf.length) this.reserve(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  float(where: string, v: number): void {
    if (typeof v !== 'number') this.badValue(where, v, 'a number');
    this.reserve(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  double(where: string, v: number): void {
    if (typeof v !== 'number') this.badValue(where, v, 'a number');
    if (this.pos + 8 > this.buf.length) this.reserve(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bool(where: string, v: boolean): void {
    if (typeof v !== 'boolean') this.badValue(where, v, 'a boolean');
    if (this.pos + 4 > this.buf.length) this.reserve(4);
    this.view.setInt32(this.pos, v ? 1 : 0);
    this.pos += 4;
  }

  enumValue(where: string, v: number, valid: ReadonlySet<number>): void {
    if (!valid.has(v)) this.badValue(where, v, 'a declared enum value');
    this.int(where, v);
  }

  /** Length prefix of a variable-length item, checked against its bound. */
  length(where: string, n: number, max: number): void {
    if (n > max) this.fail(where, `length ${n} exceeds bound ${max}`);
    this.uint(where, n);
  }

  /** Array values must be arrays; fixed arrays must have exactly their declared length. */
  array(where: string, v: unknown, exact?: number): void {
    if (!Array.isArray(v)) this.badValue(where, v, 'an array');
    if (exact !== undefined && v.length !== exact) this.fail(where, `fixed array needs ${exact} items, got ${v.length}`);
  }

  private pad(n: number): void {
    const pad = (4 - (n & 3)) & 3;
    for (let i = 0; i < pad; i++) this.buf[this.pos++] = 0;
  }

  fixedOpaque(where: string, v: Uint8Array, n: number): void {
    if (!(v instanceof Uint8Array)) this.badValue(where, v, 'a Uint8Array');
    if (v.length !== n) this.fail(where, `fixed opaque needs ${n} bytes, got ${v.length}`);
    this.reserve(n + 3);
    this.buf.set(v, this.pos);
    this.pos += n;
    this.pad(n);
  }

  varOpaque(where: string, v: Uint8Array, max: number): void {
    if (!(v instanceof Uint8Array)) this.badValue(where, v, 'a Uint8Array');
    this.length(where, v.length, max);
    this.reserve(v.length + 3);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    this.pad(v.length);
  }

  string(where: string, v: string, max: number): void {
    if (typeof v !== 'string') this.badValue(where, v, 'a string');
    // Room for the worst case (3 bytes per UTF-16 unit), then write in place and back-patch the length.
    this.reserve(4 + v.length * 3 + 3);
    const start = this.pos + 4;
    let n: number;
    if (v.length <= 32) {
      n = 0;
      for (; n < v.length; n++) {
        const c = v.charCodeAt(n);
        if (c >= 0x80) break;
        this.buf[start + n] = c;
      }
      if (n < v.length) n = this.buf.write(v, start, 'utf8');
    } else {
      n = this.buf.write(v, start, 'utf8');
    }
    if (n > max) this.fail(where, `length ${n} exceeds bound ${max}`);
    this.view.setUint32(this.pos, n);
    this.pos = start + n;
    this.pad(n);
  }

  /** Bytes as they are (stream data is an unframed payload). */
  raw(v: Uint8Array): void {
    this.reserve(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  optional(where: string, present: boolean): void {
    this.bool(where, present);
  }

  private badValue(where: string, v: unknown, expected: string): never {
    const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v);
    return this.fail(where, `expected ${expected}, got ${typeof v} ${shown}`);
  }
}
