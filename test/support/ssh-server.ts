/**
 * A private OpenSSH server (Debian's openssh-server) on 127.0.0.1 for the ssh integration tests,
 * reaching the sandbox libvirtd.
 *
 * - Its own config, host key (ssh-keygen into a temp dir), authorized keys file, pid file; run as
 *   root with `sshd -D -e -f config`; `StrictModes no` because the files live in /tmp.
 * - It runs in a private mount namespace where /run/libvirt is a directory of symlinks to the
 *   sandbox's sockets, so what runs on the "remote" side finds the daemon where libvirt's client
 *   expects it: `virt-ssh-helper 'qemu:///system'` and `nc -U /var/run/libvirt/libvirt-sock`
 *   (/var/run is /run on Debian) both reach the sandbox with the URI the test uses, exactly as
 *   virsh's would. `libvirt-sock-ro` points nowhere on purpose: read-only connections through
 *   virt-ssh-helper fail there, which is the remote-command-failure case.
 * - Password and keyboard-interactive authentication go through PAM with a stack that accepts one
 *   test password for root (pam_exec + a script): sshd's PAM service is its program name, so sshd
 *   runs through a symlink named SERVICE (unique per server) and /etc/pam.d/SERVICE exists while
 *   the server runs.
 *   No account or real password on the machine is touched.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const SSHD = '/usr/sbin/sshd';
/** sshd's PAM service is its program name; each server gets its own (servers may run side by side). */
const PAM_SERVICE_PREFIX = 'libvirt-rpc-test-sshd-';
export const TEST_PASSWORD = 's3cret-pw';

export interface SshServer {
  readonly dir: string;
  readonly port: number;
  /** The public host key line ("ssh-ed25519 AAAA..."). */
  readonly hostKey: string;
  /** A different ed25519 public key line, to stand for a changed host key. */
  readonly otherHostKey: string;
  /** Whether /run/libvirt could be replaced in the server's namespace (virt-ssh-helper and `nc -U` default paths work). */
  readonly defaultSocketWorks: boolean;
  /** Adds an authorized public key line for a user. */
  authorize(user: string, publicKeyLine: string): void;
  /** The sshd log so far (-e: its messages). */
  log(): string;
  stop(): Promise<void>;
}

export function missingTools(): string[] {
  const need: Record<string, string> = { [SSHD]: 'openssh-server', '/usr/bin/ssh-keygen': 'openssh-client', '/usr/bin/ssh-agent': 'openssh-client', '/bin/nc': 'netcat-openbsd', '/usr/bin/virt-ssh-helper': 'libvirt-daemon', '/usr/bin/virsh': 'libvirt-clients' };
  return Object.entries(need)
    .filter(([p]) => !existsSync(p))
    .map(([p, pkg]) => `${p} (${pkg})`);
}

export function keygen(path: string, options: { type?: string; passphrase?: string; comment?: string } = {}): string {
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', '-f', path, '-N', options.passphrase ?? '', '-C', options.comment ?? 'libvirt-rpc-test'], { stdio: 'ignore' });
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['--mount', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startSshServer(socket: string): Promise<SshServer> {
  const missing = missingTools();
  if (missing.length) throw new Error(`ssh tests need: ${missing.join(', ')} (scripts/system-deps install sandbox tests)`);
  const dir = mkdtempSync('/tmp/libvirt-rpc-sshd-');
  chmodSync(dir, 0o755);
  // Linux-PAM lower-cases the service name: keep it lower-case.
  const pamService = PAM_SERVICE_PREFIX + randomBytes(4).toString('hex');
  const hostKey = keygen(join(dir, 'host_ed25519'), { comment: 'host' });
  const otherHostKey = keygen(join(dir, 'other_host_ed25519'), { comment: 'impostor' });
  mkdirSync(join(dir, 'authorized'));

  // /run/libvirt as the remote side sees it
  const runlv = join(dir, 'run-libvirt');
  mkdirSync(runlv);
  symlinkSync(socket, join(runlv, 'libvirt-sock'));
  symlinkSync(join(dir, 'no-such-socket'), join(runlv, 'libvirt-sock-ro'));

  // PAM: one test password for root
  const check = join(dir, 'check-password');
  writeFileSync(check, `#!/bin/sh\nread -r pw\n[ "$pw" = '${TEST_PASSWORD}' ]\n`, { mode: 0o755 });
  writeFileSync(
    `/etc/pam.d/${pamService}`,
    `# libvirt-rpc ssh tests (removed when the test sshd stops)\nauth required pam_exec.so type=auth expose_authtok quiet ${check}\nauth optional pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\npassword required pam_deny.so\n`,
  );
  const progname = join(dir, pamService);
  symlinkSync(SSHD, progname);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory

  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized')}/%u`,
      'StrictModes no',
      'PermitRootLogin yes',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication yes',
      'UsePAM yes',
      'UseDNS no',
      'PrintMotd no',
      'MaxAuthTries 6',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  const defaultSocketWorks = canUnshare();
  let child: ChildProcess;
  if (defaultSocketWorks) {
    mkdirSync('/run/libvirt', { recursive: true });
    child = spawn('unshare', ['--mount', 'sh', '-c', 'mount --bind "$1" /run/libvirt && exec "$2" -D -e -f "$3"', 'sh', runlv, progname, config], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    child = spawn(progname, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let logText = '';
  child.stderr!.on('data', (d: Buffer) => {
    logText += d.toString('utf8');
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${logText}`)), 10_000);
    const check = (): void => {
      if (logText.includes('Server listening on')) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}): ${logText}`));
    });
  });

  return {
    dir,
    port,
    hostKey,
    otherHostKey,
    defaultSocketWorks,
    authorize(user, line) {
      writeFileSync(join(dir, 'authorized', user), line + '\n', { flag: 'a' });
    },
    log: () => logText,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      rmSync(`/etc/pam.d/${pamService}`, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An ssh-agent on its own socket, holding the given private keys. */
export async function startAgent(dir: string, keys: readonly string[]): Promise<{ socket: string; stop(): void }> {
  const socket = join(dir, `agent-${process.pid}-${Date.now()}.sock`);
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  for (const k of keys) execFileSync('ssh-add', ['-q', k], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  return {
    socket,
    stop() {
      child.kill('SIGTERM');
      rmSync(socket, { force: true });
    },
  };
}
