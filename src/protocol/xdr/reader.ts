import { XdrError } from './error.js';

/**
 * Decoded short ASCII strings, by a hash of their bytes. A large reply such as
 * virConnectGetAllDomainStats carries the same few dozen parameter names thousands of times (and
 * replies repeat domain, disk and interface names): sharing one string per name instead of
 * allocating each again makes decoding such a reply several times faster, because most of its cost
 * is the garbage collector copying what the decoder allocates. JavaScript strings are immutable, so
 * sharing is invisible to callers.
 *
 * A slot holds the last string that hashed there, its byte length and its bytes with their XDR
 * padding as 32-bit words; a hit is confirmed word by word, so a collision only costs a miss.
 * 4096 slots of strings up to 64 bytes: 272 KiB, allocated once.
 */
const STRING_CACHE_SLOTS = 4096;
const STRING_CACHE_MAX_BYTES = 64;
const STRING_CACHE_SLOT_WORDS = STRING_CACHE_MAX_BYTES / 4;
const stringCache: string[] = new Array<string>(STRING_CACHE_SLOTS).fill('');
const stringCacheLength = new Int32Array(STRING_CACHE_SLOTS).fill(-1);
const stringCacheWords = new Int32Array(STRING_CACHE_SLOTS * STRING_CACHE_SLOT_WORDS);

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
    const b = this.buf;
    const p = this.pos;
    if (n <= 64) {
      // UUIDs and other small blobs: a loop beats creating the Buffer view that set() needs.
      for (let i = 0; i < n; i++) out[i] = b[p + i]!;
    } else {
      out.set(b.subarray(p, p + n));
    }
    this.pos = p + n;
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
    const e = start + n;
    const words = (n + 3) >> 2;
    let s: string | undefined;
    if (n <= STRING_CACHE_MAX_BYTES && start + words * 4 <= this.end) {
      // Short strings: hash the bytes and their padding a word at a time (checking they are
      // ASCII on the way), then look for the same bytes in stringCache.
      const v = this.view;
      let h = n;
      let bits = 0;
      for (let i = 0, p = start; i < words; i++, p += 4) {
        const x = v.getInt32(p);
        bits |= x;
        h = Math.imul(h ^ x, 0x9e3779b1);
      }
      if ((bits & 0x80808080) === 0) {
        const slot = (h ^ (h >>> 15)) & (STRING_CACHE_SLOTS - 1);
        const at = slot * STRING_CACHE_SLOT_WORDS;
        if (stringCacheLength[slot] === n) {
          let k = 0;
          while (k < words && stringCacheWords[at + k] === v.getInt32(start + k * 4)) k++;
          if (k === words) s = stringCache[slot];
        }
        if (s === undefined) {
          s = this.buf.toString('latin1', start, e);
          stringCache[slot] = s;
          stringCacheLength[slot] = n;
          for (let k = 0; k < words; k++) stringCacheWords[at + k] = v.getInt32(start + k * 4);
        }
      }
    }
    if (s === undefined) s = this.buf.toString('utf8', start, e);
    this.pos = e;
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
