// What the RPC benchmarks share: timing our calls, running libvirt's C client, summarising.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Connection } from '../src/api/connection.js';

const root = new URL('../..', import.meta.url).pathname;

/**
 * What the peers call: connectGetLibVersion, connectGetCapabilities, connectGetAllDomainStats of
 * every domain, or a whole connection opened and closed.
 */
export type Op = 'libversion' | 'capabilities' | 'allstats' | 'openclose';

/** Our client's busy-poll budget (ConnectOptions.busyPoll, µs) in the benchmarks' "busy" runs. */
export const BUSY_POLL = 50;

/** `run` with busy polling on `conn`, then off again. */
export async function busyPolling<T>(conn: Connection, run: () => Promise<T>): Promise<T> {
  conn.setBusyPoll(BUSY_POLL);
  try {
    return await run();
  } finally {
    conn.setBusyPoll(0);
  }
}

/** Calls made, the seconds they took and, where measured, the client's CPU time (user + system, µs). */
export interface Run {
  calls: number;
  seconds: number;
  clientMicros?: number;
}

/** `call` for `seconds`, with `inFlight` calls outstanding at any time, and the client CPU it took. */
export async function timedCalls(inFlight: number, seconds: number, call: () => Promise<unknown>): Promise<Run> {
  const stopAt = performance.now() + seconds * 1000;
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      await call();
      calls++;
    }
  };
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { calls, seconds: (performance.now() - start) / 1000, clientMicros: cpu.user + cpu.system };
}

/** `call` (connectGetLibVersion by default) on `conn` for `seconds`, `inFlight` outstanding at any time. */
export function ourCalls(conn: Connection, inFlight: number, seconds: number, call: () => Promise<unknown> = () => conn.getLibVersion()): Promise<Run> {
  return timedCalls(inFlight, seconds, call);
}

/**
 * The same calls through libvirt's C client (python3-libvirt, bench/c_client_rpc.py), from
 * `threads` threads on one connection. `wrap` runs it under another command (e.g. with its own home).
 */
export function cClientCalls(uri: string, seconds: number, threads: number, options: { wrap?: string[]; env?: NodeJS.ProcessEnv; op?: Op } = {}): Run {
  const argv = [...(options.wrap ?? []), '/usr/bin/python3', join(root, 'bench/c_client_rpc.py'), uri, String(seconds), String(threads), options.op ?? 'libversion'];
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: options.env ?? process.env });
  return JSON.parse(out) as Run;
}

/** dist/bench/go_client_rpc, built from bench/go_client_rpc.go with Debian's Go and go-libvirt; null without Go. */
export function buildGoClient(): string | null {
  const out = join(root, 'dist/bench/go_client_rpc');
  try {
    execFileSync('go', ['build', '-o', out, join(root, 'bench/go_client_rpc.go')], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: '/tmp/libvirt-rpc-gocache', GOFLAGS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return out;
  } catch (e) {
    console.error(`bench: go-libvirt left out (${(e as Error).message.split('\n')[0]}): it needs golang-go and golang-github-digitalocean-go-libvirt-dev (scripts/system-deps install bench)`);
    return null;
  }
}

/** The same calls through go-libvirt (bench/go_client_rpc.go), `inFlight` goroutines on one connection to `uri`'s driver; `env` gives it its TLS or SSH files. */
export function goClientCalls(binary: string, network: 'unix' | 'tcp' | 'tls' | 'ssh', address: string, seconds: number, inFlight: number, op: Op = 'libversion', uri = 'qemu:///system', env?: NodeJS.ProcessEnv): Run {
  const r = JSON.parse(execFileSync(binary, [network, address, String(seconds), String(inFlight), op, uri], { encoding: 'utf8', env: env ? { ...process.env, ...env } : process.env })) as { calls: number; seconds: number; userMicros: number; sysMicros: number };
  return { calls: r.calls, seconds: r.seconds, clientMicros: r.userMicros + r.sysMicros };
}

export const rate = (r: Run): number => r.calls / r.seconds;
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** CPU time a process has used so far, in µs (libvirtd's, to show where the time of a call goes). */
export function processCpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
}

/** Runs one measurement and returns [calls/s, the daemon's CPU µs per call, the client's CPU µs per call (NaN: not measured)]. */
export async function measure(daemonPid: number, run: () => Promise<Run>): Promise<[number, number, number]> {
  const d0 = processCpu(daemonPid);
  const r = await run();
  return [rate(r), (processCpu(daemonPid) - d0) / r.calls, r.clientMicros === undefined ? Number.NaN : r.clientMicros / r.calls];
}

/** This process's resident memory (VmRSS), in bytes. */
export function vmRss(): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m![1]) * 1024;
}

