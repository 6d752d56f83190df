// Mutation fuzzing of what a daemon's bytes reach: the generated XDR decoders, the framing
// (PacketSplitter, decodePacket) and the RPC engine, starting from real replies recorded from
// libvirtd (fixtures/*.json). Deterministic: a seed and an input index give the same input, and a
// failure carries the input in hex. Used by test/unit/fuzz.test.ts (fixed seed, bounded count)
// and `npm run fuzz -- --count N --seed S` (test/support/fuzz-cli.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { LibvirtError } from '../../src/errors/errors.js';
import { FramingError, PacketSplitter, VIR_NET_CALL, decodePacket } from '../../src/protocol/framing.js';
import type { ProcedureInfo } from '../../src/protocol/procedure.js';
import { PROGRAMS, findProcedure } from '../../src/protocol/programs.js';
import { type Codec, XdrError, XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { readConversation } from '../../src/transport/conversation.js';
import { configureLogging } from '../../src/util/log.js';
import { QEMU_PROGRAM } from '../../src/protocol/generated/qemu.js';
import { REMOTE_PROGRAM } from '../../src/protocol/generated/remote.js';

const root = new URL('../../..', import.meta.url).pathname;

/** A recorded call: the procedure and its arguments as the client sent them. */
export interface RecordedCall {
  proc: ProcedureInfo;
  args: unknown;
}

/** A recorded conversation: the calls the client made, in order, and the server's bytes. */
export interface Seed {
  name: string;
  calls: RecordedCall[];
  /** The server's packets, length word included. */
  replies: Buffer[];
}

/** Every fixture's conversation (fixtures/*.json). */
export function loadSeeds(dir = join(root, 'fixtures')): Seed[] {
  const seeds: Seed[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const c = readConversation(join(dir, file));
    const calls: RecordedCall[] = [];
    const replies: Buffer[] = [];
    for (const p of c.packets) {
      const raw = Buffer.from(p.data, 'base64');
      const { header: h, body } = decodePacket(raw);
      if (p.from === 'server') replies.push(raw);
      else if (h.type === VIR_NET_CALL && !p.redacted) {
        const proc = findProcedure(h.prog, h.proc);
        if (!proc) throw new Error(`${file}: unknown procedure ${h.prog}:${h.proc}`);
        calls.push({ proc, args: proc.args ? proc.args.decode(new XdrReader(body)) : undefined });
      }
    }
    seeds.push({ name: file, calls, replies });
  }
  return seeds;
}

/** mulberry32: small, fast, and the same on every machine. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Words that break length checks, signs and bounds. */
const INTERESTING = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 16384, 4194304, 33554432];

/**
 * One to four mutations of `packet`: bit flips, bytes, 32-bit words (aligned, where XDR puts its
 * lengths and discriminants) set to interesting values, truncation, extension, a slice repeated
 * or cut, a splice of another packet. Half the time the length word is fixed up afterwards, so
 * the mutation gets past the framing into the decoders (`framed`: `packet` starts with one).
 */
export function mutate(rng: Prng, packet: Buffer, others: readonly Buffer[], framed = true): Buffer {
  let b = Buffer.from(packet);
  for (let m = 1 + rng.int(4); m > 0; m--) {
    switch (rng.int(8)) {
      case 0:
        if (b.length) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      case 1:
        if (b.length) b[rng.int(b.length)] = rng.pick([0, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 2:
      case 3:
        if (b.length >= 4) b.writeUInt32BE(rng.pick(INTERESTING) >>> 0, rng.int(b.length >> 2) * 4);
        break;
      case 4:
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 5: {
        const extra = Buffer.alloc(1 + rng.int(64));
        for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256);
        b = Buffer.concat([b, extra]);
        break;
      }
      case 6: {
        const at = rng.int(b.length + 1);
        const len = rng.int(Math.min(64, b.length - at) + 1);
        b = rng.int(2) ? Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]) : Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
        break;
      }
      case 7: {
        const other = rng.pick(others);
        const from = rng.int(other.length + 1);
        const at = rng.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + rng.int(128))]);
        break;
      }
    }
  }
  if (framed && b.length >= 4 && rng.int(2)) b.writeUInt32BE(b.length, 0);
  return b;
}

/** A target found something it must never do; `input` reproduces it. */
export interface FuzzFailure {
  target: string;
  index: number;
  input: string;
  error: string;
}

/** Every codec of every program (arguments, replies, messages), for decoding bytes meant for another. */
const ALL_CODECS: Codec<unknown>[] = [...PROGRAMS.values()].flatMap((p) => [...p.byNumber.values()].flatMap((proc) => [proc.args, proc.ret, proc.message].filter((c): c is Codec<unknown> => c !== null)));

/**
 * The generated decoders: the body decodes or raises an XdrError, nothing else; and what decodes
 * encodes again to bytes that decode to the same value.
 */
export function fuzzDecoder(codec: Codec<unknown>, body: Buffer): string | null {
  let value: unknown;
  try {
    value = codec.decode(new XdrReader(body));
  } catch (e) {
    return e instanceof XdrError ? null : `${codec.name}: decode threw ${describe(e)}`;
  }
  try {
    const w = new XdrWriter(body.length + 64);
    codec.encode(w, value);
    const again = codec.decode(new XdrReader(w.bytes()));
    return isDeepStrictEqual(again, value) ? null : `${codec.name}: decode(encode(v)) differs from v`;
  } catch (e) {
    return `${codec.name}: a decoded value did not encode and decode again: ${describe(e)}`;
  }
}

