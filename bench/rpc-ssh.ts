// bench/rpc-ssh: calls per second of connectGetLibVersion over SSH with 1, 8 and 100 calls in
// flight, ours (as it is and with busy polling) side by side with libvirt's C client
// (python3-libvirt, N threads on one connection) on the same URIs in the same run, with the
// client's CPU per call (the C client's includes the OpenSSH client qemu+ssh runs) and
// libvirtd's, and go-libvirt's N goroutines over golang.org/x/crypto/ssh (the same in each row): qemu+ssh (the C client runs OpenSSH's ssh), qemu+libssh and qemu+libssh2 (libvirt's
// own clients), all to a private sshd on loopback whose remote side runs virt-ssh-helper into the
// sandbox libvirtd (test/support/ssh-server.ts). sshd and virt-ssh-helper share the 2 cores.
//
//   npm run bench:rpc-ssh [-- --json]   (as root; BENCH_SECONDS, default 1; BENCH_ROUNDS, default 3)
import { readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/api/open.js';
import { BUSY_POLL, buildGoClient, cClientCalls, goClientCalls, inFlightHeader, inFlightRows, type Run } from './common.js';
import { resolveTarget } from '../src/uri/uri.js';
import { openSsh } from '../src/transport/ssh.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';
import { makeHome } from '../test/support/ssh-oracle.js';
import { keygen, startSshServer } from '../test/support/ssh-server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = [1, 8, 100];

/** The C client with the same home: HOME for libvirt, and the passwd home bind-mounted for OpenSSH. */
function cClient(uri: string, home: string, threads: number): Run {
  const wrap = ['unshare', '--mount', 'sh', '-c', 'h=$1; p=$2; shift 2; mount --bind "$h" "$p" && exec "$@"', 'sh', home, userInfo().homedir];
  return cClientCalls(uri, SECONDS, threads, { wrap, env: { PATH: process.env.PATH, HOME: home, LANG: 'C' } });
}

async function main(): Promise<void> {
  const started = !sandboxRunning();
  const env = startSandbox();
  const server = await startSshServer(env.LIBVIRT_SANDBOX_SOCKET!);
  const keyDir = makeHome();
  const key = join(keyDir, 'bench_key');
  server.authorize('root', keygen(key));
  const known = `[127.0.0.1]:${server.port} ${server.hostKey}`;
  const home = makeHome({ keys: [[key, 'id_ed25519']], knownHosts: [known], libvirtKnownHosts: [known] });
  const clientEnv = { PATH: process.env.PATH, HOME: home };
  const daemonPid = Number(readFileSync(join(env.LIBVIRT_SANDBOX_DIR!, 'libvirtd.pid'), 'utf8'));
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  const go = buildGoClient();
  try {
    for (const scheme of ['qemu+ssh', 'qemu+libssh', 'qemu+libssh2']) {
      const uri = `${scheme}://root@127.0.0.1:${server.port}/system${scheme === 'qemu+ssh' ? '?no_tty=1' : ''}`;
      const conn = await connect(uri, { transport: await openSsh(resolveTarget(uri, { env: clientEnv }), { env: clientEnv }), env: clientEnv });
      for (let i = 0; i < 1000; i++) await conn.getLibVersion(); // warm-up
      // go-libvirt over golang.org/x/crypto/ssh, running the remote command libvirt's transports run.
      const goEnv = { GO_SSH_KEY: key, GO_SSH_KNOWN_HOSTS: join(home, '.ssh/known_hosts'), GO_SSH_COMMAND: resolveTarget(uri, { env: clientEnv }).remoteCommand! };
      const goRun = go ? (n: number) => goClientCalls(go, 'ssh', `root@127.0.0.1:${server.port}`, SECONDS, n, 'libversion', 'qemu:///system', goEnv) : undefined;
      const r = await inFlightRows(scheme, conn, daemonPid, (n) => cClient(uri, home, n), { inFlight: IN_FLIGHT, rounds: ROUNDS, seconds: SECONDS, goRun });
      await conn.close();
      rows.push(...r.rows);
      json.push(...r.json);
    }
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
    if (started) stopSandbox();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(`connectGetLibVersion over SSH to 127.0.0.1 (remote side: virt-ssh-helper), median of ${ROUNDS} interleaved rounds of ${SECONDS} s, one connection per client;`);
  console.log(`the C client runs N threads and go-libvirt N goroutines (one SSH session, Go's own SSH) for N in flight; "busy" is ours with busyPoll: ${BUSY_POLL} µs. CPU: µs per call, user + system.\n`);
  if (!go) console.log('(go-libvirt left out: see the message above)\n');
  for (const h of inFlightHeader(go !== null)) console.log(h);
  for (const r of rows) console.log(r);
}

await main();
