/**
 * SSH transports on the `ssh2` package: `+ssh`, `+libssh` and `+libssh2`, each behaving as the
 * client libvirt uses for it.
 *
 * - `+ssh`: libvirt runs the OpenSSH client (`ssh -p PORT -l USER -i KEYFILE -T -e none
 *   [-o BatchMode=yes] [-o StrictHostKeyChecking=no] -- HOST COMMAND`). Here that client's
 *   behaviour is reproduced: ~/.ssh/config and /etc/ssh/ssh_config (HostName, User, Port,
 *   IdentityFile, ...), known_hosts (hashed entries, `[host]:port`), StrictHostKeyChecking
 *   (yes/ask/accept-new/no), the agent, identity files, keyboard-interactive and password, and
 *   errors carrying what ssh would have printed. With `?command=` (another ssh binary) that
 *   binary is run, as libvirt does.
 * - `+libssh` / `+libssh2`: libvirt's own ssh clients (virnetlibsshsession.c, virnetsshsession.c):
 *   user root and port 22 by default, `?sshauth=` (default agent,privkey,password,keyboard-interactive),
 *   `?keyfile=` (default ~/.ssh/identity, id_dsa, id_ecdsa, id_ed25519, id_rsa), `?known_hosts=`
 *   (default $XDG_CONFIG_HOME/libvirt/known_hosts), `?known_hosts_verify=normal|auto|ignore`,
 *   passwords from auth.conf or the callback, host keys confirmed through the callback.
 *
 * The remote end runs target.remoteCommand (virt-ssh-helper or `nc -U`), whose stdin/stdout carry
 * the protocol. SSH is "secure" but, as in libvirt, not "encrypted" (virNetClientIsEncrypted is
 * only TLS/SASL).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ConnectConfig, KeyboardInteractiveCallback, Prompt } from 'ssh2';
import { clientError, LibvirtError } from '../errors/errors.js';
import type { ConnectTarget } from './target.js';
import {
  VIR_CRED_ECHOPROMPT,
  VIR_ERR_AUTH_FAILED,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_LIBSSH,
  VIR_ERR_NO_CONNECT,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_ERR_SSH,
  VIR_ERR_SYSTEM_ERROR,
  VIR_FROM_AUTH,
  VIR_FROM_LIBSSH,
  VIR_FROM_RPC,
  VIR_FROM_SSH,
} from '../apixml/generated/constants.js';
import { errnoText } from '../util/errno.js';
import { getLogger } from '../util/log.js';
import { commandEnv, commandEofError, openCommand } from './ext.js';
import { openTcp } from './socket.js';
import { type ResolvedSshConfig, resolveSshConfig } from './ssh-config.js';
import { askCredential, authConfigLookup, authConfigPath, type ConnectAuth, credTypesFor, type HostKeyPolicy } from '../util/credentials.js';
import { agentSource, CompositeAgent, KeyFileError, KeyFileIdentity, keyFileSource } from './ssh-keys.js';
import {
  addKnownHost,
  checkHostKey,
  checkHostKeyAnyType,
  fingerprintHexMD5,
  fingerprintHexSHA256,
  fingerprintSHA256,
  keyBlobType,
  keyTypeLabel,
  knownHostName,
  knownKeyTypes,
  readKnownHosts,
} from './ssh-known-hosts.js';
import { CommandStream, type EofInfo } from './ssh-stream.js';
import type { Transport } from './transport.js';

export type { ConnectAuth, ConnectCredential, HostKeyPolicy } from '../util/credentials.js';

const { Client } = ssh2;
const log = getLogger('transport.ssh');

export interface SshOptions {
  /**
   * The credentials callback (virConnectAuth): answers passwords and keyboard-interactive prompts
   * (VIR_CRED_PASSPHRASE / VIR_CRED_NOECHOPROMPT, or VIR_CRED_ECHOPROMPT for prompts that echo),
   * key passphrases, and questions about unknown host keys (VIR_CRED_ECHOPROMPT: "y"/"yes" to accept).
   * For `+ssh` it stands for ssh's terminal, so it is not asked when `no_tty=1` (BatchMode).
   */
  auth?: ConnectAuth;
  /** Host keys to accept beyond the known_hosts check (default 'verify'). */
  hostKeys?: HostKeyPolicy;
  /** HOME, SSH_AUTH_SOCK, XDG_CONFIG_HOME, LIBVIRT_AUTH_FILE, PATH; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to reach the server and finish the handshake, authentication and command start. */
  timeout?: number;
  /** OpenSSH config files for `+ssh` (default ~/.ssh/config and /etc/ssh/ssh_config; null: none). */
  sshConfig?: { user?: string | null; system?: string | null };
}

type Flavour = 'openssh' | 'libssh' | 'libssh2';

// ------------------------------------------------------------------------------------------------
// Errors

