// bench/rpc: calls per second of connectGetLibVersion, sequential (await each) and pipelined
// (100 in flight), over unix and TCP, side by side with libvirt's C client (python3-libvirt) on the
// same private libvirtd in the same run. `npm run bench:rpc` (starts the sandbox if needed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { type Run, cClientCalls, fmt, measure, median, ourCalls } from './common.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
let daemonPid = 0;

const measureDaemon = (run: () => Promise<Run>): Promise<[number, number]> => measure(daemonPid, run);

const ours = (conn: Connection, inFlight: number): Promise<Run> => ourCalls(conn, inFlight, SECONDS);
const cClient = async (uri: string, threads: number): Promise<Run> => cClientCalls(uri, SECONDS, threads);

async function main(): Promise<void> {
  const started = !sandboxRunning();
  const env = startSandbox();
  daemonPid = Number(readFileSync(join(env.LIBVIRT_SANDBOX_DIR!, 'libvirtd.pid'), 'utf8'));
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  const cpuRows: string[] = [];
  try {
    for (const [label, uri] of [
      ['unix', env.LIBVIRT_SANDBOX_QEMU_UNIX_URI!],
      ['tcp', env.LIBVIRT_SANDBOX_QEMU_TCP_URI!],
    ] as const) {
      const conn = await connect(uri);
      for (let i = 0; i < 2000; i++) await conn.getLibVersion(); // warm-up
      const r = { c: [] as [number, number][], seq: [] as [number, number][], pipe: [] as [number, number][], c8: [] as [number, number][] };
      // Interleaved rounds and medians: the machine's noise hits both sides alike.
      for (let round = 0; round < ROUNDS; round++) {
        r.c.push(await measureDaemon(() => cClient(uri, 1)));
        r.seq.push(await measureDaemon(() => ours(conn, 1)));
        r.pipe.push(await measureDaemon(() => ours(conn, 100)));
        r.c8.push(await measureDaemon(() => cClient(uri, 8)));
      }
      await conn.close();
      const rate = (xs: [number, number][]): number => median(xs.map((x) => x[0]));
      const cpu = (xs: [number, number][]): number => median(xs.map((x) => x[1]));
      const m = { seq: rate(r.seq), pipe: rate(r.pipe), c: rate(r.c), c8: rate(r.c8) };
      const dcpu = { seq: cpu(r.seq), pipe: cpu(r.pipe), c: cpu(r.c), c8: cpu(r.c8) };
      json.push({ transport: label, callsPerSecond: m, daemonCpuMicrosPerCall: dcpu });
      cpuRows.push(`| ${label} | ${dcpu.c.toFixed(0)} | ${dcpu.seq.toFixed(0)} | ${dcpu.pipe.toFixed(0)} | ${dcpu.c8.toFixed(0)} |`);
      rows.push(
        `| ${label} | ${fmt(m.c)} | ${fmt(m.seq)} | **${(m.seq / m.c).toFixed(2)}x** | ${fmt(m.pipe)} | **${(m.pipe / m.c).toFixed(2)}x** | ${fmt(m.c8)} | ${(m.pipe / m.c8).toFixed(2)}x |`,
      );
    }
  } finally {
    if (started) stopSandbox();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(`connectGetLibVersion calls/s, median of ${ROUNDS} interleaved rounds of ${SECONDS}s, same libvirtd (qemu:///system), one connection each\n`);
  console.log('| transport | C client sequential | ours sequential | ratio | ours pipelined (100 in flight) | ratio to C sequential | C client, 8 threads | pipelined / C 8 threads |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  console.log('\nlibvirtd CPU time per call (µs): the daemon, not the client, bounds the pipelined rate on a 2-core machine\n');
  console.log('| transport | C sequential | ours sequential | ours pipelined | C 8 threads |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of cpuRows) console.log(r);
}

await main();