/** What one transfer of bench/streams reports (ours, bench/streams-client.ts, and the C client's, bench/c_client_streams.py). */
export interface StreamRun {
  bytes: number;
  seconds: number;
  /** CPU seconds of the whole process (every thread: V8's helpers, libvirt's event thread). */
  cpu: number;
}

/** How bench/streams' own client reads a download. */
export const READ_MODES = ['for await', 'reuse', 'reuse, busy poll'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** A peer process spoken to by lines: requests on its stdin, JSON answers on its stdout. */
export class Child {
  readonly proc: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  constructor(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env: env ? { ...process.env, ...env } : process.env });
    this.lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }
  async line(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('child exited early');
    return r.value;
  }
  async json<T>(): Promise<T> {
    return JSON.parse(await this.line()) as T;
  }
  write(s: string): void {
    this.proc.stdin!.write(s);
  }
  async end(): Promise<void> {
    this.proc.stdin!.end();
    await new Promise((resolve) => (this.proc.exitCode !== null ? resolve(null) : this.proc.once('exit', resolve)));
  }
}

/** One peer's medians at one depth: calls/s and the client's and libvirtd's CPU µs per call. */
export interface PeerFigures {
  rate: number;
  daemon: number;
  client: number;
}

/** The columns of the rows inFlightRows makes (with go-libvirt's when it was measured). */
export function inFlightHeader(withGo: boolean): string[] {
  return withGo
    ? [
        '| transport | in flight | ours / C | busy / C | ours / go | ours calls/s | busy | C | go-libvirt | client CPU ours / busy / C / go | libvirtd CPU ours / busy / C / go |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ]
    : [
        '| transport | in flight | ours / C | busy / C | ours calls/s | busy | C | client CPU ours / busy / C | libvirtd CPU ours / busy / C |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ];
}

/**
 * connectGetLibVersion at each depth of `inFlight`, in `rounds` interleaved rounds of `seconds`:
 * the C client (`cRun(n)`, n threads), ours and ours with busy polling on `conn`, and go-libvirt
 * (`goRun(n)`, n goroutines) where given; medians, as table rows (inFlightHeader) and as JSON.
 */
export async function inFlightRows(
  label: string,
  conn: Connection,
  daemonPid: number,
  cRun: (threads: number) => Run,
  options: { inFlight: number[]; rounds: number; seconds: number; goRun?: (goroutines: number) => Run },
): Promise<{ rows: string[]; json: Record<string, unknown>[] }> {
  const samples = new Map<string, [number, number, number][]>();
  const add = (key: string, x: [number, number, number]): void => void (samples.get(key) ?? samples.set(key, []).get(key)!).push(x);
  const goRun = options.goRun;
  for (let round = 0; round < options.rounds; round++) {
    for (const n of options.inFlight) {
      add(`c:${n}`, await measure(daemonPid, async () => cRun(n)));
      add(`ours:${n}`, await measure(daemonPid, () => ourCalls(conn, n, options.seconds)));
      add(`busy:${n}`, await measure(daemonPid, () => busyPolling(conn, () => ourCalls(conn, n, options.seconds))));
      if (goRun) add(`go:${n}`, await measure(daemonPid, async () => goRun(n)));
    }
  }
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  const x = (a: number, b: number): string => `**${(a / b).toFixed(2)}x**`;
  for (const n of options.inFlight) {
    const get = (p: string): PeerFigures => {
      const xs = samples.get(`${p}:${n}`)!;
      return { rate: median(xs.map((x) => x[0])), daemon: median(xs.map((x) => x[1])), client: median(xs.map((x) => x[2])) };
    };
    const [c, o, b] = [get('c'), get('ours'), get('busy')];
    const g = goRun ? get('go') : null;
    json.push({ transport: label, inFlight: n, c, ours: o, busy: b, ...(g ? { go: g } : {}) });
    const us = (...ps: PeerFigures[]): [string, string] => [ps.map((p) => p.client.toFixed(0)).join(' / '), ps.map((p) => p.daemon.toFixed(0)).join(' / ')];
    if (g) {
      const [client, daemon] = us(o, b, c, g);
      rows.push(`| ${label} | ${n} | ${x(o.rate, c.rate)} | ${x(b.rate, c.rate)} | ${x(o.rate, g.rate)} | ${fmt(o.rate)} | ${fmt(b.rate)} | ${fmt(c.rate)} | ${fmt(g.rate)} | ${client} | ${daemon} |`);
    } else {
      const [client, daemon] = us(o, b, c);
      rows.push(`| ${label} | ${n} | ${x(o.rate, c.rate)} | ${x(b.rate, c.rate)} | ${fmt(o.rate)} | ${fmt(b.rate)} | ${fmt(c.rate)} | ${client} | ${daemon} |`);
    }
  }
  return { rows, json };
}
