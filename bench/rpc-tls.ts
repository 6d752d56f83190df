// bench/rpc-tls: calls per second of connectGetLibVersion over TLS, sequential (await each) and
// pipelined (8 and 100 in flight), side by side with libvirt's C client (python3-libvirt, bench/c_client_rpc.py)
// on the same private libvirtd (listen_tls, a PKI made by certtool) in the same run. Plain TCP to
// the same daemon is measured too, to show what TLS costs each client.
//
//   npx tsc -p tsconfig.json && node dist/bench/rpc-tls.js [--json]
//   (root; BENCH_SECONDS per measurement, default 1; BENCH_ROUNDS interleaved rounds, default 5)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { type Run, cClientCalls, fmt, measure, median, ourCalls } from './common.js';
import { resolveTarget } from '../src/uri/uri.js';
import { openTls } from '../src/transport/tls.js';
import { makeTestPki } from '../test/support/tls-pki.js';
import { freePort, startConfiguredSandbox } from '../test/support/tls-sandbox.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
let daemonPid = 0;

const measureDaemon = async (run: () => Promise<Run>): Promise<[number, number]> => (await measure(daemonPid, run)).slice(0, 2) as [number, number];

const ours = (conn: Connection, inFlight: number): Promise<Run> => ourCalls(conn, inFlight, SECONDS);
const cClient = async (uri: string, threads: number): Promise<Run> => cClientCalls(uri, SECONDS, threads);

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
  daemonPid = Number(readFileSync(join(sb.dir, 'libvirtd.pid'), 'utf8'));
  const pkipath = pki.pkipath('bench', { cacert: pki.cacert, cert: pki.clientCert, key: pki.clientKey });
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const json: Record<string, unknown>[] = [];
  try {
    for (const [label, uri] of [
      ['tls', `qemu+tls://localhost:${tlsPort}/system?pkipath=${pkipath}`],
      ['tcp', `qemu+tcp://127.0.0.1:${sb.tcpPort}/system`],
    ] as const) {
      const conn = await open(label, uri);
      for (let i = 0; i < 2000; i++) await conn.getLibVersion(); // warm-up
      const r = { c: [] as [number, number][], seq: [] as [number, number][], p8: [] as [number, number][], pipe: [] as [number, number][], c8: [] as [number, number][] };
      // Interleaved rounds and medians: the machine's noise hits both sides alike.
      for (let round = 0; round < ROUNDS; round++) {
        r.c.push(await measureDaemon(() => cClient(uri, 1)));
        r.seq.push(await measureDaemon(() => ours(conn, 1)));
        r.c8.push(await measureDaemon(() => cClient(uri, 8)));
        r.p8.push(await measureDaemon(() => ours(conn, 8)));
        r.pipe.push(await measureDaemon(() => ours(conn, 100)));
      }
      await conn.close();
      const rate = (xs: [number, number][]): number => median(xs.map((x) => x[0]));
      const cpu = (xs: [number, number][]): number => median(xs.map((x) => x[1]));
      const m = { seq: rate(r.seq), p8: rate(r.p8), pipe: rate(r.pipe), c: rate(r.c), c8: rate(r.c8) };
      const d = { seq: cpu(r.seq), p8: cpu(r.p8), pipe: cpu(r.pipe), c: cpu(r.c), c8: cpu(r.c8) };
      json.push({ transport: label, callsPerSecond: m, daemonCpuMicrosPerCall: d });
      rows.push(
        `| ${label} | ${fmt(m.c)} | ${fmt(m.seq)} | **${(m.seq / m.c).toFixed(2)}x** | ${fmt(m.c8)} | ${fmt(m.p8)} | **${(m.p8 / m.c8).toFixed(2)}x** | ${fmt(m.pipe)} | ${(m.pipe / m.c8).toFixed(2)}x |`,
      );
      cpuRows.push(`| ${label} | ${d.c.toFixed(0)} | ${d.seq.toFixed(0)} | ${d.c8.toFixed(0)} | ${d.p8.toFixed(0)} | ${d.pipe.toFixed(0)} |`);
    }
  } finally {
    sb.clean();
    rmSync(`${base}-pki`, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(`connectGetLibVersion calls/s, median of ${ROUNDS} interleaved rounds of ${SECONDS}s, same libvirtd (qemu:///system), one connection each\n`);
  console.log('| transport | C client sequential | ours sequential | ratio | C client, 8 threads | ours, 8 in flight | ratio | ours, 100 in flight | ratio to C 8 threads |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  console.log('\nlibvirtd CPU time per call (µs); libvirtd serves at most max_client_requests = 5 calls of a client at once\n');
  console.log('| transport | C sequential | ours sequential | C 8 threads | ours 8 in flight | ours 100 in flight |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of cpuRows) console.log(r);
}

await main();
