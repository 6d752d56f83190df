// bench/events: domain events through libvirt-rpc and through libvirt's C client (python3-libvirt
// with libvirt's default event loop, test/support/events_oracle.py), on the same private libvirtd in
// the same run. `npm run build && node dist/bench/events.js`.
//
// - Throughput: a burst of K lifecycle events (suspend/resume of D running test-driver domains,
//   D changes in flight) made by a separate trigger process; each listener (alone, in turn) reports
//   how long after the burst started it had received the K-th event, and events/s over that time.
//   The daemon's production rate bounds that rate for both, so each listener's CPU time per event
//   is reported too, with the rate it implies for one saturated core (1e6 / CPU µs per event).
// - Latency: M single state changes, one at a time; for each, the time from the trigger writing the
//   call to the listener's callback (both stamp CLOCK_MONOTONIC). This upper-bounds the daemon's
//   send -> callback time (it adds the call's trip and the daemon's work, the same for both).
//
// Rounds alternate the two clients; medians are reported. BENCH_EVENTS (K, default 20000),
// BENCH_DOMAINS (D, 16), BENCH_LATENCY_SAMPLES (M, 300), BENCH_ROUNDS (5).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import type { Domain } from '../src/api/objects.js';
import { VIR_DOMAIN_EVENT_ID_LIFECYCLE } from '../src/apixml/generated/constants.js';
import { privateSandbox } from '../test/integration/keepalive-sandbox.js';
import { Child } from './common.js';