/** What `+ssh` reports when ssh exits before the remote command runs: ssh's stderr, then the reset of the unread socket. */
function opensshError(lines: readonly string[]): LibvirtError {
  const errout = lines.join('\r\n').replace(/\s+$/, '');
  return clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, errout ? `Cannot recv data: ${errout}: Connection reset by peer` : 'Cannot recv data: Connection reset by peer');
}

/** An error raised by libvirt's own ssh clients: VIR_ERR_LIBSSH/VIR_FROM_LIBSSH or VIR_ERR_SSH/VIR_FROM_SSH. */
function transportError(flavour: Flavour, detail: string): LibvirtError {
  return flavour === 'libssh2'
    ? clientError(VIR_ERR_SSH, VIR_FROM_SSH, `SSH transport error: ${detail}`)
    : clientError(VIR_ERR_LIBSSH, VIR_FROM_LIBSSH, `libssh transport error: ${detail}`);
}

function authFailed(flavour: Flavour, detail: string): LibvirtError {
  return clientError(VIR_ERR_AUTH_FAILED, flavour === 'libssh2' ? VIR_FROM_SSH : VIR_FROM_LIBSSH, `authentication failed: ${detail}`);
}

/** Thrown inside the session to stop with this error. */
class Abort extends Error {
  constructor(readonly error: LibvirtError) {
    super(error.message);
  }
}

// ------------------------------------------------------------------------------------------------
// The session

interface HostKeyCheck {
  /** Host key types to prefer in the negotiation (those already known for the host). */
  preferred: string[];
  /** Decides on the server's key; throws Abort to refuse it. */
  verify(key: Buffer): Promise<void>;
}

interface AuthPlan {
  /** The next method to try, given the methods the server still allows (null before the first try); null: give up. */
  next(methodsLeft: readonly string[] | null): Promise<AnyAuthMethod | null>;
  /** The error when every method failed. */
  failure(methodsLeft: readonly string[] | null): LibvirtError;
}

interface LostConnection {
  why: string;
  /** The server's SSH_MSG_DISCONNECT, if it sent one. */
  disconnect?: { code: number; description: string };
  /** Whether the key exchange had completed (so authentication was under way). */
  authenticating: boolean;
}

interface SessionSpec {
  flavour: Flavour;
  description: string;
  sock: Duplex;
  hostKey: HostKeyCheck;
  plan: (lastError: () => LibvirtError | null) => AuthPlan;
  remoteCommand: string;
  /** What ssh printed so far (`+ssh`), prepended to the remote's stderr in errors. */
  stderrLines: string[];
  /** The error when the connection fails or closes before the command runs. */
  connectionLost: (lost: LostConnection) => LibvirtError;
  eofError: (info: EofInfo) => LibvirtError | null;
  timeout?: number;
}

/** Runs an ssh2 client over `sock` through host key check, authentication and exec of the remote command. */
function runSession(spec: SessionSpec): Promise<Transport> {
  return new Promise<Transport>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let fatal: LibvirtError | null = null;
    let timer: NodeJS.Timeout | null = null;
    const finish = (err: LibvirtError | null, t?: Transport): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (err) {
        client.removeAllListeners('ready');
        client.on('error', () => undefined);
        client.end();
        spec.sock.destroy();
        reject(err);
      } else {
        resolve(t!);
      }
    };
    let authenticating = false;
    const abort = (e: unknown): void => {
      let err: LibvirtError;
      if (e instanceof Abort) err = e.error;
      else if (e instanceof LibvirtError) err = e;
      else {
        const x = e as Error & { code?: unknown };
        const disconnect = typeof x.code === 'number' ? { code: x.code, description: x.message } : undefined;
        err = spec.connectionLost({ why: e instanceof Error ? e.message : String(e), disconnect, authenticating });
      }
      fatal ??= err;
      finish(err);
    };
    if (spec.timeout !== undefined) {
      timer = setTimeout(() => finish(clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `timed out after ${spec.timeout} ms connecting to ${spec.description}`)), spec.timeout);
    }

    const plan = spec.plan(() => fatal);
    const authHandler = (methodsLeft: string[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void): void => {
      plan.next(methodsLeft).then(
        (m) => {
          if (settled) return;
          if (m === null) {
            fatal ??= plan.failure(methodsLeft);
            finish(fatal);
            return;
          }
          next(m);
        },
        (e: unknown) => abort(e),
      );
    };

    const config: ConnectConfig = {
      sock: spec.sock as unknown as ConnectConfig['sock'],
      username: '', // every auth method carries its own user
      readyTimeout: 0,
      hostVerifier: ((key: Buffer, verify: (ok: boolean) => void) => {
        spec.hostKey.verify(key).then(
          () => {
            authenticating = true;
            verify(true);
          },
          (e: unknown) => {
            abort(e);
            verify(false);
          },
        );
      }) as ConnectConfig['hostVerifier'],
      authHandler: authHandler as unknown as ConnectConfig['authHandler'],
    };
    if (spec.hostKey.preferred.length > 0) {
      const algos = spec.hostKey.preferred.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
      config.algorithms = { serverHostKey: { remove: algos, prepend: algos } as unknown as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
    }

    client.on('error', (e: Error & { level?: string }) => {
      log.debug(`ssh client error (${e.level ?? 'unknown'}): ${e.message}`);
      // Agent and key signing errors only move on to the next key; the plan knows what failed.
      if (e.level === 'agent' || e.level === 'client-authentication') return;
      abort(fatal ?? e);
    });
    client.on('close', () => {
      if (!settled) abort(fatal ?? spec.connectionLost({ why: 'Connection closed by remote host', authenticating }));
    });
    client.on('ready', () => {
      if (settled) return;
      client.exec(spec.remoteCommand, (err: Error | undefined, channel: ClientChannel) => {
        if (settled) {
          channel?.close();
          return;
        }
        if (err) {
          abort(spec.flavour === 'openssh' ? opensshError([...spec.stderrLines, `exec request failed on channel 0`]) : transportError(spec.flavour, `failed to execute command '${spec.remoteCommand}': ${err.message}`));
          return;
        }
        const exited = new Promise<number | null>((r) => {
          channel.once('exit', (code: number | null) => r(typeof code === 'number' ? code : null));
          channel.once('close', () => r(null));
        });
        const stream = new CommandStream({
          stdout: channel,
          stdin: channel,
          stderr: channel.stderr,
          exited,
          eofError: spec.eofError,
          dispose: () => {
            channel.destroy();
            client.end();
          },
        });
        finish(null, { stream, description: spec.description, encrypted: false, secure: true });
      });
    });
    client.connect(config);
  });
}

