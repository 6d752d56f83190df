/**
 * Encode and decode throughput of the generated XDR codecs, side by side with @stellar/js-xdr (the
 * same types built from the schema by test/support/jsxdr.ts) in the same run on the same values.
 *
 *   npm run build && node dist/bench/codec.js [--json] [--seconds=1.5] [--only=<message>] [--gc]
 *
 * Messages: a small reply (remote_connect_get_lib_version_ret), a listing of 1,000 domains
 * (remote_connect_list_all_domains_ret) and a large stats reply (remote_connect_get_all_domain_stats_ret,
 * 1,000 records of 50 typed parameters each). Both implementations must produce identical bytes for
 * every message, and both must decode them back to the value, before anything is timed.
 *
 * Ours: `new XdrWriter(); codec.encode(w, v); w.bytes()` and `new XdrReader(bytes); codec.decode(r);
 * r.done()`. js-xdr: `Struct.toXDR(value)` on values built once beforehand (struct and union
 * instances, Hyper/UnsignedHyper) and `Struct.fromXDR(buffer)`; the values are dropped before the
 * decoders are timed, so only the bytes are live then. Each measurement warms up, then
 * alternates ten slices of ours and ten of theirs (the chosen time each in all); a side's rate is
 * the median of its slices. The heap is left alone, as in a real process, so each side's garbage
 * collections also see the other's garbage; --gc forces a full collection before every slice
 * instead (which shrinks the young generation, an artifact of its own: encoding with js-xdr, which
 * grows its buffer 8 KiB at a time, suffers most).
 * MB/s counts 10^6 bytes of XDR per second.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
  remote_connect_get_all_domain_stats_ret,
  remote_connect_get_lib_version_ret,
  remote_connect_list_all_domains_ret,
  type remote_domain_stats_record,
  type remote_nonnull_domain,
  type remote_typed_param,
} from '../src/protocol/generated/remote.js';
import { type Codec, XdrReader, XdrWriter } from '../src/protocol/xdr/index.js';
import { fromJsXdr, jsxdrStruct, toJsXdr } from '../test/support/jsxdr.js';

// --- deterministic, realistic values ---

/** mulberry32: a small seeded PRNG, so every run measures the same messages. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = ['web', 'api', 'db-primary', 'db-replica', 'cache', 'ci-runner', 'k8s-worker', 'k8s-control', 'mail', 'build', 'vpn', 'monitoring'];
const ENVS = ['prod', 'staging', 'dev'];

function makeDomains(n: number, rnd: () => number): remote_nonnull_domain[] {
  const out: remote_nonnull_domain[] = [];
  let nextId = 1;
  for (let i = 0; i < n; i++) {
    const uuid = new Uint8Array(16);
    for (let j = 0; j < 16; j++) uuid[j] = Math.floor(rnd() * 256);
    uuid[6] = (uuid[6]! & 0x0f) | 0x40; // version 4
    uuid[8] = (uuid[8]! & 0x3f) | 0x80; // RFC 4122 variant
    const role = ROLES[Math.floor(rnd() * ROLES.length)]!;
    const env = ENVS[Math.floor(rnd() * ENVS.length)]!;
    const running = rnd() < 0.8;
    out.push({ name: `${env}-${role}-${String(i + 1).padStart(4, '0')}`, uuid, id: running ? nextId++ : -1 });
  }
  return out;
}

const P_INT = 1;
const P_UINT = 2;
const P_LLONG = 3;
const P_ULLONG = 4;
const P_DOUBLE = 5;
const P_BOOLEAN = 6;
const P_STRING = 7;

/** 50 fields as virConnectGetAllDomainStats returns them (state, cpu, balloon, vcpu, net, block). */
const STAT_FIELDS: readonly (readonly [string, number])[] = [
  ['state.state', P_INT],
  ['state.reason', P_INT],
  ['cpu.time', P_ULLONG],
  ['cpu.user', P_ULLONG],
  ['cpu.system', P_ULLONG],
  ['cpu.haltpoll.success.time', P_ULLONG],
  ['cpu.haltpoll.fail.time', P_ULLONG],
  ['cpu.usage.percent', P_DOUBLE],
  ['balloon.current', P_ULLONG],
  ['balloon.maximum', P_ULLONG],
  ['balloon.swap_in', P_ULLONG],
  ['balloon.swap_out', P_ULLONG],
  ['balloon.major_fault', P_ULLONG],
  ['balloon.minor_fault', P_ULLONG],
  ['balloon.unused', P_ULLONG],
  ['balloon.available', P_ULLONG],
  ['balloon.usable', P_ULLONG],
  ['balloon.last-update', P_ULLONG],
  ['balloon.disk_caches', P_ULLONG],
  ['balloon.rss', P_ULLONG],
  ['vcpu.current', P_UINT],
  ['vcpu.maximum', P_UINT],
  ['vcpu.0.state', P_INT],
  ['vcpu.0.time', P_ULLONG],
  ['vcpu.0.wait', P_ULLONG],
  ['vcpu.0.delay', P_ULLONG],
  ['vcpu.0.halted', P_BOOLEAN],
  ['vcpu.1.state', P_INT],
  ['vcpu.1.time', P_ULLONG],
  ['vcpu.1.wait', P_ULLONG],
  ['vcpu.1.delay', P_ULLONG],
  ['vcpu.1.halted', P_BOOLEAN],
  ['net.count', P_UINT],
  ['net.0.name', P_STRING],
  ['net.0.rx.bytes', P_ULLONG],
  ['net.0.rx.pkts', P_ULLONG],
  ['net.0.rx.drop', P_ULLONG],
  ['net.0.tx.bytes', P_ULLONG],
  ['net.0.tx.pkts', P_ULLONG],
  ['block.count', P_UINT],
  ['block.0.name', P_STRING],
  ['block.0.path', P_STRING],
  ['block.0.rd.reqs', P_ULLONG],
  ['block.0.rd.bytes', P_ULLONG],
  ['block.0.rd.times', P_ULLONG],
  ['block.0.wr.reqs', P_ULLONG],
  ['block.0.wr.bytes', P_ULLONG],
  ['block.0.wr.times', P_ULLONG],
  ['block.0.allocation', P_ULLONG],
  ['dirtyrate.megabytes_per_second', P_LLONG],
];

