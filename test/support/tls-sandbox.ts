// A private libvirtd (own state directory, ports and mount namespace) started with extra
// libvirtd.conf lines, for the TLS and SASL suites: the shared sandbox is never reconfigured.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { SANDBOX } from './sandbox.js';
import { freePort, parseEnv } from './sandbox.js';
export { freePort };

export interface ConfiguredSandbox {
  readonly dir: string;
  /** The plain TCP port (listen_tcp). */
  readonly tcpPort: number;
  /** The sandbox's LIBVIRT_SANDBOX_* lines. */
  readonly env: Record<string, string>;
  readonly log: string;
  stop(): void;
  /** Stops the daemon and deletes its state directory. */
  clean(): void;
}



/**
 * Starts libvirtd with `conf`: libvirtd.conf lines overriding the sandbox's own settings.
 * `startPrefix` runs the start under another command (e.g. in a mount namespace with a private
 * /etc, which the daemon then inherits).
 */
export async function startConfiguredSandbox(name: string, conf: string[], options: { tcpPort?: number; startPrefix?: string[] } = {}): Promise<ConfiguredSandbox> {
  const dir = `/tmp/lvrpc-${name}-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  const port = options.tcpPort ?? (await freePort());
  const confFile = `${dir}.extra.conf`;
  writeFileSync(confFile, conf.join('\n') + '\n');
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LIBVIRT_SANDBOX_DIR: dir,
    LIBVIRT_SANDBOX_TCP_PORT: String(port),
    LIBVIRT_SANDBOX_EXTRA_CONF: confFile,
    LIBVIRT_SANDBOX_ISOLATION: 'mountns',
  };
  const run = (cmd: string, prefix: string[] = []): string => {
    const argv = [...prefix, SANDBOX, cmd];
    return execFileSync(argv[0]!, argv.slice(1), { env: scriptEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  };
  let env: Record<string, string>;
  try {
    env = parseEnv(run('start', options.startPrefix));
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`cannot start the ${name} sandbox: ${err.stderr ?? String(e)}`);
  }
  return {
    dir,
    tcpPort: port,
    env,
    log: `${dir}/libvirtd.log`,
    stop(): void {
      run('stop');
    },
    clean(): void {
      run('clean');
      rmSync(confFile, { force: true });
      rmSync(`${dir}.lock`, { force: true });
    },
  };
}
