// Streams as Node streams against the sandbox: early exit, bounded memory, pipeline() with files,
// signals, sparse volumes compared with virsh --sparse, and no stray log lines.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { StoragePool, StorageVol } from '../../src/api/objects.js';
import { FILE_CHUNK_SIZE, readFileChunks } from '../../src/api/file-chunks.js';
import { readSparseFile, writeSparseFile } from '../../src/api/sparse-file.js';
import { DEFAULT_STREAM_HIGH_WATER_MARK, type Stream } from '../../src/api/stream.js';
import { STREAM_CHUNK_MAX } from '../../src/rpc/stream-channel.js';
import { LibvirtError } from '../../src/errors/errors.js';
import {
  VIR_ERR_OPERATION_ABORTED,
  VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM,
  VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM,
} from '../../src/apixml/generated/constants.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { runVirshRpc } from '../support/virsh-compare.js';

const MiB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes held in Buffers and on the JS heap after a full collection. */
function heldBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.arrayBuffers + m.heapUsed;
}

/**
 * heldBytes once V8 has also freed the backing stores a collection found dead: it sweeps array
 * buffers concurrently, so right after gc() a loaded machine can still count them (CI saw 12 MB).
 */
async function heldBytesSwept(): Promise<number> {
  let held = heldBytes();
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
    held = Math.min(held, heldBytes());
  }
  return held;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Lines written to stderr while `f` runs (and the error it threw, if any). */
async function stderrDuring(f: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}