/** The framing: a byte stream split anywhere yields packets or a FramingError, nothing else. */
export function fuzzFraming(rng: Prng, bytes: Buffer): string | null {
  const splitter = new PacketSplitter((p) => {
    if (p.readUInt32BE(0) !== p.length) throw new Error(`a packet of ${p.length} bytes says it has ${p.readUInt32BE(0)}`);
    if (decodePacket(p).body.length !== p.length - 28) throw new Error('packet and body lengths disagree');
  });
  try {
    for (let off = 0; off < bytes.length; ) {
      const n = 1 + rng.int(Math.max(1, bytes.length - off));
      splitter.push(bytes.subarray(off, off + n));
      off += n;
    }
  } catch (e) {
    return e instanceof FramingError ? null : `framing threw ${describe(e)}`;
  }
  return null;
}

/** A stand-in socket: writes are dropped, the test hands the engine its bytes directly. */
class FakeSocket extends Duplex {
  override _read(): void {}
  override _write(_c: Buffer, _e: BufferEncoding, cb: () => void): void {
    cb();
  }
}

/**
 * The engine: with the recorded calls pending, the (mutated) server bytes arrive in random chunks,
 * then end of file. Nothing may throw out of the engine, and every call must settle, with a value
 * or a LibvirtError.
 */
export async function fuzzEngine(rng: Prng, calls: readonly RecordedCall[], bytes: Buffer): Promise<string | null> {
  const socket = new FakeSocket();
  const engine = new RpcEngine(socket);
  // Events and other server messages are decoded by the engine before a handler takes them.
  for (const prog of [REMOTE_PROGRAM, QEMU_PROGRAM]) engine.setHandler(prog, () => true);
  let settled = 0;
  let wrong: string | null = null;
  const pending = calls.map(({ proc, args }) =>
    engine.call(proc, args).then(
      () => void settled++,
      (e: unknown) => {
        settled++;
        if (!(e instanceof LibvirtError)) wrong ??= `${proc.name} rejected with ${describe(e)}`;
      },
    ),
  );
  try {
    for (let off = 0; off < bytes.length && !engine.closed; ) {
      const n = 1 + rng.int(Math.max(1, bytes.length - off));
      socket.emit('data', bytes.subarray(off, off + n));
      off += n;
    }
    socket.emit('end');
  } catch (e) {
    return `engine threw ${describe(e)}`;
  }
  await Promise.all(pending);
  if (wrong) return wrong;
  if (settled !== calls.length) return `${calls.length - settled} calls never settled`;
  if (!engine.closed || engine.inFlight !== 0) return 'the engine is still open after end of file';
  return null;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

export interface FuzzReport {
  inputs: number;
  seconds: number;
  failures: FuzzFailure[];
}

/**
 * `count` inputs from `seed`, round-robin over the three targets, starting at input `from`. Input
 * i is built from a PRNG seeded with (seed, i), so one input can be replayed on its own.
 */
export async function fuzz(seeds: readonly Seed[], count: number, seed: number, maxFailures = 10, from = 0): Promise<FuzzReport> {
  const all = seeds.flatMap((s) => s.replies);
  const failures: FuzzFailure[] = [];
  const t0 = performance.now();
  // The engine's warnings about what the peer sent are the expected outcome here, by the thousand.
  configureLogging({ LIBVIRT_DEBUG: '4' });
  let i = from;
  try {
    for (; i < from + count && failures.length < maxFailures; i++) {
      const rng = new Prng(Math.imul(seed, 0x9e3779b1) ^ i);
      const s = rng.pick(seeds);
      let failure: string | null;
      let input: Buffer;
      switch (i % 3) {
        case 0: {
          // A reply's body for its own procedure's decoder, or for any other.
          const reply = rng.pick(s.replies);
          const proc = findProcedure(reply.readUInt32BE(4), reply.readUInt32BE(12));
          input = mutate(rng, reply.subarray(28), all, false);
          const codec = rng.int(2) && proc?.ret ? proc.ret : rng.pick(ALL_CODECS);
          failure = fuzzDecoder(codec, input);
          break;
        }
        case 1:
          input = Buffer.concat(s.replies.map((r) => (rng.int(3) ? r : mutate(rng, r, all))));
          failure = fuzzFraming(rng, input);
          break;
        default: {
          // One to three of the conversation's replies mutated, the rest as recorded.
          const hit = new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.int(s.replies.length)));
          input = Buffer.concat(s.replies.map((r, k) => (hit.has(k) ? mutate(rng, r, all) : r)));
          failure = await fuzzEngine(rng, s.calls, input);
        }
      }
      if (failure) failures.push({ target: ['decoders', 'framing', 'engine'][i % 3]!, index: i, input: input.toString('hex'), error: failure });
    }
  } finally {
    configureLogging();
  }
  return { inputs: i - from, seconds: (performance.now() - t0) / 1000, failures };
}
