/**
 * Both sides of the ssh tests: virsh (libvirt's C client, the oracle) and libvirt-rpc, run against
 * the same URI with the same client files.
 *
 * A client "home" is a temp directory with .ssh/ and .config/libvirt/ files. virsh runs with
 * HOME pointing at it and, because OpenSSH takes ~ from the passwd entry rather than $HOME, inside
 * a private mount namespace where the passwd home directory is that temp home; it runs in a new
 * session (setsid: no controlling terminal), so ssh asks through SSH_ASKPASS (a script answering
 * from files) and virsh's own prompts (libssh/libssh2) read stdin. libvirt-rpc gets the same home
 * through its `env`, and the same answers through the credentials callback.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { resolveTarget } from '../../src/uri/uri.js';
import { VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT, VIR_CRED_PASSPHRASE } from '../../src/apixml/generated/constants.js';
import { type HostKeyPolicy, openSsh } from '../../src/transport/ssh.js';
import { openExt } from '../../src/transport/ext.js';
import type { ConnectAuth } from '../../src/util/credentials.js';

export interface Outcome {
  ok: boolean;
  /** The error message (null on success). */
  message: string | null;
  code?: number;
  domain?: number;
  secure?: boolean;
  encrypted?: boolean;
  /** Prompts the credentials callback saw (libvirt-rpc) or virsh printed. */
  asked?: string[];
}

export interface HomeSpec {
  /** Private key files to copy into .ssh/ (with their .pub when present): [source, name]. */
  keys?: ReadonlyArray<readonly [string, string]>;
  /** Lines of .ssh/known_hosts. */
  knownHosts?: readonly string[];
  /** Lines of .config/libvirt/known_hosts (libssh/libssh2's default). */
  libvirtKnownHosts?: readonly string[];
  /** .ssh/config text. */
  sshConfig?: string;
}

export function makeHome(spec: HomeSpec = {}): string {
  const home = mkdtempSync('/tmp/libvirt-rpc-sshhome-');
  chmodSync(home, 0o755);
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  for (const [src, name] of spec.keys ?? []) {
    copyFileSync(src, join(ssh, name));
    chmodSync(join(ssh, name), 0o600);
    try {
      copyFileSync(`${src}.pub`, join(ssh, `${name}.pub`));
    } catch {
      // no public half
    }
  }
  if (spec.knownHosts) writeFileSync(join(ssh, 'known_hosts'), spec.knownHosts.map((l) => l + '\n').join(''));
  if (spec.libvirtKnownHosts) {
    mkdirSync(join(home, '.config/libvirt'), { recursive: true });
    writeFileSync(join(home, '.config/libvirt/known_hosts'), spec.libvirtKnownHosts.map((l) => l + '\n').join(''));
  }
  if (spec.sshConfig !== undefined) writeFileSync(join(ssh, 'config'), spec.sshConfig);
  return home;
}

/** Answers for prompts: `echo` for questions that echo (host keys), `secret` for passwords and passphrases, in order. */
export interface Answers {
  echo?: readonly string[];
  secret?: readonly string[];
}

function askpassScript(home: string, answers: Answers): string {
  const dir = mkdtempSync(join(home, 'askpass-'));
  writeFileSync(join(dir, 'echo'), (answers.echo ?? []).map((a) => a + '\n').join(''));
  writeFileSync(join(dir, 'secret'), (answers.secret ?? []).map((a) => a + '\n').join(''));
  const script = join(dir, 'askpass');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'd=$(dirname "$0")',
      'printf "%s\\n" "$1" >> "$d/prompts"',
      'case "$1" in *"continue connecting"*) k=echo ;; *) k=secret ;; esac',
      'n=$(cat "$d/$k.n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$d/$k.n"',
      'line=$(sed -n "${n}p" "$d/$k")',
      '[ -n "$line" ] || exit 1',
      'printf "%s\\n" "$line"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return script;
}

export interface RunOptions {
  home: string;
  answers?: Answers;
  readOnly?: boolean;
  /** Extra environment (SSH_AUTH_SOCK, ...). */
  env?: Record<string, string>;
}

