/**
 * SASL authentication to libvirtd (REMOTE_PROC_AUTH_SASL_INIT / START / STEP), in TypeScript, the
 * way libvirt's remoteAuthSASL drives Cyrus SASL:
 *
 * - Mechanisms: SCRAM-SHA-256, SCRAM-SHA-1, DIGEST-MD5 and PLAIN, chosen in that order among those
 *   the daemon offers (`?auth=sasl.MECH` names one, as in libvirt).
 * - Security properties as libvirt sets them: on a secure transport (TLS, UNIX socket, SSH) any of
 *   them, without a security layer; on plain TCP only a mechanism with a layer of SSF >= 56, i.e.
 *   DIGEST-MD5 with auth-conf (rc4 or 3des), and the exchange fails clearly when there is none.
 * - Credentials (authname, password, realm) from libvirt's auth.conf first, then the caller's
 *   callback, asked for everything missing at once as libvirt does.
 * - The negotiated layer is installed on a `SaslTransport`; isEncrypted/isSecure follow.
 */
import type { RpcEngine } from './engine.js';
import {
  VIR_CRED_AUTHNAME,
  VIR_CRED_PASSPHRASE,
  VIR_CRED_REALM,
  VIR_ERR_AUTH_FAILED,
  VIR_ERR_CONF_SYNTAX,
  VIR_FROM_NONE,
  VIR_FROM_REMOTE,
  VIR_FROM_RPC,
} from '../apixml/generated/constants.js';
import { REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL, remote_procedures } from '../protocol/generated/remote.js';
import { authConfigLookup, authConfigPath, type ConnectAuth, type ConnectCredential } from '../util/credentials.js';
import type { Transport } from '../transport/transport.js';
import { readable } from '../util/fs.js';
import { getLogger, redact } from '../util/log.js';
import { clientError, LibvirtError } from '../errors/errors.js';
import { challengeRealms, type DigestCipher, DigestMd5Client, type SecurityLayer } from './sasl-digest.js';
import { SaslTransport } from './sasl-layer.js';
import { SaslMechanismError, ScramClient } from './sasl-scram.js';
import type { ConnectTarget } from '../transport/target.js';

export type { ConnectAuth, ConnectCredential } from '../util/credentials.js';
export { SaslTransport } from './sasl-layer.js';
export type { SecurityLayer } from './sasl-digest.js';

const log = getLogger('remote.sasl');

/** REMOTE_AUTH_SASL_DATA_MAX */
const SASL_DATA_MAX = 65536;
/** The mechanisms we speak, most preferred first. */
export const SUPPORTED_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN'] as const;
/** libvirt: "56 == DES level, good for Kerberos" */
const MIN_SSF_INSECURE = 56;
/** libvirt's maximum SSF on an insecure transport ("Very strong ! AES == 256"). */
const MAX_SSF = 100000;

export interface SaslOptions {
  /**
   * The transport the engine runs on. A SaslTransport receives the session (and the security
   * layer, which only it can carry); any other transport is only asked whether it is secure.
   */
  transport?: Transport;
  /** The credentials callback (virConnectOpenAuth's auth). */
  auth?: ConnectAuth;
  /** LIBVIRT_AUTH_FILE, XDG_CONFIG_HOME, HOME for auth.conf. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The mechanism to use; default: the one `?auth=sasl.MECH` names, else the best offered. */
  mechanism?: string | null;
  /** SYSCONFDIR for /etc/libvirt/auth.conf. */
  sysconfdir?: string;
  /** DIGEST-MD5 auth-conf ciphers to accept, preferred first (default rc4, 3des, rc4-56, des, rc4-40). */
  digestCiphers?: readonly DigestCipher[];
  /**
   * Puts a negotiated security layer into effect from the next byte on, both directions (e.g. an
   * RPC engine hook encoding what it writes and decoding what it reads). With it a layer can be
   * negotiated on any transport that is not secure; without it only on a SaslTransport.
   */
  installLayer?: (layer: SecurityLayer) => void;
}

export interface SaslResult {
  mechanism: string;
  /** The SSF of the security layer (0: none). */
  ssf: number;
  layer: SecurityLayer | null;
}

const authFailed = (detail: string, cause?: unknown): LibvirtError => clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC, `authentication failed: ${detail}`, cause);

/**
 * remoteAuthenticate's choice: the daemon's first auth type, or the one `?auth=` asks for
 * ("sasl", "sasl.MECH" or "polkit"); `mechanism` is the MECH of "sasl.MECH".
 */
