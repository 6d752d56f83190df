// bench/rpc-tls: calls per second of connectGetLibVersion over TLS with 1, 8 and 100 calls in
// flight, ours (as it is and with busy polling, ConnectOptions.busyPoll) side by side with
// libvirt's C client (python3-libvirt, bench/c_client_rpc.py, N threads on one connection) and
// go-libvirt (N goroutines; over TLS through Go's crypto/tls) on the same private libvirtd (listen_tls, a PKI made by certtool) in the same run, with the client's
// and the daemon's CPU per call. Plain TCP to the same daemon is measured too, to show what TLS
// costs each client.
//
//   npm run bench:rpc-tls [-- --json]
//   (root; BENCH_SECONDS per measurement, default 1; BENCH_ROUNDS interleaved rounds, default 5)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { BUSY_POLL, buildGoClient, cClientCalls, goClientCalls, inFlightHeader, inFlightRows } from './common.js';
import { resolveTarget } from '../src/uri/uri.js';
import { openTls } from '../src/transport/tls.js';
import { makeTestPki } from '../test/support/tls-pki.js';
import { freePort, startConfiguredSandbox } from '../test/support/tls-sandbox.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = [1, 8, 100];

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
  const go = buildGoClient();
  try {
    for (const [label, uri] of [
      ['tls', `qemu+tls://localhost:${tlsPort}/system?pkipath=${pkipath}`],
      ['tcp', `qemu+tcp://127.0.0.1:${sb.tcpPort}/system`],
    ] as const) {
      const conn = await open(label, uri);
      for (let i = 0; i < 2000; i++) await conn.getLibVersion(); // warm-up
      const goEnv = { GO_TLS_CA: pki.cacert, GO_TLS_CERT: pki.clientCert, GO_TLS_KEY: pki.clientKey };
      const goRun = go ? (n: number) => (label === 'tls' ? goClientCalls(go, 'tls', `localhost:${tlsPort}`, SECONDS, n, 'libversion', 'qemu:///system', goEnv) : goClientCalls(go, 'tcp', `127.0.0.1:${sb.tcpPort}`, SECONDS, n)) : undefined;
      const r = await inFlightRows(label, conn, daemonPid, (n) => cClientCalls(uri, SECONDS, n), { inFlight: IN_FLIGHT, rounds: ROUNDS, seconds: SECONDS, goRun });
      await conn.close();
      rows.push(...r.rows);
      json.push(...r.json);
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
  console.log(`the C client runs N threads and go-libvirt N goroutines for N in flight; "busy" is ours with busyPoll: ${BUSY_POLL} µs. CPU: µs per call, user + system.\n`);
  if (!go) console.log('(go-libvirt left out: see the message above)\n');
  for (const h of inFlightHeader(go !== null)) console.log(h);
  for (const r of rows) console.log(r);
}

await main();
