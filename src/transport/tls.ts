/**
 * The `+tls` transport (and the default for a URI with a host), on node:tls, doing what libvirt's
 * remote driver does (virNetTLSContextNewClientPath, virNetClientSetTLSSession):
 *
 * 1. Find the credentials: `?pkipath=`, else (non-root) `$HOME/.pki/libvirt/`, else `/etc/pki`
 *    (`CA/cacert.pem`, `CA/cacrl.pem`, `libvirt/clientcert.pem`, `libvirt/private/clientkey.pem`).
 * 2. Unless `?no_sanity=1`, check the local CA and client certificates as libvirt does.
 * 3. Connect over TCP (port 16514 by default) and make the TLS handshake, offering the client
 *    certificate when there is one.
 * 4. Check the server's certificate: chain to the CA (and CRL), validity times, hostname, basic
 *    constraints, key usage and purpose. A failure ends the connection unless `?no_verify=1`, which
 *    (as in libvirt) turns the failures into warnings.
 * 5. Wait for the byte libvirtd sends once it has checked *our* certificate: 1 means accepted;
 *    anything else, or the connection closing, is a refusal, reported as libvirt reports it.
 */
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type SecureVersion, type TLSSocket } from 'node:tls';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { clientError, LibvirtError } from '../errors/errors.js';
import type { ConnectTarget } from './target.js';
import { VIR_ERR_AUTH_FAILED, VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import { strerror } from '../util/errno.js';
import { readable } from '../util/fs.js';
import { getLogger } from '../util/log.js';
import {
  type CertInfo,
  type CrlInfo,
  checkBasicConstraints,
  checkCert,
  checkCertTimes,
  checkHostname,
  checkKeyPurpose,
  checkKeyUsage,
  locateCredentials,
  parseCertificate,
  parseCrl,
  pemBlocks,
  pemCertificates,
  readPem,
  statusReason,
  verifyChain,
} from './pki.js';
import { openTcp } from './socket.js';
import type { Transport } from './transport.js';

const log = getLogger('rpc.tls');

export interface TlsOptions {
  /** Give up after this many ms (connecting, handshake and the server's confirmation together). */
  timeout?: number;
  /** Environment for HOME (the per-user PKI directory). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The effective uid: libvirt looks in $HOME/.pki/libvirt only when it is not 0. Default geteuid(). */
  uid?: number;
  /** libvirt.conf's `tls_priority`, used when the URI has no `?tls_priority=`. */
  tlsPriority?: string;
  /** SYSCONFDIR/pki, where the system-wide credentials live. Default /etc/pki. */
  pkiDir?: string;
}

/** A TLS transport, with what the session negotiated. */
export interface TlsTransport extends Transport {
  readonly stream: TLSSocket;
  /** virNetClientGetTLSKeySize: the key size of the session's cipher, in bytes (SASL's external SSF is 8x this). */
  readonly tlsKeySize: number;
  /** e.g. 'TLSv1.3' */
  readonly protocol: string;
  /** e.g. 'TLS_AES_256_GCM_SHA384' */
  readonly cipher: string;
  /** The server certificate's distinguished name, e.g. 'O=Test,CN=host.example'. */
  readonly peerDN: string;
  /** The files the credentials were read from. */
  readonly credentials: { cacert: string; cacrl: string | null; cert: string | null; key: string | null };
}

const sysError = (message: string, cause?: unknown): LibvirtError => clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, message, cause);

// ------------------------------------------------------------------------------------------------
// gnutls priority strings, as far as node:tls can follow them (the protocol versions).

const VERSIONS: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const VERSION_TOKENS: Record<string, SecureVersion> = { 'VERS-TLS1.0': 'TLSv1', 'VERS-TLS1.1': 'TLSv1.1', 'VERS-TLS1.2': 'TLSv1.2', 'VERS-TLS1.3': 'TLSv1.3' };
const BASE_KEYWORDS = new Set(['NORMAL', 'PERFORMANCE', 'SECURE', 'SECURE128', 'SECURE192', 'SECURE256', 'PFS', 'LEGACY', 'SUITEB128', 'SUITEB192', 'SYSTEM', 'NONE']);

