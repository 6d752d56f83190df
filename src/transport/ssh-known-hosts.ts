/**
 * known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed (`|1|salt|hash`)
 * host fields, comma-separated patterns with `*`, `?` and `!` negation, the `[host]:port` form for
 * ports other than 22, and the `@revoked` / `@cert-authority` markers. Used by every ssh flavour:
 * OpenSSH's (`+ssh`, ~/.ssh/known_hosts) and libvirt's own (`+libssh`/`+libssh2`,
 * $XDG_CONFIG_HOME/libvirt/known_hosts or `?known_hosts=`).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchPatternList } from './ssh-config.js';

export interface KnownHostEntry {
  readonly file: string;
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written (patterns or a |1| hash). */
  readonly hosts: string;
  readonly keyType: string;
  /** The key blob (base64-decoded). */
  readonly key: Buffer;
}

export type HostKeyStatus =
  /** A line for this host has exactly this key. */
  | { status: 'ok'; entry: KnownHostEntry }
  /** The key is listed as @revoked. */
  | { status: 'revoked'; entry: KnownHostEntry }
  /** Lines for this host have a key of the same type that differs: possible man in the middle. */
  | { status: 'changed'; entry: KnownHostEntry }
  /** Lines for this host exist, but only with keys of other types. */
  | { status: 'other'; entry: KnownHostEntry }
  /** No line names this host. */
  | { status: 'unknown' };

/** Reads one known_hosts text; malformed lines are skipped as ssh skips them. */
export function parseKnownHosts(text: string, file = '<known_hosts>'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/[ \t]+/);
    let marker: KnownHostEntry['marker'] = null;
    if (words[0] === '@revoked') marker = 'revoked';
    else if (words[0] === '@cert-authority') marker = 'cert-authority';
    else if (words[0]!.startsWith('@')) continue;
    if (marker) words.shift();
    const [hosts, keyType, b64] = words;
    if (!hosts || !keyType || !b64) continue;
    if (/^\d+$/.test(keyType)) continue; // SSH-1 RSA "bits exponent modulus"
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) continue;
    out.push({ file, line: i + 1, marker, hosts, keyType, key });
  }
  return out;
}

/** Reads known_hosts files; a missing file is empty. */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/** The name a host key is filed under: `host` for port 22 (or no port), else `[host]:port`. */
export function knownHostName(host: string, port: number | null | undefined): string {
  return port === null || port === undefined || port === 22 ? host : `[${host}]:${port}`;
}

/** Whether the host field of a line matches one name (hashed fields compare HMAC-SHA1s). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  return matchPatternList(name, hosts) === 1;
}

/** The key type named inside a key blob (the first SSH string). */
export function keyBlobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/**
 * Checks a host key against known_hosts entries for any of `names` (OpenSSH's check_key_in_hostkeys:
 * a revoked key loses; a matching key wins; a same-type different key is a change).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyStatus {
  const type = keyBlobType(key);
  let changed: KnownHostEntry | null = null;
  let other: KnownHostEntry | null = null;
  let ok: KnownHostEntry | null = null;
  for (const e of entries) {
    if (e.marker === 'revoked') {
      if (e.key.equals(key) && names.some((n) => e.hosts === '*' || hostFieldMatches(e.hosts, n))) return { status: 'revoked', entry: e };
      continue;
    }
    if (e.marker === 'cert-authority') continue;
    if (!names.some((n) => hostFieldMatches(e.hosts, n))) continue;
    if (e.key.equals(key)) ok ??= e;
    else if (keyBlobType(e.key) === type) changed ??= e;
    else other ??= e;
  }
  if (ok) return { status: 'ok', entry: ok };
  if (changed) return { status: 'changed', entry: changed };
  if (other) return { status: 'other', entry: other };
  return { status: 'unknown' };
}

/**
 * Checks like libssh2's libssh2_knownhost_checkp (libvirt's `+libssh2`): any key for the host that
 * differs is a mismatch, whatever its type.
 */
export function checkHostKeyAnyType(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyStatus {
  const r = checkHostKey(entries, names, key);
  if (r.status === 'other') return { status: 'changed', entry: r.entry };
  return r;
}

/** The key types known for a host, to prefer them when negotiating (as ssh and libssh do). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], names: readonly string[]): string[] {
  const types: string[] = [];
  for (const e of entries) {
    if (e.marker) continue;
    if (!names.some((n) => hostFieldMatches(e.hosts, n))) continue;
    const t = keyBlobType(e.key) || e.keyType;
    if (!types.includes(t)) types.push(t);
  }
  return types;
}

/** `|1|salt|hash` for a name (HashKnownHosts). */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** A known_hosts line for a key. */
export function knownHostsLine(name: string, key: Buffer, options: { hash?: boolean; comment?: string } = {}): string {
  const hosts = options.hash ? hashHostName(name) : name;
  return `${hosts} ${keyBlobType(key)} ${key.toString('base64')}${options.comment ? ` ${options.comment}` : ''}\n`;
}

/**
 * Appends a key to a known_hosts file, creating the file (0600) and, unless `createDir` is false
 * (libssh2 does not), its directory (0700) when needed.
 */
export function addKnownHost(file: string, name: string, key: Buffer, options: { hash?: boolean; comment?: string; createDir?: boolean } = {}): void {
  const dir = dirname(file);
  if (options.createDir !== false && !existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const cur = readFileSync(file);
    if (cur.length > 0 && cur[cur.length - 1] !== 0x0a) prefix = '\n';
  } catch {
    // new file
  }
  appendFileSync(file, prefix + knownHostsLine(name, key, options), { mode: 0o600 });
}

/** OpenSSH's fingerprint: `SHA256:` + unpadded base64. */
export function fingerprintSHA256(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** libssh's hash string (ssh_get_hexa of the SHA-256): lower-case hex pairs joined by ':'. */
export function fingerprintHexSHA256(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').match(/../g)!.join(':');
}

/** libssh2's (libvirt's `+libssh2` prompt): MD5, upper-case hex pairs joined by ':'. */
export function fingerprintHexMD5(key: Buffer): string {
  return createHash('md5').update(key).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** OpenSSH's short name of a key type for messages: ED25519, RSA, ECDSA, DSA. */
export function keyTypeLabel(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type === 'ssh-rsa') return 'RSA';
  if (type === 'ssh-dss') return 'DSA';
  if (type.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (type.startsWith('sk-ssh-ed25519')) return 'ED25519-SK';
  if (type.startsWith('sk-ecdsa')) return 'ECDSA-SK';
  return type.toUpperCase();
}
