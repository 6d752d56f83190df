// bench/rpc: calls per second of connectGetLibVersion and the CPU each call costs, ours (as it is
// and with busy polling, ConnectOptions.busyPoll) beside
// libvirt's C client (python3-libvirt, threads on one connection) and go-libvirt (goroutines on
// one connection), on the same private libvirtd in the same run, over unix and TCP, with 1, 5, 20
// and 100 calls in flight, and the floor: a bare Node socket doing the same round trip. Then the
// larger calls, one at a time over unix: connectGetCapabilities, connectGetAllDomainStats over
// 500 domains (a private test-driver connection) and a whole connection opened and closed.
// Interleaved rounds, medians. `npm run bench:rpc` (starts the sandbox if
// needed; `BENCH_ROUNDS`, `BENCH_SECONDS`, `--json`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { bareCalls, bareOpenClose } from './bare-client.js';
import { BUSY_POLL, type Op, buildGoClient, busyPolling, cClientCalls, fmt, goClientCalls, measure, median, ourCalls } from './common.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = [1, 5, 20, 100];

type Sample = [callsPerSecond: number, daemonMicros: number, clientMicros: number];
type Peer = 'ours' | 'busy' | 'c' | 'go' | 'bare';
const MANY_DOMAINS = 500;

/** A test-driver configuration with `n` running domains, in a directory the daemon can read. */
function manyDomains(n: number): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rpc-'));
  const doms = Array.from({ length: n }, (_, i) => `<domain type='test'><name>bench-${i}</name><memory>8192</memory><os><type>hvm</type></os></domain>`);
  const file = join(dir, 'many.xml');
  writeFileSync(file, `<node>\n${doms.join('\n')}\n</node>\n`);
  return { dir, file };
}

interface Large {
  label: string;
  op: Op;
  /** Ours and the C client's URI; go-libvirt is told the daemon-side URI. */
  uri: string;
  goUri: string;
  /** One call; `busyPoll` is what a connection it opens is given. */
  ours: (conn: Connection, busyPoll?: number) => Promise<unknown>;
}


