/**
 * Private key files and agents for ssh public-key authentication.
 *
 * A key file becomes an ssh2 "agent" holding one identity: the public key is offered first (from
 * `<file>.pub` or the unencrypted header of an OpenSSH-format key), and the private key is only
 * loaded, and an encrypted one only decrypted (passphrase through the credentials callback), when
 * the server accepts that public key. That is what ssh and libssh do, so a passphrase is never
 * asked for a key the server would refuse.
 */
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { ParsedKey, SignCallback, SigningRequestOptions } from 'ssh2';

const { BaseAgent, OpenSSHAgent, utils } = ssh2;

/** ssh2's parseKey, first key of a multi-key file, errors as Error. */
export function parseKey(data: Buffer | string, passphrase?: string): ParsedKey | Error {
  const r = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (Array.isArray(r)) return r[0] ?? new Error('no key in file');
  return r;
}

/** Whether key text is an encrypted private key (needs a passphrase). */
export function isEncryptedKeyError(e: Error): boolean {
  return /encrypted/i.test(e.message) && /passphrase/i.test(e.message);
}

/** The public key blob stored unencrypted in an `openssh-key-v1` private key, or null. */
export function openSSHPublicBlob(text: string): Buffer | null {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return null;
  const buf = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) return null;
  let p = magic.length;
  const readString = (): Buffer | null => {
    if (p + 4 > buf.length) return null;
    const len = buf.readUInt32BE(p);
    if (p + 4 + len > buf.length) return null;
    const s = buf.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    return s;
  };
  if (!readString() || !readString() || !readString()) return null; // cipher, kdf, kdf options
  if (p + 4 > buf.length) return null;
  const n = buf.readUInt32BE(p);
  p += 4;
  if (n < 1) return null;
  return readString();
}

export type PassphraseSource = (file: string, attempt: number) => Promise<string | null>;

/** Why a key file could not be used (fatal for libvirt's own ssh client, skipped by OpenSSH's). */
export class KeyFileError extends Error {
  constructor(
    message: string,
    readonly kind: 'read-public' | 'read-private' | 'passphrase' | 'no-passphrase',
  ) {
    super(message);
  }
}

export interface KeyFileOptions {
  /** Use the public key inside an OpenSSH-format private key when there is no .pub (ssh does; libssh does not). */
  publicFromPrivate: boolean;
  /** Asks for a passphrase; null means none is available (no callback or it gave nothing). */
  passphrase: PassphraseSource;
  /** How many passphrases to try (ssh: NumberOfPasswordPrompts; libssh: 1). */
  attempts: number;
}

/** A private key file as one identity of an ssh2 agent. */
export class KeyFileIdentity {
  private privateKey: ParsedKey | null = null;
  private publicKey: ParsedKey | null = null;
  private readonly text: string;
  /** Set when the key could not be loaded or decrypted. */
  error: KeyFileError | null = null;

  private constructor(
    readonly file: string,
    text: string,
    private readonly options: KeyFileOptions,
  ) {
    this.text = text;
  }

  /** Reads a key file; null when it does not exist or cannot be read. */
  static open(file: string, options: KeyFileOptions): KeyFileIdentity | null {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    return new KeyFileIdentity(file, text, options);
  }

  /**
   * The public key to offer: from `<file>.pub`, an unencrypted private key, or the OpenSSH header;
   * otherwise the private key is decrypted now (asking for its passphrase). Throws KeyFileError.
   */
  async public(): Promise<ParsedKey> {
    if (this.publicKey) return this.publicKey;
    let pubText: string | null = null;
    try {
      pubText = readFileSync(`${this.file}.pub`, 'utf8');
    } catch {
      pubText = null;
    }
    if (pubText !== null) {
      const k = parseKey(pubText);
      if (k instanceof Error) throw (this.error = new KeyFileError(`error while reading public key '${this.file}.pub'`, 'read-public'));
      this.publicKey = k;
      return k;
    }
    const priv = parseKey(this.text);
    if (!(priv instanceof Error)) {
      this.privateKey = priv;
      this.publicKey = parseKey(priv.getPublicSSH()) as ParsedKey;
      return this.publicKey;
    }
    if (!isEncryptedKeyError(priv)) throw (this.error = new KeyFileError(`error while reading private key '${this.file}'`, 'read-private'));
    if (this.options.publicFromPrivate) {
      const blob = openSSHPublicBlob(this.text);
      const k = blob ? parseKey(blob) : null;
      if (k && !(k instanceof Error)) {
        this.publicKey = k;
        return k;
      }
    }
    const p = await this.private();
    this.publicKey = parseKey(p.getPublicSSH()) as ParsedKey;
    return this.publicKey;
  }

