// Uploads from files: readFileChunks (fresh chunks, or lent ones from one buffer) and toWritable()
// joining small writes into full packets.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FILE_CHUNK_SIZE, readFileChunks } from '../../src/api/file-chunks.js';
import type { Stream } from '../../src/api/stream.js';
import { StreamWritable } from '../../src/api/stream-node.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { STREAM_CHUNK_MAX } from '../../src/rpc/stream-channel.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('readFileChunks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvrpc-file-chunks-'));
  const path = join(dir, 'data.bin');
  const data = randomBytes(3 * FILE_CHUNK_SIZE + 12_345);
  before(() => writeFileSync(path, data));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the file in chunks of readSize (by default four full packets), each its own buffer by default', async () => {
    expect(FILE_CHUNK_SIZE).to.equal(4 * STREAM_CHUNK_MAX);
    const parts: Uint8Array[] = [];
    for await (const c of readFileChunks(path)) parts.push(c);
    expect(parts.map((p) => p.length)).to.deep.equal([FILE_CHUNK_SIZE, FILE_CHUNK_SIZE, FILE_CHUNK_SIZE, 12_345]);
    expect(new Set(parts.map((p) => p.buffer)).size).to.equal(4);
    expect(Buffer.concat(parts).equals(data)).to.equal(true);
  });

  it('with reuse lends one buffer again and again, and a chunk holds its bytes until the next is asked for', async () => {
    const copies: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const c of readFileChunks(path, { reuse: true, readSize: 100_000 })) {
      buffers.add(c.buffer);
      const copy = Buffer.from(c);
      // Nothing may write into a lent chunk before the next is asked for.
      await new Promise((r) => setTimeout(r, 5));
      expect(Buffer.from(c).equals(copy), 'a lent chunk changed before the next was asked for').to.equal(true);
      copies.push(copy);
    }
    expect(buffers.size).to.equal(1);
    expect(Buffer.concat(copies).equals(data)).to.equal(true);
  });

  it('closes the file when the loop is left early', async () => {
    const before = openFds();
    for await (const c of readFileChunks(path, { reuse: true })) {
      expect(c.length).to.equal(FILE_CHUNK_SIZE);
      break;
    }
    expect(openFds()).to.equal(before);
  });

  it('refuses a readSize that is not a positive integer', async () => {
    for (const readSize of [0, -1, 1.5, Number.NaN]) {
      const err = await readFileChunks(path, { readSize })
        .next()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).to.be.instanceOf(LibvirtError);
      expect((err as LibvirtError).message).to.match(/readSize must be a positive integer/);
    }
  });
});

describe('toWritable() joining small writes', () => {
  /** A Stream that records what send() is given (a copy: the view may reuse its buffer once send() resolved). */
  function recorder(): { st: Stream; sent: Buffer[] } {
    const sent: Buffer[] = [];
    const st = {
      send: async (d: Uint8Array) => {
        sent.push(Buffer.from(d));
        await new Promise((r) => setTimeout(r, 1));
        return d.length;
      },
      finish: async () => undefined,
      [Symbol.asyncDispose]: async () => undefined,
      ended: false,
    } as unknown as Stream;
    return { st, sent };
  }

  it('sends what waited as full packets, the bytes in order', async () => {
    const { st, sent } = recorder();
    const data = randomBytes(40 * 64 * 1024 + 777);
    const pieces: Buffer[] = [];
    for (let off = 0; off < data.length; off += 64 * 1024) pieces.push(data.subarray(off, off + 64 * 1024));
    await pipeline(Readable.from(pieces), new StreamWritable(st, {}));
    expect(Buffer.concat(sent).equals(data)).to.equal(true);
    const full = sent.filter((b) => b.length === STREAM_CHUNK_MAX).length;
    // 41 writes of at most 64 KiB (10 packets of data): most go out joined in full packets, not one packet each.
    expect(sent.length).to.be.below(20);
    expect(full, sent.map((b) => b.length).join(" ")).to.be.at.least(6);
  });

  it('fills the packet a small write began from a large one, then sends the large one\'s whole packets as they are', async () => {
    const { st, sent } = recorder();
    const small = randomBytes(1000);
    const large = randomBytes(3 * STREAM_CHUNK_MAX + 5);
    const w = new StreamWritable(st, {});
    w.cork();
    w.write(small);
    w.write(large);
    process.nextTick(() => w.uncork());
    await new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e ? reject(e) : resolve())));
    expect(Buffer.concat(sent).equals(Buffer.concat([small, large]))).to.equal(true);
    expect(sent.map((b) => b.length)).to.deep.equal([STREAM_CHUNK_MAX, 2 * STREAM_CHUNK_MAX, 1005]);
  });
});