export function chooseAuthType(types: readonly number[], authParam: string | undefined | null): { type: number; mechanism: string | null } {
  if (types.length === 0) return { type: REMOTE_AUTH_NONE, mechanism: null };
  if (!authParam) return { type: types[0]!, mechanism: null };
  const lower = authParam.toLowerCase();
  let want: number;
  if (lower === 'sasl' || lower.startsWith('sasl.')) want = REMOTE_AUTH_SASL;
  else if (lower === 'polkit') want = REMOTE_AUTH_POLKIT;
  else throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, `authentication failed: unknown authentication type ${authParam}`);
  if (!types.includes(want)) throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, `authentication failed: requested authentication type ${authParam} rejected`);
  return { type: want, mechanism: lower.startsWith('sasl.') ? authParam.slice(5) : null };
}

// ------------------------------------------------------------------------------------------------
// Mechanisms

interface Mechanism {
  readonly name: string;
  /** The initial response (null: none, sent as nil) and whether the client is then done. */
  start(): { out: Buffer | null; done: boolean };
  /** The answer to the server's data; done when the client side is complete. */
  step(input: Buffer | null): Promise<{ out: Buffer | null; done: boolean }>;
  readonly ssf: number;
  layer(): SecurityLayer | null;
}

interface Creds {
  authname: string;
  password: string;
}

class ScramMechanism implements Mechanism {
  private client: ScramClient;
  private stage = 0;
  readonly ssf = 0;
  constructor(
    readonly name: string,
    creds: Creds,
  ) {
    this.client = new ScramClient(name === 'SCRAM-SHA-1' ? 'sha1' : 'sha256', creds.authname, creds.password);
  }
  start(): { out: Buffer; done: boolean } {
    return { out: this.client.first(), done: false };
  }
  async step(input: Buffer | null): Promise<{ out: Buffer | null; done: boolean }> {
    if (!input) throw new SaslMechanismError('the server sent no data');
    if (this.stage++ === 0) return { out: this.client.final(input), done: false };
    this.client.verify(input);
    return { out: null, done: true };
  }
  layer(): null {
    return null;
  }
}

class PlainMechanism implements Mechanism {
  readonly name = 'PLAIN';
  readonly ssf = 0;
  constructor(private readonly creds: Creds) {}
  start(): { out: Buffer; done: boolean } {
    return { out: Buffer.from(`\0${this.creds.authname}\0${this.creds.password}`, 'utf8'), done: true };
  }
  async step(): Promise<{ out: null; done: boolean }> {
    return { out: null, done: true };
  }
  layer(): null {
    return null;
  }
}

class DigestMechanism implements Mechanism {
  readonly name = 'DIGEST-MD5';
  private client: DigestMd5Client | null = null;
  constructor(
    private readonly makeClient: (challenge: Buffer) => Promise<DigestMd5Client>,
  ) {}
  get ssf(): number {
    return this.client?.ssf ?? 0;
  }
  start(): { out: null; done: boolean } {
    return { out: null, done: false };
  }
  async step(input: Buffer | null): Promise<{ out: Buffer | null; done: boolean }> {
    if (!input) throw new SaslMechanismError('the server sent no data');
    if (!this.client) {
      this.client = await this.makeClient(input);
      return { out: this.client.respond(input), done: false };
    }
    this.client.verify(input);
    return { out: null, done: true };
  }
  layer(): SecurityLayer | null {
    return this.client?.layer() ?? null;
  }
}

// ------------------------------------------------------------------------------------------------
// Credentials: auth.conf, then the callback (remoteAuthInteract)

/** What Cyrus SASL asks (prompt and challenge) and the auth.conf key of each credential. */
const PROMPTS: Record<number, { credname: string; prompt: string; challenge: string }> = {
  [VIR_CRED_AUTHNAME]: { credname: 'authname', prompt: 'Please enter your authentication name', challenge: 'Authentication Name' },
  [VIR_CRED_PASSPHRASE]: { credname: 'password', prompt: 'Please enter your password', challenge: 'Password' },
  [VIR_CRED_REALM]: { credname: 'realm', prompt: 'Please enter your realm', challenge: 'Realm' },
};

class CredentialSource {
  private configPath: string | null | undefined;
  constructor(
    private readonly target: ConnectTarget,
    private readonly options: SaslOptions,
  ) {}

