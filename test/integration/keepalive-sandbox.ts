// A second, private libvirtd (its own state directory, TCP port and mount namespace) for the tests
// that freeze, kill or restart the daemon, so the shared sandbox other suites use is never touched.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { SANDBOX } from '../support/sandbox.js';
import { freePort, parseEnv } from '../support/sandbox.js';

export interface PrivateSandbox {
  readonly dir: string;
  readonly env: Record<string, string>;
  /** LIBVIRT_SANDBOX_<name> of this instance, e.g. uri('TEST_UNIX_URI'). */
  uri(name: string): string;
  /** The daemon's pid now (it changes on restart). */
  pid(): number;
  start(): void;
  stop(): void;
  /** Stops and deletes the state directory. */
  clean(): void;
}



/** Starts a private libvirtd with the given daemon keepalive settings. */
export async function privateSandbox(name: string, settings: { keepaliveInterval?: number; keepaliveCount?: number } = {}): Promise<PrivateSandbox> {
  const dir = `/tmp/lvrpc-${name}-${process.pid}`;
  const port = await freePort();
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LIBVIRT_SANDBOX_DIR: dir,
    LIBVIRT_SANDBOX_TCP_PORT: String(port),
    LIBVIRT_SANDBOX_KEEPALIVE_INTERVAL: String(settings.keepaliveInterval ?? 5),
    LIBVIRT_SANDBOX_KEEPALIVE_COUNT: String(settings.keepaliveCount ?? 5),
    LIBVIRT_SANDBOX_ISOLATION: 'mountns',
  };
  const run = (cmd: string): string => execFileSync(SANDBOX, [cmd], { env: scriptEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  let env: Record<string, string> = {};
  const sb: PrivateSandbox = {
    dir,
    get env() {
      return env;
    },
    uri(n: string): string {
      const v = env[`LIBVIRT_SANDBOX_${n}`];
      if (!v) throw new Error(`private sandbox ${dir}: no LIBVIRT_SANDBOX_${n}`);
      return v;
    },
    pid(): number {
      return Number(readFileSync(`${dir}/libvirtd.pid`, 'utf8'));
    },
    start(): void {
      env = parseEnv(run('start'));
    },
    stop(): void {
      // A frozen daemon cannot stop: thaw it first.
      if (existsSync(`${dir}/libvirtd.pid`)) {
        try {
          process.kill(sb.pid(), 'SIGCONT');
        } catch {
          // not running
        }
      }
      run('stop');
    },
    clean(): void {
      sb.stop();
      run('clean');
      // The script's start/stop lock file beside the state directory.
      rmSync(`${dir}.lock`, { force: true });
    },
  };
  sb.start();
  return sb;
}
