// bench/rpc-tls: calls per second of connectGetLibVersion over TLS with 1, 8 and 100 calls in
// flight, ours (as it is and with busy polling, ConnectOptions.busyPoll) side by side with
// libvirt's C client (python3-libvirt, bench/c_client_rpc.py, N threads on one connection) on the
// same private libvirtd (listen_tls, a PKI made by certtool) in the same run, with the client's
// and the daemon's CPU per call. Plain TCP to the same daemon is measured too, to show what TLS
// costs each client.
//
//   npm run bench:rpc-tls [-- --json]
//   (root; BENCH_SECONDS per measurement, default 1; BENCH_ROUNDS interleaved rounds, default 5)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { BUSY_POLL, busyPolling, cClientCalls, fmt, measure, median, ourCalls } from './common.js';
import { resolveTarget } from '../src/uri/uri.js';
import { openTls } from '../src/transport/tls.js';
import { makeTestPki } from '../test/support/tls-pki.js';
import { freePort, startConfiguredSandbox } from '../test/support/tls-sandbox.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = [1, 8, 100];

type Sample = [callsPerSecond: number, daemonMicros: number, clientMicros: number];
type Peer = 'c' | 'ours' | 'busy';

async function open(label: string, uri: string): Promise<Connection> {
  if (label === 'tls') return connect(uri, { transport: await openTls(resolveTarget(uri), {}) });
  return connect(uri);
}

async function main(): Promise<void> {
  const base = `/tmp/lvrpc-bench-tls-${process.pid}`;
  const pki = makeTestPki(`${base}-pki`);
  const tlsPort = await freePort();
  const sb = await startConfiguredSandbox('bench-tls', [
    'listen_tls = 1',
    `tls_port = "${tlsPort}"`,
    `key_file = "${pki.serverKey}"`,
    `cert_file = "${pki.serverCert}"`,
    `ca_file = "${pki.cacert}"`,
    'auth_tls = "none"',
  ]);
  const daemonPid = Number(readFileSync(join(sb.dir, 'libvirtd.pid'), 'utf8'));
  const pkipath = pki.pkipath('bench', { cacert: pki.cacert, cert: pki.clientCert, key: pki.clientKey });
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  try {
    for (const [label, uri] of [
      ['tls', `qemu+tls://localhost:${tlsPort}/system?pkipath=${pkipath}`],
      ['tcp', `qemu+tcp://127.0.0.1:${sb.tcpPort}/system`],
    ] as const) {
      const conn = await open(label, uri);
      for (let i = 0; i < 2000; i++) await conn.getLibVersion(); // warm-up
      const samples = new Map<string, Sample[]>();
      const add = (key: string, x: Sample): void => void (samples.get(key) ?? samples.set(key, []).get(key)!).push(x);
      // Interleaved rounds and medians: the machine's noise hits every peer alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const n of IN_FLIGHT) {
          add(`c:${n}`, await measure(daemonPid, async () => cClientCalls(uri, SECONDS, n)));
          add(`ours:${n}`, await measure(daemonPid, () => ourCalls(conn, n, SECONDS)));
          add(`busy:${n}`, await measure(daemonPid, () => busyPolling(conn, () => ourCalls(conn, n, SECONDS))));
        }
      }
      await conn.close();
      const med = (key: string, i: number): number => median(samples.get(key)!.map((x) => x[i]!));
      for (const n of IN_FLIGHT) {
        const get = (p: Peer): { rate: number; daemon: number; client: number } => ({ rate: med(`${p}:${n}`, 0), daemon: med(`${p}:${n}`, 1), client: med(`${p}:${n}`, 2) });
        const [c, o, b] = [get('c'), get('ours'), get('busy')];
        json.push({ transport: label, inFlight: n, c, ours: o, busy: b });
        rows.push(
          `| ${label} | ${n} | **${(o.rate / c.rate).toFixed(2)}x** | **${(b.rate / c.rate).toFixed(2)}x** | ${fmt(o.rate)} | ${fmt(b.rate)} | ${fmt(c.rate)} | ${o.client.toFixed(0)} / ${b.client.toFixed(0)} / ${c.client.toFixed(0)} | ${o.daemon.toFixed(0)} / ${b.daemon.toFixed(0)} / ${c.daemon.toFixed(0)} |`,
        );
      }
    }
  } finally {
    sb.clean();
    rmSync(`${base}-pki`, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(`connectGetLibVersion, median of ${ROUNDS} interleaved rounds of ${SECONDS} s, same libvirtd (qemu:///system), one connection per client;`);
  console.log(`the C client runs N threads for N in flight; "busy" is ours with busyPoll: ${BUSY_POLL} µs. CPU: µs per call, user + system.\n`);
  console.log('| transport | in flight | ours / C | busy / C | ours calls/s | busy | C | client CPU ours / busy / C | libvirtd CPU ours / busy / C |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