/** What is left of a timeout started at `started` (performance.now()). */
const remaining = (timeout: number | undefined, started: number): number | undefined =>
  timeout === undefined ? undefined : Math.max(1, Math.round(timeout - (performance.now() - started)));

// ------------------------------------------------------------------------------------------------
// Prompts

/** A keyboard-interactive responder: asks each prompt through the callback (virCredTypeForPrompt). */
function kbdintResponder(
  auth: ConnectAuth | undefined,
  format: (name: string, instructions: string, prompt: Prompt) => string,
  onFail: (why: 'no-callback' | 'no-type' | 'failed' | 'no-answer') => void,
): (name: string, instructions: string, lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => void {
  return (name, instructions, _lang, prompts, finish) => {
    (async () => {
      const answers: string[] = [];
      for (const p of prompts) {
        if (!auth) return onFail('no-callback');
        const r = await askCredential(auth, credTypesFor(p.echo === true), format(name, instructions, p));
        if (!r.asked) return onFail('no-type');
        if (r.result === null) return onFail('no-answer');
        answers.push(r.result);
      }
      return answers;
    })().then(
      // On failure the round is still answered (with empty strings), so the server can refuse it.
      (answers) => finish(answers ?? prompts.map(() => '')),
      () => {
        onFail('failed');
        finish(prompts.map(() => ''));
      },
    );
  };
}

/** libvirt's virLengthForPromptString: trailing spaces and colons dropped. */
const trimPrompt = (s: string): string => s.replace(/[ :]+$/, '');

// ------------------------------------------------------------------------------------------------
// +ssh: OpenSSH's behaviour

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || userInfo().homedir;
}

async function connectOpenSSH(cfg: ResolvedSshConfig, env: NodeJS.ProcessEnv, lines: string[], timeout: number | undefined): Promise<Duplex> {
  if (cfg.proxyJump !== null) {
    throw opensshError([`ProxyJump (${cfg.proxyJump}) is not supported by libvirt-rpc's ssh transport; use ProxyCommand or ?command=ssh`]);
  }
  if (cfg.proxyCommand !== null) {
    const child = spawn('/bin/sh', ['-c', `exec ${cfg.proxyCommand}`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => lines.push(...d.toString('utf8').replace(/\s+$/, '').split(/\r?\n/)));
    return Duplex.from({ readable: child.stdout, writable: child.stdin });
  }
  return new Promise((resolve, reject) => {
    const sock: Socket = netConnect({ host: cfg.hostname, port: cfg.port });
    let timer: NodeJS.Timeout | null = null;
    const configured = cfg.connectTimeout !== null && cfg.connectTimeout > 0 ? cfg.connectTimeout * 1000 : Infinity;
    if (timeout !== undefined && timeout < configured) {
      timer = setTimeout(() => {
        sock.destroy();
        reject(clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `timed out after ${timeout} ms connecting to ${knownHostName(cfg.hostname, cfg.port)}`));
      }, timeout);
    } else if (configured !== Infinity) {
      timer = setTimeout(() => {
        sock.destroy();
        reject(opensshError([...lines, `ssh: connect to host ${cfg.hostname} port ${cfg.port}: Connection timed out`]));
      }, configured);
    }
    sock.once('connect', () => {
      if (timer) clearTimeout(timer);
      sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EAI_NONAME') {
        reject(opensshError([...lines, `ssh: Could not resolve hostname ${cfg.hostname}: ${e.code === 'EAI_AGAIN' ? 'Temporary failure in name resolution' : 'Name or service not known'}`]));
      } else {
        const why = errnoText(e);
        reject(opensshError([...lines, `ssh: connect to host ${cfg.hostname} port ${cfg.port}: ${why}`]));
      }
    });
  });
}

