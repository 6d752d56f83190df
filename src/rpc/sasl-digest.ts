/**
 * DIGEST-MD5 (RFC 2831) as a SASL client, with its security layer: integrity (auth-int) and
 * confidentiality (auth-conf) with the ciphers Cyrus SASL offers (rc4, rc4-56, rc4-40, 3des, des),
 * byte-compatible with Cyrus's digestmd5 plugin that libvirtd uses.
 *
 * A security layer frame is a 4-byte big-endian length, then
 *   auth-conf: CIPHER(Kc, msg || pad || HMAC-MD5(Ki, seq || msg)[0..10]) || 0x0001 || seq
 *   auth-int:  msg || HMAC-MD5(Ki, seq || msg)[0..10] || 0x0001 || seq
 * with a sequence number per direction; RC4 and the DES CBC chain run on across frames.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslMechanismError } from './sasl-scram.js';

export type DigestQop = 'auth' | 'auth-int' | 'auth-conf';
export type DigestCipher = 'rc4' | 'rc4-56' | 'rc4-40' | '3des' | 'des';

/** The SSF (security strength factor) of each protection, as Cyrus reports it. */
export const CIPHER_SSF: Record<DigestCipher, number> = { rc4: 128, '3des': 112, 'rc4-56': 56, des: 55, 'rc4-40': 40 };
/** Our preference among the ciphers, strongest first. */
export const CIPHER_ORDER: readonly DigestCipher[] = ['rc4', '3des', 'rc4-56', 'des', 'rc4-40'];

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};
const hex = (b: Buffer): string => b.toString('hex');

