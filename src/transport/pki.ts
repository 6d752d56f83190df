/**
 * libvirt's x509 PKI for TLS clients (src/rpc/virnettlscontext.c), on node:crypto.
 *
 * - `locateCredentials`: the file layout and search order (`?pkipath=`, the per-user
 *   `$HOME/.pki/libvirt/` for a non-root client, then `/etc/pki`).
 * - `parseCertificate`: the few X.509 fields libvirt looks at (validity, basicConstraints, keyUsage,
 *   extKeyUsage with their critical flags, subject, subjectAltName), read from the DER because
 *   node:crypto's X509Certificate does not expose key usage bits or critical flags.
 * - The checks libvirt makes, with its messages: the sanity checks of the local CA and client
 *   certificates (virNetTLSContextSanityCheckCredentials), chain verification the way
 *   gnutls_x509_crt_list_verify / gnutls_certificate_verify_peers2 report it, the hostname match of
 *   gnutls_x509_crt_check_hostname, and the checks of the server's certificate after the handshake
 *   (virNetTLSContextValidCertificate).
 */
import { X509Certificate, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** LIBVIRT_PKI_DIR is SYSCONFDIR "/pki"; Debian's SYSCONFDIR is /etc. */
export const DEFAULT_PKI_DIR = '/etc/pki';

/** Where the client's credentials are read from (virNetTLSContextLocateCredentials). */
export interface CredentialPaths {
  cacert: string;
  cacrl: string;
  cert: string;
  key: string;
}

export interface LocateOptions {
  /** `?pkipath=`: use these files whether or not they exist. */
  pkipath?: string | null;
  /** libvirt tries $HOME/.pki/libvirt when the client does not run as root (geteuid() != 0). */
  tryUserPkiPath: boolean;
  /** The user's home directory (g_get_home_dir(): $HOME). */
  home: string;
  /** SYSCONFDIR/pki (default /etc/pki). */
  pkiDir?: string;
  exists?: (path: string) => boolean;
}

/**
 * virNetTLSContextLocateCredentials(isServer = false): an explicit pkipath is used as is; otherwise
 * a non-root client takes from $HOME/.pki/libvirt the CA certificate and CRL that exist there and
 * the client certificate and key when both exist; everything else comes from /etc/pki.
 */
export function locateCredentials(o: LocateOptions): CredentialPaths {
  const exists = o.exists ?? existsSync;
  const pki = o.pkiDir ?? DEFAULT_PKI_DIR;
  let cacert: string | null = null;
  let cacrl: string | null = null;
  let cert: string | null = null;
  let key: string | null = null;
  if (o.pkipath) {
    cacert = `${o.pkipath}/cacert.pem`;
    cacrl = `${o.pkipath}/cacrl.pem`;
    key = `${o.pkipath}/clientkey.pem`;
    cert = `${o.pkipath}/clientcert.pem`;
  } else if (o.tryUserPkiPath) {
    const user = `${o.home}/.pki/libvirt`;
    if (exists(`${user}/cacert.pem`)) cacert = `${user}/cacert.pem`;
    if (exists(`${user}/cacrl.pem`)) cacrl = `${user}/cacrl.pem`;
    if (exists(`${user}/clientkey.pem`) && exists(`${user}/clientcert.pem`)) {
      key = `${user}/clientkey.pem`;
      cert = `${user}/clientcert.pem`;
    }
  }
  cacert ??= join(pki, 'CA/cacert.pem');
  cacrl ??= join(pki, 'CA/cacrl.pem');
  if (key === null && cert === null) {
    key = join(pki, 'libvirt/private/clientkey.pem');
    cert = join(pki, 'libvirt/clientcert.pem');
  }
  return { cacert, cacrl, cert: cert!, key: key! };
}

// ------------------------------------------------------------------------------------------------
// DER

/** A thrown problem with a certificate's encoding. */
export class CertificateParseError extends Error {}

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the contents. */
  body: number;
  /** Offset just past the contents. */
  end: number;
}

