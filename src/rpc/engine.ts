import type { Duplex } from 'node:stream';
import { LibvirtError, clientError } from '../errors/errors.js';
import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_ABORTED,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_ERR_RPC,
  VIR_ERR_SYSTEM_ERROR,
  VIR_FROM_RPC,
} from '../apixml/generated/constants.js';
import { dec_virNetMessageError } from '../protocol/generated/virnet.js';
import { BusyPoll, badBusyPoll } from './busy-poll.js';
import { getLogger, LogPriority } from '../util/log.js';
import {
  DirectPacketReader,
  FramingError,
  MAX_PACKET,
  type MessageHeader,
  type Packet,
  PacketSplitter,
  VIR_NET_CALL,
  VIR_NET_CONTINUE,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_REPLY,
  VIR_NET_REPLY_WITH_FDS,
  VIR_NET_STREAM,
  VIR_NET_STREAM_HOLE,
  decodePacket,
  encodePacket,
  streamDataSerial,
} from '../protocol/framing.js';
import type { ProcedureInfo } from '../protocol/procedure.js';
import { StreamChannel, type StreamMessage, type StreamSink, streamMessage } from './stream-channel.js';
import { findProcedure } from '../protocol/programs.js';
import { type Codec, XdrError, XdrReader, XdrWriter } from '../protocol/xdr/index.js';
import { DirectRead } from '../transport/socket.js';
import { TransportEndOfFile } from '../transport/transport.js';

const log = getLogger('rpc.engine');

/**
 * Bytes waiting to be written past which the peer is taken to have stopped reading: the connection
 * closes with VIR_ERR_RPC (two maximum-size packets; a bulk producer waits for drain long before).
 */
export const MAX_OUTGOING_BYTES = 2 * (32 * 1024 * 1024 + 4);
/** Serials of timed-out or aborted calls remembered so their late replies are dropped quietly; the oldest are forgotten past this. */
export const MAX_ABANDONED_SERIALS = 4096;
/** Milliseconds close() waits for the peer to end its side before destroying the socket. */
export const CLOSE_GRACE_MS = 1000;
/**
 * Reply and message bodies above this many bytes whose type holds arrays are decoded a slice at a
 * time, the event loop running between slices (bench/big-reply: one 32 MiB reply of typed
 * parameters blocked it for 0.2-1 s in one go). Below it a body decodes in a few milliseconds.
 */
export const SLICED_DECODE_BYTES = 256 * 1024;
/** Milliseconds of decoding per slice. */
export const DECODE_SLICE_MS = 4;
/** What holds the socket's reading while a body decodes in slices (stream serials are uint32). */
const HELD_BY_DECODING = -1;
/** At most this many warnings about unexpected packets per LOG_WINDOW_MS; the rest are counted and summarised. */
const LOG_BURST = 10;
const LOG_WINDOW_MS = 10_000;

/**
 * One encoding buffer for every engine of the process: encodePacket copies each packet out of it,
 * and a per-connection buffer cost 64 KiB per idle connection (bench/load). After a packet of more
 * than 1 MiB it is replaced, so one large call does not pin its size; an encode that starts inside
 * another (an argument's getter making a call) gets a buffer of its own.
 */
const WRITER_SIZE = 64 * 1024;
const WRITER_KEEP_MAX = 1024 * 1024;
let sharedWriter = new XdrWriter(WRITER_SIZE);
let sharedWriterBusy = false;

function encodeShared(header: MessageHeader, body?: (w: XdrWriter) => void): Buffer {
  if (sharedWriterBusy) return encodePacket(new XdrWriter(WRITER_SIZE), header, body);
  sharedWriterBusy = true;
  try {
    return encodePacket(sharedWriter, header, body);
  } finally {
    sharedWriterBusy = false;
    if (sharedWriter.buf.length > WRITER_KEEP_MAX) sharedWriter = new XdrWriter(WRITER_SIZE);
  }
}

let observer: ((procedure: string, ok: boolean) => void) | null = null;

/**
 * Hears the name of every procedure a daemon answered (with a result or an error), on every
 * connection of the process. The API coverage report uses it to see which procedures the
 * integration tests exercised against a real libvirtd.
 */
