import { expect } from 'chai';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_ERR_RPC,
  VIR_ERR_SYSTEM_ERROR,
  VIR_TYPED_PARAM_INT,
  VIR_TYPED_PARAM_STRING,
} from '../../src/apixml/generated/constants.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { decodePacket, encodePacket, type MessageHeader, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY, VIR_NET_REPLY_WITH_FDS } from '../../src/protocol/framing.js';
import { remote_procedures as P, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from '../../src/protocol/generated/remote.js';
import { XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import { openTcp } from '../../src/transport/socket.js';
import { CLOSE_GRACE_MS, MAX_ABANDONED_SERIALS, RpcEngine } from '../../src/rpc/engine.js';
import { SaslMechanismError, SCRAM_MAX_ITERATIONS, ScramClient } from '../../src/rpc/sasl-scram.js';
import { FakeDaemon } from '../support/fake-daemon.js';
import { domWire, FakeLibvirtd } from './events-fake-libvirtd.js';
import { sessionOf } from '../../src/api/session.js';
import { DEFAULT_EVENT_BUFFER_BYTES } from '../../src/api/events/events.js';
import { VIR_ERR_OVERFLOW } from '../../src/apixml/generated/constants.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// What a malicious or broken daemon can do to the client, one case each: the user gets a clear
// libvirt error, every pending call settles, memory stays bounded, and nothing is left running.

const rejection = (p: Promise<unknown>): Promise<LibvirtError> =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => {
      expect(e).to.be.instanceOf(LibvirtError);
      return e as LibvirtError;
    },
  );

/** A raw TCP server: `onSocket` does whatever the hostile peer does. */
async function rawPeer(onSocket: (s: Socket) => void): Promise<{ port: number; close: () => Promise<void>; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function engineTo(port: number): Promise<RpcEngine> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  return new RpcEngine(socket);
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap and buffers in use after a full collection: what the process really holds. */
function heldMemory(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const header = (len: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(len >>> 0);
  return b;
};

describe('hostile peers', function () {
  this.timeout(60_000);

  // Whatever the peer does, nothing escapes as an uncaught exception or an unhandled rejection.
  const escaped: unknown[] = [];
  const onEscape = (e: unknown): void => void escaped.push(e);
  before(() => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtExceptionMonitor', onEscape);
  });
  after(() => {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtExceptionMonitor', onEscape);
  });
  afterEach(async () => {
    await new Promise((r) => setImmediate(r));
    expect(escaped.splice(0).map(String), 'uncaught exceptions / unhandled rejections').to.deep.equal([]);
  });

  describe('typed parameters named by the server', () => {
    it('__proto__, toString and constructor are plain keys of a null-prototype object', async () => {
      const fake = new FakeLibvirtd({
        intercept: (call, name, _args, d) => {
          if (name !== 'REMOTE_PROC_NODE_GET_MEMORY_PARAMETERS') return false;
          const params = [
            { field: '__proto__', value: { type: VIR_TYPED_PARAM_INT, i: 5 } },
            { field: 'toString', value: { type: VIR_TYPED_PARAM_STRING, s: 'x' } },
            { field: 'constructor', value: { type: VIR_TYPED_PARAM_INT, i: 7 } },
            { field: 'shm_pages_to_scan', value: { type: VIR_TYPED_PARAM_INT, i: 100 } },
          ];
          call.socket.write(d.reply(call, name, { params, nparams: params.length }));
          return true;
        },
      });
      const conn = await fake.connect({ keepAlive: false });
      try {
        const r = await conn.nodeGetMemoryParameters();
        expect(Object.getPrototypeOf(r)).to.equal(null);
        expect(Object.keys(r)).to.deep.equal(['__proto__', 'toString', 'constructor', 'shm_pages_to_scan']);
        const own = r as Record<string, unknown>;
        expect([own['__proto__'], own['toString'], own['constructor'], own['shm_pages_to_scan']]).to.deep.equal([5, 'x', 7, 100]);
        expect(JSON.parse(JSON.stringify(r))).to.deep.equal({ ['__proto__']: 5, toString: 'x', constructor: 7, shm_pages_to_scan: 100 });
        // Ordinary objects elsewhere are untouched.
        expect(({} as Record<string, unknown>).shm_pages_to_scan).to.equal(undefined);
      } finally {
        await conn.close();
        await fake.close();
      }
    });
  });

  describe('SASL SCRAM iteration counts', () => {
    const serverFirst = (i: number) => Buffer.from(`r=clientnonceSERVER,s=QSXCR+Q6sek8bf92,i=${i}`);

    it(`a count above ${SCRAM_MAX_ITERATIONS} is refused at once`, async () => {
      const c = new ScramClient('sha256', 'user', 'pencil', 'clientnonce');
      c.first();
      const t0 = performance.now();
      let err: unknown = null;
      await c.finalAsync(serverFirst(100_000_000)).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(SaslMechanismError);
      expect((err as Error).message).to.match(/100000000 iterations/);
      expect(performance.now() - t0).to.be.below(100);
    });

    it('the key derivation does not block the event loop', async () => {
      const c = new ScramClient('sha256', 'user', 'pencil', 'clientnonce');
      c.first();
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const t0 = performance.now();
      await c.finalAsync(serverFirst(SCRAM_MAX_ITERATIONS));
      const elapsed = performance.now() - t0;
      clearInterval(timer);
      // The loop kept turning while a million iterations ran in the thread pool.
      expect(ticks, `${ticks} ticks in ${elapsed.toFixed(0)} ms`).to.be.above(Math.min(20, elapsed / 10));
    });
  });

  describe('close()', () => {
    it('destroys the socket of a peer that never answers and never ends its side', async () => {
      const sockets: Socket[] = [];
      // allowHalfOpen: the peer's side stays open after ours ends, as a hostile peer would keep it.
      const server = createServer({ allowHalfOpen: true }, (s) => {
        sockets.push(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const socket = netConnect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
      await new Promise((resolve) => socket.once('connect', resolve));
      const engine = new RpcEngine(socket);
      try {
        const pending = rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
        await new Promise((r) => setTimeout(r, 50));
        const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
        const t0 = performance.now();
        engine.close();
        expect((await pending).code).to.equal(VIR_ERR_INTERNAL_ERROR);
        const t = await closed;
        expect(t - t0, 'our socket is destroyed after the grace period').to.be.below(CLOSE_GRACE_MS + 1000);
        expect(socket.destroyed).to.equal(true);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => server.close(() => r(undefined)));
      }
    });
  });

  describe('REPLY_WITH_FDS', () => {
    const w = new XdrWriter();
    const replyWithFds = (serial: number, nfds: number): Buffer =>
      encodePacket(w, { prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc: P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.proc, type: VIR_NET_REPLY_WITH_FDS, serial, status: VIR_NET_OK }, (x) => {
        x.uint('nfds', nfds);
        P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret!.encode(x, { lib_ver: 42n });
      });

    it('settles its call like a REPLY: no descriptors, the value; descriptors, a clear error', async () => {
      const daemon = new FakeDaemon((call) => call.socket.write(replyWithFds(call.header.serial, call.header.serial === 1 ? 0 : 2)));
      const engine = await engineTo(await daemon.listen());
      try {
        expect(await engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined)).to.deep.equal({ lib_ver: 42n });
        const err = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
        expect(err.code).to.equal(VIR_ERR_NO_SUPPORT);
        expect(err.message).to.match(/2 file descriptor\(s\)/);
        expect(engine.closed).to.equal(false);
      } finally {
        engine.close();
        await daemon.close();
      }
    });
  });

  describe('a peer that sends PINGs and stops reading', () => {
    it('is not answered without bound: PONGs stop while the socket is backed up, memory stays flat', async () => {
      const fake = new FakeLibvirtd();
      const conn = await fake.connect({ keepAlive: false });
      const peer = fake.socket!;
      peer.pause();
      const ping = fake.keepalive(1);
      const before = process.memoryUsage().rss;
      // Enough PINGs to fill the kernel's buffers with PONGs the peer never reads.
      const burst = Buffer.concat(Array.from({ length: 50_000 }, () => ping));
      let sent = 0;
      while (conn.keepAliveState.pongsSkipped === 0 && sent < 3_000_000) {
        peer.write(burst);
        sent += 50_000;
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 300));
      const state = conn.keepAliveState;
      const grown = process.memoryUsage().rss - before;
      expect(state.pingsAnswered + state.pongsSkipped).to.be.at.most(sent);
      expect(state.pongsSkipped, JSON.stringify(state)).to.be.above(0);
      // The queue the peer can fill is our socket's outgoing buffer: it stays at Node's high-water
      // mark (before: every PONG queued, +152 MB for 500,000). RSS also counts this process's own
      // fake peer and its bursts, so it only gets a coarse bound.
      const queued = conn.transport.stream.writableLength;
      expect(queued, `${queued} bytes queued`).to.be.below(64 * 1024);
      expect(grown, `RSS grew by ${(grown / 1e6).toFixed(1)} MB`).to.be.below(400e6);
      await conn.close();
      expect(conn.transport.stream.destroyed || conn.transport.stream.writableEnded).to.equal(true);
      await fake.close();
    });
  });

  describe('event streams bounded in bytes', () => {
    // A QMP event of 12 MiB: event name, domain name and details at libvirt's 4 MiB string limit.
    const big = 4 * 1024 * 1024 - 64;
    const qmpEvent = (fake: FakeLibvirtd, callbackID: number): Buffer =>
      fake.message('QEMU_PROC_DOMAIN_MONITOR_EVENT', { callbackID, dom: domWire('d'.repeat(big)), event: 'E'.repeat(big), seconds: 1n, micros: 0, details: 'x'.repeat(big) });
    const MiB = 1024 * 1024;

    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      it(`50 QMP events of 12 MiB to a stream nobody reads hold at most ${DEFAULT_EVENT_BUFFER_BYTES / MiB} MiB (${overflow}: the rest dropped and counted)`, async () => {
        const fake = new FakeLibvirtd();
        const conn = await fake.connect({ keepAlive: false });
        try {
          const stream = conn.qemuMonitorEvents({ overflow });
          await stream.ready;
          const packet = qmpEvent(fake, fake.lastCallbackID);
          const before = heldMemory();
          for (let i = 0; i < 50; i++) fake.socket!.write(packet);
          while (stream.dropped + stream.buffered < 50) await new Promise((r) => setTimeout(r, 20));
          const grown = heldMemory() - before;
          expect(stream.buffered).to.equal(2);
          expect(stream.dropped).to.equal(48);
          expect(stream.bufferedBytes).to.be.at.most(DEFAULT_EVENT_BUFFER_BYTES);
          // Before the byte bound: +689 MB. Two events of 12 MiB stay, plus the one packet being sent.
          expect(grown, `held ${(grown / MiB).toFixed(0)} MiB more`).to.be.below(80 * MiB);
          const first = await stream.next();
          expect((first.value as { event: string }).event.length).to.equal(big);
          await stream.close();
        } finally {
          await conn.close();
          await fake.close();
        }
      });
    }

    it("the default 'error' policy ends the stream with VIR_ERR_OVERFLOW after yielding what it buffered", async () => {
      const fake = new FakeLibvirtd();
      const conn = await fake.connect({ keepAlive: false });
      try {
        const stream = conn.qemuMonitorEvents({ bufferBytes: 30 * MiB });
        await stream.ready;
        const packet = qmpEvent(fake, fake.lastCallbackID);
        for (let i = 0; i < 5; i++) fake.socket!.write(packet);
        // The third event overflows 30 MiB: the stream ends with two buffered.
        while (!(stream as unknown as { ended: boolean }).ended) await new Promise((r) => setTimeout(r, 20));
        expect(stream.buffered).to.equal(2);
        let yielded = 0;
        const err = await rejection(
          (async () => {
            for await (const ev of stream) if (ev.event.length === big) yielded++;
          })(),
        );
        expect(err.code).to.equal(VIR_ERR_OVERFLOW);
        expect(err.message).to.match(/25165544 bytes\) behind; the stream holds at most 1024 events and 31457280 bytes/);
        expect(yielded).to.equal(2);
      } finally {
        await conn.close();
        await fake.close();
      }
    });

    it('events held while a registration is in flight are bounded in bytes too (the rest counted as undelivered)', async () => {
      let answer: (() => void) | null = null;
      const fake = new FakeLibvirtd({
        intercept: (call, name, _args, d) => {
          if (name !== 'QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER') return false;
          // 20 events for a callback ID no reply has named yet; the reply (naming another) waits.
          const packet = qmpEvent(d, 7);
          for (let i = 0; i < 20; i++) call.socket.write(packet);
          answer = () => call.socket.write(d.reply(call, name, { callbackID: 8 }));
          return true;
        },
      });
      const conn = await fake.connect({ keepAlive: false });
      try {
        const before = heldMemory();
        const stream = conn.qemuMonitorEvents();
        while (sessionOf(conn).events.undelivered < 18) await new Promise((r) => setTimeout(r, 20));
        const grown = heldMemory() - before;
        expect((sessionOf(conn).events as unknown as { heldBytes: number }).heldBytes).to.be.at.most(32 * MiB);
        expect(grown, `held ${(grown / MiB).toFixed(0)} MiB more`).to.be.below(80 * MiB);
        answer!();
        await stream.ready;
        expect(sessionOf(conn).events.undelivered).to.equal(20);
        await stream.close();
      } finally {
        await conn.close();
        await fake.close();
      }
    });
  });

  describe('packets the engine must refuse', () => {
    for (const [label, bytes] of [
      ['length 0', header(0)],
      ['length 27 (shorter than a header)', header(27)],
      ['length 0xFFFFFFFF', header(0xffffffff)],
      ['length just over the 32 MiB limit', header(32 * 1024 * 1024 + 5)],
    ] as const) {
      it(`${label}: every pending call rejects with a libvirt error, the connection closes`, async () => {
        const peer = await rawPeer((s) => s.once('data', () => s.write(bytes)));
        const engine = await engineTo(peer.port);
        try {
          const calls = Array.from({ length: 10 }, () => rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined)));
          for (const e of await Promise.all(calls)) expect(e.code).to.equal(VIR_ERR_RPC);
          expect(engine.closed).to.equal(true);
        } finally {
          await peer.close();
        }
      });
    }

    it('a truncated header, then end of file: VIR_ERR_SYSTEM_ERROR, nothing pending', async () => {
      const peer = await rawPeer((s) => s.once('data', () => s.end(Buffer.concat([header(40), Buffer.alloc(10)]))));
      const engine = await engineTo(peer.port);
      try {
        const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
        expect(e.code).to.equal(VIR_ERR_SYSTEM_ERROR);
        expect(e.message).to.match(/truncated packet/);
        expect(engine.inFlight).to.equal(0);
      } finally {
        await peer.close();
      }
    });

    it('a reply for an unknown serial or for another procedure closes the connection with VIR_ERR_RPC', async () => {
      const w = new XdrWriter();
      for (const wrong of ['serial', 'proc', 'prog'] as const) {
        const daemon = new FakeDaemon((call) => {
          const h: MessageHeader = { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_OK };
          if (wrong === 'serial') h.serial += 1000;
          else if (wrong === 'proc') h.proc = P.REMOTE_PROC_CONNECT_GET_HOSTNAME.proc;
          else h.prog = 0x20008087;
          call.socket.write(encodePacket(w, h, (x) => P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret!.encode(x, { lib_ver: 1n })));
        });
        const engine = await engineTo(await daemon.listen());
        const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
        expect(e.code, wrong).to.equal(VIR_ERR_RPC);
        expect(engine.closed).to.equal(true);
        await daemon.close();
      }
    });

    it('a malformed error reply rejects its call with VIR_ERR_RPC', async () => {
      const w = new XdrWriter();
      const daemon = new FakeDaemon((call) => call.socket.write(encodePacket(w, { ...call.header, type: VIR_NET_REPLY, status: 1 }, (x) => x.int('code', 1))));
      const engine = await engineTo(await daemon.listen());
      try {
        const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
        expect(e.code).to.equal(VIR_ERR_RPC);
        expect(e.message).to.match(/cannot decode reply/);
      } finally {
        engine.close();
        await daemon.close();
      }
    });

    it('garbage instead of the handshake fails connect() with a libvirt error', async () => {
      const peer = await rawPeer((s) => s.once('data', () => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))));
      try {
        const e = await rejection(FakeConnect(peer.port));
        expect([VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR]).to.include(e.code);
      } finally {
        await peer.close();
      }
    });

    for (const keepAlive of [false, { interval: 1, count: 1 }] as const) {
      it(`a daemon that never answers the open, keepalive ${keepAlive ? 'on' : 'off'}: the timeout option gives up and lets go of the socket`, async () => {
        // It reads what we send and never answers.
        const peer = await rawPeer((s) => s.resume());
        try {
          const t0 = performance.now();
          const e = await rejection(FakeConnect(peer.port, { timeout: 300, keepAlive }));
          expect(performance.now() - t0).to.be.below(2000);
          expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
          expect(e.message).to.match(/timed out after 300 ms/);
          // Our side is closed: the peer sees its socket end.
          await new Promise((resolve) => (peer.sockets[0]!.closed ? resolve(undefined) : peer.sockets[0]!.once('close', resolve)));
        } finally {
          await peer.close();
        }
      });
    }

    it('a daemon that answers the handshake but never REMOTE_PROC_CONNECT_OPEN, with keepalive: the timeout gives up', async () => {
      const fake = new FakeLibvirtd({ intercept: (_call, name) => name === 'REMOTE_PROC_CONNECT_OPEN' });
      try {
        const e = await rejection(fake.connect({ timeout: 500, keepAlive: { interval: 1, count: 1 } }));
        expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
        expect(fake.calls.map((c) => c.name)).to.deep.equal(['REMOTE_PROC_AUTH_LIST', 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', 'REMOTE_PROC_CONNECT_OPEN']);
      } finally {
        await fake.close();
      }
    });

    it('1,000 calls pending when the socket closes mid-packet all reject at once', async () => {
      const peer = await rawPeer((s) => {
        let n = 0;
        s.on('data', () => {
          if (++n === 1) setTimeout(() => s.end(Buffer.concat([header(200), Buffer.alloc(50)])), 50);
        });
      });
      const engine = await engineTo(peer.port);
      try {
        const calls = Array.from({ length: 1000 }, () => rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined)));
        const t0 = performance.now();
        const errors = await Promise.all(calls);
        expect(performance.now() - t0).to.be.below(2000);
        expect(new Set(errors.map((e) => e.code))).to.deep.equal(new Set([VIR_ERR_SYSTEM_ERROR]));
        expect(engine.inFlight).to.equal(0);
      } finally {
        await peer.close();
      }
    });
  });

  describe('a legal reply of the maximum size', () => {
    // The worst shape for the decoder: connectGetAllDomainStats with the most objects per byte
    // (16 bytes per parameter): 2 million typed parameters. Decoded in one go it blocked the loop
    // 0.2-1 s on 2 cores; in slices of DECODE_SLICE_MS, 12-47 ms (README, hostile peers).
    const proc = P.REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS;
    const perDom = 2048;
    const ndom = Math.floor((32 * 1024 * 1024 - 200) / (perDom * 16 + 32));
    const params = Array.from({ length: perDom }, (_, i) => ({ field: 'a', value: { type: VIR_TYPED_PARAM_INT, i } }));
    const ret = { retStats: Array.from({ length: ndom }, () => ({ dom: { name: 'd', uuid: new Uint8Array(16), id: 1 }, params })) };
    const lifecycle = (w: XdrWriter, name: string): Buffer =>
      encodePacket(w, { prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc: P.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE.proc, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK }, (x) =>
        P.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE.message!.encode(x, { dom: { name, uuid: new Uint8Array(16), id: 1 }, event: 0, detail: 0 }),
      );

    for (const mode of ['data', 'direct'] as const) {
      it(`2 million typed parameters in 32 MiB decode in slices: the loop is never blocked for long (${mode} reads)`, async () => {
        let reply: Buffer | null = null;
        const daemon = new FakeDaemon((call, d) => call.socket.write((reply = d.reply(call, proc.ret, ret as never))));
        const port = await daemon.listen();
        const engine = mode === 'direct' ? new RpcEngine((await openTcp('127.0.0.1', port, { directRead: true })).stream) : await engineTo(port);
        try {
          // Two tries, the better one counts: on a loaded machine the process can lose the CPU
          // for a while whatever it does.
          const blocks: number[] = [];
          for (let attempt = 0; attempt < 2; attempt++) {
            let last = performance.now();
            let longest = 0;
            const probe = setInterval(() => {
              const now = performance.now();
              longest = Math.max(longest, now - last);
              last = now;
            }, 1);
            const v = await engine.call(proc, { doms: [], stats: 0, flags: 0 });
            // One more tick, so the probe sees the block that ended with the reply.
            await new Promise((r) => setTimeout(r, 5));
            clearInterval(probe);
            expect(v.retStats.reduce((n, s) => n + s.params.length, 0)).to.equal(ndom * perDom);
            blocks.push(longest);
          }
          // The bound scales with this machine's speed: half of what decoding the same body in one
          // go takes here and now, and never below 100 ms. Unsliced, the loop is blocked for at
          // least the whole decode.
          const body = decodePacket(reply!).body;
          const wholes: number[] = [];
          for (let attempt = 0; attempt < 2; attempt++) {
            const t0 = performance.now();
            proc.ret!.decode(new XdrReader(body));
            wholes.push(performance.now() - t0);
          }
          const longest = Math.min(...blocks);
          const whole = Math.min(...wholes);
          expect(longest, `the loop was blocked ${longest.toFixed(0)} ms (decoding in one go: ${whole.toFixed(0)} ms)`).to.be.below(Math.max(100, whole / 2));
        } finally {
          engine.close();
          await daemon.close();
        }
      });
    }

    for (const mode of ['data', 'direct'] as const) {
      it(`replies and events behind it wait for it: they are delivered in wire order (${mode} reads)`, async () => {
        const w = new XdrWriter();
        // On the wire: an event, the big reply, an event, the reply to a second call.
        const daemon = new FakeDaemon((call, d) => {
          if (call.header.proc === proc.proc) {
            call.socket.write(Buffer.concat([lifecycle(w, 'before'), d.reply(call, proc.ret, ret as never), lifecycle(w, 'after')]));
          } else {
            call.socket.write(d.reply(call, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 1n }));
          }
        });
        const port = await daemon.listen();
        const engine = mode === 'direct' ? new RpcEngine((await openTcp('127.0.0.1', port, { directRead: true })).stream) : await engineTo(port);
        try {
          const events: string[] = [];
          const replies: string[] = [];
          engine.setHandler(REMOTE_PROGRAM, (m) => {
            // readingHeld: the engine holds the socket while a body decodes in slices.
            events.push(`${(m.value as { dom: { name: string } }).dom.name}${engine.readingHeld ? ' (during the decode)' : ''}`);
          });
          const big = engine.call(proc, { doms: [], stats: 0, flags: 0 }).then((v) => replies.push(`big (${v.retStats.length} domains)`));
          const small = engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined).then(() => replies.push('second'));
          await Promise.all([big, small]);
          expect(events).to.deep.equal(['before', 'after']);
          expect(replies).to.deep.equal([`big (${ndom} domains)`, 'second']);
        } finally {
          engine.close();
          await daemon.close();
        }
      });
    }

    it('a connection that closes while a big reply decodes rejects it with the close error', async () => {
      const daemon = new FakeDaemon((call, d) => call.socket.write(d.reply(call, proc.ret, ret as never)));
      const port = await daemon.listen();
      const engine = new RpcEngine((await openTcp('127.0.0.1', port, { directRead: true })).stream);
      try {
        const pending = engine.call(proc, { doms: [], stats: 0, flags: 0 });
        // Close as soon as the reply has started decoding (the engine then holds the socket).
        for (let i = 0; i < 100_000 && !engine.readingHeld; i++) await new Promise((r) => setImmediate(r));
        expect(engine.readingHeld, 'the reply is decoding').to.equal(true);
        engine.close();
        const e = await rejection(pending);
        expect(e.code).to.equal(VIR_ERR_INTERNAL_ERROR);
        expect(e.message).to.match(/client socket is closed/);
      } finally {
        engine.close();
        await daemon.close();
      }
    });
  });

  describe('what the peer can make the client remember or print', () => {
    it(`timed-out calls' serials are remembered up to ${MAX_ABANDONED_SERIALS}, the oldest forgotten`, async () => {
      const daemon = new FakeDaemon(() => undefined);
      const engine = await engineTo(await daemon.listen());
      try {
        const n = MAX_ABANDONED_SERIALS + 500;
        const calls = Array.from({ length: n }, () => rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined, { timeout: 1 })));
        for (const e of await Promise.all(calls)) expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
        expect((engine as unknown as { abandoned: Set<number> }).abandoned.size).to.equal(MAX_ABANDONED_SERIALS);
      } finally {
        engine.close();
        await daemon.close();
      }
    });

    it('10,000 unknown messages print at most a burst of warnings; all are counted', async () => {
      const w = new XdrWriter();
      const msg = encodePacket(w, { prog: 0x1234, vers: 1, proc: 1, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK });
      const daemon = new FakeDaemon((call, d) => {
        call.socket.write(Buffer.concat(Array.from({ length: 10_000 }, () => msg)));
        call.socket.write(d.reply(call, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 1n }));
      });
      const engine = await engineTo(await daemon.listen());
      const lines: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const text = String(chunk);
        if (text.includes('dropping unhandled packet')) lines.push(text);
        else return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
        return true;
      }) as typeof process.stderr.write;
      try {
        await engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined);
      } finally {
        process.stderr.write = write;
        engine.close();
        await daemon.close();
      }
      expect(engine.unhandledMessages).to.equal(10_000);
      expect(lines.length).to.be.within(1, 10);
    });

    it('a closed engine refuses new calls with VIR_ERR_INTERNAL_ERROR', async () => {
      const daemon = new FakeDaemon(() => undefined);
      const engine = await engineTo(await daemon.listen());
      engine.close();
      expect((await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined))).code).to.equal(VIR_ERR_INTERNAL_ERROR);
      await daemon.close();
    });
  });
});

/** connect() over TCP to a raw peer on 127.0.0.1. */
async function FakeConnect(port: number, options: { timeout?: number; keepAlive?: false | { interval: number; count: number } } = {}): Promise<unknown> {
  const { connect } = await import('../../src/api/open.js');
  return connect(`test+tcp://127.0.0.1:${port}/default`, { keepAlive: false, ...options });
}
