// The engine's side of streams against a scripted daemon: a full reader holds the socket, and
// packets for a stream that has ended are dropped quietly.
import { expect } from 'chai';
import { connect as netConnect } from 'node:net';
import { DirectRead } from '../../src/transport/socket.js';
import { DirectPacketReader, encodePacket, OWN_BUFFER_MIN, PacketSplitter, type MessageHeader, VIR_NET_CALL, VIR_NET_CONTINUE, VIR_NET_ERROR, VIR_NET_REPLY, VIR_NET_STREAM } from '../../src/protocol/framing.js';
import { enc_virNetMessageError } from '../../src/protocol/generated/virnet.js';
import { remote_procedures as P } from '../../src/protocol/generated/remote.js';
import { XdrWriter } from '../../src/protocol/xdr/index.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import type { StreamChannel, StreamMessage } from '../../src/rpc/stream-channel.js';
import { FakeDaemon, type FakeCall } from '../support/fake-daemon.js';

let readMode: 'data' | 'direct' = 'data';

async function engineTo(port: number): Promise<RpcEngine> {
  // Both ways the engine reads a socket: 'data' events (TLS, SSH, ...) and DirectRead (unix, tcp).
  const socket = readMode === 'direct' ? DirectRead.connect({ host: '127.0.0.1', port }) : netConnect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  return new RpcEngine(socket);
}