/**
 * The protocol versions a gnutls priority string allows (`NORMAL:-VERS-TLS1.3`,
 * `@SYSTEM:+VERS-TLS1.2`, `NONE:+VERS-TLS1.2:...`). Other settings (ciphers, curves, flags) have no
 * node:tls equivalent and are left to OpenSSL's defaults; a string that does not start with a
 * keyword gnutls knows is refused, as gnutls would refuse it.
 */
export function priorityVersions(priority: string): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  const tokens = priority.split(':').map((t) => t.trim());
  const head = tokens[0]!.replace(/^@/, '').split(',')[0]!;
  if (!BASE_KEYWORDS.has(head) && !/^[A-Z0-9_-]+$/.test(head)) {
    throw sysError(`Failed to set TLS session priority to ${priority}: The request is invalid.`);
  }
  // gnutls's defaults: TLS 1.2 and 1.3 (TLS 1.0/1.1 are disabled by the system policy).
  const allowed = new Set<SecureVersion>(head === 'NONE' ? [] : ['TLSv1.2', 'TLSv1.3']);
  for (const t of tokens.slice(1)) {
    const sign = t[0];
    const body = t.slice(1);
    if ((sign === '+' || sign === '-') && body === 'VERS-ALL') {
      for (const v of VERSIONS) if (sign === '+') allowed.add(v);
      if (sign === '-') allowed.clear();
    } else if ((sign === '+' || sign === '-') && VERSION_TOKENS[body]) {
      if (sign === '+') allowed.add(VERSION_TOKENS[body]);
      else allowed.delete(VERSION_TOKENS[body]);
    } else if (t !== '') {
      log.debug(`TLS priority element '${t}' has no node:tls equivalent; OpenSSL's default applies`);
    }
  }
  const list = VERSIONS.filter((v) => allowed.has(v));
  if (list.length === 0) throw sysError(`Failed to set TLS session priority to ${priority}: No supported protocol versions are enabled.`);
  return { minVersion: list[0]!, maxVersion: list[list.length - 1]! };
}

// ------------------------------------------------------------------------------------------------
// Credentials

interface Credentials {
  paths: TlsTransport['credentials'];
  ca: string;
  cas: CertInfo[];
  crls: CrlInfo[];
  cert?: string;
  key?: string;
}

/** virNetTLSContextSanityCheckCredentials(isServer = false) */
function sanityCheck(cacertFile: string, certFile: string): void {
  const warn = (m: string): void => log.warn(m);
  let cert: CertInfo | null = null;
  if (readable(certFile)) {
    try {
      const der = pemCertificates(readPem(certFile))[0];
      if (!der) throw new Error('no certificate');
      cert = parseCertificate(der);
    } catch (e) {
      throw sysError(`Unable to import client certificate ${certFile}`, e);
    }
  }
  let cas: CertInfo[] = [];
  if (readable(cacertFile)) {
    try {
      const ders = pemCertificates(readPem(cacertFile));
      if (ders.length === 0) throw new Error('no certificate');
      cas = ders.slice(0, 16).map(parseCertificate);
    } catch (e) {
      throw sysError(`Unable to import CA certificate list ${cacertFile}`, e);
    }
  }
  if (cert) {
    const bad = checkCert(cert, certFile, false, false, warn);
    if (bad) throw sysError(bad);
  }
  for (const ca of cas) {
    const bad = checkCert(ca, cacertFile, false, true, warn);
    if (bad) throw sysError(bad);
  }
  if (cert && cas.length) {
    const status = verifyChain([cert], cas);
    if (status !== 0) throw sysError(`Our own certificate ${certFile} failed validation against ${cacertFile}: ${statusReason(status)}`);
  }
}

