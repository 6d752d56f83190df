// Lent receive buffers: the direct reader reads a large packet into a buffer its owner supplies,
// and a stream read with `reuse` gives its packet buffers back for the next packets, only once the
// reader has come back for more.
import { expect } from 'chai';
import { connect as netConnect } from 'node:net';
import { DirectRead } from '../../src/transport/socket.js';
import { DirectPacketReader, encodePacket, MIN_PACKET, type MessageHeader, OWN_BUFFER_MIN, VIR_NET_CALL, VIR_NET_CONTINUE, VIR_NET_OK, VIR_NET_REPLY, VIR_NET_STREAM, VIR_NET_STREAM_HOLE } from '../../src/protocol/framing.js';
import { remote_procedures as P } from '../../src/protocol/generated/remote.js';
import { enc_virNetStreamHole } from '../../src/protocol/generated/virnet.js';
import { XdrWriter } from '../../src/protocol/xdr/index.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { STREAM_SPARE_BUFFERS, Stream } from '../../src/api/stream.js';
import { FakeDaemon, type FakeCall } from '../support/fake-daemon.js';

const w = new XdrWriter();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bytes that differ from packet to packet and along each packet, so a byte out of place shows. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed * 31) & 0xff;
  return b;
}

/**
 * Feeds `wire` to `reader` as a socket would: each read fills at most what nextBuffer() offers,
 * at most `max` bytes, and stops at every offset in `cuts` (where the peer's writes ended).
 */
function feed(reader: DirectPacketReader, wire: Buffer, cuts: number[], max: number): void {
  const stops = [...cuts.filter((c) => c > 0 && c < wire.length)].sort((a, b) => a - b);
  let next = 0;
  for (let off = 0; off < wire.length; ) {
    while (next < stops.length && stops[next]! <= off) next++;
    const limit = next < stops.length ? stops[next]! : wire.length;
    const dst = reader.nextBuffer();
    if (dst.length === 0) expect.fail(`an empty read buffer at ${off}`);
    const n = Math.min(dst.length, max, limit - off);
    wire.copy(dst, 0, off, off + n);
    off += n;
    reader.received(n);
  }
}

