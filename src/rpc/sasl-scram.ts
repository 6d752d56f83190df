/**
 * SCRAM-SHA-1 / SCRAM-SHA-256 clients (RFC 5802, RFC 7677) as a SASL mechanism, without channel
 * binding (GS2 header "n,,", as libvirt's client sends through Cyrus SASL), plus SASLprep (RFC 4013)
 * for the user name and password.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha1' | 'sha256';

/** A failure of the exchange (bad server message, server signature mismatch, server error). */
export class SaslMechanismError extends Error {}

// ------------------------------------------------------------------------------------------------
// SASLprep (RFC 4013 on stringprep, RFC 3454): map, normalize (NFKC), prohibit, check bidi.

type Ranges = readonly (readonly [number, number])[];
const inRanges = (cp: number, ranges: Ranges): boolean => ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

/** RFC 3454 B.1: commonly mapped to nothing. */
const MAPPED_TO_NOTHING: Ranges = [[0xad, 0xad], [0x34f, 0x34f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff]];
/** RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE. */
const NON_ASCII_SPACE: Ranges = [[0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
/** RFC 3454 C.2.1-C.9: what SASLprep prohibits (after the spaces were mapped). */
const PROHIBITED: Ranges = [
  [0x0, 0x1f], [0x7f, 0x9f], [0x340, 0x341], [0x6dd, 0x6dd], [0x70f, 0x70f], [0x180e, 0x180e], [0x200c, 0x200f], [0x2028, 0x202e],
  [0x2060, 0x2063], [0x206a, 0x206f], [0x2ff0, 0x2ffb], [0xd800, 0xdfff], [0xe000, 0xf8ff], [0xfeff, 0xfeff], [0xfff9, 0xfffd],
  [0x1d173, 0x1d17a], [0xe0001, 0xe0001], [0xe0020, 0xe007f], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
];
/** RFC 3454 D.1: characters with bidirectional property R or AL (the main blocks). */
const RAND_AL: Ranges = [
  [0x5be, 0x5be], [0x5c0, 0x5c0], [0x5c3, 0x5c3], [0x5d0, 0x5ea], [0x5f0, 0x5f4], [0x61b, 0x61b], [0x61f, 0x61f], [0x621, 0x63a],
  [0x640, 0x64a], [0x66d, 0x66f], [0x671, 0x6d5], [0x6dd, 0x6dd], [0x6e5, 0x6e6], [0x6fa, 0x6fe], [0x700, 0x70d], [0x710, 0x710],
  [0x712, 0x72c], [0x780, 0x7a5], [0x7b1, 0x7b1], [0x200f, 0x200f], [0xfb1d, 0xfb1d], [0xfb1f, 0xfb28], [0xfb2a, 0xfb36], [0xfb38, 0xfb3c],
  [0xfb3e, 0xfb3e], [0xfb40, 0xfb41], [0xfb43, 0xfb44], [0xfb46, 0xfbb1], [0xfbd3, 0xfd3d], [0xfd50, 0xfd8f], [0xfd92, 0xfdc7], [0xfdf0, 0xfdfc],
  [0xfe70, 0xfe74], [0xfe76, 0xfefc],
];
const L_CAT = /\p{L}/u;

/** SASLprep of a stored string (unassigned code points are allowed, as for queries). */
export function saslprep(input: string): string {
  let mapped = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(cp, MAPPED_TO_NOTHING) && !inRanges(cp, NON_ASCII_SPACE)) continue;
    mapped += inRanges(cp, NON_ASCII_SPACE) ? ' ' : ch;
  }
  const s = mapped.normalize('NFKC');
  const chars = [...s];
  if (chars.some((c) => inRanges(c.codePointAt(0)!, PROHIBITED))) throw new SaslMechanismError('SASLprep: prohibited character in user name or password');
  const isRAL = (c: string): boolean => inRanges(c.codePointAt(0)!, RAND_AL);
  if (chars.some(isRAL)) {
    // RFC 3454 6: a string with RandALCat characters has no LCat ones and starts and ends with RandALCat.
    if (chars.some((c) => L_CAT.test(c) && !isRAL(c)) || !isRAL(chars[0]!) || !isRAL(chars[chars.length - 1]!)) {
      throw new SaslMechanismError('SASLprep: invalid bidirectional text');
    }
  }
  return s;
}

// ------------------------------------------------------------------------------------------------

const hashLen = (h: ScramHash): number => (h === 'sha1' ? 20 : 32);
const H = (h: ScramHash, data: Buffer): Buffer => createHash(h).update(data).digest();
const HMAC = (h: ScramHash, key: Buffer, data: string | Buffer): Buffer => createHmac(h, key).update(data).digest();
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** `saslname`: ',' and '=' escaped as =2C and =3D. */
const saslname = (s: string): string => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

function parseAttributes(msg: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of msg.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new SaslMechanismError(`malformed SCRAM message '${msg}'`);
    m.set(part[0]!, part.slice(2));
  }
  return m;
}

/**
 * The client side of one SCRAM exchange: `first()` is the initial response, `final(serverFirst)` the
 * answer to the server's challenge, `verify(serverFinal)` checks the server's signature.
 */
export class ScramClient {
  private clientFirstBare = '';
  private serverSignature: Buffer | null = null;
  readonly gs2Header: string;

  constructor(
    readonly hash: ScramHash,
    private readonly username: string,
    private readonly password: string,
    private readonly cnonce: string = randomBytes(24).toString('base64'),
    authzid: string | null = null,
  ) {
    this.gs2Header = `n,${authzid ? `a=${saslname(saslprep(authzid))}` : ''},`;
  }

  first(): Buffer {
    this.clientFirstBare = `n=${saslname(saslprep(this.username))},r=${this.cnonce}`;
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  final(serverFirstBuf: Buffer): Buffer {
    const serverFirst = serverFirstBuf.toString('utf8');
    const a = parseAttributes(serverFirst);
    if (a.has('m')) throw new SaslMechanismError('the server requires a SCRAM extension this client does not know');
    if (a.has('e')) throw new SaslMechanismError(`server error: ${a.get('e')}`);
    const nonce = a.get('r');
    const salt = a.get('s');
    const iterations = Number(a.get('i'));
    if (!nonce || !nonce.startsWith(this.cnonce) || nonce.length === this.cnonce.length) throw new SaslMechanismError('the server nonce does not extend ours');
    if (!salt || !Number.isInteger(iterations) || iterations < 1) throw new SaslMechanismError('bad salt or iteration count from the server');
    const salted = pbkdf2Sync(Buffer.from(saslprep(this.password), 'utf8'), Buffer.from(salt, 'base64'), iterations, hashLen(this.hash), this.hash);
    const clientKey = HMAC(this.hash, salted, 'Client Key');
    const storedKey = H(this.hash, clientKey);
    const withoutProof = `c=${Buffer.from(this.gs2Header, 'utf8').toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, HMAC(this.hash, storedKey, authMessage));
    this.serverSignature = HMAC(this.hash, HMAC(this.hash, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  verify(serverFinalBuf: Buffer): void {
    const a = parseAttributes(serverFinalBuf.toString('utf8'));
    if (a.has('e')) throw new SaslMechanismError(`server error: ${a.get('e')}`);
    const v = a.get('v');
    if (!v || !this.serverSignature) throw new SaslMechanismError('no server signature');
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new SaslMechanismError('the server signature is wrong: the server does not know the password');
    }
  }
}