  /** The private key, decrypted with a passphrase when needed. Throws KeyFileError. */
  async private(): Promise<ParsedKey> {
    if (this.privateKey) return this.privateKey;
    const plain = parseKey(this.text);
    if (!(plain instanceof Error)) return (this.privateKey = plain);
    if (!isEncryptedKeyError(plain)) throw (this.error = new KeyFileError(`error while reading private key '${this.file}'`, 'read-private'));
    for (let attempt = 0; attempt < this.options.attempts; attempt++) {
      const pass = await this.options.passphrase(this.file, attempt);
      if (pass === null) throw (this.error = new KeyFileError(`no passphrase for private key '${this.file}'`, 'no-passphrase'));
      const k = parseKey(this.text, pass);
      if (!(k instanceof Error)) return (this.privateKey = k);
    }
    throw (this.error = new KeyFileError(`error while opening private key '${this.file}', wrong passphrase?`, 'passphrase'));
  }
}

/** One source of identities for ssh2's agent authentication. */
interface IdentitySource {
  keys(): Promise<ParsedKey[]>;
  sign(key: ParsedKey, data: Buffer, options: SigningRequestOptions): Promise<Buffer>;
}

/** The user's ssh-agent (SSH_AUTH_SOCK), through ssh2's OpenSSHAgent. */
export function agentSource(socketPath: string, onError?: (e: Error) => void): IdentitySource {
  const agent = new OpenSSHAgent(socketPath);
  return {
    keys: () =>
      new Promise((resolve) => {
        agent.getIdentities((err, keys) => {
          if (err) {
            onError?.(err);
            resolve([]);
            return;
          }
          const out: ParsedKey[] = [];
          for (const k of keys ?? []) {
            const entry = k as unknown as { pubKey?: unknown };
            const raw = (entry && typeof entry === 'object' && 'pubKey' in entry ? entry.pubKey : k) as Buffer;
            const p = parseKey(raw);
            if (!(p instanceof Error)) out.push(p);
          }
          resolve(out);
        });
      }),
    sign: (key, data, options) =>
      new Promise((resolve, reject) => {
        agent.sign(key, data, options, (err?: Error | null, sig?: Buffer) => (err || !sig ? reject(err ?? new Error('agent refused to sign')) : resolve(sig)));
      }),
  };
}

/** Key files as a source: each offers its public key, and decrypts only when asked to sign. */
export function keyFileSource(identities: readonly KeyFileIdentity[], onError: (id: KeyFileIdentity, e: KeyFileError) => void): IdentitySource {
  const byKey = new Map<ParsedKey, KeyFileIdentity>();
  return {
    async keys() {
      const out: ParsedKey[] = [];
      for (const id of identities) {
        try {
          const k = await id.public();
          byKey.set(k, id);
          out.push(k);
        } catch (e) {
          if (e instanceof KeyFileError) onError(id, e);
          else throw e;
        }
      }
      return out;
    },
    async sign(key, data, options) {
      const id = byKey.get(key);
      if (!id) throw new Error('unknown key');
      const priv = await id.private().catch((e: unknown) => {
        if (e instanceof KeyFileError) onError(id, e);
        throw e;
      });
      const sig = priv.sign(data, options.hash);
      if (sig instanceof Error) throw sig;
      return sig;
    },
  };
}

/**
 * An ssh2 agent over identity sources, tried in order with duplicates (same public key) dropped.
 * ssh2 offers each public key and calls sign() only for a key the server accepts.
 */
export class CompositeAgent extends BaseAgent<ParsedKey> {
  private readonly owner = new Map<ParsedKey, IdentitySource>();
  /** The public keys offered, in order (after getIdentities). */
  offered: ParsedKey[] = [];

  constructor(private readonly sources: readonly IdentitySource[]) {
    super();
  }

  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    (async () => {
      const out: ParsedKey[] = [];
      for (const src of this.sources) {
        for (const k of await src.keys()) {
          const blob = k.getPublicSSH();
          if (out.some((o) => o.getPublicSSH().equals(blob))) continue;
          this.owner.set(k, src);
          out.push(k);
        }
      }
      this.offered = out;
      return out;
    })().then(
      (keys) => cb(undefined, keys),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  }

  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    const opts: SigningRequestOptions = typeof options === 'function' ? {} : options;
    const done: SignCallback = typeof options === 'function' ? options : cb!;
    // ssh2 re-parses the keys we list; find ours by blob.
    const blob = pubKey.getPublicSSH();
    let key: ParsedKey | undefined;
    let src: IdentitySource | undefined;
    for (const [k, s] of this.owner) {
      if (k.getPublicSSH().equals(blob)) {
        key = k;
        src = s;
        break;
      }
    }
    if (!key || !src) {
      done(new Error('unknown key'));
      return;
    }
    src.sign(key, data, opts).then(
      (sig) => done(null, sig),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  }
}