describe('streams as Node streams against the real daemon', function () {
  this.timeout(300_000);
  let conn: Connection;
  let dir: string;
  let files: string;
  let pool: StoragePool;
  const poolName = `lvrpc-nstreams-${process.pid}`;
  const uri = (): string => sandboxEnv('QEMU_UNIX_URI');
  const virsh = (...args: string[]): string => execFileSync('virsh', ['-q', '-c', uri(), ...args], { encoding: 'utf8' });
  const volume = (name: string, size: number): Promise<StorageVol> =>
    pool.storageVolCreateXML(`<volume><name>${name}</name><capacity unit='bytes'>${size}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>`, 0);

  before(async () => {
    conn = await connect(uri());
    dir = mkdtempSync(join(tmpdir(), 'lvrpc-pool-'));
    files = mkdtempSync(join(tmpdir(), 'lvrpc-files-'));
    pool = await conn.storagePoolCreateXML(`<pool type='dir'><name>${poolName}</name><target><path>${dir}</path></target></pool>`, 0);
  });
  after(async () => {
    await pool?.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
    await conn?.close();
  });

  describe('a 256 MiB download', () => {
    const size = 256 * MiB;
    let vol: StorageVol;
    before(async () => {
      vol = await volume('big.raw', size);
    });
    after(async () => {
      await vol?.delete(0);
    });

    it('left after the first chunk is aborted: nothing more is held, the connection goes on', async () => {
      const base = heldBytes();
      const st = conn.newStream();
      await vol.download(st, 0n, BigInt(size), 0);
      let first = 0;
      for await (const chunk of st) {
        first = chunk.length;
        break;
      }
      expect(first).to.be.greaterThan(0);
      expect(st.ended).to.equal(true);
      expect(st.bufferedBytes).to.equal(0);
      await sleep(3000);
      const grown = heldBytes() - base;
      console.log(`      held 3 s after leaving the loop: ${(grown / MiB).toFixed(1)} MiB`);
      expect(grown).to.be.below(8 * MiB);
      expect(await conn.getLibVersion()).to.be.a('bigint');
    });

    it('not read for 3 s holds at most the high-water mark; reading resumes it to the last byte; abort releases at once', async () => {
      const base = heldBytes();
      const st = conn.newStream();
      await vol.download(st, 0n, BigInt(size), 0);
      let peak = 0;
      for (let i = 0; i < 30; i++) {
        await sleep(100);
        peak = Math.max(peak, heldBytes() - base);
      }
      console.log(`      peak held while nobody reads: ${(peak / MiB).toFixed(1)} MiB (queued ${(st.bufferedBytes / MiB).toFixed(1)} MiB, high-water mark ${DEFAULT_STREAM_HIGH_WATER_MARK / MiB} MiB)`);
      expect(st.bufferedBytes).to.be.at.least(DEFAULT_STREAM_HIGH_WATER_MARK);
      expect(st.bufferedBytes).to.be.below(DEFAULT_STREAM_HIGH_WATER_MARK + 2 * MiB);
      expect(peak).to.be.below(DEFAULT_STREAM_HIGH_WATER_MARK + 8 * MiB);
      // A call made now waits behind the stream's data; it is answered once the reader catches up.
      const version = conn.getLibVersion();
      let total = 0;
      for await (const chunk of st) total += chunk.length;
      expect(total).to.equal(size);
      expect(await version).to.be.a('bigint');

      const st2 = conn.newStream();
      await vol.download(st2, 0n, BigInt(size), 0);
      await sleep(500);
      expect(st2.bufferedBytes).to.be.at.least(DEFAULT_STREAM_HIGH_WATER_MARK);
      const aborted = st2.abort();
      expect(st2.bufferedBytes).to.equal(0);
      await aborted;
      expect((await heldBytesSwept()) - base).to.be.below(8 * MiB);
    });

    it('a stream held longer than both sides\' keepalive timeouts keeps the connection (our PINGs go on)', async function () {
      this.timeout(120_000);
      const c = await connect(uri());
      try {
        const v = await c.storagePoolLookupByName(poolName).then((p) => p.storageVolLookupByName('big.raw'));
        const st = c.newStream(0, { highWaterMark: MiB });
        await v.download(st, 0n, BigInt(size), 0);
        // The daemon gives up after 5 x (5 + 1) s without a packet from us, we after 5 x (6 + 1) s.
        await sleep(40_000);
        expect(c.closeReason).to.equal(null);
        let total = 0;
        for await (const chunk of st) total += chunk.length;
        expect(total).to.equal(size);
        expect(await c.getLibVersion()).to.be.a('bigint');
      } finally {
        await c.close();
      }
    });

    it('a smaller highWaterMark holds less', async () => {
      const st = conn.newStream(0, { highWaterMark: MiB });
      await vol.download(st, 0n, BigInt(size), 0);
      await sleep(1000);
      expect(st.bufferedBytes).to.be.within(MiB, 2 * MiB);
      await st.abort();
    });
  });

  describe('pipeline() with files', () => {
    const size = 24 * MiB + 4321;
    let vol: StorageVol;
    let src: string;
    before(async () => {
      vol = await volume('piped.raw', size);
      src = join(files, 'src.bin');
      writeFileSync(src, randomBytes(size));
    });
    after(async () => {
      await vol?.delete(0);
    });

    it('uploads a file and downloads it again with the same checksum', async () => {
      const up = conn.newStream();
      await vol.upload(up, 0n, BigInt(size), 0);
      await pipeline(createReadStream(src), up.toWritable());
      expect(up.ended).to.equal(true);
      expect(sha256(join(dir, 'piped.raw'))).to.equal(sha256(src));

      const down = conn.newStream();
      await vol.download(down, 0n, BigInt(size), 0);
      const out = join(files, 'out.bin');
      await pipeline(down.toReadable(), createWriteStream(out));
      expect(down.ended).to.equal(true);
      expect(sha256(out)).to.equal(sha256(src));
    });

    it('the same over TCP', async () => {
      const tcp = await connect(sandboxEnv('QEMU_TCP_URI'));
      try {
        const v = await tcp.storagePoolLookupByName(poolName).then((p) => p.storageVolLookupByName('piped.raw'));
        const up = tcp.newStream();
        await v.upload(up, 0n, BigInt(size), 0);
        await pipeline(createReadStream(src), up.toWritable());
        const down = tcp.newStream();
        await v.download(down, 0n, BigInt(size), 0);
        const out = join(files, 'out-tcp.bin');
        await pipeline(down.toReadable(), createWriteStream(out));
        expect(sha256(out)).to.equal(sha256(src));
      } finally {
        await tcp.close();
      }
    });

    it('sendAll(readFileChunks(file, { reuse: true })) uploads it with the same checksum in full packets, from one buffer read again and again', async () => {
      const up = conn.newStream();
      await vol.upload(up, 0n, BigInt(size), 0);
      const seen = new Set<ArrayBufferLike>();
      const lengths: number[] = [];
      const chunks = readFileChunks(src, { reuse: true });
      await up.sendAll(
        (async function* () {
          for await (const c of chunks) {
            seen.add(c.buffer);
            lengths.push(c.length);
            yield c;
          }
        })(),
      );
      expect(up.ended).to.equal(true);
      // Reads of four packets; send() cuts each into full packets (no chunk but the last has a part of one).
      expect(lengths).to.have.length(Math.ceil(size / FILE_CHUNK_SIZE));
      expect(lengths.slice(0, -1).every((n) => n === FILE_CHUNK_SIZE && n % STREAM_CHUNK_MAX === 0)).to.equal(true);
      expect(seen.size).to.equal(1);
      expect(sha256(join(dir, 'piped.raw'))).to.equal(sha256(src));
    });

    /**
     * Downloads the volume through chunks({ reuse: true }), hashing each chunk before asking for
     * the next: the checksum shows no chunk was written over while lent. Returns how many chunks
     * came and in how many distinct buffers.
     */
    async function downloadLent(c: Connection, v: StorageVol): Promise<{ chunks: number; buffers: number }> {
      const st = c.newStream();
      await v.download(st, 0n, BigInt(size), 0);
      const hash = createHash('sha256');
      const buffers = new Set<ArrayBufferLike>();
      let chunks = 0;
      for await (const chunk of st.chunks({ reuse: true })) {
        hash.update(chunk);
        buffers.add(chunk.buffer);
        chunks++;
      }
      expect(st.ended).to.equal(true);
      expect(hash.digest('hex')).to.equal(sha256(src));
      return { chunks, buffers: buffers.size };
    }

    it('chunks({ reuse: true }) downloads it with the same checksum, reading most packets into recycled buffers', async () => {
      const { chunks, buffers } = await downloadLent(conn, vol);
      console.log(`      ${chunks} chunks in ${buffers} buffers`);
      // About 2 chunks per 256 KiB (libvirtd follows each 262,120-byte packet with 24 bytes, copied out of the read buffer).
      expect(chunks).to.be.at.least(size / (256 * 1024));
      expect(buffers).to.be.below(chunks / 4);
    });

    it('the same over TCP', async () => {
      const tcp = await connect(sandboxEnv('QEMU_TCP_URI'));
      try {
        const v = await tcp.storagePoolLookupByName(poolName).then((p) => p.storageVolLookupByName('piped.raw'));
        const { chunks, buffers } = await downloadLent(tcp, v);
        expect(buffers).to.be.below(chunks / 4);
      } finally {
        await tcp.close();
      }
    });

    it('virsh-rpc vol-download (lent chunks, each written before the next) writes the same bytes', () => {
      const out = join(files, 'out-virsh-rpc.bin');
      const r = runVirshRpc(['-c', uri(), 'vol-download', '--pool', poolName, 'piped.raw', out]);
      expect(r.status, r.stderr).to.equal(0);
      expect(sha256(out)).to.equal(sha256(src));
    });

    it('an aborted signal ends pipeline() and the stream; the connection goes on', async () => {
      const down = conn.newStream();
      await vol.download(down, 0n, BigInt(size), 0);
      const ac = new AbortController();
      let seen = 0;
      const failed = await pipeline(
        down.toReadable(),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            seen += c.length;
            if (seen > 2 * MiB) ac.abort(new Error('enough'));
            yield c;
          }
        },
        createWriteStream(join(files, 'cut.bin')),
        { signal: ac.signal },
      ).then(
        () => null,
        (e: Error) => e,
      );
      expect(failed?.name).to.equal('AbortError');
      await sleep(100);
      expect(down.ended).to.equal(true);
      expect(await conn.getLibVersion()).to.be.a('bigint');
    });

    it('recv() with a signal rejects with VIR_ERR_OPERATION_ABORTED whose cause is the reason, and aborts the stream', async () => {
      const down = conn.newStream();
      await vol.download(down, 0n, BigInt(size), 0);
      await down.recv(1000);
      const ac = new AbortController();
      const reason = new Error('user gave up');
      ac.abort(reason);
      const e = await down.recv(1000, { signal: ac.signal }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).to.be.instanceOf(LibvirtError);
      expect((e as LibvirtError).code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect((e as LibvirtError).cause).to.equal(reason);
      await down[Symbol.asyncDispose]();
      expect(down.ended).to.equal(true);
      expect(await conn.getLibVersion()).to.be.a('bigint');
    });

    it('a failed upload says so once, and the daemon\'s late packets for it are dropped quietly', async () => {
      const small = await volume('small.raw', 4096);
      try {
        const lines = await stderrDuring(async () => {
          const up = conn.newStream();
          // Twice the declared length: the daemon refuses the stream midway.
          await small.upload(up, 0n, 4096n, 0);
          const failure = await up.sendAll([randomBytes(4 * MiB)]).then(
            () => null,
            (e: unknown) => e,
          );
          expect(failure).to.be.instanceOf(LibvirtError);
          await sleep(500);
          await conn.getLibVersion();
        });
        expect(lines.filter((l) => /unhandled|unexpected/.test(l))).to.deep.equal([]);
      } finally {
        await small.delete(0);
      }
    });
  });

  describe('sparse volumes, compared with virsh --sparse', () => {
    const size = 64 * MiB;
    let file: string;
    before(() => {
      // Data at the start, in the middle (not block-aligned at its end) and at the end; holes between.
      file = join(files, 'sparse.img');
      const fd = openSync(file, 'w');
      writeSync(fd, randomBytes(MiB), 0, MiB, 0);
      writeSync(fd, randomBytes(3 * MiB + 100), 0, 3 * MiB + 100, 20 * MiB);
      writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, size - 64 * 1024);
      ftruncateSync(fd, size);
      closeSync(fd);
    });

    const allocated = (path: string): number => statSync(path).blocks * 512;

    it('uploads holes as holes: same bytes and allocation as vol-upload --sparse', async () => {
      const ours = await volume('up-ours.raw', size);
      const theirs = await volume('up-virsh.raw', size);
      try {
        const st = conn.newStream();
        await ours.upload(st, 0n, BigInt(size), VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
        let holes = 0;
        await st.sparseSendAll(
          (async function* () {
            for await (const item of readSparseFile(file)) {
              if (!(item instanceof Uint8Array)) holes++;
              yield item;
            }
          })(),
        );
        expect(holes).to.equal(2);
        virsh('vol-upload', '--pool', poolName, 'up-virsh.raw', file, '--sparse');
        expect(sha256(join(dir, 'up-ours.raw'))).to.equal(sha256(file));
        expect(sha256(join(dir, 'up-virsh.raw'))).to.equal(sha256(file));
        expect(allocated(join(dir, 'up-ours.raw'))).to.equal(allocated(join(dir, 'up-virsh.raw')));
        expect(allocated(join(dir, 'up-ours.raw'))).to.be.below(8 * MiB);
      } finally {
        await ours.delete(0);
        await theirs.delete(0);
      }
    });

    it('downloads holes as holes: same bytes and allocation as vol-download --sparse', async () => {
      const vol = await volume('down.raw', size);
      try {
        virsh('vol-upload', '--pool', poolName, 'down.raw', file, '--sparse');
        const st = conn.newStream();
        await vol.download(st, 0n, 0n, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
        const items: (Uint8Array | { hole: bigint })[] = [];
        const mine = join(files, 'down-ours.img');
        await writeSparseFile(
          mine,
          (async function* () {
            for await (const item of st.sparseChunks()) {
              if (!(item instanceof Uint8Array)) items.push(item);
              yield item;
            }
          })(),
        );
        expect(items.length).to.be.at.least(2);
        const theirs = join(files, 'down-virsh.img');
        virsh('vol-download', '--pool', poolName, 'down.raw', theirs, '--sparse');
        expect(statSync(mine).size).to.equal(size);
        expect(sha256(mine)).to.equal(sha256(file));
        expect(sha256(theirs)).to.equal(sha256(file));
        expect(allocated(mine)).to.equal(allocated(theirs));
        expect(allocated(mine)).to.be.below(8 * MiB);
      } finally {
        await vol.delete(0);
      }
    });

    it('sendHole takes a number or a bigint', async () => {
      const vol = await volume('holes.raw', 3 * MiB);
      try {
        const st = conn.newStream();
        await vol.upload(st, 0n, BigInt(3 * MiB), VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
        await st.send(Buffer.alloc(MiB, 1));
        await st.sendHole(MiB);
        await st.sendHole(BigInt(MiB) - 1n);
        await st.send(Buffer.alloc(1, 2));
        await st.finish();
        const got = readFileSync(join(dir, 'holes.raw'));
        expect(got.length).to.equal(3 * MiB);
        expect(got.subarray(0, MiB).every((b) => b === 1)).to.equal(true);
        expect(got.subarray(MiB, 3 * MiB - 1).every((b) => b === 0)).to.equal(true);
        expect(got[3 * MiB - 1]).to.equal(2);
      } finally {
        await vol.delete(0);
      }
    });
  });

  describe('the console of a real QEMU guest', () => {
    it('is opened, left early and opened again, as a for-await loop and as a Duplex', async () => {
      // SeaBIOS on the serial port, rebooting every second (no disk): the console always has output.
      const xml = guestXml(`lvrpc-console-${process.pid}`)
        .replace('<memory unit=\'MiB\'>128</memory>', "<memory unit='MiB'>64</memory>")
        .replace('<currentMemory unit=\'MiB\'>128</currentMemory>', "<currentMemory unit='MiB'>64</currentMemory>")
        .replace("<boot dev='hd'/>", "<boot dev='hd'/><bios useserial='yes' rebootTimeout='1000'/>");
      const dom = await conn.domainCreateXML(xml, 0);
      try {
        const first = conn.newStream();
        await dom.openConsole(null, first, 0);
        let got = '';
        for await (const chunk of first) {
          got = Buffer.from(chunk).toString('latin1');
          break;
        }
        expect(got.length).to.be.greaterThan(0);
        expect(first.ended).to.equal(true);

        const second = conn.newStream();
        await dom.openConsole(null, second, 0);
        const tty = second.toDuplex();
        const text = await new Promise<string>((resolve, reject) => {
          let seen = '';
          tty.on('data', (c: Buffer) => {
            seen += c.toString('latin1');
            if (/SeaBIOS|Booting|No bootable/.test(seen)) resolve(seen);
          });
          tty.on('error', reject);
        });
        expect(text).to.match(/SeaBIOS|Booting|No bootable/);
        tty.write('\r');
        tty.destroy();
        await new Promise((r) => tty.once('close', r));
        expect(second.ended).to.equal(true);

        const third: Stream = conn.newStream();
        await dom.openConsole(null, third, 0);
        await third[Symbol.asyncDispose]();
        expect(third.ended).to.equal(true);
        // Disposed: free for the next one.
        const fourth = conn.newStream();
        await dom.openConsole(null, fourth, 0);
        await fourth.abort();
      } finally {
        await dom.destroy().catch(() => undefined);
      }
    });
  });
});
