// bench/streams: MB/s of virStorageVolUpload / virStorageVolDownload through a Stream, 64 MiB and
// 1 GiB, side by side with libvirt's C client (python3-libvirt, bench/c_client_streams.py) on the
// same private libvirtd, the same volume and in interleaved rounds; client and daemon CPU per MB.
// `npm run bench:streams` (starts the sandbox if needed). BENCH_ROUNDS (default 15 up to 256 MiB,
// 7 above), BENCH_WARMUP (64 MiB transfers of each kind before measuring, default 3), BENCH_SIZES
// (MiB, default "64,1024"). Downloads are ours five ways: `for await` (fresh buffers, the chunks are the
// caller's), the same in a node started with a larger initial old space (see OLD_SPACE_FLAG) and
// with that and glibc's malloc keeping a top pad (TOP_PAD_ENV),
// `chunks({ reuse: true })` (lent chunks, packet buffers recycled) and that with busy polling. Every client is a process of its own connected for the whole run, which does only
// its kind of transfer (bench/streams-client.ts for ours: one process uploading, one per way of
// reading; the C client's one process does both, having no collector whose garbage one kind could
// leave to the other), so each is measured at its steady state with no collection forced between
// transfers. Each transfer follows 100 ms of idle (the same for every client). Which client goes
// first alternates by round, and a ratio is the median of the rounds' own ratios: this host's
// speed swings by 2x within minutes, and a round's transfers are seconds apart.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/api/open.js';
import { STREAM_CHUNK_MAX } from '../src/rpc/stream-channel.js';
import { BUSY_POLL, Child, median, processCpu, type ReadMode, type StreamRun } from './common.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';

/** Rounds per size: more of the short transfers, whose ratios scatter more on this host. */
const roundsFor = (size: number): number => Number(process.env.BENCH_ROUNDS ?? (size <= 256 << 20 ? 15 : 7));
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '64,1024').split(',').map((s) => Number(s) * 1024 * 1024);
const CHUNK = STREAM_CHUNK_MAX;
const root = new URL('../..', import.meta.url).pathname;

/**
 * Our uploads from a file (`upload-file`: a file of the transfer's size, its page cache warm; the
 * C client reads it through virStreamSendAll as virsh vol-upload does): the helper for it, and
 * Node's own pipeline from a file stream, with its default 64 KiB reads and with reads as large
 * as the helper's.
 */
const FILE_UPLOADERS = [
  { name: 'sendAll(readFileChunks(file, { reuse: true }))', what: 'upload-file' },
  { name: 'pipeline(createReadStream(file), st.toWritable())', what: 'upload-pipeline' },
  { name: 'pipeline(createReadStream(file, { highWaterMark: FILE_CHUNK_SIZE }), st.toWritable())', what: 'upload-pipeline-large' },
] as const;

/** One transfer: seconds, client CPU seconds, daemon CPU seconds. */
interface Sample {
  seconds: number;
  cpu: number;
  daemonCpu: number;
}

/** A client process (ours or the C client's) and what it transfers. */
class Peer {
  private readonly child: Child;
  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    env?: NodeJS.ProcessEnv,
  ) {
    this.child = new Child(cmd, args, env);
  }
  ready(): Promise<unknown> {
    return this.child.json();
  }
  /** One transfer after 100 ms of idle, with the daemon's CPU over it (`path`: the file an upload-file reads). */
  async run(daemonPid: number, what: string, size: number, path?: string): Promise<Sample> {
    await new Promise((r) => setTimeout(r, 100));
    const d0 = processCpu(daemonPid);
    this.child.write(`${what} ${size}${path ? ` ${path}` : ''}\n`);
    const r = await this.child.json<StreamRun>();
    if (r.bytes !== size) throw new Error(`${this.name} ${what}: ${r.bytes} bytes instead of ${size}`);
    return { seconds: r.seconds, cpu: r.cpu, daemonCpu: (processCpu(daemonPid) - d0) / 1e6 };
  }
  end(): Promise<void> {
    return this.child.end();
  }
}

/**
 * V8 counts the memory of ArrayBuffers allocated since its last full collection against the old
 * generation's limit: a `for await` download's fresh buffers set off a full collection every few
 * MiB in a small heap. A larger initial old space is the process-wide way around it (a row of its own).
 */