function opensshHostKeyCheck(cfg: ResolvedSshConfig, options: SshOptions, lines: string[], remoteName: () => string, mitm: { changed: boolean }): HostKeyCheck {
  const name = cfg.hostKeyAlias ?? knownHostName(cfg.hostname, cfg.port);
  const files = [...cfg.userKnownHostsFiles, ...cfg.globalKnownHostsFiles];
  const entries = readKnownHosts(files);
  const policy = options.hostKeys ?? 'verify';
  return {
    preferred: knownKeyTypes(entries, [name]),
    async verify(key: Buffer): Promise<void> {
      const status = checkHostKey(entries, [name], key);
      const label = keyTypeLabel(keyBlobType(key));
      const fp = fingerprintSHA256(key);
      const record = (): void => {
        const file = cfg.userKnownHostsFiles[0];
        if (file === undefined) return;
        try {
          addKnownHost(file, name, key, { hash: cfg.hashKnownHosts });
          lines.push(`Warning: Permanently added '${name}' (${label}) to the list of known hosts.`);
        } catch (e) {
          lines.push(`Failed to add the host to the list of known hosts (${file}).`);
          log.debug(`cannot record host key in ${file}: ${(e as Error).message}`);
        }
      };
      switch (status.status) {
        case 'ok':
          return;
        case 'revoked':
          throw new Abort(
            opensshError([
              ...lines,
              '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
              '@       WARNING: REVOKED HOST KEY DETECTED!               @',
              '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
              `The ${label} host key for ${name} is marked as revoked.`,
              'This could mean that a stolen key is being used to',
              'impersonate this host.',
              `${label} host key for ${name} was revoked and you have requested strict checking.`,
              'Host key verification failed.',
            ]),
          );
        case 'changed': {
          const e = status.entry;
          const banner = [
            '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
            '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
            '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
            'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
            'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
            'It is also possible that a host key has just been changed.',
            `The fingerprint for the ${label} key sent by the remote host is\n${fp}.`,
            'Please contact your system administrator.',
            `Add correct host key in ${cfg.userKnownHostsFiles[0] ?? e.file} to get rid of this message.`,
            `Offending ${keyTypeLabel(keyBlobType(e.key))} key in ${e.file}:${e.line}`,
            '  remove with:',
            `  ssh-keygen -f "${e.file}" -R "${name}"`,
          ];
          if (policy === 'accept-any') return;
          if (cfg.strictHostKeyChecking === 'no') {
            // ssh goes on, but without the methods a man in the middle could harvest.
            lines.push(...banner);
            if (cfg.passwordAuthentication) lines.push('Password authentication is disabled to avoid man-in-the-middle attacks.');
            if (cfg.kbdInteractiveAuthentication) lines.push('Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.');
            mitm.changed = true;
            return;
          }
          throw new Abort(opensshError([...lines, ...banner, `Host key for ${name} has changed and you have requested strict checking.`, 'Host key verification failed.']));
        }
        case 'other':
        case 'unknown': {
          const strict = cfg.strictHostKeyChecking;
          if (strict === 'no' || strict === 'accept-new' || policy !== 'verify') {
            record();
            return;
          }
          if (strict === 'yes') {
            throw new Abort(opensshError([...lines, `No ${label} host key is known for ${name} and you have requested strict checking.`, 'Host key verification failed.']));
          }
          // ask: the credentials callback stands for ssh's terminal prompt
          if (!cfg.batchMode && options.auth) {
            const prompt =
              `The authenticity of host '${name} (${remoteName()})' can't be established.\n` +
              `${label} key fingerprint is ${fp}.\n` +
              (status.status === 'other' ? 'but keys of different type are already known for this host.\n' : 'This key is not known by any other names.\n') +
              'Are you sure you want to continue connecting (yes/no/[fingerprint])?';
            let answer: string | null = null;
            try {
              const r = await askCredential(options.auth, [VIR_CRED_ECHOPROMPT], prompt);
              answer = r.asked ? r.result : null;
            } catch {
              answer = null;
            }
            const a = answer?.trim().toLowerCase();
            if (a === 'yes' || a === 'y' || answer?.trim() === fp) {
              record();
              return;
            }
          }
          throw new Abort(opensshError([...lines, 'Host key verification failed.']));
        }
      }
    },
  };
}

