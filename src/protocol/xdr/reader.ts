import { XdrError } from './error.js';

/**
 * Decodes XDR (RFC 4506) from a byte buffer. Every read checks what is left before touching the
 * buffer and every length is checked against its declared bound and the remaining bytes before
 * anything is allocated, so untrusted input can only produce an XdrError.
 *
 * `where` arguments are constant strings from the generated code ("type.field"); they cost nothing
 * unless an error is raised.
 */
export class XdrReader {
  readonly buf: Buffer;
  readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(where: string, detail: string): never {
    throw new XdrError(where, detail, this.pos);
  }

  private need(n: number, where: string): void {
    if (this.end - this.pos < n) this.fail(where, `truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  int(where: string): number {
    if (this.end - this.pos < 4) this.need(4, where);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  uint(where: string): number {
    if (this.end - this.pos < 4) this.need(4, where);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** char, short and their unsigned forms travel as a 4-byte int; the value must fit the C type. */
  ranged(where: string, min: number, max: number): number {
    const v = this.int(where);
    if (v < min || v > max) {
      const u = v >>> 0;
      if (min === 0 && u <= max) return u;
      this.pos -= 4;
      this.fail(where, `value ${v} out of range ${min}..${max}`);
    }
    return v;
  }

  hyper(where: string): bigint {
    if (this.end - this.pos < 8) this.need(8, where);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  uhyper(where: string): bigint {
    if (this.end - this.pos < 8) this.need(8, where);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  float(where: string): number {
    this.need(4, where);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  double(where: string): number {
    if (this.end - this.pos < 8) this.need(8, where);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  bool(where: string): boolean {
    const v = this.int(where);
    if (v === 0) return false;
    if (v === 1) return true;
    this.pos -= 4;
    return this.fail(where, `bool must be 0 or 1, got ${v}`);
  }

  /** Reads an enum and checks it is one of the declared values. */
  enumValue(where: string, valid: ReadonlySet<number>): number {
    const v = this.int(where);
    if (!valid.has(v)) {
      this.pos -= 4;
      this.fail(where, `enum value ${v} is not declared`);
    }
    return v;
  }

  /** Length prefix of a variable-length item, checked against its bound and what is left. */
  length(where: string, max: number, minBytesPerItem: number): number {
    const n = this.uint(where);
    if (n > max) {
      this.pos -= 4;
      this.fail(where, `length ${n} exceeds bound ${max}`);
    }
    if (n * minBytesPerItem > this.end - this.pos) {
      this.pos -= 4;
      this.fail(where, `length ${n} exceeds the ${this.end - this.pos - 4} bytes left`);
    }
    return n;
  }

  private padding(n: number, where: string): void {
    const pad = (4 - (n & 3)) & 3;
    if (pad === 0) return;
    this.need(pad, where);
    for (let i = 0; i < pad; i++) {
      if (this.buf[this.pos + i] !== 0) this.fail(where, 'non-zero padding');
    }
    this.pos += pad;
  }

  fixedOpaque(where: string, n: number): Uint8Array {
    this.need(n, where);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    this.padding(n, where);
    return out;
  }

  varOpaque(where: string, max: number): Uint8Array {
    const n = this.length(where, max, 1);
    return this.fixedOpaque(where, n);
  }

  string(where: string, max: number): string {
    const n = this.length(where, max, 1);
    const start = this.pos;
    let s: string;
    // Short ASCII strings are the common case (names, field names); decoding them by hand
    // avoids the native call overhead of toString().
    if (n <= 32) {
      s = '';
      const b = this.buf;
      let i = start;
      const e = start + n;
      for (; i < e; i++) {
        const c = b[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i < e) s = b.toString('utf8', start, e);
    } else {
      s = this.buf.toString('utf8', start, start + n);
    }
    this.pos += n;
    this.padding(n, where);
    return s;
  }

  /** Discriminant of optional data (`T *`): false for absent, true for present. */
  optional(where: string): boolean {
    return this.bool(where);
  }

  /** Asserts the whole buffer was consumed. */
  done(where: string): void {
    if (this.pos !== this.end) this.fail(where, `${this.end - this.pos} unexpected trailing bytes`);
  }
}
