// bench/rpc-ssh: calls per second of connectGetLibVersion over SSH, sequential (await each) and
// pipelined (100 in flight), side by side with libvirt's C client (python3-libvirt) on the same
// URIs in the same run: qemu+ssh (the C client runs OpenSSH's ssh), qemu+libssh and qemu+libssh2
// (libvirt's own clients), all to a private sshd on loopback whose remote side runs virt-ssh-helper
// into the sandbox libvirtd (test/support/ssh-server.ts).
//
//   npm run build && node dist/bench/rpc-ssh.js        (as root; BENCH_SECONDS, BENCH_ROUNDS)
import { rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { cClientCalls, fmt, median, ourCalls, rate } from './common.js';
import { resolveTarget } from '../src/uri/uri.js';
import { openSsh } from '../src/transport/ssh.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';
import { makeHome } from '../test/support/ssh-oracle.js';
import { keygen, startSshServer } from '../test/support/ssh-server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const ours = async (conn: Connection, inFlight: number): Promise<number> => rate(await ourCalls(conn, inFlight, SECONDS));

/** The C client with the same home: HOME for libvirt, and the passwd home bind-mounted for OpenSSH. */
function cClient(uri: string, home: string, threads: number): number {
  const wrap = ['unshare', '--mount', 'sh', '-c', 'h=$1; p=$2; shift 2; mount --bind "$h" "$p" && exec "$@"', 'sh', home, userInfo().homedir];
  return rate(cClientCalls(uri, SECONDS, threads, { wrap, env: { PATH: process.env.PATH, HOME: home, LANG: 'C' } }));
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
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  try {
    for (const scheme of ['qemu+ssh', 'qemu+libssh', 'qemu+libssh2']) {
      const uri = `${scheme}://root@127.0.0.1:${server.port}/system${scheme === 'qemu+ssh' ? '?no_tty=1' : ''}`;
      const conn = await connect(uri, { transport: await openSsh(resolveTarget(uri, { env: clientEnv }), { env: clientEnv }), env: clientEnv });
      for (let i = 0; i < 1000; i++) await conn.getLibVersion(); // warm-up
      const r = { c: [] as number[], seq: [] as number[], pipe: [] as number[], c8: [] as number[] };
      // Interleaved rounds and medians: the machine's noise hits both sides alike.
      for (let round = 0; round < ROUNDS; round++) {
        r.c.push(cClient(uri, home, 1));
        r.seq.push(await ours(conn, 1));
        r.pipe.push(await ours(conn, 100));
        r.c8.push(cClient(uri, home, 8));
      }
      await conn.close();
      const m = { c: median(r.c), seq: median(r.seq), pipe: median(r.pipe), c8: median(r.c8) };
      json.push({ uri: scheme, callsPerSecond: m });
      rows.push(`| ${scheme} | ${fmt(m.c)} | ${fmt(m.seq)} | **${(m.seq / m.c).toFixed(2)}x** | ${fmt(m.pipe)} | **${(m.pipe / m.c).toFixed(2)}x** | ${fmt(m.c8)} | ${(m.pipe / m.c8).toFixed(2)}x |`);
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
  console.log(`connectGetLibVersion calls/s over SSH to 127.0.0.1 (remote side: virt-ssh-helper), median of ${ROUNDS} interleaved rounds of ${SECONDS}s, one connection each\n`);
  console.log('| URI | C client sequential | ours sequential | ratio | ours pipelined (100 in flight) | ratio to C sequential | C client, 8 threads | pipelined / C 8 threads |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