function opensshPlan(cfg: ResolvedSshConfig, options: SshOptions, env: NodeJS.ProcessEnv, lines: string[], mitm: { changed: boolean }): AuthPlan {
  const auth = options.auth;
  const interactive = !cfg.batchMode && auth !== undefined;
  const who = `${cfg.user}@${cfg.hostname}`;
  const methods = cfg.preferredAuthentications.map((m) => m.trim()).filter((m) => m === 'publickey' || m === 'keyboard-interactive' || m === 'password');
  let stage: 'none' | 'methods' = 'none';
  let index = 0;
  let attempts = 0;
  let lastServerList: readonly string[] | null = null;

  const identities: KeyFileIdentity[] = [];
  for (const file of cfg.identityFiles) {
    const id = KeyFileIdentity.open(file, {
      publicFromPrivate: true,
      attempts: Math.max(cfg.numberOfPasswordPrompts, 1),
      passphrase: async (f, attempt) => {
        if (!interactive) return null;
        const r = await askCredential(auth, credTypesFor(false), attempt === 0 ? `Enter passphrase for key '${f}'` : `Bad passphrase, try again for ${f}`).catch(() => ({ asked: false as const }));
        return r.asked && r.result ? r.result : null;
      },
    });
    if (id) identities.push(id);
  }
  const agentSock = cfg.identityAgent === 'none' ? undefined : cfg.identityAgent === 'SSH_AUTH_SOCK' ? env.SSH_AUTH_SOCK : cfg.identityAgent;
  const sources = [];
  if (agentSock && !cfg.identitiesOnly) sources.push(agentSource(agentSock, (e) => log.debug(`agent: ${e.message}`)));
  sources.push(keyFileSource(identities, (id, e) => log.debug(`${id.file}: ${e.message}`)));
  const agent = new CompositeAgent(sources);

  return {
    async next(left) {
      if (left !== null) lastServerList = left;
      if (stage === 'none') {
        stage = 'methods';
        return { type: 'none', username: cfg.user };
      }
      while (index < methods.length) {
        const m = methods[index]!;
        const allowed = left === null || left.includes(m);
        if (allowed) {
          if (m === 'publickey' && cfg.pubkeyAuthentication && attempts === 0) {
            attempts++;
            return { type: 'agent', username: cfg.user, agent };
          }
          if (m === 'keyboard-interactive' && cfg.kbdInteractiveAuthentication && interactive && !mitm.changed && attempts < cfg.numberOfPasswordPrompts) {
            attempts++;
            return {
              type: 'keyboard-interactive',
              username: cfg.user,
              prompt: kbdintResponder(
                auth,
                (name, instructions, p) => [name, instructions, `(${who}) ${p.prompt}`].filter((s) => s !== '').join('\n'),
                () => {
                  attempts = cfg.numberOfPasswordPrompts;
                },
              ),
            };
          }
          if (m === 'password' && cfg.passwordAuthentication && interactive && !mitm.changed && attempts < cfg.numberOfPasswordPrompts) {
            if (attempts > 0) lines.push('Permission denied, please try again.');
            attempts++;
            const r = await askCredential(auth, credTypesFor(false), `${who}'s password`).catch(() => ({ asked: false as const }));
            if (r.asked && r.result !== null) return { type: 'password', username: cfg.user, password: r.result };
          }
        }
        index++;
        attempts = 0;
      }
      return null;
    },
    failure(left) {
      const list = left ?? lastServerList ?? [];
      return opensshError([...lines, `${who}: Permission denied (${list.join(',')}).`]);
    },
  };
}

async function openOpenSSH(target: ConnectTarget, options: SshOptions, env: NodeJS.ProcessEnv): Promise<Transport> {
  const lines: string[] = [];
  let cfg: ResolvedSshConfig;
  try {
    cfg = resolveSshConfig(
      {
        host: target.host!,
        port: target.port,
        user: target.user,
        identityFile: target.options.keyfile ?? null,
        options: { ...(target.noTTY ? { batchmode: 'yes' } : {}), ...(target.noVerify ? { stricthostkeychecking: 'no' } : {}) },
      },
      { env, home: homeOf(env), userConfig: options.sshConfig?.user, systemConfig: options.sshConfig?.system },
    );
  } catch (e) {
    throw opensshError([(e as Error).message]);
  }
  lines.push(...cfg.warnings);
  const started = performance.now();
  const sock = await connectOpenSSH(cfg, env, lines, options.timeout);
  const mitm = { changed: false };
  const remote = (): string => {
    const s = sock as Partial<Socket>;
    return s.remoteAddress ? knownHostName(s.remoteAddress, cfg.port) : knownHostName(cfg.hostname, cfg.port);
  };
  return runSession({
    flavour: 'openssh',
    description: `ssh:${cfg.user}@${knownHostName(cfg.hostname, cfg.port)}`,
    sock,
    hostKey: opensshHostKeyCheck(cfg, options, lines, remote, mitm),
    plan: () => opensshPlan(cfg, options, env, lines, mitm),
    remoteCommand: target.remoteCommand!,
    stderrLines: lines,
    connectionLost: ({ why, disconnect }) => {
      const [ip, port] = [(sock as Partial<Socket>).remoteAddress ?? cfg.hostname, cfg.port];
      if (disconnect) return opensshError([...lines, `Received disconnect from ${ip} port ${port}:${disconnect.code}: ${disconnect.description}`, `Disconnected from ${ip} port ${port}`]);
      if (/closed/i.test(why)) return opensshError([...lines, `Connection closed by ${ip} port ${port}`]);
      return opensshError([...lines, `ssh_dispatch_run_fatal: Connection to ${ip} port ${port}: ${why}`]);
    },
    eofError: ({ errout }) => {
      const all = [...lines, errout].filter((l) => l !== '').join('\r\n');
      const text = Buffer.from(all, 'utf8').subarray(0, 1024).toString('utf8').replace(/\s+$/, '');
      return text ? clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, `End of file while reading data: ${text}: Input/output error`) : null;
    },
    timeout: remaining(options.timeout, started),
  });
}