/** virNetTLSContextLoadCredentials(isServer = false) */
function loadCredentials(target: ConnectTarget, options: TlsOptions): Credentials {
  const env = options.env ?? process.env;
  const uid = options.uid ?? process.geteuid?.() ?? 0;
  const paths = locateCredentials({ pkipath: target.options.pkipath || null, tryUserPkiPath: uid !== 0, home: env.HOME || homedir(), pkiDir: options.pkiDir });
  log.debug(`TLS credentials: cacert=${paths.cacert} cacrl=${paths.cacrl} cert=${paths.cert} key=${paths.key}`);
  if (!target.noSanity) sanityCheck(paths.cacert, paths.cert);

  if (!existsSync(paths.cacert)) throw sysError(`Cannot read CA certificate '${paths.cacert}': ${strerror('ENOENT')}`);
  let ca: string;
  let cas: CertInfo[];
  try {
    ca = readPem(paths.cacert);
    cas = pemCertificates(ca).map(parseCertificate);
    if (cas.length === 0) throw new Error('Base64 decoding error.');
  } catch (e) {
    throw sysError(`Unable to set x509 CA certificate: ${paths.cacert}: ${(e as Error).message}`, e);
  }

  let crls: CrlInfo[] = [];
  let cacrl: string | null = null;
  if (existsSync(paths.cacrl)) {
    try {
      crls = pemBlocks(readPem(paths.cacrl), 'X509 CRL').map(parseCrl);
      cacrl = paths.cacrl;
    } catch (e) {
      throw sysError(`Unable to set x509 certificate revocation list: ${paths.cacrl}: ${(e as Error).message}`, e);
    }
  }

  const creds: Credentials = { paths: { cacert: paths.cacert, cacrl, cert: null, key: null }, ca, cas, crls };
  // A client without a certificate (or key) goes on without one.
  if (existsSync(paths.cert) && existsSync(paths.key)) {
    try {
      creds.cert = readPem(paths.cert);
      creds.key = readPem(paths.key);
      if (pemCertificates(creds.cert).length === 0) throw new Error('Base64 decoding error.');
    } catch (e) {
      throw sysError(`Unable to set x509 key and certificate: ${paths.key}, ${paths.cert}: ${(e as Error).message}`, e);
    }
    creds.paths = { ...creds.paths, cert: paths.cert, key: paths.key };
  } else {
    log.debug(`Skipping non-existent cert ${paths.cert} key ${paths.key} on client`);
  }
  return creds;
}

// ------------------------------------------------------------------------------------------------
// The session

