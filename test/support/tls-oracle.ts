// libvirt's own client as the oracle of the TLS and SASL suites: virsh (the message a user sees,
// the exit status) and python3-libvirt (the error's code and domain, isSecure/isEncrypted), run with
// the same URI, files and environment as our client.
import { spawn } from 'node:child_process';

export interface OracleRun {
  /** Extra environment (HOME, LIBVIRT_AUTH_FILE, ...); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** argv prefix to run under (e.g. setpriv to another uid, unshare for a private /etc). */
  prefix?: string[];
  /** SASL credentials the python client answers the auth callback with. */
  credentials?: { username?: string; password?: string };
}

export interface VirshOutcome {
  ok: boolean;
  /** The error virsh printed (the last `error: ` line other than "failed to connect to the hypervisor"). */
  message: string | null;
  stderr: string;
}

export interface PythonOutcome {
  ok: boolean;
  code?: number;
  domain?: number;
  message?: string;
  secure?: number;
  encrypted?: number;
  libVersion?: number;
  hostname?: string;
}

const PYTHON = `
import json, sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
uri, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
def cb(creds, opaque):
    for c in creds:
        if c[0] == libvirt.VIR_CRED_AUTHNAME:
            c[4] = user
        elif c[0] == libvirt.VIR_CRED_PASSPHRASE:
            c[4] = password
        else:
            return -1
    return 0
try:
    if user or password:
        conn = libvirt.openAuth(uri, [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], cb, None], 0)
    else:
        conn = libvirt.open(uri)
    out = {"ok": True, "secure": conn.isSecure(), "encrypted": conn.isEncrypted(),
           "libVersion": conn.getLibVersion(), "hostname": conn.getHostname()}
    conn.close()
except libvirt.libvirtError as e:
    out = {"ok": False, "code": e.get_error_code(), "domain": e.get_error_domain(), "message": e.get_error_message()}
print(json.dumps(out))
`;

/** Runs a command without blocking the event loop (a server in this process may be the peer). */
function run(argv: string[], o: OracleRun): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const full = [...(o.prefix ?? []), ...argv];
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(full[0]!, full.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** `virsh -c URI uri`: connects, asks the daemon one question, disconnects. */
export async function virshOutcome(uri: string, o: OracleRun = {}): Promise<VirshOutcome> {
  const r = await run(['virsh', '-c', uri, 'uri'], o);
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('error: ') && l !== 'error: failed to connect to the hypervisor')
    .map((l) => l.slice('error: '.length));
  return { ok: r.status === 0, message: errors.length ? errors[errors.length - 1]! : null, stderr: r.stderr };
}

/** The same open through python3-libvirt, for the error's code and domain. */
export async function pythonOutcome(uri: string, o: OracleRun = {}): Promise<PythonOutcome> {
  const r = await run(['/usr/bin/python3', '-c', PYTHON, uri, o.credentials?.username ?? '', o.credentials?.password ?? ''], o);
  try {
    return JSON.parse(r.stdout) as PythonOutcome;
  } catch {
    throw new Error(`python oracle failed (${r.status}): ${r.stderr}`);
  }
}

/** argv prefix running a command as uid/gid 65534 (nobody), environment kept. */
export const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

/**
 * argv prefix running a command in a private mount namespace where /etc is an overlay whose upper
 * layer is `upper` (so files placed in `upper/pki` appear as /etc/pki); the host is not changed.
 */
export function withPrivateEtc(upper: string, work: string): string[] {
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-ec', `mount -t overlay overlay -o lowerdir=/etc,upperdir=${upper},workdir=${work} /etc; exec "$@"`, 'private-etc'];
}