const OLD_SPACE_FLAG = '--initial-old-space-size=256';

/**
 * The rest of a `for await` download's cost is the kernel's: V8 frees the dead buffers tens of
 * MiB at a time, glibc's malloc then gives the top of its heap back to the kernel (trims it), and
 * the next buffers are fresh pages, each faulted in (8 downloads of 64 MiB: 78,000 page faults
 * more than lent chunks). A top pad keeps that much of the heap instead (a process-wide setting,
 * read by glibc at start; a row of its own, with OLD_SPACE_FLAG).
 */
const TOP_PAD_ENV = { MALLOC_TOP_PAD_: String(64 << 20) };

/** Our download readers: how each reads, and the node flags and environment its process runs with. */
const READERS: { name: string; mode: ReadMode; node: string[]; env?: NodeJS.ProcessEnv }[] = [
  { name: 'for await', mode: 'for await', node: [] },
  { name: `for await, node ${OLD_SPACE_FLAG}`, mode: 'for await', node: [OLD_SPACE_FLAG] },
  { name: `for await, node ${OLD_SPACE_FLAG}, MALLOC_TOP_PAD_=${64 << 20}`, mode: 'for await', node: [OLD_SPACE_FLAG], env: TOP_PAD_ENV },
  { name: 'chunks({ reuse: true })', mode: 'reuse', node: [] },
  { name: `chunks({ reuse: true }), busyPoll ${BUSY_POLL}`, mode: 'reuse, busy poll', node: [] },
];