async function main(): Promise<void> {
  const started = !sandboxRunning();
  const env = startSandbox();
  const daemonPid = Number(readFileSync(join(env.LIBVIRT_SANDBOX_DIR!, 'libvirtd.pid'), 'utf8'));
  const go = buildGoClient();
  const many = manyDomains(MANY_DOMAINS);
  const results: { transport: string; inFlight: number; peer: Peer; callsPerSecond: number; daemonMicrosPerCall: number; clientMicrosPerCall: number }[] = [];
  try {
    const tcp = env.LIBVIRT_SANDBOX_TCP!;
    for (const [label, uri, network, address] of [
      ['unix', env.LIBVIRT_SANDBOX_QEMU_UNIX_URI!, 'unix', env.LIBVIRT_SANDBOX_SOCKET!],
      ['tcp', env.LIBVIRT_SANDBOX_QEMU_TCP_URI!, 'tcp', tcp],
    ] as const) {
      const conn = await connect(uri);
      for (let i = 0; i < 2000; i++) await conn.getLibVersion(); // warm-up
      const samples = new Map<string, Sample[]>();
      const add = (key: string, s: Sample): void => void (samples.get(key) ?? samples.set(key, []).get(key)!).push(s);
      // Interleaved rounds and medians: the machine's noise hits every peer alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const n of IN_FLIGHT) {
          add(`c:${n}`, await measure(daemonPid, async () => cClientCalls(uri, SECONDS, n)));
          add(`ours:${n}`, await measure(daemonPid, () => ourCalls(conn, n, SECONDS)));
          add(`busy:${n}`, await measure(daemonPid, () => busyPolling(conn, () => ourCalls(conn, n, SECONDS))));
          if (go) add(`go:${n}`, await measure(daemonPid, async () => goClientCalls(go, network, address, SECONDS, n)));
        }
        add('bare:1', await measure(daemonPid, () => bareCalls(address, SECONDS)));
      }
      await conn.close();
      for (const [key, xs] of samples) {
        const [peer, n] = key.split(':') as [Peer, string];
        const med = (i: number): number => median(xs.map((x) => x[i]!));
        results.push({ transport: label, inFlight: Number(n), peer, callsPerSecond: med(0), daemonMicrosPerCall: med(1), clientMicrosPerCall: med(2) });
      }
    }
    const qemu = env.LIBVIRT_SANDBOX_QEMU_UNIX_URI!;
    const socket = env.LIBVIRT_SANDBOX_SOCKET!;
    const cases: Large[] = [
      { label: 'getCapabilities', op: 'capabilities', uri: qemu, goUri: 'qemu:///system', ours: (c) => c.getCapabilities() },
      { label: `getAllDomainStats, ${MANY_DOMAINS} domains`, op: 'allstats', uri: `test+unix://${many.file}?socket=${socket}`, goUri: `test://${many.file}`, ours: (c) => c.getAllDomainStats(0, 0) },
      { label: 'open + close', op: 'openclose', uri: qemu, goUri: 'qemu:///system', ours: async (_c, busyPoll) => (await connect(qemu, { busyPoll })).close() },
    ];
    for (const k of cases) {
      const conn = await connect(k.uri);
      for (let i = 0; i < 20; i++) await k.ours(conn); // warm-up
      const samples: Record<'ours' | 'busy' | 'c' | 'go' | 'bare', Sample[]> = { ours: [], busy: [], c: [], go: [], bare: [] };
      for (let round = 0; round < ROUNDS; round++) {
        samples.c.push(await measure(daemonPid, async () => cClientCalls(k.uri, SECONDS, 1, { op: k.op })));
        samples.ours.push(await measure(daemonPid, () => ourCalls(conn, 1, SECONDS, () => k.ours(conn))));
        samples.busy.push(await measure(daemonPid, () => busyPolling(conn, () => ourCalls(conn, 1, SECONDS, () => k.ours(conn, BUSY_POLL)))));
        if (go) samples.go.push(await measure(daemonPid, async () => goClientCalls(go, 'unix', socket, SECONDS, 1, k.op, k.goUri)));
        if (k.op === 'openclose') samples.bare.push(await measure(daemonPid, () => bareOpenClose(socket, SECONDS)));
      }
      await conn.close();
      for (const peer of ['ours', 'busy', 'c', 'go', 'bare'] as const) {
        const xs = samples[peer];
        if (!xs.length) continue;
        const med = (i: number): number => median(xs.map((x) => x[i]!));
        results.push({ transport: k.label, inFlight: 1, peer, callsPerSecond: med(0), daemonMicrosPerCall: med(1), clientMicrosPerCall: med(2) });
      }
    }
  } finally {
    rmSync(many.dir, { recursive: true, force: true });
    if (started) stopSandbox();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(results));
    return;
  }
  type Row = (typeof results)[number];
  const get = (t: string, n: number, p: Peer): Row | undefined => results.find((r) => r.transport === t && r.inFlight === n && r.peer === p);
  const ratio = (a?: number, b?: number): string => (a && b ? `**${(a / b).toFixed(2)}x**` : '—');
  const num = (x?: number): string => (x === undefined || Number.isNaN(x) ? '—' : fmt(x));
  const us = (x?: number): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(0));
  console.log(`connectGetLibVersion, median of ${ROUNDS} interleaved rounds of ${SECONDS} s, same libvirtd (qemu:///system), one connection per client;`);
  console.log(`the C client runs N threads and go-libvirt N goroutines for N in flight; "busy" is ours with busyPoll: ${BUSY_POLL} µs. CPU: µs per call, user + system (process.cpuUsage, getrusage).\n`);
  console.log('| transport | in flight | ours / C | busy / C | ours / go | ours calls/s | busy | C | go-libvirt | client CPU ours / busy / C / go | libvirtd CPU ours / busy / C / go |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, o?: Row, b?: Row, c?: Row, g?: Row): string =>
    `| ${label} | ${ratio(o?.callsPerSecond, c?.callsPerSecond)} | ${ratio(b?.callsPerSecond, c?.callsPerSecond)} | ${ratio(o?.callsPerSecond, g?.callsPerSecond)} | ${num(o?.callsPerSecond)} | ${num(b?.callsPerSecond)} | ${num(c?.callsPerSecond)} | ${num(g?.callsPerSecond)} | ${us(o?.clientMicrosPerCall)} / ${us(b?.clientMicrosPerCall)} / ${us(c?.clientMicrosPerCall)} / ${us(g?.clientMicrosPerCall)} | ${us(o?.daemonMicrosPerCall)} / ${us(b?.daemonMicrosPerCall)} / ${us(c?.daemonMicrosPerCall)} / ${us(g?.daemonMicrosPerCall)} |`;
  for (const t of ['unix', 'tcp']) {
    for (const n of IN_FLIGHT) console.log(row(`${t} | ${n}`, get(t, n, 'ours'), get(t, n, 'busy'), get(t, n, 'c'), get(t, n, 'go')));
  }
  console.log('\nThe floor of a Node client: a bare net.Socket sending the same 28-byte request one at a time (bench/bare-client.ts)\n');
  console.log('| transport | bare socket calls/s | ours sequential / bare | client CPU µs/call bare / ours | libvirtd µs/call bare |');
  console.log('|---|---:|---:|---:|---:|');
  for (const t of ['unix', 'tcp']) {
    const b = get(t, 1, 'bare');
    const o = get(t, 1, 'ours');
    console.log(`| ${t} | ${num(b?.callsPerSecond)} | ${ratio(o?.callsPerSecond, b?.callsPerSecond)} | ${us(b?.clientMicrosPerCall)} / ${us(o?.clientMicrosPerCall)} | ${us(b?.daemonMicrosPerCall)} |`);
  }
  console.log('\nLarger calls, one at a time over unix (calls/s; CPU µs per call):\n');
  console.log('| call | ours / C | busy / C | ours / go | ours calls/s | busy | C | go-libvirt | client CPU ours / busy / C / go | libvirtd CPU ours / busy / C / go |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of ['getCapabilities', `getAllDomainStats, ${MANY_DOMAINS} domains`, 'open + close']) console.log(row(t, get(t, 1, 'ours'), get(t, 1, 'busy'), get(t, 1, 'c'), get(t, 1, 'go')));
  const bareOc = get('open + close', 1, 'bare');
  const oursOc = get('open + close', 1, 'ours');
  console.log(`\nThe floor of a Node client for open + close (bench/bare-client.ts bareOpenClose: a bare net.Socket sending the same four calls): ${num(bareOc?.callsPerSecond)}/s, client CPU ${us(bareOc?.clientMicrosPerCall)} µs; ours / bare ${ratio(oursOc?.callsPerSecond, bareOc?.callsPerSecond)}`);
  if (!go) console.log('\n(go-libvirt left out: see the message above)');
}

await main();