describe('the direct reader with a packet buffer supplier', () => {
  const sizes = [70_000, 40, 65_536, 262_148, 28, 100_000, 300, 66_000, 262_148, 52, 262_148];
  const packets = sizes.map((n, i) => encodePacket(w, { prog: 1, vers: 1, proc: i, type: VIR_NET_STREAM, serial: 100 + i, status: VIR_NET_CONTINUE }, (x) => x.raw(pattern(n - 28, i))));
  const wire = Buffer.concat(packets);
  const boundaries = packets.reduce<number[]>((acc, p) => [...acc, acc[acc.length - 1]! + p.length], [0]).slice(0, -1);

  /**
   * Reads the wire once with a supplier that lends buffers for even serials; checks every packet.
   * The reader also asks with the header of a stream data packet it already has (a guess that the
   * next one is like it, see guessing below): those asks are counted apart.
   */
  function readOnce(cuts: number[], max: number): void {
    const supplied = new Map<number, Buffer>();
    const asked: number[] = [];
    const guesses: number[] = [];
    const got: Buffer[] = [];
    const reader = new DirectPacketReader(
      (p, owned) => {
        expect(owned).to.equal(p.length >= OWN_BUFFER_MIN);
        const serial = p.readUInt32BE(20);
        if (supplied.has(serial)) expect(p, `packet ${serial} read into the buffer supplied for it`).to.equal(supplied.get(serial));
        got.push(owned ? p : Buffer.from(p));
      },
      (head, length) => {
        expect(head.length).to.equal(MIN_PACKET);
        const serial = head.readUInt32BE(20);
        const i = serial - 100;
        expect(head.equals(packets[i]!.subarray(0, MIN_PACKET)), `the header of packet ${i}`).to.equal(true);
        expect(length).to.equal(sizes[i]);
        if (i < got.length) {
          guesses.push(i);
          return serial % 2 ? null : Buffer.allocUnsafeSlow(length).fill(0xee);
        }
        asked.push(i);
        if (serial % 2) return null;
        // Filled with garbage: every byte of the packet must be written over.
        const b = Buffer.allocUnsafeSlow(length).fill(0xee);
        supplied.set(serial, b);
        return b;
      },
    );
    feed(reader, wire, cuts, max);
    expect(got.map((p) => p.length)).to.deep.equal(sizes);
    for (let i = 0; i < packets.length; i++) expect(got[i]!.equals(packets[i]!), `packet ${i} (cuts ${cuts.join(',')}, reads of ${max})`).to.equal(true);
    // Asked once for every large packet, in order, and only for them; guesses only from large ones.
    const large = sizes.flatMap((n, i) => (n >= OWN_BUFFER_MIN ? [i] : []));
    expect(asked).to.deep.equal(large);
    for (const i of guesses) expect(large).to.include(i);
    expect(reader.pending).to.equal(0);
  }

  it('reads large packets into the buffers it is given, the same bytes, when the peer stops at every point of each header', function () {
    this.timeout(10_000);
    for (const max of [1 << 20, 4096]) {
      for (const b of boundaries) for (let d = 0; d <= MIN_PACKET; d++) readOnce([b + d], max);
    }
  });

  it('reads the same packets into supplied buffers for any read size, with cuts inside the bodies too', () => {
    for (const max of [1, 3, 13, 27, 28, 29, 100, 65_536, 262_148, 1 << 20]) readOnce([], max);
    for (const b of boundaries) readOnce([b + 1000, b + 65_535, b + 65_536, b + 262_147], 1 << 20);
  });

  it('delivers the same packets as a reader without a supplier', () => {
    const plain: Buffer[] = [];
    const reader = new DirectPacketReader((p, owned) => void plain.push(owned ? p : Buffer.from(p)));
    feed(reader, wire, boundaries.map((b) => b + 5), 1 << 20);
    expect(Buffer.concat(plain).equals(wire)).to.equal(true);
  });

  it("guesses that a download's next data packet is like its last: read straight into its buffer; any other packet arrives as it came", () => {
    const LARGE = 262_148;
    const data = (serial: number, n: number, seed: number): Buffer =>
      encodePacket(w, { prog: 0x20008086, vers: 1, proc: 209, type: VIR_NET_STREAM, serial, status: VIR_NET_CONTINUE }, (x) => x.raw(pattern(n - 28, seed)));
    const other = (serial: number, n: number, seed: number): Buffer =>
      encodePacket(w, { prog: 0x20008086, vers: 1, proc: 1, type: VIR_NET_REPLY, serial, status: VIR_NET_OK }, (x) => x.raw(pattern(n - 28, seed)));
    // libvirtd's download of serial 7 (each 262,120 bytes of data then 24), a reply to another
    // call between them, a large packet of another stream with the same length, the last short
    // packet and the end of file.
    const wire: Buffer[] = [];
    for (let k = 0; k < 6; k++) wire.push(data(7, LARGE, k), data(7, 52, 100 + k));
    wire.push(other(9, 40, 1), data(7, LARGE, 6), data(8, LARGE, 7), data(7, LARGE, 8), other(10, LARGE, 9), data(7, LARGE, 10), data(7, 1000, 11), data(7, 28, 12));
    const all = Buffer.concat(wire);
    const ends = wire.reduce<number[]>((acc, p) => [...acc, (acc[acc.length - 1] ?? 0) + p.length], []);
    // As libvirtd writes (a packet at a time, with a pause between them) or all at once.
    for (const [max, atEnds] of [[1 << 20, true], [65_536, true], [4096, true], [27, true], [29, true], [1 << 20, false], [100_000, false]] as const) {
      const got: Buffer[] = [];
      const offered = new Set<ArrayBufferLike>();
      const reader = new DirectPacketReader(
        (p, owned) => void got.push(owned ? p : Buffer.from(p)),
        (_head, length) => Buffer.allocUnsafeSlow(length).fill(0xee),
      );
      for (let off = 0; off < all.length; ) {
        const dst = reader.nextBuffer();
        if (dst.byteOffset === 0 && dst.length === LARGE) offered.add(dst.buffer);
        const n = Math.min(dst.length, max, (atEnds ? ends.find((e) => e > off)! : all.length) - off);
        all.copy(dst, 0, off, off + n);
        off += n;
        reader.received(n);
      }
      expect(got.map((p) => p.length), `reads of ${max}`).to.deep.equal(wire.map((p) => p.length));
      for (let i = 0; i < wire.length; i++) expect(got[i]!.equals(wire[i]!), `packet ${i}, reads of ${max}`).to.equal(true);
      expect(reader.pending).to.equal(0);
      // Serial 7's data packets after the first, up to the other stream's, were read into the
      // buffer offered before their first byte came, when the peer paused before them.
      if (atEnds) for (const k of [2, 4, 6, 8, 10, 13]) expect(offered.has(got[k]!.buffer), `packet ${k}, reads of ${max}`).to.equal(true);
    }
  });

  it('lets go of its guess when told (a stream ended) and after a few small packets with no large one', () => {
    const LARGE = 262_148;
    const data = (n: number): Buffer => encodePacket(w, { prog: 1, vers: 1, proc: 2, type: VIR_NET_STREAM, serial: 5, status: VIR_NET_CONTINUE }, (x) => x.raw(pattern(n - 28, n)));
    const reader = new DirectPacketReader(() => undefined);
    const put = (b: Buffer): void => {
      for (let off = 0; off < b.length; ) {
        const dst = reader.nextBuffer();
        const n = Math.min(dst.length, b.length - off);
        b.copy(dst, 0, off, off + n);
        off += n;
        reader.received(n);
      }
    };
    put(data(LARGE));
    expect(reader.nextBuffer().length).to.equal(LARGE);
    reader.forgetGuess();
    expect(reader.nextBuffer().length).to.not.equal(LARGE);
    put(data(LARGE));
    expect(reader.nextBuffer().length).to.equal(LARGE);
    for (let i = 0; i < 8; i++) put(data(52));
    expect(reader.nextBuffer().length).to.not.equal(LARGE);
    expect(reader.pending).to.equal(0);
  });

  it('refuses a supplied buffer that is not exactly the packet of its own', () => {
    for (const bad of [(n: number) => Buffer.allocUnsafeSlow(n + 1), (n: number) => Buffer.allocUnsafeSlow(n - 1), (n: number) => Buffer.allocUnsafeSlow(n + 8).subarray(8)]) {
      const reader = new DirectPacketReader(() => undefined, (_h, n) => bad(n));
      expect(() => feed(reader, packets[0]!, [], 1 << 20)).to.throw(/packet buffer supplier/);
    }
  });
});