// ------------------------------------------------------------------------------------------------
// +libssh / +libssh2: libvirt's own clients

/** virNetClientFindDefaultSshKey */
function defaultLibvirtKey(home: string): string | null {
  for (const name of ['identity', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_rsa']) {
    const p = join(home, '.ssh', name);
    if (KeyFileIdentity.open(p, { publicFromPrivate: false, attempts: 1, passphrase: async () => null }) !== null) return p;
  }
  return null;
}

function libvirtHostKeyCheck(flavour: Flavour, host: string, port: number, file: string, verify: 'normal' | 'auto' | 'ignore', options: SshOptions): HostKeyCheck {
  const names = flavour === 'libssh2' ? [`[${host}]:${port}`, host] : [knownHostName(host, port)];
  const files = flavour === 'libssh' ? [file, '/etc/ssh/ssh_known_hosts'] : [file];
  const entries = verify === 'ignore' ? [] : readKnownHosts(files);
  const policy = options.hostKeys ?? 'verify';
  return {
    preferred: knownKeyTypes(entries, names),
    async verify(key: Buffer): Promise<void> {
      if (verify === 'ignore') return;
      const status = checkHostKeyAnyType(entries, names, key);
      const hash = flavour === 'libssh2' ? fingerprintHexMD5(key) : fingerprintHexSHA256(key);
      if (status.status === 'ok') return;
      if (status.status === 'changed' || status.status === 'revoked' || status.status === 'other') {
        if (policy === 'accept-any') return;
        const shown = flavour === 'libssh2' ? status.entry.key.toString('base64') : hash;
        throw new Abort(
          authFailed(
            flavour,
            `!!! SSH HOST KEY VERIFICATION FAILED !!!: Identity of host '${host}:${port}' differs from stored identity. ` +
              `Please verify the new host key '${shown}' to avoid possible man in the middle attack. The key is stored in '${file}'.`,
          ),
        );
      }
      // not known
      if (verify === 'normal' && policy === 'verify') {
        if (!options.auth) throw new Abort(transportError(flavour, "No user interaction callback provided: Can't verify the session host key"));
        let r;
        try {
          r = await askCredential(options.auth, [VIR_CRED_ECHOPROMPT], `Accept SSH host key with hash '${hash}' for host '${host}:${port}' (y/n)?`);
        } catch {
          throw new Abort(transportError(flavour, 'failed to retrieve decision to accept host key'));
        }
        if (!r.asked) throw new Abort(transportError(flavour, 'no suitable callback for host key verification'));
        if (r.result === null || r.result.toLowerCase() !== 'y') throw new Abort(transportError(flavour, `SSH host key for '${host}' (${hash}) was not accepted`));
      }
      try {
        // libssh creates the directory; libssh2 only writes the file.
        if (flavour === 'libssh2') addKnownHost(file, `[${host}]:${port}`, key, { comment: 'added by libvirt ssh transport', createDir: false });
        else addKnownHost(file, knownHostName(host, port), key);
      } catch (e) {
        const why = flavour === 'libssh2' ? 'Failed to open file' : (e as Error).message;
        throw new Abort(transportError(flavour, `failed to write known_host file '${file}': ${why}`));
      }
    },
  };
}

type LibvirtMethod = 'agent' | 'privkey' | 'password' | 'keyboard-interactive';
const METHOD_FLAG: Record<LibvirtMethod, string> = { agent: 'publickey', privkey: 'publickey', password: 'password', 'keyboard-interactive': 'keyboard-interactive' };

function libvirtPlan(
  flavour: Flavour,
  methods: readonly LibvirtMethod[],
  user: string,
  host: string,
  privkey: string | null,
  options: SshOptions,
  env: NodeJS.ProcessEnv,
  authFile: string | null,
  fatal: () => LibvirtError | null,
): AuthPlan {
  const auth = options.auth;
  let stage: 'none' | 'methods' = 'none';
  let index = -1;
  let inMethod = false;
  let noMethod = false;
  let failed = false;
  let lastMethodError: LibvirtError | null = null;
  let lastList: readonly string[] = [];
  let abortWith: LibvirtError | null = null;
  let keyId: KeyFileIdentity | null = null;

  const fail = (e: LibvirtError): never => {
    throw new Abort(e);
  };

  const askPassword = async (): Promise<string> => {
    const stored = authConfigLookup(authFile, 'ssh', host, 'password');
    if (stored !== null) return stored;
    if (!auth) fail(transportError(flavour, "Can't perform authentication: Authentication callback not provided"));
    let r;
    try {
      r = await askCredential(auth, credTypesFor(false), `Enter ${user}'s password for ${host}`, host);
    } catch {
      fail(clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_AUTH, 'authentication failed: Password request failed'));
    }
    if (!r!.asked) fail(clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_AUTH, 'authentication failed: Missing VIR_CRED_PASSPHRASE or VIR_CRED_NOECHOPROMPT credential type'));
    if (r!.asked && r!.result === null) fail(authFailed(flavour, 'no password was given'));
    return (r as { result: string }).result;
  };

  const method = async (m: LibvirtMethod): Promise<AnyAuthMethod | null> => {
    switch (m) {
      case 'agent': {
        const sock = env.SSH_AUTH_SOCK;
        if (!sock) {
          if (flavour === 'libssh2') lastMethodError = transportError(flavour, 'Failed to connect to ssh agent');
          return null;
        }
        return { type: 'agent', username: user, agent: new CompositeAgent([agentSource(sock, (e) => log.debug(`agent: ${e.message}`))]) };
      }
      case 'privkey': {
        keyId = KeyFileIdentity.open(privkey!, {
          publicFromPrivate: false,
          attempts: 1,
          passphrase: async () => {
            if (!auth) {
              abortWith = transportError(flavour, "No user interaction callback provided: Can't retrieve private key passphrase");
              return null;
            }
            let r;
            try {
              r = await askCredential(auth, credTypesFor(false), `Enter passphrase for key '${privkey}'`);
            } catch {
              abortWith = transportError(flavour, 'failed to retrieve private key passphrase: callback has failed');
              return null;
            }
            if (!r.asked) {
              abortWith = transportError(flavour, 'no suitable callback for input of key passphrase');
              return null;
            }
            return r.result ?? '';
          },
        });
        if (!keyId) fail(authFailed(flavour, `error while reading private key '${privkey}'`));
        const id = keyId!;
        try {
          await id.public();
        } catch (e) {
          if (e instanceof KeyFileError) fail(abortWith ?? authFailed(flavour, e.message));
          throw e;
        }
        return { type: 'agent', username: user, agent: new CompositeAgent([keyFileSource([id], () => undefined)]) };
      }
      case 'password':
        return { type: 'password', username: user, password: await askPassword() };
      case 'keyboard-interactive': {
        if (!auth) fail(transportError(flavour, "No user interaction callback provided: Can't get input from keyboard interactive authentication"));
        return {
          type: 'keyboard-interactive',
          username: user,
          prompt: kbdintResponder(
            auth,
            (name, instructions, p) => {
              const head = [name, instructions].filter((s) => s !== '').join('\n');
              return (head ? head + '\n' : '') + trimPrompt(p.prompt);
            },
            (why) => {
              abortWith =
                why === 'no-type'
                  ? transportError(flavour, 'no suitable callback for input of keyboard response')
                  : transportError(flavour, 'failed to retrieve keyboard interactive result: callback has failed');
            },
          ),
        };
      }
    }
  };

  return {
    async next(left) {
      if (abortWith) fail(abortWith);
      const f = fatal();
      if (f) fail(f);
      if (left !== null) lastList = left;
      if (stage === 'none') {
        stage = 'methods';
        return { type: 'none', username: user };
      }
      // A method that was started has failed; password and keyboard-interactive are retried
      // while the server lets us (libvirt loops until it disconnects).
      if (inMethod) {
        const cur = methods[index]!;
        if (keyId?.error && cur === 'privkey') fail(abortWith ?? authFailed(flavour, keyId.error.message));
        if ((cur === 'password' || cur === 'keyboard-interactive') && left !== null && left.includes(METHOD_FLAG[cur])) {
          const again = await method(cur);
          if (again) return again;
        }
        if (flavour === 'libssh2' && cur === 'privkey') lastMethodError = authFailed(flavour, `authentication with private key '${privkey}' has failed: Username/PublicKey combination invalid`);
        failed = true;
        inMethod = false;
      }
      while (++index < methods.length) {
        const m = methods[index]!;
        if (left !== null && !left.includes(METHOD_FLAG[m])) {
          noMethod = true;
          continue;
        }
        const next = await method(m);
        if (next) {
          inMethod = true;
          return next;
        }
        failed = true;
      }
      return null;
    },
    failure(left) {
      if (abortWith) return abortWith;
      const list = (left ?? lastList).join(',');
      if (methods.length === 1) {
        if (flavour === 'libssh2') return lastMethodError ?? authFailed(flavour, `${methods[0]} authentication failed`);
        return transportError(flavour, `failed to authenticate: Access denied for '${METHOD_FLAG[methods[0]!]}'. Authentication that can continue: ${list}`);
      }
      if (noMethod && !failed) return authFailed(flavour, 'None of the requested authentication methods are supported by the server');
      return authFailed(flavour, 'All provided authentication methods with credentials were rejected by the server');
    },
  };
}