export function setProcedureObserver(fn: ((procedure: string, ok: boolean) => void) | null): void {
  observer = fn;
}

/** Why a connection closed, as virConnectCloseReason: ERROR, EOF, KEEPALIVE, CLIENT. */
export type CloseReason = 'error' | 'eof' | 'keepalive' | 'client';

/**
 * A MESSAGE packet of the server (an event, a keepalive PING), its body decoded with its
 * procedure's message codec. `body` may be a view of a reused read buffer: it is valid only while
 * the handler runs (copy it to keep it); `value` is the handler's to keep.
 */
export interface ServerMessage extends Packet {
  readonly proc: ProcedureInfo;
  /** The decoded body (undefined for a procedure whose message has none). */
  readonly value: unknown;
}

/**
 * Receives the server's MESSAGE packets of one program. Returning false means "not mine": the
 * message is then counted and logged as unhandled.
 */
export type MessageHandler = (message: ServerMessage) => boolean | void;

export type { StreamSink } from './stream-channel.js';

/** A body decoded, or why it did not. */
type Decoded = { ok: true; value: unknown } | { ok: false; error: unknown };

interface PendingCall {
  serial: number;
  proc: ProcedureInfo;
  resolve: (v: unknown) => void;
  reject: (e: LibvirtError) => void;
  started: number;
  timer: NodeJS.Timeout | null;
  /** Removes the AbortSignal listener. */
  unlisten?: () => void;
}

/** Per-call options: the last argument of every method. */
export interface CallOptions {
  /** Reject with VIR_ERR_OPERATION_TIMEOUT after this many ms (the reply, if it comes, is dropped). */
  timeout?: number;
  /**
   * Abort the call: it rejects at once with VIR_ERR_OPERATION_ABORTED (`cause`: the signal's
   * reason), a late reply is dropped and the connection stays usable. An already aborted signal
   * rejects without sending anything.
   */
  signal?: AbortSignal;
}

/** The error of a call given up through its AbortSignal. */
export function abortError(what: string, signal: AbortSignal): LibvirtError {
  return clientError(VIR_ERR_OPERATION_ABORTED, VIR_FROM_RPC, `${what} was aborted`, signal.reason);
}

/**
 * The RPC call engine on one byte stream: serial numbers, any number of calls in flight, replies
 * matched by serial and checked against program/procedure, error replies as LibvirtError, and
 * every other packet handed to a registered handler. When the stream ends or fails every pending
 * call rejects at once.
 */
export class RpcEngine {
  private readonly pending = new Map<number, PendingCall>();
  // The tables below are made when first needed: an idle connection that never had a stream, a
  // timed-out call or a held socket holds none (memory per connection, bench/load).
  /** Serials of calls that timed out: their late replies are expected and dropped. */
  private abandoned: Set<number> | null = null;
  private readonly handlers = new Map<number, MessageHandler>();
  private streams: Map<number, StreamSink> | null = null;
  /** Serials of streams that ended: their late packets (data in flight, an error reply) are dropped quietly, as libvirt's client does. */
  private endedStreams: Set<number> | null = null;
  /** Streams whose reader is full: while any is, the socket is not read (TCP then slows the daemon). */
  private readingHeldBy: Set<number> | null = null;
  private layer: { encode(plain: Buffer): Buffer; decode(wire: Buffer): Buffer[] } | null = null;
  private readonly splitter: PacketSplitter;
  /** On a socket opened with `directRead` (unix, tcp): packets are read straight into their buffers. */
  private readonly direct: DirectPacketReader | null = null;
  private serial = 0;
  /**
   * Why it closed, made only when something needs it: a client's close() or the socket's end
   * after it costs no error object (its stack) unless a call or stream is there to hear it.
   */
  private closeErrorValue: LibvirtError | (() => LibvirtError) | null = null;
  private closeListeners: ((reason: CloseReason, err: LibvirtError | null) => void)[] = [];
  /** Packets that arrived with nobody to take them (counted and logged, never silently lost). */
  unhandledMessages = 0;
  /** MESSAGE packets whose body did not decode (counted and logged; the connection goes on). */
  malformedMessages = 0;
  /** performance.now() when bytes last arrived from the server (keepalive measures silence from it). */
  lastReceived = performance.now();
  private closeReasonValue: CloseReason | null = null;
  private logWindow = { start: -Infinity, count: 0, suppressed: 0 };
  /** True while a body decodes in slices: packets behind it wait in `held`, in wire order. */
  private slicing = false;
  private readonly held: { item: Buffer | Buffer[]; whole: boolean }[] = [];
  private busyPoll: BusyPoll | null = null;