/** Splits a digest-challenge into its directives (quoted-string values unescaped; repeated realm kept). */
export function parseDirectives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let i = 0;
  const skip = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',' || text[i] === '\r' || text[i] === '\n')) i++;
  };
  for (skip(); i < text.length; skip()) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new SaslMechanismError(`malformed DIGEST-MD5 challenge '${text}'`);
    const name = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      i++;
    } else {
      const end = text.indexOf(',', i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** RFC 2831 2.1.2.1: with charset=utf-8, strings all in ISO 8859-1 are hashed as 8859-1. */
function credentialBytes(s: string, utf8: boolean): Buffer {
  if (utf8 && [...s].every((c) => c.codePointAt(0)! <= 0xff)) return Buffer.from(s, 'latin1');
  return Buffer.from(s, utf8 ? 'utf8' : 'latin1');
}

// ------------------------------------------------------------------------------------------------
// Ciphers

/** RC4, whose keystream runs on from one frame to the next. */
class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;
  constructor(key: Buffer) {
    for (let k = 0; k < 256; k++) this.s[k] = k;
    for (let k = 0, j = 0; k < 256; k++) {
      j = (j + this.s[k]! + key[k % key.length]!) & 0xff;
      [this.s[k], this.s[j]] = [this.s[j]!, this.s[k]!];
    }
  }
  apply(data: Buffer): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    const s = this.s;
    let { i, j } = this;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
      out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** 7 key bytes spread over 8 DES key bytes (Cyrus's slidebits), parity bits set. */
function desKey(k7: Buffer): Buffer {
  const k = Buffer.alloc(8);
  k[0] = k7[0]!;
  k[1] = ((k7[0]! << 7) | (k7[1]! >> 1)) & 0xff;
  k[2] = ((k7[1]! << 6) | (k7[2]! >> 2)) & 0xff;
  k[3] = ((k7[2]! << 5) | (k7[3]! >> 3)) & 0xff;
  k[4] = ((k7[3]! << 4) | (k7[4]! >> 4)) & 0xff;
  k[5] = ((k7[4]! << 3) | (k7[5]! >> 5)) & 0xff;
  k[6] = ((k7[5]! << 2) | (k7[6]! >> 6)) & 0xff;
  k[7] = (k7[6]! << 1) & 0xff;
  for (let n = 0; n < 8; n++) {
    let b = k[n]! & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    if (ones % 2 === 0) b |= 1;
    k[n] = b;
  }
  return k;
}

interface FrameCipher {
  readonly block: number;
  encrypt(data: Buffer): Buffer;
  decrypt(data: Buffer): Buffer;
}

/**
 * 3DES (two keys, EDE) or DES in CBC mode, the chain running on across frames: each frame's IV is
 * the last ciphertext block of the previous one in that direction (single DES as EDE with one key).
 */
class DesCbc implements FrameCipher {
  readonly block = 8;
  private iv: Buffer;
  constructor(
    private readonly key24: Buffer,
    iv: Buffer,
  ) {
    this.iv = Buffer.from(iv);
  }
  encrypt(data: Buffer): Buffer {
    const c = createCipheriv('des-ede3-cbc', this.key24, this.iv).setAutoPadding(false);
    const out = Buffer.concat([c.update(data), c.final()]);
    this.iv = out.subarray(out.length - 8);
    return out;
  }
  decrypt(data: Buffer): Buffer {
    const d = createDecipheriv('des-ede3-cbc', this.key24, this.iv).setAutoPadding(false);
    const out = Buffer.concat([d.update(data), d.final()]);
    this.iv = Buffer.from(data.subarray(data.length - 8));
    return out;
  }
}

class Rc4Cipher implements FrameCipher {
  readonly block = 1;
  constructor(
    private readonly enc: Rc4,
    private readonly dec: Rc4,
  ) {}
  encrypt(data: Buffer): Buffer {
    return this.enc.apply(data);
  }
  decrypt(data: Buffer): Buffer {
    return this.dec.apply(data);
  }
}

// ------------------------------------------------------------------------------------------------
// The security layer

/** A negotiated SASL security layer: frames out, frames in. */
export interface SecurityLayer {
  /** The SSF it provides. */
  readonly ssf: number;
  /** The most plaintext bytes one frame may carry (the peer's maxbuf, less the frame's overhead). */
  readonly maxPlain: number;
  /** Encodes plaintext into frames (each with its length prefix), split to fit maxPlain. */
  encode(plain: Buffer): Buffer;
  /** Takes bytes from the wire; returns the plaintext of every frame completed so far. */
  decode(wire: Buffer): Buffer[];
}

const MAC_LEN = 10;
const TRAILER_LEN = 6; // 0x0001 + seqnum

/** DIGEST-MD5's layer for qop auth-int or auth-conf. */
export class DigestLayer implements SecurityLayer {
  private sendSeq = 0;
  private recvSeq = 0;
  private pending: Buffer = Buffer.alloc(0);
  readonly maxPlain: number;
  private readonly encCipher: FrameCipher | null;
  private readonly decCipher: FrameCipher | null;

  constructor(
    readonly ssf: number,
    private readonly kiSend: Buffer,
    private readonly kiRecv: Buffer,
    ciphers: { enc: FrameCipher; dec: FrameCipher } | null,
    /** The peer's maxbuf: the largest frame body it accepts. */
    peerMaxbuf: number,
    /** Our own maxbuf: the largest frame body we accept. */
    private readonly ownMaxbuf: number,
  ) {
    this.encCipher = ciphers?.enc ?? null;
    this.decCipher = ciphers?.dec ?? null;
    this.maxPlain = peerMaxbuf - MAC_LEN - TRAILER_LEN - (this.encCipher?.block ?? 1);
  }

  private mac(key: Buffer, seq: number, msg: Buffer): Buffer {
    const s = Buffer.alloc(4);
    s.writeUInt32BE(seq >>> 0);
    return createHmac('md5', key).update(s).update(msg).digest().subarray(0, MAC_LEN);
  }

  private frame(msg: Buffer): Buffer {
    const seq = this.sendSeq;
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    const mac = this.mac(this.kiSend, seq, msg);
    let body: Buffer;
    if (this.encCipher) {
      const block = this.encCipher.block;
      const padLen = block > 1 ? block - ((msg.length + MAC_LEN) % block) : 0;
      body = this.encCipher.encrypt(Buffer.concat([msg, Buffer.alloc(padLen, padLen), mac]));
    } else {
      body = Buffer.concat([msg, mac]);
    }
    const out = Buffer.allocUnsafe(4 + body.length + TRAILER_LEN);
    out.writeUInt32BE(body.length + TRAILER_LEN, 0);
    body.copy(out, 4);
    out.writeUInt16BE(1, 4 + body.length);
    out.writeUInt32BE(seq, 4 + body.length + 2);
    return out;
  }

  encode(plain: Buffer): Buffer {
    if (plain.length <= this.maxPlain) return this.frame(plain);
    const frames: Buffer[] = [];
    for (let at = 0; at < plain.length; at += this.maxPlain) frames.push(this.frame(plain.subarray(at, at + this.maxPlain)));
    return Buffer.concat(frames);
  }

  decode(wire: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, wire]) : wire;
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readUInt32BE(0);
      if (len > this.ownMaxbuf || len < MAC_LEN + TRAILER_LEN) throw new SaslMechanismError(`SASL frame of ${len} bytes is out of bounds (maxbuf ${this.ownMaxbuf})`);
      if (this.pending.length < 4 + len) break;
      const frame = this.pending.subarray(4, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      out.push(this.unframe(frame));
    }
    if (this.pending.length === 0) this.pending = Buffer.alloc(0);
    return out;
  }

  private unframe(frame: Buffer): Buffer {
    const body = frame.subarray(0, frame.length - TRAILER_LEN);
    const msgType = frame.readUInt16BE(frame.length - TRAILER_LEN);
    const seq = frame.readUInt32BE(frame.length - 4);
    if (msgType !== 1) throw new SaslMechanismError(`bad SASL frame type ${msgType}`);
    if (seq !== this.recvSeq) throw new SaslMechanismError(`SASL frame out of sequence (${seq}, expected ${this.recvSeq})`);
    this.recvSeq = (this.recvSeq + 1) >>> 0;
    let msg: Buffer;
    let mac: Buffer;
    if (this.decCipher) {
      if (body.length % this.decCipher.block !== 0) throw new SaslMechanismError('SASL frame is not a whole number of cipher blocks');
      const clear = this.decCipher.decrypt(body);
      mac = clear.subarray(clear.length - MAC_LEN);
      let end = clear.length - MAC_LEN;
      if (this.decCipher.block > 1) {
        const padLen = clear[end - 1]!;
        if (padLen < 1 || padLen > this.decCipher.block || padLen > end) throw new SaslMechanismError('bad SASL frame padding');
        end -= padLen;
      }
      msg = clear.subarray(0, end);
    } else {
      msg = body.subarray(0, body.length - MAC_LEN);
      mac = body.subarray(body.length - MAC_LEN);
    }
    if (!timingSafeEqual(mac, this.mac(this.kiRecv, seq, msg))) throw new SaslMechanismError('SASL frame integrity check failed');
    return Buffer.from(msg);
  }
}

// ------------------------------------------------------------------------------------------------
// The mechanism

export interface DigestOptions {
  /** The service and host of the digest-uri (libvirt: "libvirt" and the URI's host). */
  service: string;
  host: string;
  username: string;
  password: string;
  /** A realm the user chose (else the server's only realm, else none). */
  realm?: string | null;
  authzid?: string | null;
  /** The strongest protection wanted and the weakest accepted, as SSF (0: no layer). */
  minSsf: number;
  maxSsf: number;
  /** Our maxbuf, sent to the server. */
  maxbuf?: number;
  /** The ciphers we accept for auth-conf, preferred first (default: rc4, 3des, rc4-56, des, rc4-40, as Cyrus ranks them by SSF). */
  ciphers?: readonly DigestCipher[];
  cnonce?: string;
}

/** The realms a challenge offers (the user may be asked to choose). */
export function challengeRealms(challenge: Buffer): string[] {
  return parseDirectives(challenge.toString('utf8')).get('realm') ?? [];
}

/** The client side of one DIGEST-MD5 exchange (no initial response; server challenge first). */
export class DigestMd5Client {
  private expectedRspauth: string | null = null;
  private ha1: Buffer | null = null;
  qop: DigestQop = 'auth';
  cipher: DigestCipher | null = null;
  private serverMaxbuf = 65536;

  constructor(private readonly o: DigestOptions) {}

  get ssf(): number {
    return this.qop === 'auth-conf' ? CIPHER_SSF[this.cipher!] : this.qop === 'auth-int' ? 1 : 0;
  }

  /** The digest-response to the server's digest-challenge. */
  respond(challengeBuf: Buffer): Buffer {
    const d = parseDirectives(challengeBuf.toString('utf8'));
    const one = (k: string): string | undefined => d.get(k)?.[0];
    const nonce = one('nonce');
    if (!nonce) throw new SaslMechanismError('DIGEST-MD5 challenge without a nonce');
    if ((one('algorithm') ?? '').toLowerCase() !== 'md5-sess') throw new SaslMechanismError('DIGEST-MD5 challenge without algorithm=md5-sess');
    const utf8 = (one('charset') ?? '').toLowerCase() === 'utf-8';
    const qops = (one('qop') ?? 'auth').split(',').map((q) => q.trim().toLowerCase());
    const ciphers = (one('cipher') ?? '').split(',').map((c) => c.trim().toLowerCase());
    this.serverMaxbuf = Number(one('maxbuf') ?? 65536) || 65536;

    // The strongest protection both sides allow within [minSsf, maxSsf].
    const { minSsf, maxSsf } = this.o;
    let chosen: { qop: DigestQop; cipher: DigestCipher | null } | null = null;
    if (qops.includes('auth-conf') && maxSsf > 1) {
      const c = (this.o.ciphers ?? CIPHER_ORDER).find((x) => ciphers.includes(x) && CIPHER_SSF[x] <= maxSsf && CIPHER_SSF[x] >= minSsf);
      if (c) chosen = { qop: 'auth-conf', cipher: c };
    }
    if (!chosen && qops.includes('auth-int') && maxSsf >= 1 && minSsf <= 1) chosen = { qop: 'auth-int', cipher: null };
    if (!chosen && qops.includes('auth') && minSsf === 0) chosen = { qop: 'auth', cipher: null };
    if (!chosen) throw new SaslMechanismError(`the server offers no protection of strength ${minSsf}..${maxSsf} (qop ${qops.join(',')}, ciphers ${ciphers.join(',')})`);
    this.qop = chosen.qop;
    this.cipher = chosen.cipher;

    const realms = d.get('realm') ?? [];
    const realm = this.o.realm ?? realms[0] ?? '';
    const cnonce = this.o.cnonce ?? randomBytes(24).toString('base64');
    const nc = '00000001';
    const digestUri = `${this.o.service}/${this.o.host}`;
    const authzid = this.o.authzid || null;
    const inner = md5(credentialBytes(this.o.username, utf8), ':', credentialBytes(realm, utf8), ':', credentialBytes(this.o.password, utf8));
    this.ha1 = md5(inner, ':', nonce, ':', cnonce, ...(authzid ? [':', authzid] : []));
    const a2suffix = this.qop === 'auth' ? '' : ':00000000000000000000000000000000';
    const kd = (a2: string): string => hex(md5(hex(this.ha1!), ':', nonce, ':', nc, ':', cnonce, ':', this.qop, ':', hex(md5(a2))));
    const response = kd(`AUTHENTICATE:${digestUri}${a2suffix}`);
    this.expectedRspauth = kd(`:${digestUri}${a2suffix}`);

    const parts = [
      ...(utf8 ? ['charset=utf-8'] : []),
      `username=${quote(this.o.username)}`,
      ...(realm !== '' || realms.length ? [`realm=${quote(realm)}`] : []),
      `nonce=${quote(nonce)}`,
      `nc=${nc}`,
      `cnonce=${quote(cnonce)}`,
      `digest-uri=${quote(digestUri)}`,
      `maxbuf=${this.o.maxbuf ?? 65536}`,
      `response=${response}`,
      `qop=${this.qop}`,
      ...(this.cipher ? [`cipher=${this.cipher}`] : []),
      ...(authzid ? [`authzid=${quote(authzid)}`] : []),
    ];
    return Buffer.from(parts.join(','), utf8 ? 'utf8' : 'latin1');
  }

  /** Checks the server's response-auth (mutual authentication). */
  verify(serverBuf: Buffer): void {
    const rspauth = parseDirectives(serverBuf.toString('utf8')).get('rspauth')?.[0];
    if (!rspauth || !this.expectedRspauth) throw new SaslMechanismError('the server did not prove it knows the password (no rspauth)');
    const a = Buffer.from(rspauth.toLowerCase());
    const b = Buffer.from(this.expectedRspauth);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new SaslMechanismError('the server signature (rspauth) is wrong: the server does not know the password');
  }

  /**
   * The security layer the exchange negotiated, or null for qop=auth. `side` 'server' builds the
   * server's end of the same layer (its keys and cipher directions swapped), for tests and fakes.
   */
  layer(side: 'client' | 'server' = 'client'): SecurityLayer | null {
    if (this.qop === 'auth' || !this.ha1) return null;
    const ha1 = this.ha1;
    const kic = md5(ha1, 'Digest session key to client-to-server signing key magic constant');
    const kis = md5(ha1, 'Digest session key to server-to-client signing key magic constant');
    const [kiSend, kiRecv] = side === 'client' ? [kic, kis] : [kis, kic];
    const own = this.o.maxbuf ?? 65536;
    if (this.qop === 'auth-int') return new DigestLayer(1, kiSend, kiRecv, null, this.serverMaxbuf, own);
    const n = this.cipher === 'rc4-40' ? 5 : this.cipher === 'rc4-56' ? 7 : 16;
    const kcc = md5(ha1.subarray(0, n), 'Digest H(A1) to client-to-server sealing key magic constant');
    const kcs = md5(ha1.subarray(0, n), 'Digest H(A1) to server-to-client sealing key magic constant');
    const [kcSend, kcRecv] = side === 'client' ? [kcc, kcs] : [kcs, kcc];
    let ciphers: { enc: FrameCipher; dec: FrameCipher };
    if (this.cipher === '3des' || this.cipher === 'des') {
      const key = (kc: Buffer): Buffer => {
        const k1 = desKey(kc.subarray(0, 7));
        if (this.cipher === 'des') return Buffer.concat([k1, k1, k1]);
        const k2 = desKey(kc.subarray(7, 14));
        return Buffer.concat([k1, k2, k1]);
      };
      ciphers = { enc: new DesCbc(key(kcSend), kcSend.subarray(8, 16)), dec: new DesCbc(key(kcRecv), kcRecv.subarray(8, 16)) };
    } else {
      const c = new Rc4Cipher(new Rc4(kcSend), new Rc4(kcRecv));
      ciphers = { enc: c, dec: c };
    }
    return new DigestLayer(this.ssf, kiSend, kiRecv, ciphers, this.serverMaxbuf, own);
  }
}