const root = new URL('../..', import.meta.url).pathname;
const K = Number(process.env.BENCH_EVENTS ?? 20_000);
const D = Number(process.env.BENCH_DOMAINS ?? 16);
const M = Number(process.env.BENCH_LATENCY_SAMPLES ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PREFIX = 'lvbench';

const now = (): bigint => process.hrtime.bigint(); // CLOCK_MONOTONIC, like Python's time.monotonic_ns()

function testDomainXml(name: string): string {
  return `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
}

// ---------------------------------------------------------------------------------- trigger
// `node dist/bench/events.js trigger URI burst K D` | `... trigger URI paced M`: prints JSON.

async function trigger(uri: string, mode: string, a: number, b: number): Promise<void> {
  const conn = await connect(uri, { keepAlive: false });
  const doms: Domain[] = [];
  for (let i = 0; i < (mode === 'burst' ? b : 1); i++) doms.push(await conn.domainLookupByName(`${PREFIX}-${i}`));
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  if (mode === 'burst') {
    const k = a;
    let made = 0;
    const start = now();
    await Promise.all(
      doms.map(async (d) => {
        while (made < k) {
          made += 2;
          await d.suspend();
          await d.resume();
        }
      }),
    );
    process.stdout.write(`${JSON.stringify({ start: String(start), end: String(now()), made })}\n`);
  } else {
    const stamps: string[] = [];
    const d = doms[0]!;
    for (let i = 0; i < a; i++) {
      const t = now();
      await (i % 2 === 0 ? d.suspend() : d.resume());
      stamps.push(String(t));
      await new Promise((r) => setTimeout(r, 3));
    }
    process.stdout.write(`${JSON.stringify({ stamps })}\n`);
  }
  await conn.close();
}

function startTrigger(uri: string, mode: 'burst' | 'paced', a: number, b = 0): Child {
  return new Child(process.execPath, [join(root, 'dist/bench/events.js'), 'trigger', uri, mode, String(a), String(b)]);
}

// -------------------------------------------------------------------------------- listeners

interface Listener {
  /** Waits until registered; then counts events. */
  ready(): Promise<void>;
  /** CLOCK_MONOTONIC ns of every callback once `n` arrived. */
  stamps(n: number): Promise<bigint[]>;
  /** CPU time (µs) the listener's process used from registration to the `n`-th event. */
  cpu(): number;
  close(): Promise<void>;
}

async function ourListener(uri: string, expect: number): Promise<Listener> {
  const conn: Connection = await connect(uri);
  const stamps: bigint[] = [];
  let done: (() => void) | null = null;
  let cpu0: NodeJS.CpuUsage | null = null;
  let cpu = 0;
  await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, () => {
    stamps.push(now());
    if (stamps.length === expect) {
      const u = process.cpuUsage(cpu0!);
      cpu = u.user + u.system;
      done?.();
    }
  });
  cpu0 = process.cpuUsage();
  return {
    ready: async () => undefined,
    cpu: () => cpu,
    stamps: async (n) => {
      if (stamps.length < n) await new Promise<void>((resolve) => (done = resolve));
      return stamps;
    },
    close: async () => void (await conn.close()),
  };
}

async function cListener(uri: string, expect: number): Promise<Listener> {
  const child = new Child('/usr/bin/python3', [join(root, 'test/support/events_oracle.py'), uri, '--expect', String(expect), '--stamps']);
  const first = await child.json<{ ready?: boolean; error?: string }>();
  if (!first.ready) throw new Error(`C client: ${first.error}`);
  let cpu = 0;
  return {
    ready: async () => undefined,
    cpu: () => cpu,
    stamps: async () => {
      const r = await child.json<{ stamps: number[]; cpu: number }>();
      cpu = r.cpu / 1000;
      return r.stamps.map((x) => BigInt(x));
    },
    close: () => child.end(),
  };
}

// ------------------------------------------------------------------------------------- main

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

interface Burst {
  rate: number;
  seconds: number;
  lag: number;
  cpuPerEvent: number;
}

async function burstRound(uri: string, make: (uri: string, expect: number) => Promise<Listener>): Promise<Burst> {
  const listener = await make(uri, K);
  const t = startTrigger(uri, 'burst', K, D);
  await t.line(); // ready
  t.write('go\n');
  const stamps = await listener.stamps(K);
  const r = await t.json<{ start: string; end: string }>();
  await t.end();
  await listener.close();
  const start = BigInt(r.start);
  const last = stamps[K - 1]!;
  const seconds = Number(last - start) / 1e9;
  // How far behind the daemon's last reply the listener finished.
  const lag = Number(last - BigInt(r.end)) / 1e6;
  return { rate: K / seconds, seconds, lag, cpuPerEvent: listener.cpu() / K };
}

async function latencyRound(uri: string, make: (uri: string, expect: number) => Promise<Listener>): Promise<number[]> {
  const listener = await make(uri, M);
  const t = startTrigger(uri, 'paced', M);
  await t.line();
  t.write('go\n');
  const stamps = await listener.stamps(M);
  const sent = (await t.json<{ stamps: string[] }>()).stamps.map((x) => BigInt(x));
  await t.end();
  await listener.close();
  return sent.map((s, i) => Number(stamps[i]! - s) / 1000); // µs
}

async function main(): Promise<void> {
  if (process.argv[2] === 'trigger') {
    await trigger(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]));
    return;
  }
  // A private daemon: nothing else produces events on it.
  const sb = await privateSandbox('bench-events');
  try {
    const versions = execFileSync('libvirtd', ['--version'], { encoding: 'utf8' }).trim();
    const rows: string[] = [];
    const out: Record<string, unknown>[] = [];
    for (const [label, uri] of [
      ['unix', sb.uri('TEST_UNIX_URI')],
      ['tcp', sb.uri('TEST_TCP_URI')],
    ] as const) {
      const setup = await connect(uri);
      const doms: Domain[] = [];
      for (let i = 0; i < D; i++) {
        const d = await setup.domainDefineXML(testDomainXml(`${PREFIX}-${i}`));
        await d.create();
        doms.push(d);
      }
      const r = { ours: [] as Burst[], c: [] as Burst[], oursLat: [] as number[], cLat: [] as number[] };
      await burstRound(uri, ourListener); // warm-up (JIT, daemon)
      for (let round = 0; round < ROUNDS; round++) {
        const first = round % 2 === 0;
        if (first) r.ours.push(await burstRound(uri, ourListener));
        r.c.push(await burstRound(uri, cListener));
        if (!first) r.ours.push(await burstRound(uri, ourListener));
        if (first) r.oursLat.push(...(await latencyRound(uri, ourListener)));
        r.cLat.push(...(await latencyRound(uri, cListener)));
        if (!first) r.oursLat.push(...(await latencyRound(uri, ourListener)));
      }
      for (const d of doms) {
        await d.destroy();
        await d.undefine();
      }
      await setup.close();
      const rate = { ours: median(r.ours.map((x) => x.rate)), c: median(r.c.map((x) => x.rate)) };
      const lag = { ours: median(r.ours.map((x) => x.lag)), c: median(r.c.map((x) => x.lag)) };
      const cpu = { ours: median(r.ours.map((x) => x.cpuPerEvent)), c: median(r.c.map((x) => x.cpuPerEvent)) };
      const lat = { ours: median(r.oursLat), c: median(r.cLat), ours99: pct(r.oursLat, 99), c99: pct(r.cLat, 99) };
      out.push({ transport: label, eventsPerSecond: rate, finishLagMs: lag, cpuMicrosPerEvent: cpu, latencyMicros: lat });
      const n = (x: number): string => Math.round(x).toLocaleString('en-US');
      rows.push(
        `| ${label} | ${n(rate.c)} / ${n(rate.ours)} | ${(rate.ours / rate.c).toFixed(2)}x | ${lag.c.toFixed(1)} / ${lag.ours.toFixed(1)} | ${cpu.c.toFixed(1)} / ${cpu.ours.toFixed(1)} | ${n(1e6 / cpu.c)} / ${n(1e6 / cpu.ours)} | **${(cpu.c / cpu.ours).toFixed(2)}x** | ${lat.c.toFixed(0)} / ${lat.ours.toFixed(0)} | ${lat.c99.toFixed(0)} / ${lat.ours99.toFixed(0)} | **${(lat.c / lat.ours).toFixed(2)}x** |`,
      );
    }
    console.log(`bench/events: ${versions}, test:///default, burst of ${K} lifecycle events from ${D} domains, ${M} latency samples per round, ${ROUNDS} rounds (medians)\n`);
    console.log('Each pair is C client / libvirt-rpc. Ratios are libvirt-rpc relative to the C client (above 1: libvirt-rpc better).\n');
    console.log('| transport | burst events/s | ratio | last event after last reply, ms | listener CPU µs/event | events/s per saturated core | CPU ratio | trigger->callback µs, median | p99 | latency ratio |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
    console.log(`\n${JSON.stringify(out)}`);
  } finally {
    sb.clean();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