  private authConfigPath(): string | null {
    if (this.configPath === undefined) {
      const env = this.options.env ?? process.env;
      const path = authConfigPath(env, this.target.uri.param('authfile'), this.options.sysconfdir);
      log.debug(`auth.conf: ${path ?? 'none'}`);
      // A file named by LIBVIRT_AUTH_FILE or ?authfile= that cannot be read fails the
      // authentication in libvirt too (there without a message).
      if (path !== null && !readable(path)) {
        throw authFailed(`cannot read the auth.conf '${path}' named by ${env.LIBVIRT_AUTH_FILE ? 'LIBVIRT_AUTH_FILE' : 'the authfile parameter'}`);
      }
      this.configPath = path;
    }
    return this.configPath;
  }

  /** The answers to the questions, from auth.conf where it has them, the rest from the callback in one call. */
  async get(questions: { type: number; challenge?: string | null; defresult?: string | null }[]): Promise<Map<number, string>> {
    const answers = new Map<number, string>();
    const path = this.authConfigPath();
    for (const q of questions) {
      let value: string | null = null;
      try {
        value = authConfigLookup(path, 'libvirt', this.target.uri.host ?? 'localhost', PROMPTS[q.type]!.credname);
      } catch (e) {
        throw clientError(VIR_ERR_CONF_SYNTAX, VIR_FROM_NONE, `configuration file syntax error: ${(e as Error).message}`, e);
      }
      if (value !== null) answers.set(q.type, value);
    }
    const missing: ConnectCredential[] = questions
      .filter((q) => !answers.has(q.type))
      .map((q) => ({ type: q.type, prompt: PROMPTS[q.type]!.prompt, challenge: q.challenge ?? PROMPTS[q.type]!.challenge, defresult: q.defresult ?? null, result: null }));
    if (missing.length) {
      const auth = this.options.auth;
      if (!auth) throw authFailed('No authentication callback available');
      let r: number | boolean | void;
      try {
        r = await auth.cb(missing);
      } catch (e) {
        throw authFailed('Failed to collect auth credentials', e);
      }
      if (r === false || (typeof r === 'number' && r < 0)) throw authFailed('Failed to collect auth credentials');
      for (const c of missing) answers.set(c.type, c.result ?? c.defresult ?? '');
    }
    const authname = answers.get(VIR_CRED_AUTHNAME);
    if (authname !== undefined && authname.trim() === '') {
      // Cyrus SASL's check, with its message.
      throw authFailed('Failed to start SASL negotiation: -1 (SASL(-1): generic failure: All-whitespace username.)');
    }
    log.debug(`SASL credentials: ${questions.map((q) => `${PROMPTS[q.type]!.credname}=${q.type === VIR_CRED_PASSPHRASE ? redact('x') : answers.get(q.type)}`).join(' ')}`);
    return answers;
  }
}

// ------------------------------------------------------------------------------------------------

const toWire = (b: Buffer | null): { nil: number; data: number[] } => ({ nil: b ? 0 : 1, data: b ? Array.from(b, (x) => (x << 24) >> 24) : [] });
const fromWire = (r: { nil: number; data: number[] }): Buffer | null => (r.nil ? null : Buffer.from(r.data.map((x) => x & 0xff)));

/**
 * remoteAuthSASL: authenticates on `engine` with SASL. Call it when the daemon's auth type is
 * REMOTE_AUTH_SASL (see chooseAuthType); on success the connection is authenticated and, when a
 * security layer was negotiated, `options.transport` (a SaslTransport) carries it from the next
 * byte on. Failures reject with libvirt's errors for the same failure.
 */