function makeParam(field: string, type: number, dom: remote_nonnull_domain, i: number, rnd: () => number): remote_typed_param {
  const big = (max: number): bigint => BigInt(Math.floor(rnd() * max));
  switch (type) {
    case P_INT:
      return { field, value: { type: P_INT, i: Math.floor(rnd() * 8) } };
    case P_UINT:
      return { field, value: { type: P_UINT, ui: 1 + Math.floor(rnd() * 16) } };
    case P_LLONG:
      return { field, value: { type: P_LLONG, l: big(4096) - 16n } };
    case P_DOUBLE:
      return { field, value: { type: P_DOUBLE, d: rnd() * 100 } };
    case P_BOOLEAN:
      return { field, value: { type: P_BOOLEAN, b: rnd() < 0.5 ? 1 : 0 } };
    case P_STRING:
      if (field.endsWith('.path')) return { field, value: { type: P_STRING, s: `/var/lib/libvirt/images/${dom.name}.qcow2` } };
      if (field.startsWith('net.')) return { field, value: { type: P_STRING, s: `vnet${i}` } };
      return { field, value: { type: P_STRING, s: 'vda' } };
    default:
      // counters: nanoseconds of CPU time, bytes moved, KiB of memory (well past 2^32, below 2^53)
      return { field, value: { type: P_ULLONG, ul: big(2 ** 45) } };
  }
}

function makeStats(domains: remote_nonnull_domain[], rnd: () => number): remote_domain_stats_record[] {
  return domains.map((dom, i) => ({ dom, params: STAT_FIELDS.map(([f, t]) => makeParam(f, t, dom, i, rnd)) }));
}

// --- cases ---

interface Case {
  name: string;
  typeName: string;
  codec: Codec<unknown>;
  /** Builds the value (same seed, same value every time); only the encode phase holds it. */
  make(): unknown;
}

const SEED = 0x11b7e;