async function openLibvirtSSH(flavour: 'libssh' | 'libssh2', target: ConnectTarget, options: SshOptions, env: NodeJS.ProcessEnv): Promise<Transport> {
  const host = target.host ?? 'localhost';
  const port = target.port ?? 22;
  const user = target.user ?? 'root';
  const home = homeOf(env);
  const knownHosts = target.options.known_hosts ?? join(env.XDG_CONFIG_HOME || join(home, '.config'), 'libvirt', 'known_hosts');
  const privkey = target.options.keyfile ?? defaultLibvirtKey(home);
  const sshauth = target.options.sshauth ?? (privkey ? 'agent,privkey,password,keyboard-interactive' : 'agent,password,keyboard-interactive');

  const verifyRaw = (target.options.known_hosts_verify ?? 'normal').toLowerCase();
  if (verifyRaw !== 'normal' && verifyRaw !== 'auto' && verifyRaw !== 'ignore') {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, `invalid argument: Invalid host key verification method: '${target.options.known_hosts_verify}'`);
  }
  const methods: LibvirtMethod[] = [];
  for (const raw of sshauth.split(',')) {
    const m = raw.toLowerCase();
    if (m !== 'agent' && m !== 'privkey' && m !== 'password' && m !== 'keyboard-interactive') {
      throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, `invalid argument: Invalid authentication method: '${raw}'`);
    }
    if (m === 'privkey' && !privkey) throw transportError(flavour, 'Key file path must be provided for private key authentication');
    methods.push(m);
  }
  const authFile = methods.includes('password') ? authConfigPath(env, target.uri.param('authfile')) : null;

  const started = performance.now();
  const tcp = await openTcp(host, port, { timeout: options.timeout });
  const sock = tcp.stream;
  return runSession({
    flavour,
    description: `${flavour}:${user}@${knownHostName(host, port)}`,
    sock,
    hostKey: libvirtHostKeyCheck(flavour, host, port, knownHosts, verifyRaw, options),
    plan: (fatal) => libvirtPlan(flavour, methods, user, host, privkey, options, env, authFile, fatal),
    remoteCommand: target.remoteCommand!,
    stderrLines: [],
    connectionLost: ({ why, disconnect, authenticating }) => {
      const detail = disconnect ? `Received SSH_MSG_DISCONNECT: ${disconnect.code}:${disconnect.description}` : why;
      if (authenticating) return authFailed(flavour, detail);
      return clientError(VIR_ERR_NO_CONNECT, flavour === 'libssh2' ? VIR_FROM_SSH : VIR_FROM_LIBSSH, `no connection driver available for SSH session handshake failed: ${detail}`);
    },
    eofError: ({ errout, exitCode }) => {
      if (exitCode === null || exitCode === 0) return null;
      return transportError(flavour, `Remote command terminated with non-zero code: ${exitCode}${errout ? `: ${errout}` : ''}`);
    },
    timeout: remaining(options.timeout, started),
  });
}