/** The libvirt "error: ..." lines of virsh's stderr after "failed to connect to the hypervisor". */
function virshMessage(stderr: string): string {
  const marker = 'error: failed to connect to the hypervisor\n';
  const at = stderr.indexOf(marker);
  const rest = at >= 0 ? stderr.slice(at + marker.length) : stderr;
  return rest.replace(/^error: /, '').replace(/\s+$/, '');
}

/** `virsh -c URI uri` with the home's files; stdin answers libvirt's own prompts, SSH_ASKPASS ssh's. */
export function virsh(uri: string, options: RunOptions): Outcome {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.home, LANG: 'C', LC_ALL: 'C', ...options.env };
  const answers = options.answers ?? {};
  // ssh's questions (no terminal): SSH_ASKPASS, used when DISPLAY is set (virsh passes both on).
  env.SSH_ASKPASS = askpassScript(options.home, answers);
  env.DISPLAY = ':0';
  // libvirt's own (libssh/libssh2) questions: virsh's default callback reads stdin, in prompt order.
  const input = [...(answers.echo ?? []), ...(answers.secret ?? [])].join('\n') + '\n';
  const args = ['-c', uri, ...(options.readOnly ? ['-r'] : []), 'uri'];
  const r = spawnSync(
    'setsid',
    ['-w', 'unshare', '--mount', 'sh', '-c', 'h=$1; p=$2; shift 2; mount --bind "$h" "$p" && exec "$@"', 'sh', options.home, userInfo().homedir, 'virsh', ...args],
    { env, input, encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status === 0) return { ok: true, message: null };
  return { ok: false, message: virshMessage(r.stderr ?? '') };
}

/** Same for `+ext`, which needs neither the home nor prompts. */
export function virshPlain(uri: string): Outcome {
  const r = spawnSync('virsh', ['-c', uri, 'uri'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' }, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return { ok: true, message: null };
  return { ok: false, message: virshMessage(r.stderr ?? '') };
}

/**
 * The error a transport's stream fails with (its own LibvirtError: "End of file while reading data:
 * <stderr>: Input/output error", libssh's exit code) as connect() gives it. Until the RPC engine
 * passes a stream's LibvirtError through as is, it wraps it as "Cannot recv data: <message>" with
 * the transport's error as `cause`; this takes the transport's error back out.
 */
export function transportError(e: LibvirtError): LibvirtError {
  if (e.cause instanceof LibvirtError && e.message === `Cannot recv data: ${e.cause.message}`) return e.cause;
  return e;
}

export interface OursOptions extends RunOptions {
  hostKeys?: HostKeyPolicy;
  /** No credentials callback at all (default: one that answers from `answers`). */
  noCallback?: boolean;
}

/** libvirt-rpc: openSsh (or openExt) with the same home, then connect() over it and one call. */
export async function ours(uri: string, options: OursOptions): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: options.home, ...options.env };
  const echo = [...(options.answers?.echo ?? [])];
  const secret = [...(options.answers?.secret ?? [])];
  const asked: string[] = [];
  const auth: ConnectAuth | undefined = options.noCallback
    ? undefined
    : {
        credtype: [VIR_CRED_ECHOPROMPT, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT],
        cb: (creds) => {
          for (const c of creds) {
            asked.push(c.prompt);
            c.result = (c.type === VIR_CRED_ECHOPROMPT ? echo.shift() : secret.shift()) ?? null;
          }
          return 0;
        },
      };
  try {
    const target = resolveTarget(uri, { env, readOnly: options.readOnly });
    const transport = target.transport === 'ext' ? await openExt(target, { env }) : await openSsh(target, { env, auth, hostKeys: options.hostKeys, timeout: 30_000 });
    const conn = await connect(uri, { transport, env, readOnly: options.readOnly });
    try {
      await conn.getLibVersion();
      return { ok: true, message: null, secure: await conn.isSecure(), encrypted: await conn.isEncrypted(), asked };
    } finally {
      await conn.close();
    }
  } catch (e) {
    if (!(e instanceof LibvirtError)) throw e;
    const err = transportError(e);
    return { ok: false, message: err.message, code: err.code, domain: err.domain, asked };
  }
}