/** The peer's chain as sent (leaf first), from node's linked PeerCertificate objects. */
function peerChain(sock: TLSSocket): CertInfo[] {
  const out: CertInfo[] = [];
  let c: PeerCertificate | undefined = sock.getPeerCertificate(true);
  const seen = new Set<PeerCertificate>();
  while (c && c.raw && !seen.has(c)) {
    seen.add(c);
    out.push(parseCertificate(c.raw));
    const next: PeerCertificate | undefined = (c as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
    if (!next || next === c) break;
    c = next;
  }
  return out;
}

/**
 * virNetTLSContextValidCertificate for a client: null when the server's certificate passes, else
 * the libvirt error the failure is reported with.
 */
function checkServerCertificate(sock: TLSSocket, creds: Credentials, hostname: string): { error: LibvirtError | null; dn: string } {
  const warn = (m: string): void => log.warn(m);
  let chain: CertInfo[];
  try {
    chain = peerChain(sock);
  } catch (e) {
    return { error: sysError('Unable to load certificate', e), dn: '' };
  }
  if (chain.length === 0) return { error: sysError('The certificate has no peers'), dn: '' };
  const leaf = chain[0]!;
  const status = verifyChain(chain, creds.cas, creds.crls);
  if (status !== 0) return { error: sysError(`Certificate failed validation: ${statusReason(status)}`), dn: leaf.dn };
  for (let i = 0; i < chain.length; i++) {
    const bad = checkCertTimes(chain[i]!, '[session]', false, i > 0);
    if (bad) return { error: sysError(bad), dn: leaf.dn };
  }
  log.debug(`Peer DN is ${leaf.dn}`);
  if (!checkHostname(leaf, hostname)) {
    return { error: clientError(VIR_ERR_RPC, VIR_FROM_RPC, `Certificate [session] owner does not match the hostname ${hostname}`), dn: leaf.dn };
  }
  const bad = checkBasicConstraints(leaf, '[session]', true, false) ?? checkKeyUsage(leaf, '[session]', false, warn) ?? checkKeyPurpose(leaf, '[session]', true, warn);
  return { error: bad ? sysError(bad) : null, dn: leaf.dn };
}

/** gnutls_strerror's text for what went wrong in node:tls's handshake (the cause keeps OpenSSL's). */
export function handshakeErrorText(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  // node reports the peer closing the connection mid-handshake with this message (and code ECONNRESET).
  if (/socket disconnected before secure TLS/.test(e.message)) return 'The TLS connection was non-properly terminated.';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'Error in the pull function.';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_RECORD_LAYER_FAILURE' || code === 'ERR_SSL_UNEXPECTED_MESSAGE') {
    return 'An unexpected TLS packet was received.';
  }
  if (/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/.test(code)) return 'A TLS fatal alert has been received.';
  if (code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') return 'Could not negotiate a supported version.';
  return (e as Error & { reason?: string }).reason ?? e.message;
}

/** gnutls_cipher_get_key_size for the negotiated cipher, from its name. */
export function cipherKeySize(name: string): number {
  if (/AES_?256|AES256|CHACHA20|CAMELLIA_?256/i.test(name)) return 32;
  if (/AES_?128|AES128|CAMELLIA_?128/i.test(name)) return 16;
  if (/3DES|DES-CBC3|DES_EDE3/i.test(name)) return 24;
  return 16;
}

/**
 * The confirmation libvirtd sends in a TLS record after checking our certificate: resolves to the
 * byte, or null when the stream ends first; rejects when it fails. Bytes after it stay unread.
 */
function readConfirmation(sock: TLSSocket): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      sock.off('readable', onReadable);
      sock.off('end', onEnd);
      sock.off('close', onEnd);
      sock.off('error', onError);
    };
    const onReadable = (): void => {
      const b = sock.read(1) as Buffer | null;
      if (b === null) return;
      cleanup();
      resolve(b[0]!);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    sock.on('readable', onReadable);
    sock.once('end', onEnd);
    sock.once('close', onEnd);
    sock.once('error', onError);
    onReadable();
  });
}

/** Races `p` against the time left; on timeout `onTimeout` cleans up and the promise rejects. */
function withDeadline<T>(p: Promise<T>, deadline: number | null, what: string, onTimeout: () => void, timeout?: number): Promise<T> {
  if (deadline === null) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        onTimeout();
        reject(clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `timed out after ${timeout} ms ${what}`));
      },
      Math.max(0, deadline - performance.now()),
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Opens a TLS connection to libvirtd for a `+tls` target (resolveTarget's host, port, `pkipath`,
 * `no_verify`, `no_sanity`, `tls_priority`). Errors carry libvirt's codes and messages for the same
 * failure.
 */