/** A scripted download: the test sends each data packet when it wants; finish is confirmed. */
class Download {
  private call: FakeCall | null = null;
  readonly daemon = new FakeDaemon((call, d) => {
    if (call.header.type === VIR_NET_CALL) {
      this.call = call;
      call.socket.write(d.reply(call, null, undefined));
    } else if (call.header.type === VIR_NET_STREAM && call.header.status !== VIR_NET_CONTINUE) {
      // finish (OK) or abort (ERROR): confirmed as libvirtd does.
      call.socket.write(this.packet({ type: VIR_NET_STREAM, status: VIR_NET_OK }));
    }
  });
  static readonly PAYLOAD = 262_120;

  private packet(h: Pick<MessageHeader, 'type' | 'status'>, body?: Buffer): Buffer {
    return encodePacket(w, { ...this.call!.header, ...h }, body ? (x) => x.raw(body) : undefined);
  }

  /** Data packet `i`: PAYLOAD bytes of the value i + 1. */
  send(...is: number[]): void {
    for (const i of is) this.call!.socket.write(this.packet({ type: VIR_NET_STREAM, status: VIR_NET_CONTINUE }, Buffer.alloc(Download.PAYLOAD, i + 1)));
  }

  hole(length: bigint): void {
    this.call!.socket.write(encodePacket(w, { ...this.call!.header, type: VIR_NET_STREAM_HOLE, status: VIR_NET_CONTINUE }, (x) => enc_virNetStreamHole(x, { length, flags: 0 })));
  }