function readTlv(b: Uint8Array, at: number, limit = b.length): Tlv {
  if (at + 2 > limit) throw new CertificateParseError('truncated DER');
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) throw new CertificateParseError('high tag numbers are not used in certificates');
  let len = b[at + 1]!;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new CertificateParseError('bad DER length');
    if (body + n > limit) throw new CertificateParseError('truncated DER');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i]!;
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new CertificateParseError('truncated DER');
  return { tag, start: at, body, end };
}

/** The elements inside a constructed TLV. */
function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end; ) {
    const c = readTlv(b, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

function oid(b: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end === t.body) throw new CertificateParseError('expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (let i = t.body; i < t.end; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function time(b: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(b.subarray(t.body, t.end)).toString('latin1');
  let m: RegExpExecArray | null;
  if (t.tag === 0x17 && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (t.tag === 0x18 && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(s))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new CertificateParseError(`bad certificate time '${s}'`);
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'EMAIL',
};

function stringValue(b: Uint8Array, t: Tlv): string {
  const raw = Buffer.from(b.subarray(t.body, t.end));
  switch (t.tag) {
    case 0x1e: // BMPString
      return Buffer.from(raw).swap16().toString('utf16le');
    case 0x0c: // UTF8String
      return raw.toString('utf8');
    default: // Printable, IA5, Teletex, ...
      return raw.toString('latin1');
  }
}

interface Name {
  /** In certificate order (most significant first), e.g. [['C','GB'],['O','Test'],['CN','x']]. */
  rdns: [string, string][];
  /** The DER of the whole Name (issuer/subject matching compares these). */
  der: Buffer;
}

function name(b: Uint8Array, t: Tlv): Name {
  const rdns: [string, string][] = [];
  for (const set of children(b, t)) {
    for (const atv of children(b, set)) {
      const [type, value] = children(b, atv);
      if (!type || !value) throw new CertificateParseError('bad name attribute');
      const id = oid(b, type);
      rdns.push([ATTRIBUTE_NAMES[id] ?? id, stringValue(b, value)]);
    }
  }
  return { rdns, der: Buffer.from(b.subarray(t.start, t.end)) };
}

function escapeDN(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** An extension's presence, criticality and decoded value. */
export interface Ext<T> {
  critical: boolean;
  value: T;
}

/** The X.509 fields libvirt's checks use. */
export interface CertInfo {
  der: Buffer;
  x509: X509Certificate;
  notBefore: Date;
  notAfter: Date;
  issuer: Name;
  subject: Name;
  /** gnutls_x509_crt_get_dn's form, e.g. "C=GB,O=Test,CN=client1" (certificate order). */
  dn: string;
  /** basicConstraints cA; null when the extension is absent. */
  basicConstraints: Ext<{ ca: boolean }> | null;
  /** keyUsage bits (KU_* below); null when absent. */
  keyUsage: Ext<number> | null;
  /** extKeyUsage purpose OIDs; null when absent. */
  extKeyUsage: Ext<string[]> | null;
  /** subjectAltName dNSName and iPAddress entries (addresses as raw bytes). */
  dnsNames: string[];
  ipAddresses: Buffer[];
  /** True when a subjectAltName extension is present. */
  hasSubjectAltName: boolean;
  /** The signature algorithm OID of the certificate. */
  signatureAlgorithm: string;
  serialHex: string;
}

// gnutls's GNUTLS_KEY_* values (the first byte of the keyUsage BIT STRING).
export const KU_DIGITAL_SIGNATURE = 128;
export const KU_KEY_ENCIPHERMENT = 32;
export const KU_KEY_CERT_SIGN = 4;

export const KP_TLS_WWW_SERVER = '1.3.6.1.5.5.7.3.1';
export const KP_TLS_WWW_CLIENT = '1.3.6.1.5.5.7.3.2';
export const KP_ANY = '2.5.29.37.0';

/** Reads what libvirt checks from one DER certificate. */
export function parseCertificate(der: Buffer): CertInfo {
  const b = der;
  const cert = readTlv(b, 0);
  const [tbs, sigAlg] = children(b, cert);
  if (!tbs || tbs.tag !== 0x30 || !sigAlg) throw new CertificateParseError('not a certificate');
  const f = children(b, tbs);
  let i = 0;
  if (f[i]?.tag === 0xa0) i++; // version
  const serial = f[i++];
  i++; // signature
  const issuer = f[i++];
  const validity = f[i++];
  const subject = f[i++];
  i++; // subjectPublicKeyInfo
  if (!serial || !issuer || !validity || !subject) throw new CertificateParseError('truncated certificate');
  const [nb, na] = children(b, validity);
  if (!nb || !na) throw new CertificateParseError('bad validity');
  const info: CertInfo = {
    der,
    x509: new X509Certificate(der),
    notBefore: time(b, nb),
    notAfter: time(b, na),
    issuer: name(b, issuer),
    subject: name(b, subject),
    dn: '',
    basicConstraints: null,
    keyUsage: null,
    extKeyUsage: null,
    dnsNames: [],
    ipAddresses: [],
    hasSubjectAltName: false,
    signatureAlgorithm: oid(b, children(b, sigAlg)[0]!),
    serialHex: Buffer.from(b.subarray(serial.body, serial.end)).toString('hex'),
  };
  info.dn = info.subject.rdns.map(([k, v]) => `${k}=${escapeDN(v)}`).join(',');
  for (; i < f.length; i++) {
    if (f[i]!.tag !== 0xa3) continue;
    const seq = children(b, f[i]!)[0];
    if (!seq) continue;
    for (const ext of children(b, seq)) {
      const parts = children(b, ext);
      const id = oid(b, parts[0]!);
      let critical = false;
      let valueAt = 1;
      if (parts[1]?.tag === 0x01) {
        critical = b[parts[1].body] !== 0;
        valueAt = 2;
      }
      const octets = parts[valueAt];
      if (!octets || octets.tag !== 0x04) throw new CertificateParseError(`bad extension ${id}`);
      const v = readTlv(b, octets.body, octets.end);
      switch (id) {
        case '2.5.29.19': {
          const c = children(b, v);
          const ca = c[0]?.tag === 0x01 && b[c[0].body] !== 0;
          info.basicConstraints = { critical, value: { ca } };
          break;
        }
        case '2.5.29.15': {
          if (v.tag !== 0x03) throw new CertificateParseError('bad keyUsage');
          // BIT STRING: unused-bits byte, then the bits; gnutls packs the first byte (and bit 8).
          const bits = v.end - v.body > 1 ? b[v.body + 1]! : 0;
          const decipherOnly = v.end - v.body > 2 ? (b[v.body + 2]! & 0x80) << 8 : 0;
          info.keyUsage = { critical, value: bits | decipherOnly };
          break;
        }
        case '2.5.29.37':
          info.extKeyUsage = { critical, value: children(b, v).map((o) => oid(b, o)) };
          break;
        case '2.5.29.17':
          info.hasSubjectAltName = true;
          for (const gn of children(b, v)) {
            if (gn.tag === 0x82) info.dnsNames.push(Buffer.from(b.subarray(gn.body, gn.end)).toString('latin1'));
            else if (gn.tag === 0x87) info.ipAddresses.push(Buffer.from(b.subarray(gn.body, gn.end)));
          }
          break;
      }
    }
  }
  return info;
}

/** The certificates of a PEM file, in order (gnutls_x509_crt_list_import). */
export function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN (?:X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 )?CERTIFICATE-----/g;
  for (let m; (m = re.exec(text)); ) out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return out;
}

/** The DER blocks of one PEM type (X509 CRL) in a file. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  for (let m; (m = re.exec(text)); ) out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return out;
}

// ------------------------------------------------------------------------------------------------
// libvirt's certificate checks. Each returns null when the certificate passes, the message of the
// failure otherwise; `warn` receives what libvirt only warns about (VIR_WARN).

export type Warn = (msg: string) => void;

/** virNetTLSContextCheckCertTimes */
export function checkCertTimes(c: CertInfo, file: string, isServer: boolean, isCA: boolean, now = new Date()): string | null {
  const who = isCA ? 'CA' : isServer ? 'server' : 'client';
  if (c.notAfter.getTime() < now.getTime()) return `The ${who} certificate ${file} has expired`;
  if (c.notBefore.getTime() > now.getTime()) return `The ${who} certificate ${file} is not yet active`;
  return null;
}

/** virNetTLSContextCheckCertBasicConstraints */
export function checkBasicConstraints(c: CertInfo, file: string, isServer: boolean, isCA: boolean): string | null {
  const bc = c.basicConstraints;
  if (bc && bc.value.ca) {
    if (!isCA) return `The certificate ${file} basic constraints show a CA, but we need one for a ${isServer ? 'server' : 'client'}`;
  } else if (bc) {
    if (isCA) return `The certificate ${file} basic constraints do not show a CA`;
  } else if (isCA) {
    return `The certificate ${file} is missing basic constraints for a CA`;
  }
  return null;
}

/** virNetTLSContextCheckCertKeyUsage */
export function checkKeyUsage(c: CertInfo, file: string, isCA: boolean, warn: Warn): string | null {
  const usage = c.keyUsage ? c.keyUsage.value : isCA ? KU_KEY_CERT_SIGN : KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT;
  const critical = c.keyUsage?.critical ?? false;
  const need = (bit: number, what: string): string | null => {
    if (usage & bit) return null;
    const msg = `Certificate ${file} usage does not permit ${what}`;
    if (critical) return msg;
    warn(msg);
    return null;
  };
  if (isCA) return need(KU_KEY_CERT_SIGN, 'certificate signing');
  return need(KU_DIGITAL_SIGNATURE, 'digital signature') ?? need(KU_KEY_ENCIPHERMENT, 'key encipherment');
}

/** virNetTLSContextCheckCertKeyPurpose (including its treatment of anyExtendedKeyUsage). */
export function checkKeyPurpose(c: CertInfo, file: string, isServer: boolean, warn: Warn): string | null {
  let allowServer = false;
  let allowClient = false;
  const critical = c.extKeyUsage?.critical ?? false;
  if (!c.extKeyUsage || c.extKeyUsage.value.length === 0) {
    allowServer = allowClient = true;
  } else {
    for (const p of c.extKeyUsage.value) {
      if (p === KP_TLS_WWW_SERVER) allowServer = true;
      else if (p === KP_TLS_WWW_CLIENT) allowClient = true;
      else if (p !== KP_ANY) allowServer = allowClient = true;
    }
  }
  if (isServer ? allowServer : allowClient) return null;
  const msg = `Certificate ${file} purpose does not allow use for with a TLS ${isServer ? 'server' : 'client'}`;
  if (critical) return msg;
  warn(msg);
  return null;
}

/** virNetTLSContextCheckCert */
export function checkCert(c: CertInfo, file: string, isServer: boolean, isCA: boolean, warn: Warn, now = new Date()): string | null {
  return (
    checkCertTimes(c, file, isServer, isCA, now) ??
    checkBasicConstraints(c, file, isServer, isCA) ??
    checkKeyUsage(c, file, isCA, warn) ??
    (isCA ? null : checkKeyPurpose(c, file, isServer, warn))
  );
}

// ------------------------------------------------------------------------------------------------
// Chain verification, reported as gnutls's status bits are by libvirt.

export const CERT_INVALID = 1 << 1;
export const CERT_REVOKED = 1 << 5;
export const CERT_SIGNER_NOT_FOUND = 1 << 6;
export const CERT_SIGNER_NOT_CA = 1 << 7;
export const CERT_INSECURE_ALGORITHM = 1 << 8;
export const CERT_NOT_ACTIVATED = 1 << 9;
export const CERT_EXPIRED = 1 << 10;

/** libvirt's reason text for a gnutls verification status (the last matching test wins, as in C). */
export function statusReason(status: number): string {
  let reason = 'Invalid certificate';
  if (status & CERT_INVALID) reason = 'The certificate is not trusted.';
  if (status & CERT_SIGNER_NOT_FOUND) reason = "The certificate hasn't got a known issuer.";
  if (status & CERT_REVOKED) reason = 'The certificate has been revoked.';
  if (status & CERT_INSECURE_ALGORITHM) reason = 'The certificate uses an insecure algorithm';
  return reason;
}

/** A parsed CRL: its issuer and the serial numbers it revokes. */
export interface CrlInfo {
  issuer: Name;
  revoked: Set<string>;
  tbs: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
}

export function parseCrl(der: Buffer): CrlInfo {
  const b = der;
  const crl = readTlv(b, 0);
  const [tbs, sigAlg, sig] = children(b, crl);
  if (!tbs || !sigAlg || !sig || sig.tag !== 0x03) throw new CertificateParseError('not a CRL');
  const f = children(b, tbs);
  let i = 0;
  if (f[i]?.tag === 0x02) i++; // version
  i++; // signature
  const issuer = f[i++];
  if (!issuer) throw new CertificateParseError('truncated CRL');
  i++; // thisUpdate
  if (f[i] && (f[i]!.tag === 0x17 || f[i]!.tag === 0x18)) i++; // nextUpdate
  const revoked = new Set<string>();
  if (f[i]?.tag === 0x30) {
    for (const entry of children(b, f[i]!)) {
      const serial = children(b, entry)[0];
      if (serial) revoked.add(Buffer.from(b.subarray(serial.body, serial.end)).toString('hex'));
    }
  }
  return {
    issuer: name(b, issuer),
    revoked,
    tbs: Buffer.from(b.subarray(tbs.start, tbs.end)),
    signatureAlgorithm: oid(b, children(b, sigAlg)[0]!),
    signature: Buffer.from(b.subarray(sig.body + 1, sig.end)),
  };
}

const SIGNATURE_HASHES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** Whether the CRL is signed by `issuer` (RSA PKCS#1 v1.5, ECDSA and EdDSA signatures). */
function crlSignedBy(crl: CrlInfo, issuer: CertInfo): boolean {
  const hash = SIGNATURE_HASHES[crl.signatureAlgorithm];
  if (hash === undefined) return false;
  try {
    return cryptoVerify(hash, crl.tbs, createPublicKey(issuer.x509.publicKey.export({ type: 'spki', format: 'pem' })), crl.signature);
  } catch {
    return false;
  }
}

const INSECURE_SIGNATURES = new Set(['1.2.840.113549.1.1.4', '1.2.840.113549.1.1.2']); // MD5, MD2

/**
 * gnutls_x509_crt_list_verify for a chain whose first element is the end certificate, the rest
 * helpers sent by the peer, against trusted CAs (and their CRLs): 0 when trusted, else CERT_* bits.
 * Validity times are flagged as gnutls does; the signature of every link is checked.
 */
export function verifyChain(chain: CertInfo[], cas: CertInfo[], crls: CrlInfo[] = [], now = new Date()): number {
  let status = 0;
  const leaf = chain[0];
  if (!leaf) return CERT_INVALID | CERT_SIGNER_NOT_FOUND;
  const isTrusted = (c: CertInfo): boolean => cas.some((ca) => ca.der.equals(c.der));
  const issuedBy = (c: CertInfo, issuer: CertInfo): boolean => c.issuer.der.equals(issuer.subject.der) && c.x509.verify(issuer.x509.publicKey);
  const timeFlags = (c: CertInfo): number => (c.notAfter < now ? CERT_EXPIRED | CERT_INVALID : 0) | (c.notBefore > now ? CERT_NOT_ACTIVATED | CERT_INVALID : 0);
  const revoked = (c: CertInfo, issuer: CertInfo): boolean =>
    crls.some((crl) => crl.issuer.der.equals(issuer.subject.der) && crl.revoked.has(c.serialHex) && crlSignedBy(crl, issuer));

  let current = leaf;
  const seen = new Set<CertInfo>([leaf]);
  for (let depth = 0; depth < 16; depth++) {
    status |= timeFlags(current);
    if (INSECURE_SIGNATURES.has(current.signatureAlgorithm)) status |= CERT_INSECURE_ALGORITHM | CERT_INVALID;
    // A certificate of the trusted list ends the chain (also a leaf placed there itself).
    if (isTrusted(current)) return status;
    // So does a trusted CA that issued this certificate (a v1 CA without extensions is accepted,
    // as gnutls accepts trusted v1 CAs by default).
    const ca = cas.find((c) => issuedBy(current, c));
    if (ca) {
      if (ca.basicConstraints && !ca.basicConstraints.value.ca) status |= CERT_SIGNER_NOT_CA | CERT_INVALID;
      if (revoked(current, ca)) status |= CERT_REVOKED | CERT_INVALID;
      return status;
    }
    const next = chain.find((c) => !seen.has(c) && issuedBy(current, c));
    if (!next) {
      const nameMatch = cas.some((c) => current.issuer.der.equals(c.subject.der)) || chain.some((c) => c !== current && current.issuer.der.equals(c.subject.der));
      return status | CERT_INVALID | (nameMatch ? 0 : CERT_SIGNER_NOT_FOUND);
    }
    if (!next.basicConstraints?.value.ca) status |= CERT_SIGNER_NOT_CA | CERT_INVALID;
    if (revoked(current, next)) status |= CERT_REVOKED | CERT_INVALID;
    seen.add(next);
    current = next;
  }
  return status | CERT_INVALID;
}

// ------------------------------------------------------------------------------------------------
// Hostname matching as gnutls_x509_crt_check_hostname does it.

function ipBytes(host: string): Buffer | null {
  const v = isIP(host);
  if (v === 4) return Buffer.from(host.split('.').map(Number));
  if (v === 6) {
    const [head, tail] = host.includes('::') ? host.split('::') : [host, null];
    const parse = (s: string | null | undefined): number[] => {
      if (!s) return [];
      const out: number[] = [];
      for (const part of s.split(':')) {
        if (part.includes('.')) {
          const four = part.split('.').map(Number);
          out.push((four[0]! << 8) | four[1]!, (four[2]! << 8) | four[3]!);
        } else out.push(parseInt(part, 16));
      }
      return out;
    };
    const h = parse(head);
    const t = parse(tail);
    const words = tail === null ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
    const buf = Buffer.alloc(16);
    words.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
    return buf;
  }
  return null;
}

/** gnutls's _gnutls_hostname_compare: case-insensitive, one '*' allowed in the leftmost label. */
export function hostnameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  const star = p.indexOf('*');
  if (star < 0) return p === h;
  const firstDot = p.indexOf('.');
  // The wildcard must sit in the first label, and at least two labels must follow it.
  if (firstDot < 0 || star > firstDot || p.indexOf('*', star + 1) >= 0 || p.slice(firstDot + 1).split('.').length < 2) return p === h;
  const hostDot = h.indexOf('.');
  if (hostDot < 0 || h.slice(hostDot) !== p.slice(firstDot)) return false;
  const label = h.slice(0, hostDot);
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1, firstDot);
  return label.length >= prefix.length + suffix.length && label.startsWith(prefix) && label.endsWith(suffix);
}

/**
 * gnutls_x509_crt_check_hostname: an IP address is matched against the iPAddress names, then (as
 * gnutls tolerates) like a DNS name; a name against the dNSName entries, or against the CN when the
 * certificate has no dNSName entry.
 */
export function checkHostname(c: CertInfo, hostname: string): boolean {
  const ip = ipBytes(hostname);
  if (ip && c.ipAddresses.some((a) => a.equals(ip))) return true;
  if (c.dnsNames.length > 0) return c.dnsNames.some((d) => hostnameMatches(d, hostname));
  if (ip && c.ipAddresses.length > 0) return false;
  const cns = c.subject.rdns.filter(([k]) => k === 'CN').map(([, v]) => v);
  return cns.length === 1 && hostnameMatches(cns[0]!, hostname);
}

// ------------------------------------------------------------------------------------------------
// Files

/** virFileReadAll(path, 1 << 16) for a PEM file. */
export function readPem(path: string): string {
  return readFileSync(path, 'latin1');
}
