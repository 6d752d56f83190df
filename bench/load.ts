// bench/load: 1,000 concurrent connections from one process to the private libvirtd, with
// keepalive, one call each, held idle, then 1,000 more the same way, then all closed: the time to
// open them and the resident memory per idle connection (over the first N, and what the next N
// add), side by side with libvirt's C client (python3-libvirt) doing the same in its own process. Each run is a fresh process (RSS is per process); rounds are interleaved and
// the medians reported. `npm run bench:load` (starts the sandbox if needed).
//   LOAD_CONNECTIONS (1000), LOAD_ROUNDS (3), LOAD_IDLE_SECONDS (6: past one keepalive interval),
//   LOAD_URI (the sandbox's qemu:///system unix socket)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, median } from './common.js';
import type { LoadRun } from './load-client.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';

const root = new URL('../..', import.meta.url).pathname;
const N = Number(process.env.LOAD_CONNECTIONS ?? 1000);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 3);
const IDLE = Number(process.env.LOAD_IDLE_SECONDS ?? 6);
const OUR_CONCURRENCY = 50;

const run = (argv: string[]): LoadRun => JSON.parse(execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 }).trim().split('\n').pop()!) as LoadRun;
const ours = (uri: string, concurrency: number): LoadRun => run([process.execPath, '--expose-gc', join(root, 'dist/bench/load-client.js'), uri, String(N), String(concurrency), String(IDLE)]);
const floor = (socket: string): LoadRun => run([process.execPath, '--expose-gc', join(root, 'dist/bench/load-floor.js'), socket, String(N), String(IDLE)]);
const cClient = (uri: string, threads: number): LoadRun => run(['/usr/bin/python3', join(root, 'bench/c_client_load.py'), uri, String(N), String(threads), String(IDLE)]);

const perConnection = (r: LoadRun): number => (r.rssIdle - r.rssBefore) / r.connections;
/** What one more connection costs: the second N's growth. */
const marginal = (r: LoadRun): number => (r.rssIdleSecond - r.rssIdle) / r.connections;

async function main(): Promise<void> {
  const started = !sandboxRunning();
  const env = startSandbox();
  const uri = process.env.LOAD_URI ?? env.LIBVIRT_SANDBOX_QEMU_UNIX_URI!;
  const runs = { c: [] as LoadRun[], seq: [] as LoadRun[], conc: [] as LoadRun[], floor: [] as LoadRun[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      runs.c.push(cClient(uri, 1));
      runs.seq.push(ours(uri, 1));
      runs.conc.push(ours(uri, OUR_CONCURRENCY));
      runs.floor.push(floor(env.LIBVIRT_SANDBOX_SOCKET!));
      console.error(`round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    if (started) stopSandbox();
  }
  const m = (xs: LoadRun[], f: (r: LoadRun) => number): number => median(xs.map(f));
  const row = (label: string, xs: LoadRun[]): string =>
    `| ${label} | ${m(xs, (r) => r.openSeconds).toFixed(2)} | ${fmt(m(xs, (r) => r.connections / r.openSeconds))} | ${m(xs, (r) => r.callSeconds * 1000).toFixed(0)} | ${(m(xs, perConnection) / 1024).toFixed(1)} | ${(m(xs, marginal) / 1024).toFixed(1)} | ${(m(xs, (r) => r.rssBefore) / 1048576).toFixed(0)} | ${(m(xs, (r) => r.rssIdle) / 1048576).toFixed(0)} | ${m(xs, (r) => r.closeSeconds * 1000).toFixed(0)} |`;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ uri, connections: N, rounds: ROUNDS, idleSeconds: IDLE, runs }));
    return;
  }
  console.log(`${N} connections to ${uri} with keepalive (5 s, 6), one connectGetLibVersion each, held idle ${IDLE} s, then closed; median of ${ROUNDS} interleaved rounds, each run its own process\n`);
  console.log('| client | open all (s) | opens/s | one call each (ms) | RSS per idle connection, first N (KiB) | the next N (KiB) | RSS before (MiB) | RSS idle (MiB) | close all (2N, ms) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(row('C client (python3-libvirt), sequential', runs.c));
  console.log(row('ours, sequential', runs.seq));
  console.log(row(`ours, ${OUR_CONCURRENCY} opens in flight`, runs.conc));
  const heap = (r: LoadRun): number => (r.heapIdle! - r.heapBefore!) / (2 * r.connections);
  const afterGc = (r: LoadRun): number => (r.rssIdleAfterGc! - r.rssBefore) / (2 * r.connections);
  const kib = (xs: LoadRun[], f: (r: LoadRun) => number): string => `${(m(xs, f) / 1024).toFixed(1)} KiB`;
  console.log(`\nours, sequential, with all ${2 * N} open: per idle connection, JavaScript heap after a full collection ${kib(runs.seq, heap)}, RSS after it ${kib(runs.seq, afterGc)}`);
  console.log(`Node's floor (${N} bare net.Socket connections to the daemon's socket, nothing sent): RSS ${kib(runs.floor, perConnection)} per idle connection (the next ${N}: ${kib(runs.floor, marginal)}), JavaScript heap ${kib(runs.floor, heap)}`);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  console.log(
    `\nours / C: RSS per idle connection ${ratio(m(runs.seq, perConnection), m(runs.c, perConnection))} (the next ${N}: ${ratio(m(runs.seq, marginal), m(runs.c, marginal))}), open time sequential ${ratio(m(runs.seq, (r) => r.openSeconds), m(runs.c, (r) => r.openSeconds))}, with ${OUR_CONCURRENCY} in flight ${ratio(m(runs.conc, (r) => r.openSeconds), m(runs.c, (r) => r.openSeconds))}`,
  );
}

await main();
