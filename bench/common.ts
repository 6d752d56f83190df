// What the RPC benchmarks share: timing our calls, running libvirt's C client, summarising.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../src/api/connection.js';

const root = new URL('../..', import.meta.url).pathname;

/** Calls made and the seconds they took. */
export interface Run {
  calls: number;
  seconds: number;
}

/** connectGetLibVersion for `seconds`, with `inFlight` calls outstanding at any time. */
export async function ourCalls(conn: Connection, inFlight: number, seconds: number): Promise<Run> {
  const stopAt = performance.now() + seconds * 1000;
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      await conn.getLibVersion();
      calls++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { calls, seconds: (performance.now() - start) / 1000 };
}

/**
 * The same calls through libvirt's C client (python3-libvirt, bench/c_client_rpc.py), from
 * `threads` threads on one connection. `wrap` runs it under another command (e.g. with its own home).
 */
export function cClientCalls(uri: string, seconds: number, threads: number, options: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}): Run {
  const argv = [...(options.wrap ?? []), '/usr/bin/python3', join(root, 'bench/c_client_rpc.py'), uri, String(seconds), String(threads)];
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: options.env ?? process.env });
  return JSON.parse(out) as Run;
}

export const rate = (r: Run): number => r.calls / r.seconds;
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** CPU time a process has used so far, in µs (libvirtd's, to show where the time of a call goes). */
export function processCpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
}

/** Runs one measurement and returns [calls/s, the daemon's CPU µs per call]. */
export async function measure(daemonPid: number, run: () => Promise<Run>): Promise<[number, number]> {
  const d0 = processCpu(daemonPid);
  const r = await run();
  return [rate(r), (processCpu(daemonPid) - d0) / r.calls];
}