export async function authenticateSasl(engine: RpcEngine, target: ConnectTarget, options: SaslOptions = {}): Promise<SaslResult> {
  const transport = options.transport;
  const secure = transport ? transport.secure : target.transport !== 'tcp';
  const canLayer = options.installLayer !== undefined || (transport instanceof SaslTransport && transport.canLayer);
  // virNetSASLSessionSecProps: a secure channel needs no layer; otherwise at least DES strength.
  const minSsf = secure ? 0 : MIN_SSF_INSECURE;
  const maxSsf = secure ? 0 : canLayer ? MAX_SSF : 0;

  const { mechlist } = await engine.call(remote_procedures.REMOTE_PROC_AUTH_SASL_INIT, undefined);
  log.debug(`server offers SASL mechanisms '${mechlist}'`);
  let offered = mechlist;
  const wanted = options.mechanism ?? chooseAuthType([REMOTE_AUTH_SASL], target.options.auth).mechanism;
  if (wanted) {
    if (!mechlist.includes(wanted)) throw authFailed(`SASL mechanism ${wanted} not supported by server`);
    offered = wanted;
  }
  const names = new Set(offered.split(/[\s,]+/).map((m) => m.toUpperCase()));
  // Which of ours can meet the security properties (PLAIN is plaintext: only on a secure channel).
  const usable = SUPPORTED_MECHANISMS.filter((m) => names.has(m) && (secure || (m === 'DIGEST-MD5' && maxSsf >= minSsf)));
  const name = usable[0];
  if (!name) {
    const why = secure
      ? `none of ${SUPPORTED_MECHANISMS.join(', ')} is offered (offered: ${offered})`
      : canLayer
        ? `on a connection that is not encrypted only DIGEST-MD5 (with a security layer) is possible, and the server offers ${offered}`
        : 'a connection that is not encrypted needs a SASL security layer, and this transport cannot carry one (wrap it in a SaslTransport)';
    throw authFailed('Failed to start SASL negotiation: -4 (SASL(-4): no mechanism available: No worthy mechs found)', new Error(why));
  }

  const creds = new CredentialSource(target, options);
  const host = target.host ?? target.uri.host ?? 'localhost';
  let mech: Mechanism;
  if (name === 'DIGEST-MD5') {
    mech = new DigestMechanism(async (challenge) => {
      const realms = challengeRealms(challenge);
      const questions: { type: number; challenge?: string; defresult?: string }[] = [{ type: VIR_CRED_AUTHNAME }, { type: VIR_CRED_PASSPHRASE }];
      if (realms.length > 1) questions.push({ type: VIR_CRED_REALM, challenge: realms.join(', '), defresult: realms[0] });
      const a = await creds.get(questions);
      return new DigestMd5Client({
        service: 'libvirt',
        host,
        username: a.get(VIR_CRED_AUTHNAME)!,
        password: a.get(VIR_CRED_PASSPHRASE)!,
        realm: a.get(VIR_CRED_REALM) ?? null,
        minSsf,
        maxSsf,
        ciphers: options.digestCiphers,
      });
    });
  } else {
    const a = await creds.get([{ type: VIR_CRED_AUTHNAME }, { type: VIR_CRED_PASSPHRASE }]);
    const c = { authname: a.get(VIR_CRED_AUTHNAME)!, password: a.get(VIR_CRED_PASSPHRASE)! };
    mech = name === 'PLAIN' ? new PlainMechanism(c) : new ScramMechanism(name, c);
  }
  log.debug(`SASL mechanism ${name} (ssf ${minSsf}..${maxSsf})`);

  const checkLength = (b: Buffer | null): void => {
    if (b && b.length > SASL_DATA_MAX) throw authFailed(`SASL negotiation data too long: ${b.length} bytes`);
  };
  const clientStep = async (input: Buffer | null): Promise<{ out: Buffer | null; done: boolean }> => {
    try {
      return await mech.step(input);
    } catch (e) {
      if (e instanceof LibvirtError) throw e;
      throw authFailed(`Failed to step SASL negotiation: ${(e as Error).message}`, e);
    }
  };

  let client: { out: Buffer | null; done: boolean };
  try {
    client = mech.start();
  } catch (e) {
    throw authFailed(`Failed to start SASL negotiation: ${(e as Error).message}`, e);
  }
  checkLength(client.out);
  const sret = await engine.call(remote_procedures.REMOTE_PROC_AUTH_SASL_START, { mech: name, ...toWire(client.out) });
  let complete = sret.complete !== 0;
  let serverIn = fromWire(sret);
  // Even when the server is done, the client takes at least one step to check it (mutual auth).
  if (!(complete && client.done)) {
    for (;;) {
      client = await clientStep(serverIn);
      if (complete && client.done) break;
      checkLength(client.out);
      const pret = await engine.call(remote_procedures.REMOTE_PROC_AUTH_SASL_STEP, toWire(client.out));
      complete = pret.complete !== 0;
      serverIn = fromWire(pret);
      if (complete && client.done) break;
    }
  }

  const ssf = mech.ssf;
  if (!secure && ssf < MIN_SSF_INSECURE) throw authFailed(`negotiation SSF ${ssf} was not strong enough`);
  const layer = ssf > 0 ? mech.layer() : null;
  if (layer && options.installLayer) {
    options.installLayer(layer);
    if (transport instanceof SaslTransport) transport._setSession({ mechanism: name, ssf }, null);
  } else if (transport instanceof SaslTransport) {
    transport._setSession({ mechanism: name, ssf }, layer);
  }
  log.debug(`SASL authentication complete: ${name}, ssf ${ssf}`);
  return { mechanism: name, ssf, layer };
}