// ------------------------------------------------------------------------------------------------

/** ssh's environment when libvirt runs an ssh binary (virNetSocketNewConnectSSH). */
const SSH_ENV = ['XDG_RUNTIME_DIR', 'KRB5CCNAME', 'SSH_AUTH_SOCK', 'SSH_ASKPASS', 'GPG_TTY', 'TERM', 'OPENSSL_CONF', 'DISPLAY', 'XAUTHORITY'];

/**
 * Opens an ssh-family transport (`+ssh`, `+libssh`, `+libssh2`) for a resolved URI: connects,
 * verifies the host key, authenticates, and starts target.remoteCommand on the remote host.
 * Rejects with a LibvirtError carrying libvirt's code, domain and message for the same failure.
 */
export async function openSsh(target: ConnectTarget, options: SshOptions = {}): Promise<Transport> {
  const env = options.env ?? process.env;
  switch (target.transport) {
    case 'ssh':
      if (target.options.command !== undefined) {
        // Another ssh binary: run it as libvirt does.
        return openCommand(target.argv!, { env: commandEnv(env, SSH_ENV), description: `ssh:${target.argv!.join(' ')}`, secure: true, eofError: commandEofError });
      }
      return openOpenSSH(target, options, env);
    case 'libssh':
    case 'libssh2':
      return openLibvirtSSH(target.transport, target, options, env);
    default:
      throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, `invalid argument: transport '${target.transport}' is not an ssh transport`);
  }
}