async function main(): Promise<void> {
  const started = !sandboxRunning();
  const env = startSandbox();
  const daemonPid = Number(readFileSync(join(env.LIBVIRT_SANDBOX_DIR!, 'libvirtd.pid'), 'utf8'));
  const uri = env.LIBVIRT_SANDBOX_QEMU_UNIX_URI!;
  const dir = mkdtempSync(join(tmpdir(), 'lvrpc-bench-pool-'));
  const poolName = `lvrpc-bench-streams-${process.pid}`;
  const conn = await connect(uri);
  const pool = await conn.storagePoolCreateXML(`<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`, 0);
  const max = Math.max(...SIZES);
  const vol = await pool.storageVolCreateXML(`<volume><name>bench.raw</name><capacity unit='bytes'>${max}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>`, 0);
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  const args = [uri, poolName, 'bench.raw', String(CHUNK)];
  const c = new Peer('C client', '/usr/bin/python3', [join(root, 'bench/c_client_streams.py'), ...args]);
  const ourPeer = (name: string, mode: ReadMode, node: string[] = [], env?: NodeJS.ProcessEnv): Peer =>
    new Peer(`ours (${name})`, process.execPath, [...node, join(root, 'dist/bench/streams-client.js'), ...args, mode], env);
  // The uploader's mode only says how it would read: it never downloads.
  const uploader = ourPeer('upload', 'reuse');
  const readers = new Map<string, Peer>(READERS.map((r) => [r.name, ourPeer(r.name, r.mode, r.node, r.env)]));
  const fileUploaders = FILE_UPLOADERS.map((u) => ({ ...u, peer: ourPeer(u.name, 'reuse') }));
  const all = [c, uploader, ...readers.values(), ...fileUploaders.map((u) => u.peer)];
  // The files uploaded from, one per size, written once (their page cache warm for every client).
  const filesDir = mkdtempSync(join(tmpdir(), 'lvrpc-bench-files-'));
  const fileOf = (size: number): string => join(filesDir, `${size}.bin`);
  for (const size of new Set([...SIZES, Math.min(max, 64 << 20)])) {
    const fd = openSync(fileOf(size), 'w');
    for (let off = 0; off < size; off += 16 << 20) writeSync(fd, randomBytes(Math.min(16 << 20, size - off)));
    closeSync(fd);
  }
  try {
    await Promise.all(all.map((p) => p.ready()));
    // Warm-up, not measured: the volume's blocks allocated, the page cache filled, and every
    // client run until its code is at its steady state (ours: V8 optimizes the transfer's
    // functions only after a few hundred packets; before that a 64 MiB transfer runs partly
    // interpreted).
    await uploader.run(daemonPid, 'upload', max);
    const warm = Math.min(max, 64 << 20);
    for (let i = 0; i < WARMUP; i++) {
      await uploader.run(daemonPid, 'upload', warm);
      await c.run(daemonPid, 'upload', warm);
      for (const u of fileUploaders) await u.peer.run(daemonPid, u.what, warm, fileOf(warm));
      await c.run(daemonPid, 'upload-file', warm, fileOf(warm));
      for (const r of readers.values()) await r.run(daemonPid, 'download', warm);
      await c.run(daemonPid, 'download', warm);
    }
    for (const size of SIZES) {
      for (const what of ['upload', 'upload-file', 'download'] as const) {
        const ours: [string, Peer, string][] =
          what === 'upload' ? [['upload', uploader, 'upload']] : what === 'upload-file' ? fileUploaders.map((u) => [u.name, u.peer, u.what]) : [...readers].map(([n, p]) => [n, p, 'download']);
        const path = what === 'upload-file' ? fileOf(size) : undefined;
        const o = new Map<string, Sample[]>(ours.map(([m]) => [m, []]));
        const cs: Sample[] = [];
        for (let round = 0; round < roundsFor(size); round++) {
          // Which client goes first alternates, so neither always follows the other's transfer.
          if (round % 2 === 0) cs.push(await c.run(daemonPid, what, size, path));
          for (const [m, p, how] of ours) o.get(m)!.push(await p.run(daemonPid, how, size, path));
          if (round % 2 === 1) cs.push(await c.run(daemonPid, what, size, path));
        }
        const mb = size / 1e6;
        const rates = (xs: Sample[]): number[] => xs.map((x) => mb / x.seconds);
        const cpuPerMb = (xs: Sample[], k: 'cpu' | 'daemonCpu'): number => median(xs.map((x) => (x[k] * 1e3) / mb));
        const cRates = rates(cs);
        for (const [mode] of ours) {
          const os = o.get(mode)!;
          // The ratio of each round (ours against the C client's transfer beside it), then their
          // median: the host's slow swings move both sides of a round alike.
          const ratios = rates(os).map((r, i) => r / cRates[i]!);
          const m = {
            ours: median(rates(os)),
            c: median(cRates),
            ratio: median(ratios),
            ratioMin: Math.min(...ratios),
            ratioMax: Math.max(...ratios),
            oursCpuMsPerMB: cpuPerMb(os, 'cpu'),
            cCpuMsPerMB: cpuPerMb(cs, 'cpu'),
            daemonMsPerMBOurs: cpuPerMb(os, 'daemonCpu'),
            daemonMsPerMBC: cpuPerMb(cs, 'daemonCpu'),
          };
          json.push({ what, how: mode, mib: size >> 20, ...m });
          rows.push(
            `| ${what === 'upload' ? what : what === 'upload-file' ? `upload from a file (${mode})` : `${what} (${mode})`} | ${size >> 20} MiB | ${m.c.toFixed(0)} | ${m.ours.toFixed(0)} | **${m.ratio.toFixed(2)}x** | ${m.ratioMin.toFixed(2)}-${m.ratioMax.toFixed(2)} | ${m.cCpuMsPerMB.toFixed(2)} | ${m.oursCpuMsPerMB.toFixed(2)} | ${m.daemonMsPerMBC.toFixed(2)} | ${m.daemonMsPerMBOurs.toFixed(2)} |`,
          );
        }
      }
    }
  } finally {
    await Promise.all(all.map((p) => p.end()));
    await vol.delete(0).catch(() => undefined);
    await pool.destroy().catch(() => undefined);
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(filesDir, { recursive: true, force: true });
    if (started) stopSandbox();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(
    `Volume upload/download through a stream, MB/s (10^6 bytes), medians of ${SIZES.map((s) => `${roundsFor(s)} (${s >> 20} MiB)`).join(', ')} interleaved rounds after ${WARMUP} of warm-up, same libvirtd (qemu:///system over unix), same raw volume, ${CHUNK}-byte chunks, every client a process of its own at its steady state; ratio: the median of the rounds' ratios (ours / the C client's transfer in the same round), and their range\n`,
  );
  console.log("| direction | size | C client MB/s | ours MB/s | ratio | rounds' ratios | C client CPU ms/MB | ours CPU ms/MB | libvirtd CPU ms/MB (C) | libvirtd CPU ms/MB (ours) |");
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