  eof(): void {
    this.call!.socket.write(this.packet({ type: VIR_NET_STREAM, status: VIR_NET_CONTINUE }));
  }
}

/** Runs `test` on a stream of a scripted download, then closes the connection and the daemon. */
async function withDownload(mode: 'data' | 'direct', test: (st: Stream, down: Download) => Promise<void>): Promise<void> {
  const down = new Download();
  const port = await down.daemon.listen();
  const socket = mode === 'direct' ? DirectRead.connect({ host: '127.0.0.1', port }) : netConnect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const engine = new RpcEngine(socket);
  try {
    const st = new Stream({} as never);
    await engine.callWithStream(P.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, { vol: { pool: 'p', name: 'v', key: 'k' }, offset: 0n, length: 0n, flags: 0 }, st, (c) => st._bind(c));
    await test(st, down);
  } finally {
    engine.close();
    await down.daemon.close();
  }
}

/** The value every byte of a chunk has (Download.send), or -1 when they differ. */
const valueOf = (c: Uint8Array): number => (c.every((b) => b === c[0]) ? c[0]! : -1);

describe('a stream read with reuse (direct reads: unix, tcp)', () => {
  it('a lent chunk is not written over before the next turn of the loop, and its buffer is read into after it', () =>
    withDownload('direct', async (st, down) => {
      const it = st.chunks({ reuse: true });
      down.send(0, 1, 2);
      const c0 = (await it.next()).value as Uint8Array;
      expect(valueOf(c0)).to.equal(1);
      // More data comes while the reader holds c0: it must go elsewhere.
      down.send(3);
      await sleep(100);
      expect(valueOf(c0)).to.equal(1);
      const c1 = (await it.next()).value as Uint8Array;
      expect(valueOf(c1)).to.equal(2);
      // c0 came back with that next(): a later packet is read into it (on direct reads). Not the
      // very next one: the buffer for that was taken when packet 3 was in and c0 still lent (the
      // reader readies a buffer for the next data packet as soon as one is in).
      down.send(4, 5);
      await sleep(100);
      expect(valueOf(c1)).to.equal(2);
      expect(valueOf(c0)).to.equal(6);
      expect(c0.buffer).to.not.equal(c1.buffer);
      const rest: number[] = [];
      const buffers = new Set<ArrayBufferLike>([c0.buffer, c1.buffer]);
      let n = 6;
      const more = (async () => {
        for (; n < 40; n++) {
          down.send(n);
          await sleep(2);
        }
        down.eof();
      })();
      for (let r = await it.next(); !r.done; r = await it.next()) {
        rest.push(valueOf(r.value));
        buffers.add(r.value.buffer);
      }
      await more;
      expect(rest).to.deep.equal(Array.from({ length: 38 }, (_, i) => i + 3));
      // 40 packets through a handful of buffers.
      expect(buffers.size).to.be.at.most(6);
      expect(st.ended).to.equal(true);
      expect(st.bufferFor(Download.PAYLOAD + 28)).to.equal(null);
    }));

  it('keeps at most STREAM_SPARE_BUFFERS given back and drops them when the stream is aborted', () =>
    withDownload('direct', async (st, down) => {
      down.send(0, 1, 2, 3);
      await sleep(100);
      const kept: Uint8Array[] = [];
      for (let i = 0; i < 4; i++) kept.push(await st.recv(Download.PAYLOAD, { reuse: true }));
      expect(kept.map(valueOf)).to.deep.equal([1, 2, 3, 4]);
      down.send(4);
      await sleep(50);
      // Each recv gave the chunk before back; the last is still lent.
      const spare: Buffer[] = [];
      for (let b = st.bufferFor(Download.PAYLOAD + 28); b; b = st.bufferFor(Download.PAYLOAD + 28)) spare.push(b);
      expect(spare.length).to.be.at.most(STREAM_SPARE_BUFFERS);
      expect(spare.length).to.be.at.least(1);
      for (const b of spare) expect(b.buffer).to.not.equal(kept[3]!.buffer);
      // That recv gave the last chunk's buffer back; the abort drops it at once.
      await st.recv(Download.PAYLOAD, { reuse: true });
      const spareOf = (): number => (st as unknown as { spare: Buffer[] }).spare.length;
      expect(spareOf()).to.equal(1);
      const aborted = st.abort();
      expect(spareOf()).to.equal(0);
      await aborted;
      await st.recv(1, { reuse: true }).catch(() => undefined);
      expect(spareOf()).to.equal(0);
    }));

  it('chunks taken for keeps, whole or in part, are never read into again', () =>
    withDownload('direct', async (st, down) => {
      down.send(0, 1);
      const kept: Uint8Array[] = [];
      kept.push(await st.recv(Download.PAYLOAD));
      // A piece kept, the rest lent: the packet is never recycled.
      kept.push(await st.recv(1000));
      await st.recv(Download.PAYLOAD, { reuse: true });
      for (let i = 2; i < 12; i++) {
        down.send(i);
        await sleep(10);
        await st.recv(Download.PAYLOAD, { reuse: true });
      }
      await sleep(50);
      expect(kept.map(valueOf)).to.deep.equal([1, 2]);
      expect(kept[1]!.length).to.equal(1000);
      down.eof();
      expect((await st.recv(1)).length).to.equal(0);
      await st.finish();
    }));

  it('sparseChunks({ reuse: true }) lends data chunks between holes the same way', () =>
    withDownload('direct', async (st, down) => {
      const it = st.sparseChunks({ reuse: true });
      down.send(0);
      const first = (await it.next()).value as Uint8Array;
      expect(valueOf(first)).to.equal(1);
      down.hole(1000n);
      expect((await it.next()).value).to.deep.equal({ hole: 1000n });
      // first came back with that next(): packet 2 is read into it (packet 1 into the buffer
      // readied when packet 0 was in and first still lent).
      down.send(1, 2);
      const second = (await it.next()).value as Uint8Array;
      expect(valueOf(second)).to.equal(2);
      expect(second.buffer).to.not.equal(first.buffer);
      const third = (await it.next()).value as Uint8Array;
      expect(valueOf(third)).to.equal(3);
      expect(third.buffer).to.equal(first.buffer);
      down.eof();
      expect((await it.next()).done).to.equal(true);
      expect(st.ended).to.equal(true);
    }));

  it("on a connection read through 'data' events (TLS, SSH) nothing is recycled: every lent chunk stays as it came", () =>
    withDownload('data', async (st, down) => {
      const chunks: Uint8Array[] = [];
      const copies: Buffer[] = [];
      const more = (async () => {
        for (let i = 0; i < 20; i++) {
          down.send(i);
          await sleep(2);
        }
        down.eof();
      })();
      for await (const c of st.chunks({ reuse: true })) {
        chunks.push(c);
        copies.push(Buffer.from(c));
      }
      await more;
      expect(chunks.every((c, i) => copies[i]!.equals(c))).to.equal(true);
      expect(Buffer.concat(copies).equals(Buffer.concat(Array.from({ length: 20 }, (_, i) => Buffer.alloc(Download.PAYLOAD, i + 1))))).to.equal(true);
      expect(st.bufferFor(Download.PAYLOAD + 28)).to.equal(null);
    }));
});