const vol = { pool: 'p', name: 'v', key: 'k' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const w = new XdrWriter();
const streamError = (call: FakeCall, type: MessageHeader['type'] = VIR_NET_STREAM): Buffer =>
  encodePacket(w, { ...call.header, type, status: VIR_NET_ERROR }, (x) =>
    enc_virNetMessageError(x, { code: 38, domain: 0, message: 'cannot write to stream', level: 2, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null }),
  );

for (const mode of ['data', 'direct'] as const) describe(`stream packets in the engine (${mode} reads)`, () => {
  before(() => (readMode = mode));
  it('the splitter hands a packet split across chunks over as views of them, and whole packets as they are', () => {
    const packets = [1000, 300_000, 28, 70_000, 2_000_000, 40].map((n, i) => encodePacket(w, { prog: 1, vers: 1, proc: i, type: VIR_NET_STREAM, serial: 9, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(n - 28, i + 1))));
    const wire = Buffer.concat(packets);
    for (const size of [7, 29, 4096, 65536, 100_000]) {
      const got: Buffer[] = [];
      const split = new PacketSplitter(
        (p) => got.push(Buffer.from(p)),
        (pieces) => {
          expect(pieces[0]!.length).to.be.at.least(28);
          got.push(Buffer.concat(pieces));
        },
      );
      for (let off = 0; off < wire.length; off += size) split.push(wire.subarray(off, off + size));
      expect(got.map((p) => p.length)).to.deep.equal(packets.map((p) => p.length));
      expect(Buffer.concat(got).equals(wire)).to.equal(true);
      expect(split.pending).to.equal(0);
    }
  });


  it('the direct reader gives large packets buffers of their own and small ones views, whatever the read sizes', () => {
    const sizes = [1000, 300_000, 28, 70_000, 65_535, 65_536, 40, 262_172, 20_000, 28, 50_000, 30, 60_000, 9_000];
    const packets = sizes.map((n, i) => encodePacket(w, { prog: 1, vers: 1, proc: i, type: VIR_NET_STREAM, serial: 9, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(n - 28, i + 1))));
    const wire = Buffer.concat(packets);
    for (const size of [13, 29, 4096, 65536, 100_000, 1 << 20]) {
      const got: Buffer[] = [];
      const reader = new DirectPacketReader((p, owned) => {
        expect(owned, `a packet of ${p.length} bytes`).to.equal(p.length >= OWN_BUFFER_MIN);
        if (owned) expect(p.byteOffset === 0 && p.buffer.byteLength === p.length, 'a buffer of its own').to.equal(true);
        got.push(owned ? p : Buffer.from(p));
      });
      for (let off = 0; off < wire.length; ) {
        const dst = reader.nextBuffer();
        if (dst.length === 0) expect.fail(`an empty read buffer at ${off}`);
        const n = Math.min(size, dst.length, wire.length - off);
        wire.copy(dst, 0, off, off + n);
        off += n;
        reader.received(n);
      }
      expect(got.map((p) => p.length)).to.deep.equal(sizes);
      expect(Buffer.concat(got).equals(wire)).to.equal(true);
      expect(reader.pending).to.equal(0);
    }
  });

  it('idle direct readers share one read buffer; interleaved reads that end inside packets lose nothing', () => {
    const make = (seed: number) => [40, 1000, 28, 70_000, 9_000, 300, 65_535].map((n, i) => encodePacket(w, { prog: 1, vers: 1, proc: i, type: VIR_NET_STREAM, serial: seed, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(n - 28, seed * 16 + i))));
    const wires = [Buffer.concat(make(1)), Buffer.concat(make(2))];
    const got: Buffer[][] = [[], []];
    const readers = [0, 1].map((k) => new DirectPacketReader((p, owned) => void got[k]!.push(owned ? p : Buffer.from(p))));
    // Nothing pending: both read into the same buffer, so an idle connection holds none of its own.
    expect(readers[0]!.nextBuffer().buffer).to.equal(readers[1]!.nextBuffer().buffer);
    const offs = [0, 0];
    for (let round = 0; offs[0]! < wires[0]!.length || offs[1]! < wires[1]!.length; round++) {
      for (const k of [0, 1]) {
        const wire = wires[k]!;
        if (offs[k]! >= wire.length) continue;
        const dst = readers[k]!.nextBuffer();
        const n = Math.min(dst.length, [997, 50, 4096, 30_001][(round + k) % 4]!, wire.length - offs[k]!);
        wire.copy(dst, 0, offs[k]!, offs[k]! + n);
        offs[k]! += n;
        readers[k]!.received(n);
      }
    }
    for (const k of [0, 1]) {
      expect(Buffer.concat(got[k]!).equals(wires[k]!), `reader ${k}`).to.equal(true);
      expect(readers[k]!.pending).to.equal(0);
    }
  });

  it('a packet handler that feeds another direct reader while the shared buffer is walked corrupts nothing', () => {
    const small = (seed: number, n: number) => encodePacket(w, { prog: 1, vers: 1, proc: 1, type: VIR_NET_STREAM, serial: seed, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(n - 28, seed)));
    const gotB: Buffer[] = [];
    const b = new DirectPacketReader((p) => void gotB.push(Buffer.from(p)));
    const gotA: Buffer[] = [];
    const a = new DirectPacketReader((p) => {
      gotA.push(Buffer.from(p));
      const dst = b.nextBuffer();
      const pb = small(9, 500);
      pb.copy(dst);
      b.received(pb.length);
    });
    const wire = Buffer.concat([small(3, 100), small(4, 200)]);
    const dst = a.nextBuffer();
    wire.copy(dst);
    a.received(wire.length);
    expect(Buffer.concat(gotA).equals(wire)).to.equal(true);
    expect(gotB.map((p) => p.equals(small(9, 500)))).to.deep.equal([true, true]);
  });

  it('a stream that holds reading stops the socket; releasing it delivers the rest', async () => {
    const packets = 40;
    const packet = 256 * 1024;
    const daemon = new FakeDaemon((call, d) => {
      if (call.header.type !== VIR_NET_CALL) return;
      call.socket.write(d.reply(call, null, undefined));
      const data = encodePacket(w, { ...call.header, type: VIR_NET_STREAM, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(packet, 7)));
      for (let i = 0; i < packets; i++) call.socket.write(data);
    });
    const engine = await engineTo(await daemon.listen());
    try {
      let bytes = 0;
      let channel!: StreamChannel;
      const sink = {
        onMessage: (m: StreamMessage) => {
          if (m.kind !== 'data') return;
          if (bytes === 0) channel.pauseReading();
          bytes += m.data.length;
        },
        onClose: () => undefined,
      };
      await engine.callWithStream(P.REMOTE_PROC_STORAGE_VOL_DOWNLOAD, { vol, offset: 0n, length: 0n, flags: 0 }, sink, (c) => (channel = c));
      await sleep(300);
      expect(engine.readingHeld).to.equal(true);
      // Only what was already read when the hold came (the rest of one socket chunk).
      expect(bytes).to.be.below(4 * packet);
      channel.resumeReading();
      for (let i = 0; i < 50 && bytes < packets * packet; i++) await sleep(20);
      expect(bytes).to.equal(packets * packet);
      expect(engine.readingHeld).to.equal(false);
    } finally {
      engine.close();
      await daemon.close();
    }
  });

  it('late stream packets and error replies for an ended stream are dropped quietly', async () => {
    let streamCall: FakeCall | null = null;
    const daemon = new FakeDaemon((call, d) => {
      if (call.header.proc === P.REMOTE_PROC_STORAGE_VOL_UPLOAD.proc && call.header.type === VIR_NET_CALL) {
        streamCall = call;
        call.socket.write(d.reply(call, null, undefined));
        call.socket.write(streamError(call));
      } else if (call.header.proc === P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.proc) {
        // Before the reply: a second error, a data packet and an error reply, all for the ended stream.
        const s = streamCall!;
        call.socket.write(Buffer.concat([streamError(s), encodePacket(w, { ...s.header, type: VIR_NET_STREAM, status: VIR_NET_CONTINUE }, (x) => x.raw(Buffer.alloc(10))), streamError(s, VIR_NET_REPLY)]));
        call.socket.write(d.reply(call, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 11003000n }));
      }
    });
    const engine = await engineTo(await daemon.listen());
    try {
      let channel!: StreamChannel;
      const errors: string[] = [];
      const sink = {
        onMessage: (m: StreamMessage) => {
          if (m.kind === 'error') {
            errors.push(m.error.message);
            channel.end();
          }
        },
        onClose: () => undefined,
      };
      await engine.callWithStream(P.REMOTE_PROC_STORAGE_VOL_UPLOAD, { vol, offset: 0n, length: 0n, flags: 0 }, sink, (c) => (channel = c));
      await sleep(100);
      expect(errors).to.deep.equal(['cannot write to stream']);
      expect(await engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined)).to.deep.equal({ lib_ver: 11003000n });
      expect(engine.unhandledMessages).to.equal(0);
      expect(engine.closed).to.equal(false);
    } finally {
      engine.close();
      await daemon.close();
    }
  });
});