export async function openTls(target: ConnectTarget, options: TlsOptions = {}): Promise<TlsTransport> {
  const host = target.host ?? 'localhost';
  const port = target.port ?? 16514;
  const verify = !target.noVerify;
  const priority = target.options.tls_priority ?? options.tlsPriority ?? null;
  const versions = priority ? priorityVersions(priority) : { minVersion: 'TLSv1.2' as SecureVersion, maxVersion: 'TLSv1.3' as SecureVersion };
  const creds = loadCredentials(target, options);
  const deadline = options.timeout === undefined ? null : performance.now() + options.timeout;
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

  const tcp = await openTcp(host, port, { timeout: options.timeout });
  const socket = tcp.stream as import('node:net').Socket;

  const tlsOptions: ConnectionOptions = {
    socket,
    ca: creds.ca,
    cert: creds.cert,
    key: creds.key,
    // The server's certificate is checked below, as libvirt checks it (gnutls does not check it in
    // the handshake either), so that `no_verify` can turn failures into warnings.
    rejectUnauthorized: false,
    // libvirt sends no SNI.
    servername: undefined,
    ...versions,
  };
  let sock: TLSSocket;
  try {
    sock = tlsConnect(tlsOptions);
  } catch (e) {
    socket.destroy();
    throw sysError(`Unable to set x509 key and certificate: ${creds.paths.key}, ${creds.paths.cert}: ${(e as Error).message}`, e);
  }

  const handshake = new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      sock.off('secureConnect', onSecure);
      reject(clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC, `authentication failed: TLS handshake failed ${handshakeErrorText(e)}`, e));
    };
    const onSecure = (): void => {
      sock.off('error', onError);
      resolve();
    };
    sock.once('error', onError);
    sock.once('secureConnect', onSecure);
  });
  try {
    await withDeadline(handshake, deadline, `in the TLS handshake with ${shown}`, () => sock.destroy(), options.timeout);

    let checked: { error: LibvirtError | null; dn: string };
    try {
      checked = checkServerCertificate(sock, creds, host);
    } catch (e) {
      checked = { error: sysError(`Unable to verify TLS peer: ${(e as Error).message}`, e), dn: '' };
    }
    const { error, dn } = checked;
    if (error) {
      log.warn(`Certificate check failed ${error.message}`);
      if (verify) throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC, "authentication failed: Failed to verify peer's certificate", error);
      log.info('Ignoring bad certificate at user request');
    }

    // The server now checks our certificate (and address) and answers with one byte.
    let byte: number | null;
    try {
      byte = await withDeadline(readConfirmation(sock), deadline, `waiting for ${shown} to confirm the TLS session`, () => sock.destroy(), options.timeout);
    } catch (e) {
      if (e instanceof LibvirtError) throw e;
      throw sysError('Unable to read TLS confirmation: Input/output error', e);
    }
    if (byte === null) {
      // libvirtd closes the connection without a TLS close_notify, which gnutls reports as an I/O
      // error: this is how a refused client certificate (or tls_allowed_dn_list) shows.
      throw sysError('Unable to read TLS confirmation: Input/output error');
    }
    if (byte !== 1) throw clientError(VIR_ERR_RPC, VIR_FROM_RPC, 'server verification (of our certificate or IP address) failed');

    // One RPC packet per TLS record, never more: libvirtd reads a record's plaintext only as far
    // as the packet it is reading and then waits for the socket to become readable again, so the
    // start of a second packet left in gnutls's buffer would sit there until more bytes arrive
    // (libvirt's own client writes each packet with its own gnutls_record_send). node:tls
    // coalesces the chunks queued behind a pending write into one SSL_write (_writev); without
    // _writev every chunk gets its own. Packets over 16 KiB still span several records, which
    // libvirtd reads whole.
    sock._writev = undefined;

    const cipher = sock.getCipher();
    const protocol = sock.getProtocol() ?? 'unknown';
    log.debug(`TLS session with ${shown}: ${protocol} ${cipher.name}, peer ${dn}`);
    return {
      stream: sock,
      description: `tls:${shown}`,
      encrypted: true,
      secure: true,
      tlsKeySize: cipherKeySize(cipher.standardName ?? cipher.name),
      protocol,
      cipher: cipher.standardName ?? cipher.name,
      peerDN: dn,
      credentials: creds.paths,
    };
  } catch (e) {
    sock.destroy();
    throw e;
  }
}
