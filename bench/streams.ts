// bench/streams: MB/s of virStorageVolUpload / virStorageVolDownload through a Stream, 64 MiB and
// 1 GiB, side by side with libvirt's C client (python3-libvirt, bench/c_client_streams.py) on the
// same private libvirtd, the same volume and in interleaved rounds; client and daemon CPU per MB.
// `npm run bench:streams` (starts the sandbox if needed). BENCH_ROUNDS (default 3), BENCH_SIZES
// (MiB, default "64,1024"). Downloads are ours twice: `for await` (fresh buffers, the chunks are
// the caller's) and `chunks({ reuse: true })` (lent chunks, packet buffers recycled). Each of our
// runs starts after a full collection and 100 ms for V8's helper threads to finish sweeping (not
// timed), so a run does not pay for the garbage of the run before it (the for-await download's
// buffers would otherwise be collected in the reuse run). The C client runs in one process
// connected for the whole benchmark and idles 100 ms before each of its transfers too, so both
// start from the same state (a process started per transfer began it with a warm CPU: 10-20%
// faster on 64 MiB on this VM).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Connection } from '../src/api/connection.js';
import type { StorageVol } from '../src/api/objects.js';
import { connect } from '../src/api/open.js';
import { STREAM_CHUNK_MAX } from '../src/rpc/stream-channel.js';
import { BUSY_POLL, Child, median, processCpu } from './common.js';
import { sandboxRunning, startSandbox, stopSandbox } from '../test/support/sandbox.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '64,1024').split(',').map((s) => Number(s) * 1024 * 1024);
const CHUNK = STREAM_CHUNK_MAX;
const root = new URL('../..', import.meta.url).pathname;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Direction = 'upload' | 'download';
/** How our client reads a download. */
type ReadMode = 'for await' | 'reuse' | 'reuse, busy poll';

/** One transfer: seconds, client CPU seconds, daemon CPU seconds. */
interface Sample {
  seconds: number;
  cpu: number;
  daemonCpu: number;
}

async function ours(conn: Connection, vol: StorageVol, what: Direction, size: number, block: Buffer, mode: ReadMode = 'for await'): Promise<{ seconds: number; cpu: number }> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const st = conn.newStream();
  conn.setBusyPoll(mode === 'reuse, busy poll' ? BUSY_POLL : 0);
  let done = 0;
  if (what === 'upload') {
    await vol.upload(st, 0n, BigInt(size), 0);
    while (done < size) {
      const n = Math.min(CHUNK, size - done);
      await st.send(n === CHUNK ? block : block.subarray(0, n));
      done += n;
    }
    await st.finish();
  } else {
    await vol.download(st, 0n, BigInt(size), 0);
    for await (const chunk of mode === 'for await' ? st : st.chunks({ reuse: true })) done += chunk.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const c = process.cpuUsage(cpu0);
  conn.setBusyPoll(0);
  if (done !== size) throw new Error(`${what}: ${done} bytes instead of ${size}`);
  return { seconds, cpu: (c.user + c.system) / 1e6 };
}

/** The C client's transfer, in its own process connected for the whole run (c_client_streams.py). */
async function cClient(peer: Child, what: Direction, size: number): Promise<{ seconds: number; cpu: number }> {
  await new Promise((r) => setTimeout(r, 100)); // idle before it as before each of ours
  peer.write(`${what} ${size}\n`);
  const r = await peer.json<{ bytes: number; seconds: number; cpu: number }>();
  if (r.bytes !== size) throw new Error(`C client ${what}: ${r.bytes} bytes instead of ${size}`);
  return r;
}

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
  const block = randomBytes(CHUNK);
  const rows: string[] = [];
  const json: Record<string, unknown>[] = [];
  const peer = new Child('/usr/bin/python3', [join(root, 'bench/c_client_streams.py'), uri, poolName, 'bench.raw', String(CHUNK)]);
  await peer.json();
  const timed = async (run: () => Promise<{ seconds: number; cpu: number }> | { seconds: number; cpu: number }): Promise<Sample> => {
    const d0 = processCpu(daemonPid);
    const r = await run();
    return { ...r, daemonCpu: (processCpu(daemonPid) - d0) / 1e6 };
  };
  try {
    // Warm-up: the volume's blocks allocated, the page cache and both clients' code paths warm.
    await ours(conn, vol, 'upload', max, block);
    await ours(conn, vol, 'download', Math.min(max, 64 << 20), block);
    await ours(conn, vol, 'download', Math.min(max, 64 << 20), block, 'reuse');
    await cClient(peer, 'download', Math.min(max, 64 << 20));
    for (const size of SIZES) {
      for (const what of ['upload', 'download'] as const) {
        const modes: ReadMode[] = what === 'download' ? ['for await', 'reuse', 'reuse, busy poll'] : ['for await'];
        const o = new Map<ReadMode, Sample[]>(modes.map((m) => [m, []]));
        const c: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          c.push(await timed(() => cClient(peer, what, size)));
          for (const mode of modes) o.get(mode)!.push(await timed(() => ours(conn, vol, what, size, block, mode)));
        }
        const mb = size / 1e6;
        const rate = (xs: Sample[]): number => median(xs.map((x) => mb / x.seconds));
        const cpuPerMb = (xs: Sample[], k: 'cpu' | 'daemonCpu'): number => median(xs.map((x) => (x[k] * 1e3) / mb));
        for (const mode of modes) {
          const os = o.get(mode)!;
          const label = what === 'upload' ? what : `${what} (${mode === 'for await' ? 'for await' : mode === 'reuse' ? 'chunks({ reuse: true })' : `chunks({ reuse: true }), busyPoll ${BUSY_POLL}`})`;
          const m = { ours: rate(os), c: rate(c), oursCpuMsPerMB: cpuPerMb(os, 'cpu'), cCpuMsPerMB: cpuPerMb(c, 'cpu'), daemonMsPerMBOurs: cpuPerMb(os, 'daemonCpu'), daemonMsPerMBC: cpuPerMb(c, 'daemonCpu') };
          json.push({ what, mode, mib: size >> 20, ...m });
          rows.push(
            `| ${label} | ${size >> 20} MiB | ${m.c.toFixed(0)} | ${m.ours.toFixed(0)} | **${(m.ours / m.c).toFixed(2)}x** | ${m.cCpuMsPerMB.toFixed(2)} | ${m.oursCpuMsPerMB.toFixed(2)} | ${m.daemonMsPerMBC.toFixed(2)} | ${m.daemonMsPerMBOurs.toFixed(2)} |`,
          );
        }
      }
    }
  } finally {
    await peer.end();
    await vol.delete(0).catch(() => undefined);
    await pool.destroy().catch(() => undefined);
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
    if (started) stopSandbox();
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(json));
    return;
  }
  console.log(`Volume upload/download through a stream, MB/s (10^6 bytes), median of ${ROUNDS} interleaved rounds, same libvirtd (qemu:///system over unix), same raw volume, ${CHUNK}-byte chunks, a full GC before each of our runs\n`);
  console.log('| direction | size | C client MB/s | ours MB/s | ratio | C client CPU ms/MB | ours CPU ms/MB | libvirtd CPU ms/MB (C) | libvirtd CPU ms/MB (ours) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