function cases(): Case[] {
  return [
    {
      name: 'small: connect_get_lib_version_ret',
      typeName: 'remote_connect_get_lib_version_ret',
      codec: remote_connect_get_lib_version_ret as Codec<unknown>,
      make: () => ({ lib_ver: 11003000n }),
    },
    {
      name: 'listing: list_all_domains_ret, 1,000 domains',
      typeName: 'remote_connect_list_all_domains_ret',
      codec: remote_connect_list_all_domains_ret as Codec<unknown>,
      make: () => {
        const domains = makeDomains(1000, prng(SEED));
        return { domains, ret: domains.length };
      },
    },
    {
      name: 'large: get_all_domain_stats_ret, 1,000 x 50 params',
      typeName: 'remote_connect_get_all_domain_stats_ret',
      codec: remote_connect_get_all_domain_stats_ret as Codec<unknown>,
      make: () => {
        const rnd = prng(SEED);
        return { retStats: makeStats(makeDomains(1000, rnd), rnd) };
      },
    },
  ];
}

// --- timing ---

let sink = 0;

/**
 * A full collection (for --gc), without a command-line flag: --expose-gc set at run time, then `gc`
 * taken from a fresh context.
 */
let gcFn: (() => void) | undefined;
function collect(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** Runs `fn` for about `ms` milliseconds; returns [operations, seconds]. */
function slice(fn: () => number, ms: number, batch: number, gc: boolean): [number, number] {
  if (gc) collect();
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(ms * 1e6));
  let ops = 0;
  let now = start;
  do {
    for (let i = 0; i < batch; i++) sink += fn();
    ops += batch;
    now = process.hrtime.bigint();
  } while (now < until);
  return [ops, Number(now - start) / 1e9];
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

/**
 * Operations per second of `ours` and `theirs`: after a warm-up, ten alternating slices of each;
 * the rate of each side is the median of its slices, so a burst of load from other processes on
 * the machine moves one slice, not the result.
 */
function race(ours: () => number, theirs: () => number, seconds: number, gc: boolean): [number, number] {
  const batchFor = (fn: () => number): number => {
    // aim for ~5 ms per batch so clock reads cost nothing
    const [ops, s] = slice(fn, 50, 1, gc);
    return Math.max(1, Math.round((ops / s) * 0.005));
  };
  const bo = batchFor(ours);
  const bt = batchFor(theirs);
  slice(ours, 300, bo, gc);
  slice(theirs, 300, bt, gc);
  const rounds = 10;
  const per = (seconds * 1000) / rounds;
  const o: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [a, b] = slice(ours, per, bo, gc);
    o.push(a / b);
    const [c, d] = slice(theirs, per, bt, gc);
    t.push(c / d);
  }
  return [median(o), median(t)];
}

export interface CodecBenchResult {
  message: string;
  type: string;
  bytes: number;
  /** Messages per second, MB (10^6 bytes) per second, and ours / js-xdr. */
  encode: Throughput;
  decode: Throughput;
}

export interface Throughput {
  ours: number;
  jsxdr: number;
  oursMBps: number;
  jsxdrMBps: number;
  ratio: number;
}

function throughput(ours: number, jsxdr: number, bytes: number): Throughput {
  return { ours, jsxdr, oursMBps: (ours * bytes) / 1e6, jsxdrMBps: (jsxdr * bytes) / 1e6, ratio: ours / jsxdr };
}

/**
 * Checks both sides agree on the case, then times encoding. The values (ours and js-xdr's) live only
 * in this function, so the decode phase runs without them on the heap.
 */
function encodePhase(c: Case, seconds: number, gc: boolean, log: (line: string) => void): { bytes: Buffer; ours: number; jsxdr: number } {
  const value = c.make();
  const Cls = jsxdrStruct(c.typeName);
  const theirValue = toJsXdr(c.typeName, value);
  const encodeOurs = (): Buffer => {
    const w = new XdrWriter();
    c.codec.encode(w, value);
    return w.bytes();
  };
  const bytes = Buffer.from(encodeOurs());
  const theirBytes = Cls.toXDR(theirValue);
  if (!bytes.equals(theirBytes)) {
    const at = bytes.findIndex((b, i) => b !== theirBytes[i]);
    throw new Error(`${c.typeName}: our bytes and js-xdr's differ (lengths ${bytes.length} and ${theirBytes.length}, first difference at byte ${at})`);
  }
  // Both decoders must give the value back before anything is timed.
  const r = new XdrReader(bytes);
  deepStrictEqual(c.codec.decode(r), value, `${c.typeName}: our decoder does not give the value back`);
  r.done(c.typeName);
  deepStrictEqual(fromJsXdr(c.typeName, Cls.fromXDR(bytes)), value, `${c.typeName}: js-xdr decodes our bytes to another value`);

  log(`${c.name}: ${bytes.length} bytes, timing encode...`);
  const [ours, jsxdr] = race(
    () => encodeOurs().length,
    () => Cls.toXDR(theirValue).length,
    seconds,
    gc,
  );
  return { bytes, ours, jsxdr };
}