  constructor(private readonly stream: Duplex) {
    this.splitter = new PacketSplitter(
      (p) => this.arrived(p, true),
      (pieces) => this.arrived(pieces, true),
    );
    const onChunk = (chunk: Buffer): void => {
      if (this.closed) return;
      this.lastReceived = performance.now();
      this.guarded(() => {
        if (this.layer) for (const plain of this.layer.decode(chunk)) this.splitter.push(plain);
        else this.splitter.push(chunk);
      });
    };
    const directRead = DirectRead.of(stream);
    if (directRead) {
      // A packet the direct reader owns is a buffer of its own: a stream may recycle it.
      const direct = new DirectPacketReader(
        (p, owned) => this.arrived(p, owned, owned),
        (head, length) => this.streamBuffer(head, length),
      );
      this.direct = direct;
      let viaLayer: Buffer | null = null;
      let given: Buffer;
      directRead.attach({
        // Under a SASL security layer the bytes are decoded before framing: they are copied out
        // of the read buffer for the layer and the splitter.
        nextBuffer: () => (given = this.layer ? (viaLayer ??= Buffer.allocUnsafeSlow(64 * 1024)) : direct.nextBuffer()),
        received: (n) => {
          if (this.layer) {
            onChunk(Buffer.from(given.subarray(0, n)));
            return;
          }
          if (this.closed) return;
          this.lastReceived = performance.now();
          this.guarded(() => direct.received(n));
        },
      });
    } else {
      stream.on('data', onChunk);
    }
    stream.on('end', () => {
      if (this.closed) return;
      const pending = this.splitter.pending + (this.direct?.pending ?? 0);
      const truncated = pending > 0 ? ` (${pending} bytes of a truncated packet)` : '';
      this.fail(clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, `End of file while reading data: Input/output error${truncated}`), 'eof');
    });
    stream.on('error', (e: Error) => {
      // A transport that already knows libvirt's error for its failure (a command's stderr at end
      // of file, ...) passes it on as is.
      if (e instanceof TransportEndOfFile) {
        this.fail(e.error, 'eof');
        return;
      }
      if (e instanceof LibvirtError) {
        this.fail(e, 'error');
        return;
      }
      this.fail(clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, `Cannot recv data: ${e.message}`, e), 'error');
    });
    stream.on('close', () => {
      this.fail(() => clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, 'End of file while reading data: Input/output error'), 'eof');
    });
  }

  get closed(): boolean {
    return this.closeReasonValue !== null;
  }

  private get closeError(): LibvirtError | null {
    const v = this.closeErrorValue;
    if (typeof v !== 'function') return v;
    const err = v();
    this.closeErrorValue = err;
    return err;
  }

  /** Why the connection closed (null while open). */
  get closeReason(): CloseReason | null {
    return this.closeReasonValue;
  }

  /** The error pending calls were rejected with when the connection closed (null while open). */
  get closedWith(): LibvirtError | null {
    return this.closeError;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Busy polling while calls are in flight or streams open (see BusyPoll): keep the event loop
   * turning for up to `micros` µs after each call sent and each reply or stream packet received;
   * 0 turns it off (the default).
   */
  setBusyPoll(micros: number): void {
    const bad = badBusyPoll(micros);
    if (bad) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, bad);
    this.busyPoll = micros > 0 ? new BusyPoll(micros, () => (this.pending.size > 0 || (this.streams?.size ?? 0) > 0) && !this.closed) : null;
  }

  /** Routes packets of `program` that are not replies to our calls (MESSAGE, STREAM, server CALL). */
  setHandler(program: number, handler: MessageHandler | null): void {
    if (handler) this.handlers.set(program, handler);
    else this.handlers.delete(program);
  }

  onClose(listener: (reason: CloseReason, err: LibvirtError | null) => void): void {
    this.closeListeners.push(listener);
  }

  /** Calls a procedure and resolves to its decoded reply (undefined for a void reply). */
  call<A, R>(proc: ProcedureInfo<A, R, unknown>, args: A, options?: CallOptions): Promise<R> {
    if (this.closed) return Promise.reject(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 'client socket is closed'));
    return this.callWithSerial(proc, args, this.nextSerial(), options);
  }

  /**
   * Calls a procedure that opens a stream (@readstream / @writestream). The sink is registered
   * under the call's serial before the call leaves, so no early data is missed; `onChannel` gets
   * what the stream sends its own packets through.
   */
  callWithStream<A, R>(proc: ProcedureInfo<A, R, unknown>, args: A, sink: StreamSink, onChannel: (channel: StreamChannel) => void, options?: CallOptions): Promise<R> {
    if (this.closed) return Promise.reject(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 'client socket is closed'));
    const serial = this.nextSerial();
    (this.streams ??= new Map()).set(serial, sink);
    onChannel(new StreamChannel(this, proc, serial));
    return this.callWithSerial(proc, args, serial, options).catch((e: LibvirtError) => {
      this.streams?.delete(serial);
      sink.onClose(e);
      throw e;
    });
  }

  /** The stream of `serial` is over: its packets are no longer routed, and those still on the way are dropped quietly. */
  endStream(serial: number): void {
    if (!this.streams?.delete(serial)) return;
    const ended = (this.endedStreams ??= new Set());
    ended.add(serial);
    if (ended.size > MAX_ABANDONED_SERIALS) ended.delete(ended.values().next().value!);
    this.direct?.forgetGuess();
    this.releaseReading(serial);
  }

  /**
   * Backpressure for a stream whose reader is behind: the socket is no longer read until every
   * stream that holds it releases it. Replies, events and keepalive wait behind the stream's data.
   */
  holdReading(serial: number): void {
    if (this.closed) return;
    const held = (this.readingHeldBy ??= new Set());
    if (held.has(serial)) return;
    held.add(serial);
    if (held.size === 1) this.stream.pause();
  }

  releaseReading(serial: number): void {
    if (!this.readingHeldBy?.delete(serial) || this.readingHeldBy.size > 0 || this.closed) return;
    this.stream.resume();
  }

  /** True while a stream's reader holds the socket (keepalive then does not take the silence for a dead peer). */
  get readingHeld(): boolean {
    return (this.readingHeldBy?.size ?? 0) > 0;
  }

  private callWithSerial<A, R>(proc: ProcedureInfo<A, R, unknown>, args: A, serial: number, options?: CallOptions): Promise<R> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortError(proc.name, signal));
    let packet: Buffer;
    try {
      packet = encodeShared({ prog: proc.program, vers: proc.version, proc: proc.proc, type: VIR_NET_CALL, serial, status: VIR_NET_OK }, proc.args ? (w) => proc.args!.encode(w, args) : undefined);
    } catch (e) {
      if (e instanceof XdrError) return Promise.reject(clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, `invalid argument to ${proc.name}: ${e.message}`, e));
      if (e instanceof FramingError) return Promise.reject(clientError(VIR_ERR_RPC, VIR_FROM_RPC, `${proc.name}: ${e.message}`, e));
      return Promise.reject(toError(e));
    }
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = { serial, proc, resolve: resolve as (v: unknown) => void, reject, started: performance.now(), timer: null };
      if (options?.timeout !== undefined) {
        call.timer = setTimeout(() => this.giveUp(call, clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `${proc.name} timed out after ${options.timeout} ms`)), options.timeout);
      }
      if (signal) {
        const onAbort = (): void => this.giveUp(call, abortError(proc.name, signal));
        signal.addEventListener('abort', onAbort, { once: true });
        call.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(serial, call);
      this.write(packet);
      this.busyPoll?.progress();
    });
  }

  /** Sends a MESSAGE of a procedure (keepalive PING/PONG), its body encoded with the procedure's message codec. */
  sendMessage<M>(proc: ProcedureInfo<unknown, unknown, M>, value?: M): void {
    const codec = proc.message;
    this.send({ prog: proc.program, vers: proc.version, proc: proc.proc, type: VIR_NET_MESSAGE, status: VIR_NET_OK }, codec ? (w) => codec.encode(w, value as M) : undefined);
  }

  /**
   * A stream's data packet. On a plain socket the header and `data` go out in one writev, `data`
   * uncopied: it must stay as it is until `written` is called. Under TLS (one record per packet,
   * see the README) or a SASL layer they are copied into one buffer first.
   */
  sendData(header: MessageHeader, data: Uint8Array, written?: (err?: Error | null) => void): void {
    if (this.closed) throw this.closeError!;
    const head = encodeShared(header);
    const length = head.length + data.length;
    if (length > MAX_PACKET) throw new FramingError(`packet of ${length} bytes exceeds libvirt's maximum of ${MAX_PACKET} bytes`);
    head.writeUInt32BE(length, 0);
    if (this.layer || (this.stream as { encrypted?: boolean }).encrypted) {
      const packet = Buffer.allocUnsafeSlow(length);
      head.copy(packet, 0);
      packet.set(data, head.length);
      this.write(packet, written);
      return;
    }
    this.stream.cork();
    this.stream.write(head);
    this.write(data, written);
    this.stream.uncork();
  }

  /** Sends a packet that expects no reply (a stream channel's packets, sendMessage). */
  send(header: Omit<MessageHeader, 'serial'> & { serial?: number }, body?: (w: XdrWriter) => void): void {
    if (this.closed) throw this.closeError!;
    this.write(encodeShared({ ...header, serial: header.serial ?? 0 }, body));
  }

  /**
   * Packets go straight to the socket. Measured against gathering a tick's packets into one
   * writev, this is as fast for one call at a time and faster pipelined: libvirtd starts on each
   * call sooner (bench/rpc). Node queues what the socket cannot take yet; see needsDrain.
   */
  private write(packet: Uint8Array, written?: (err?: Error | null) => void): void {
    this.stream.write(this.layer ? this.layer.encode(packet as Buffer) : packet, written);
    if (this.stream.writableLength > MAX_OUTGOING_BYTES) {
      this.fail(clientError(VIR_ERR_RPC, VIR_FROM_RPC, `the daemon stopped reading: ${this.stream.writableLength} bytes are waiting to be sent`), 'error');
    }
  }

  /**
   * A SASL security layer (DIGEST-MD5 auth-int/auth-conf): from now on every byte written is
   * encoded by it and every byte read is decoded by it before framing.
   */
  setSecurityLayer(layer: { encode(plain: Buffer): Buffer; decode(wire: Buffer): Buffer[] }): void {
    this.layer = layer;
  }

  /** True while the socket has more queued than it wants; producers of bulk data should wait for drain. */
  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  waitDrain(): Promise<void> {
    if (!this.stream.writableNeedDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  /** A call gave up on its reply: remember its serial (boundedly) so a late reply is dropped quietly. */
  private abandon(serial: number): void {
    const abandoned = (this.abandoned ??= new Set());
    abandoned.add(serial);
    if (abandoned.size > MAX_ABANDONED_SERIALS) abandoned.delete(abandoned.values().next().value!);
  }

  private nextSerial(): number {
    do {
      this.serial = (this.serial + 1) >>> 0;
    } while (this.pending.has(this.serial) || this.abandoned?.has(this.serial) || this.streams?.has(this.serial) || this.endedStreams?.has(this.serial));
    return this.serial;
  }

  /** Runs `fn`; what it throws is the peer's fault or a handler's, and closes the connection. */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e instanceof FramingError ? clientError(VIR_ERR_RPC, VIR_FROM_RPC, e.message) : toError(e), 'error');
    }
  }

  /**
   * A whole packet (or a stream packet's pieces): handled now, or queued behind a body that is
   * decoding in slices. A packet not `owned` is a view of a reused buffer, valid only now: what
   * keeps it (the queue, a stream's reader) copies it. A `whole` packet is a buffer that spans
   * its own ArrayBuffer (the direct reader's large packets), which a stream may recycle.
   */
  private arrived(item: Buffer | Buffer[], owned: boolean, whole = false): void {
    if (this.closed) return;
    if (this.slicing) this.held.push({ item: owned || Array.isArray(item) ? item : Buffer.from(item), whole });
    else if (Array.isArray(item)) this.onPacketPieces(item);
    else this.onPacket(item, owned, whole);
  }

  /**
   * The direct reader's question for a large packet whose header is in: the buffer its stream
   * got back from its reader, if it is a data packet of a stream that has one.
   */
  private streamBuffer(head: Buffer, length: number): Buffer | null {
    // A bad header fails the connection once the packet is in, as it always did.
    const serial = this.closed ? null : streamDataSerial(head);
    return serial === null ? null : (this.streams?.get(serial)?.bufferFor?.(length) ?? null);
  }

  /** Decodes one body with `codec` (null: an empty body), in slices if it is large; `then` hears the outcome. */
  private decodeBody(codec: Codec<unknown> | null | undefined, r: XdrReader, where: string, then: (d: Decoded) => void): void {
    // Bodies this large are always in buffers of their own (OWN_BUFFER_MIN), which slicing needs.
    if (codec?.decodeSliced && r.remaining > SLICED_DECODE_BYTES) {
      this.decodeInSlices(codec.decodeSliced(r), r, where, then);
      return;
    }
    let value: unknown;
    try {
      value = codec ? codec.decode(r) : undefined;
      r.done(where);
    } catch (error) {
      then({ ok: false, error });
      return;
    }
    then({ ok: true, value });
  }

  /**
   * Runs a sliced decoder DECODE_SLICE_MS at a time with a turn of the event loop between slices.
   * Meanwhile the socket is not read and packets already split off wait in `held`, so replies,
   * events and stream data still reach their owners in wire order. If the connection closes
   * meanwhile, `then` hears the close error.
   */
  private decodeInSlices(gen: Generator<void, unknown, void>, r: XdrReader, where: string, then: (d: Decoded) => void): void {
    this.slicing = true;
    this.holdReading(HELD_BY_DECODING);
    const step = (): void => {
      let outcome: Decoded | null = null;
      if (this.closed) outcome = { ok: false, error: this.closeError! };
      else {
        const deadline = performance.now() + DECODE_SLICE_MS;
        try {
          for (;;) {
            const next = gen.next();
            if (next.done) {
              r.done(where);
              outcome = { ok: true, value: next.value };
              break;
            }
            if (performance.now() >= deadline) break;
          }
        } catch (error) {
          outcome = { ok: false, error };
        }
      }
      if (!outcome) {
        setImmediate(step);
        return;
      }
      this.slicing = false;
      this.releaseReading(HELD_BY_DECODING);
      this.guarded(() => then(outcome));
      this.guarded(() => this.handleHeld());
    };
    step();
  }

  /** The packets that waited behind a sliced decode, in order, until another one starts slicing. */
  private handleHeld(): void {
    while (this.held.length > 0 && !this.slicing && !this.closed) {
      const { item, whole } = this.held.shift()!;
      this.arrived(item, true, whole);
    }
  }

  /** A packet that came in several socket chunks: a stream's data goes on as those pieces (no copy); anything else is joined. */
  private onPacketPieces(pieces: Buffer[]): void {
    const first = decodePacket(pieces[0]!);
    const h = first.header;
    const sink = h.type === VIR_NET_STREAM && h.status === VIR_NET_CONTINUE ? this.streams?.get(h.serial) : undefined;
    if (!sink) {
      this.onPacket(Buffer.concat(pieces), true);
      return;
    }
    for (let i = 0; i < pieces.length; i++) {
      const data = i === 0 ? first.body : pieces[i]!;
      if (data.length) sink.onMessage({ kind: 'data', data });
    }
  }

  private onPacket(raw: Buffer, owned: boolean, whole = false): void {
    const packet = decodePacket(raw);
    const h = packet.header;
    if (h.type === VIR_NET_STREAM || h.type === VIR_NET_STREAM_HOLE) {
      const sink = this.streams?.get(h.serial);
      if (sink) {
        // The one copy of a small data packet read into the scratch buffer; large ones are the reader's as they are.
        this.toStream(sink, owned || packet.body.length === 0 ? packet : { header: h, body: Buffer.from(packet.body) }, whole ? raw : undefined);
        return;
      }
      if (this.endedStreams?.has(h.serial)) return;
    }
    // libvirt's client takes REPLY_WITH_FDS as a REPLY whose body starts with the number of
    // descriptors passed beside it (virNetMessageDecodeNumFDs).
    if (h.type === VIR_NET_REPLY || h.type === VIR_NET_REPLY_WITH_FDS) {
      const call = this.pending.get(h.serial);
      if (!call) {
        if (this.abandoned?.delete(h.serial)) return;
        const sink = this.streams?.get(h.serial);
        if (sink) {
          // An error reply to a stream's finish or abort.
          this.toStream(sink, packet);
          return;
        }
        if (this.endedStreams?.has(h.serial)) return;
        throw new FramingError(`no call waiting for reply with prog ${h.prog} vers ${h.vers} serial ${h.serial}`);
      }
      if (h.prog !== call.proc.program || h.vers !== call.proc.version || h.proc !== call.proc.proc) {
        throw new FramingError(`reply to serial ${h.serial} is for prog ${h.prog} vers ${h.vers} proc ${h.proc}, expected ${call.proc.name}`);
      }
      this.release(call);
      this.busyPoll?.progress();
      this.settle(call, packet);
      return;
    }
    const handler = h.type === VIR_NET_MESSAGE ? this.handlers.get(h.prog) : undefined;
    const proc = handler ? findProcedure(h.prog, h.proc) : undefined;
    if (handler && proc) {
      this.decodeBody(proc.message, new XdrReader(packet.body), proc.name, (d) => {
        if (!d.ok) {
          if (d.error === this.closeError) return;
          // A malformed message is the server's fault; the connection can go on.
          this.malformedMessages++;
          this.warnLimited(`cannot decode ${proc.name}: ${d.error instanceof XdrError ? d.error.message : String(d.error)}`);
          return;
        }
        if (handler({ ...packet, proc, value: d.value }) !== false) {
          if (observer) observer(proc.name, true);
          return;
        }
        this.unhandled(packet);
      });
      return;
    }
    this.unhandled(packet);
  }

  private unhandled(packet: Packet): void {
    const h = packet.header;
    this.unhandledMessages++;
    this.warnLimited(`dropping unhandled packet prog=0x${h.prog.toString(16)} vers=${h.vers} proc=${h.proc} type=${h.type} serial=${h.serial} (${packet.body.length} bytes): no handler registered`);
  }

  /** A warning about something the peer sent: at most LOG_BURST per window, then one summary line. */
  private warnLimited(message: string): void {
    const now = performance.now();
    if (now - this.logWindow.start >= LOG_WINDOW_MS) {
      if (this.logWindow.suppressed) log.warn(`${this.logWindow.suppressed} more warnings about unexpected packets were suppressed`);
      this.logWindow = { start: now, count: 0, suppressed: 0 };
    }
    if (this.logWindow.count++ < LOG_BURST) log.warn(message);
    else this.logWindow.suppressed++;
  }

  private toStream(sink: StreamSink, packet: Packet, whole?: Buffer): void {
    this.busyPoll?.progress();
    let message: StreamMessage | null;
    try {
      message = streamMessage(packet, whole);
    } catch (e) {
      message = { kind: 'error', error: e instanceof XdrError ? clientError(VIR_ERR_RPC, VIR_FROM_RPC, `cannot decode stream packet: ${e.message}`, e) : toError(e) };
    }
    if (message) sink.onMessage(message);
  }

  /** A timeout or an abort: the call rejects now and its late reply, if any, is dropped. */
  private giveUp(call: PendingCall, err: LibvirtError): void {
    if (this.pending.get(call.serial) !== call) return;
    this.release(call);
    this.abandon(call.serial);
    call.reject(err);
  }

  /** The call is no longer pending: its timer and abort listener go. */
  private release(call: PendingCall): void {
    this.pending.delete(call.serial);
    if (call.timer) clearTimeout(call.timer);
    call.unlisten?.();
  }

  private settle(call: PendingCall, packet: Packet): void {
    const h = packet.header;
    const r = new XdrReader(packet.body);
    if (h.type === VIR_NET_REPLY_WITH_FDS) {
      let nfds: number;
      try {
        nfds = r.uint('numFDs');
      } catch (e) {
        call.reject(clientError(VIR_ERR_RPC, VIR_FROM_RPC, `cannot decode reply to ${call.proc.name}: ${(e as Error).message}`, e));
        return;
      }
      if (nfds > 0 && h.status === VIR_NET_OK) {
        call.reject(clientError(VIR_ERR_NO_SUPPORT, VIR_FROM_RPC, `${call.proc.name}: the daemon passed ${nfds} file descriptor(s) with its reply, which a pure-JavaScript client cannot receive`));
        return;
      }
    }
    if (observer) observer(call.proc.name, h.status === VIR_NET_OK);
    const decodeError = (e: unknown): LibvirtError =>
      e instanceof XdrError ? clientError(VIR_ERR_RPC, VIR_FROM_RPC, `cannot decode reply to ${call.proc.name}: ${e.message}`, e) : toError(e);
    if (h.status === VIR_NET_OK) {
      const ret = call.proc.ret as Codec<unknown> | null | undefined;
      this.decodeBody(ret, r, ret?.name ?? `${call.proc.name} reply`, (d) => this.complete(call, h, d.ok ? d.value : undefined, d.ok ? null : decodeError(d.error)));
      return;
    }
    let error: LibvirtError;
    try {
      if (h.status === VIR_NET_ERROR) {
        const e = dec_virNetMessageError(r);
        error = new LibvirtError({ ...e, message: e.message });
      } else {
        error = clientError(VIR_ERR_RPC, VIR_FROM_RPC, `unexpected reply status ${h.status} for ${call.proc.name}`);
      }
    } catch (e) {
      error = decodeError(e);
    }
    this.complete(call, h, undefined, error);
  }

  private complete(call: PendingCall, h: MessageHeader, value: unknown, error: LibvirtError | null): void {
    if (log.enabled(LogPriority.DEBUG)) {
      const outcome = error ? `failed: ${error.message}` : 'ok';
      log.debug(`call prog=0x${h.prog.toString(16)} proc=${call.proc.name} serial=${h.serial} ${outcome} in ${(performance.now() - call.started).toFixed(3)} ms`);
    }
    if (error) call.reject(error);
    else call.resolve(value);
  }

  /** Closes the connection from our side: pending calls reject, the stream ends. */
  close(): void {
    this.fail(() => clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 'client socket is closed'), 'client');
    this.stream.end();
    // The goodbye: the peer has a moment to end its side; a peer that never does is cut off, so
    // nothing keeps the process alive after close().
    if (!this.stream.destroyed) {
      const timer = setTimeout(() => this.stream.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      this.stream.once('close', () => clearTimeout(timer));
    }
  }

  /** Gives up on the connection (an open that took too long): pending calls reject with `err`, the reason is ERROR. */
  abort(err: LibvirtError): void {
    this.fail(err, 'error');
  }

  /** The peer stopped answering keepalive PINGs: closes with reason KEEPALIVE. */
  closeOnKeepaliveTimeout(): void {
    this.fail(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 'connection closed due to keepalive timeout'), 'keepalive');
  }

  /** Tears down with `err`: every pending call rejects at once and close listeners hear why. */
  private fail(err: LibvirtError | (() => LibvirtError), reason: CloseReason): void {
    if (this.closed) return;
    this.closeErrorValue = err;
    this.closeReasonValue = reason;
    if (log.enabled(LogPriority.DEBUG)) log.debug(`connection closed (${reason}): ${this.closeError!.message}`);
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const c of calls) {
      this.release(c);
      c.reject(this.closeError!);
    }
    this.readingHeldBy?.clear();
    this.held.length = 0;
    const sinks = this.streams ? [...this.streams.values()] : [];
    this.streams?.clear();
    for (const s of sinks) s.onClose(this.closeError!);
    if (reason !== 'client') this.stream.destroy();
    for (const l of this.closeListeners.splice(0)) {
      try {
        l(reason, reason === 'client' ? null : this.closeError);
      } catch (e) {
        log.error(`close listener threw: ${(e as Error).message}`);
      }
    }
  }
}

function toError(e: unknown): LibvirtError {
  if (e instanceof LibvirtError) return e;
  return clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, e instanceof Error ? e.message : String(e), e);
}