function decodePhase(c: Case, bytes: Buffer, seconds: number, gc: boolean, log: (line: string) => void): { ours: number; jsxdr: number } {
  const Cls = jsxdrStruct(c.typeName);
  log(`${c.name}: timing decode...`);
  const [ours, jsxdr] = race(
    () => {
      const r = new XdrReader(bytes);
      c.codec.decode(r);
      r.done(c.typeName);
      return r.pos;
    },
    () => (Cls.fromXDR(bytes) === null ? 0 : 1),
    seconds,
    gc,
  );
  return { ours, jsxdr };
}

export function runCodecBench(opts: { seconds?: number; only?: string; gc?: boolean; log?: (line: string) => void } = {}): CodecBenchResult[] {
  const seconds = opts.seconds ?? 1.5;
  const gc = opts.gc ?? false;
  const log = opts.log ?? ((): void => {});
  const results: CodecBenchResult[] = [];
  for (const c of cases()) {
    if (opts.only && !c.name.includes(opts.only) && c.typeName !== opts.only) continue;
    const enc = encodePhase(c, seconds, gc, log);
    const dec = decodePhase(c, enc.bytes, seconds, gc, log);
    results.push({
      message: c.name,
      type: c.typeName,
      bytes: enc.bytes.length,
      encode: throughput(enc.ours, enc.jsxdr, enc.bytes.length),
      decode: throughput(dec.ours, dec.jsxdr, enc.bytes.length),
    });
  }
  if (sink === -1) log('');
  return results;
}

// --- output ---

function fmtRate(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

function fmtMB(mb: number): string {
  return mb >= 100 ? Math.round(mb).toLocaleString('en-US') : mb.toPrecision(3);
}

export function markdownTable(results: CodecBenchResult[]): string {
  const rows = [
    '| message | size (bytes) | ours enc msg/s | ours enc MB/s | js-xdr enc msg/s | js-xdr enc MB/s | enc ratio | ours dec msg/s | ours dec MB/s | js-xdr dec msg/s | js-xdr dec MB/s | dec ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    rows.push(
      `| ${r.message} | ${r.bytes.toLocaleString('en-US')} | ${fmtRate(r.encode.ours)} | ${fmtMB(r.encode.oursMBps)} | ${fmtRate(r.encode.jsxdr)} | ${fmtMB(r.encode.jsxdrMBps)} | ${r.encode.ratio.toFixed(2)}x | ${fmtRate(r.decode.ours)} | ${fmtMB(r.decode.oursMBps)} | ${fmtRate(r.decode.jsxdr)} | ${fmtMB(r.decode.jsxdrMBps)} | ${r.decode.ratio.toFixed(2)}x |`,
    );
  }
  return rows.join('\n');
}

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const secondsArg = argv.find((a) => a.startsWith('--seconds='));
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const seconds = secondsArg ? Number(secondsArg.slice('--seconds='.length)) : 1.5;
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
  const gc = argv.includes('--gc');
  const results = runCodecBench({ seconds, gc, only: onlyArg?.slice('--only='.length), log: json ? undefined : (l) => process.stderr.write(`${l}\n`) });
  if (json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, seconds, gcBetweenSlices: gc, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `XDR codec throughput, ours vs @stellar/js-xdr (node ${process.version}, ${seconds} s per measurement, ${gc ? 'full GC before each slice' : 'no GC between slices'}; ratio = ours / js-xdr)\n\n`,
  );
  process.stdout.write(`${markdownTable(results)}\n`);
  const large = results.find((r) => r.type === 'remote_connect_get_all_domain_stats_ret');
  if (large) {
    const ok = large.decode.ratio >= 5;
    process.stdout.write(`\nTarget (decode of the large message >= 5x js-xdr): ${large.decode.ratio.toFixed(2)}x, ${ok ? 'met' : 'NOT met'}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench/codec: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
