import type { Duplex, Readable, Writable } from 'node:stream';
import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_ABORTED,
  VIR_ERR_OPERATION_FAILED,
  VIR_ERR_OPERATION_INVALID,
  VIR_FROM_STREAMS,
  VIR_STREAM_RECV_STOP_AT_HOLE,
} from '../apixml/generated/constants.js';
import { STREAM_CHUNK_MAX, type StreamChannel, type StreamMessage } from '../rpc/stream-channel.js';
import type { ApiTypes } from './api-types.js';
import { LibvirtError, clientError } from '../errors/errors.js';
import { type NodeStreamOptions, StreamDuplex, StreamReadable, StreamWritable } from './stream-node.js';

/** @inline */ type Connection = ApiTypes['Connection'];

/** Bytes of received data a stream queues for a slow reader before the socket stops being read. */
export const DEFAULT_STREAM_HIGH_WATER_MARK = 4 * 1024 * 1024;

export interface StreamOptions {
  /**
   * Bytes of received data queued for a reader that is behind (default 4 MiB). Past it the
   * connection stops reading its socket until the reader has taken half of them: TCP then slows
   * the daemon, and replies, events and keepalive on the same connection wait behind the data.
   */
  highWaterMark?: number;
}

export interface SignalOptions {
  /** Aborting it rejects with VIR_ERR_OPERATION_ABORTED (its `cause` is the signal's reason) and aborts the stream. */
  signal?: AbortSignal;
}

export interface RecvOptions extends SignalOptions {
  /**
   * Lend the chunk instead of giving it: it is valid only until the next receive call on this
   * stream (recv, recvFlags, recvHole, the next turn of a chunks() / sparseChunks() loop), after
   * which the stream may read another packet into the same memory. Copy what you keep. This is
   * virStreamRecv's shape (the caller's buffer is written again and again): a download then
   * reads into a few recycled buffers instead of a fresh 256 KiB one per packet, which spares the
   * garbage collector most of a download's CPU (unix and tcp connections; others read as before).
   */
  reuse?: boolean;
}

/** The most a chunk of chunks() / sparseChunks() holds (a packet's data is never split below it). */
const ITEM_MAX = STREAM_CHUNK_MAX * 4;

const noop = (): void => undefined;

/** Buffers a stream keeps for packets to be read into, once its reader gave them back (RecvOptions.reuse). */
export const STREAM_SPARE_BUFFERS = 2;

/** A hole of a sparse stream: `hole` bytes that read as zeros and need no storage. */
export interface StreamHole {
  hole: bigint;
}

/** Data, with the whole packet buffer it is a view of when that may be recycled once the reader gave it back. */
type Item = { data: Buffer; packet?: Buffer | undefined } | StreamHole;

/**
 * A data stream (virStreamPtr): made with `conn.newStream()`, handed to a method that opens a
 * stream (vol.download, vol.upload, dom.screenshot, dom.openConsole, ...), then read with recv() /
 * `for await` / toReadable() (or with lent chunks, `chunks({ reuse: true })`: see RecvOptions),
 * or written with send() / sendAll() / toWritable(), and ended with
 * finish() or abort(). Leaving a `for await` loop early, `await using`, and destroying a Node view
 * abort a stream that has not finished.
 *
 * Memory is bounded: at most `highWaterMark` bytes of received data wait for the reader (then the
 * socket is paused, see StreamOptions), and a stream that ends releases its buffers at once.
 */
export class Stream {
  private channel: StreamChannel | null = null;
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private readingPaused = false;
  private eof = false;
  private error: LibvirtError | null = null;
  private closed = false;
  /** finish() or abort() on its way: data that still arrives after an abort is dropped. */
  private closing: { how: 'finish' | 'abort'; done: Promise<void> } | null = null;
  private confirm: { resolve: () => void; reject: (e: LibvirtError) => void } | null = null;
  private readonly waiters = new Set<() => void>();
  /** The packet buffer of the chunk last lent to the reader (RecvOptions.reuse), back at its next receive call. */
  private lent: Buffer | null = null;
  /** Packet buffers given back by the reader, for the next packets to be read into (at most STREAM_SPARE_BUFFERS). */
  private spare: Buffer[] = [];
  readonly highWaterMark: number;

  constructor(
    readonly connection: Connection,
    /** virStreamFlags: VIR_STREAM_NONBLOCK is accepted and ignored (every call is asynchronous here). */
    readonly flags = 0,
    options: StreamOptions = {},
  ) {
    const hwm = options.highWaterMark ?? DEFAULT_STREAM_HIGH_WATER_MARK;
    if (!Number.isSafeInteger(hwm) || hwm <= 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'highWaterMark must be a positive integer (bytes)');
    this.highWaterMark = hwm;
  }

  /** @internal the call that opens the stream is on its way: this is the stream's channel */
  _bind(channel: StreamChannel): void {
    if (this.channel) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, 'stream is already in use');
    this.channel = channel;
  }

  /** Bytes of received data waiting for the reader. */
  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** The error the stream failed with (the daemon's, the connection's, an abort signal's); null otherwise. */
  get failure(): LibvirtError | null {
    return this.error;
  }

  /** True once the stream is over (finished, aborted or failed). */
  get ended(): boolean {
    return this.closed;
  }

  /** @internal */
  onMessage(m: StreamMessage): void {
    switch (m.kind) {
      case 'hole':
        if (!this.dropping) this.queue.push({ hole: m.length });
        break;
      case 'data':
        if (this.dropping) break;
        this.queue.push({ data: m.data, packet: m.packet });
        this.queuedBytes += m.data.length;
        if (this.queuedBytes >= this.highWaterMark && !this.readingPaused) {
          this.readingPaused = true;
          this.channel?.pauseReading();
        }
        break;
      case 'eof':
        this.eof = true;
        break;
      case 'done':
        // Confirmation of our finish or abort.
        this.eof = true;
        this.end();
        this.confirm?.resolve();
        this.confirm = null;
        break;
      case 'error':
        this.fail(m.error);
        break;
    }
    this.notify();
  }

  /** @internal the connection closed or the opening call failed */
  onClose(err: LibvirtError): void {
    this.fail(err);
  }

  /** @internal a packet buffer of `length` bytes the reader gave back, for the connection to read the next data packet into */
  bufferFor(length: number): Buffer | null {
    const i = this.spare.findIndex((b) => b.length === length);
    if (i < 0) return null;
    const b = this.spare[i]!;
    this.spare.splice(i, 1);
    return b;
  }

  /** The reader is done with the chunk last lent to it: its packet buffer may be read into again. */
  private giveBack(): void {
    const b = this.lent;
    if (!b) return;
    this.lent = null;
    if (this.dropping) return;
    if (this.spare.length >= STREAM_SPARE_BUFFERS) this.spare.shift();
    this.spare.push(b);
  }

  private get dropping(): boolean {
    return this.closed || this.closing?.how === 'abort';
  }

  private fail(err: LibvirtError): void {
    this.error ??= err;
    this.end();
    this.confirm?.reject(err);
    this.confirm = null;
    this.notify();
  }

  private end(): void {
    this.closed = true;
    this.release();
    this.channel?.end();
  }

  /** Lets go of everything queued and every spare buffer (and of the socket, if the reader held it). */
  private release(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.lent = null;
    this.spare = [];
    this.resumeIfDrained();
  }

  private consumed(n: number): void {
    this.queuedBytes -= n;
    this.resumeIfDrained();
  }

  private resumeIfDrained(): void {
    if (this.readingPaused && this.queuedBytes <= this.highWaterMark / 2) {
      this.readingPaused = false;
      this.channel?.resumeReading();
    }
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves at the next change of state (a message, an error, an abort). */
  private changed(): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    this.waiters.add(wake);
    return { promise, cancel: () => this.waiters.delete(wake) };
  }

  private usable(): StreamChannel {
    if (this.error) throw this.error;
    if (!this.channel) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, 'stream is not open: pass it to a method that opens a stream first');
    if (this.closed) throw clientError(VIR_ERR_OPERATION_FAILED, VIR_FROM_STREAMS, 'stream is closed');
    return this.channel;
  }

  /** Nothing to read yet: no data, no end of file, no error. */
  private get waiting(): boolean {
    return this.queue.length === 0 && !this.eof && !this.error && !this.closed;
  }

  /** Waits until there is something to read, end of file, or an error. */
  private async ready(): Promise<void> {
    while (this.waiting) await this.changed().promise;
  }

  /**
   * Runs `op` under `signal`: when it aborts, the stream aborts and `op` (and every other
   * operation waiting on the stream) rejects with VIR_ERR_OPERATION_ABORTED.
   */
  private async underSignal<T>(signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    if (!signal) return op();
    const unwatch = this.watch(signal);
    try {
      return await op();
    } finally {
      unwatch();
    }
  }

  /** Until the returned function is called, `signal` aborting aborts the stream (see underSignal). */
  private watch(signal: AbortSignal | undefined): () => void {
    if (!signal) return noop;
    const onAbort = (): void => this.abortWith(clientError(VIR_ERR_OPERATION_ABORTED, VIR_FROM_STREAMS, 'operation aborted', signal.reason));
    if (signal.aborted) {
      onAbort();
      return noop;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  /** Ends the stream with `err` for every reader and writer; the daemon is told to abort. */
  private abortWith(err: LibvirtError): void {
    if (this.closed) return;
    this.error ??= err;
    this.release();
    this.confirm?.reject(err);
    this.confirm = null;
    if (this.channel && !this.closing) this.startHandshake('abort', this.channel).catch(() => undefined);
    if (!this.channel) this.closed = true;
    this.notify();
  }

  /**
   * virStreamSend: sends data, split into packets libvirt accepts (on a plain socket without a
   * copy). Resolves to the number of bytes once the socket has taken all of them: `data` may be
   * reused then, and a producer awaiting send() never buffers without bound.
   */
  send(data: Uint8Array, options: SignalOptions = {}): Promise<number> {
    return this.underSignal(options.signal, async () => {
      const channel = this.usable();
      for (let off = 0; off < data.length; off += STREAM_CHUNK_MAX) {
        const end = Math.min(data.length, off + STREAM_CHUNK_MAX);
        if (end < data.length) {
          channel.sendData(data.subarray(off, end));
          if (channel.needsDrain) await this.until(channel.waitDrain());
        } else {
          // The last bytes are handed to the socket: as virStreamSend, the call has done its
          // part, and an error the daemon sends meanwhile is the next call's to report. A change
          // of state (an error, an abort) ends the wait as well.
          await new Promise<void>((resolve) => {
            this.waiters.add(resolve);
            channel.sendData(data.subarray(off, end), () => {
              this.waiters.delete(resolve);
              resolve();
            });
          });
          break;
        }
        this.usable();
      }
      return data.length;
    });
  }

  /** Waits for `p`, or less if the stream changes state meanwhile (an error, an abort). */
  private async until(p: Promise<void>): Promise<void> {
    const change = this.changed();
    try {
      await Promise.race([p, change.promise]);
    } finally {
      change.cancel();
    }
  }

  /**
   * virStreamSendHole: tells the other side `length` bytes of the file are a hole (streams opened
   * with a sparse flag, e.g. VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM).
   */
  async sendHole(length: bigint | number, flags = 0): Promise<void> {
    const channel = this.usable();
    if (typeof length === 'number' && !Number.isSafeInteger(length)) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'hole length must be a safe integer');
    const n = BigInt(length);
    if (n < 0n) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'hole length must be positive');
    channel.sendHole(n, flags);
    if (channel.needsDrain) await this.until(channel.waitDrain());
  }

  /**
   * virStreamRecv: up to `nbytes` bytes; an empty result means end of file. A hole reads as zeros.
   * The chunk is the caller's to keep, or with `reuse` lent until the next receive call (RecvOptions).
   */
  recv(nbytes: number, options: RecvOptions = {}): Promise<Uint8Array> {
    return this.recvFlags(nbytes, 0, options);
  }

  /**
   * virStreamRecvFlags: as recv(); with VIR_STREAM_RECV_STOP_AT_HOLE a hole at the head of the
   * stream gives an empty array and stays for recvHole() (libvirt's -3 return).
   */
  recvFlags(nbytes: number, flags: number, options: RecvOptions = {}): Promise<Uint8Array> {
    this.giveBack();
    if (!Number.isInteger(nbytes) || nbytes <= 0) return Promise.reject(clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'nbytes must be a positive integer'));
    return this.underSignal(options.signal, async () => {
      if (!this.channel || this.closed || this.error) this.usable();
      await this.ready();
      if (this.error) throw this.error;
      const head = this.queue[0];
      if (!head) return new Uint8Array(0);
      if ('hole' in head) return flags & VIR_STREAM_RECV_STOP_AT_HOLE ? new Uint8Array(0) : this.zeros(head, nbytes);
      return this.take(head, nbytes, options.reuse === true);
    });
  }

  /** Up to `nbytes` of the hole at the head of the queue, as zeros. */
  private zeros(head: StreamHole, nbytes: number): Uint8Array {
    const n = head.hole > BigInt(nbytes) ? nbytes : Number(head.hole);
    head.hole -= BigInt(n);
    if (head.hole === 0n) this.queue.shift();
    return new Uint8Array(n);
  }

  private take(head: { data: Buffer; packet?: Buffer | undefined }, nbytes: number, lend: boolean): Buffer {
    let out = head.data;
    if (out.length <= nbytes) {
      this.queue.shift();
      // The last (or only) piece of a packet lent: the packet buffer comes back with the next receive call.
      if (lend && head.packet) this.lent = head.packet;
    } else {
      out = head.data.subarray(0, nbytes);
      head.data = head.data.subarray(nbytes);
      // A piece given for keeps: the packet buffer it is a view of must never be read into again.
      if (!lend) head.packet = undefined;
    }
    this.consumed(out.length);
    return out;
  }

  /** virStreamRecvHole: length of the hole at the head of the stream (0n when data comes first). */
  async recvHole(_flags = 0): Promise<bigint> {
    this.giveBack();
    await this.ready();
    const head = this.queue[0];
    if (head && 'hole' in head) {
      this.queue.shift();
      return head.hole;
    }
    return 0n;
  }

  /** virStreamFinish: ends a stream after all data went through; rejects if the daemon saw an error. */
  finish(options: SignalOptions = {}): Promise<void> {
    return this.underSignal(options.signal, () => this.handshake('finish'));
  }

  /** virStreamAbort: ends a stream early; what was queued for the reader is released at once. */
  abort(): Promise<void> {
    return this.handshake('abort');
  }

  private handshake(how: 'finish' | 'abort'): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.resolve();
    let channel: StreamChannel;
    try {
      channel = this.usable();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.closing) {
      if (this.closing.how === how) return this.closing.done;
      return Promise.reject(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_STREAMS, 'stream is already being closed'));
    }
    return this.startHandshake(how, channel);
  }

  private startHandshake(how: 'finish' | 'abort', channel: StreamChannel): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.confirm = { resolve, reject };
      if (how === 'abort') this.release();
      try {
        if (how === 'finish') channel.sendFinish();
        else channel.sendAbort();
      } catch (e) {
        this.fail(e instanceof LibvirtError ? e : clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_STREAMS, String(e), e));
      }
    });
    this.closing = { how, done };
    return done;
  }

  /** `await using st = conn.newStream()`: a stream that has not finished is aborted (and its end awaited). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    if (this.closing) await this.closing.done.catch(() => undefined);
    else if (this.channel) await this.abort().catch(() => undefined);
    else this.closed = true;
  }

  /** Node idiom: every chunk until end of file, then finish(); leaving the loop early aborts. A hole arrives as zeros. */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    return this.chunks();
  }

  /**
   * As `for await (const chunk of st)`, with a signal. With `reuse: true` each chunk is lent, not
   * given: it is valid until the loop asks for the next one (or ends), then the stream may read
   * another packet into it. For a consumer that is done with a chunk when it comes back for
   * more (a write awaited, a hash updated): `for await (const c of st.chunks({ reuse: true }))
   * await fh.write(c)`. Collecting the chunks (Buffer.concat after the loop) needs the default.
   */
  chunks(options: RecvOptions = {}): AsyncGenerator<Uint8Array> {
    // Without VIR_STREAM_RECV_STOP_AT_HOLE a hole comes as zeros: only data chunks are yielded.
    return this.items(0, options) as AsyncGenerator<Uint8Array>;
  }

  /**
   * A sparse stream's contents in order: data chunks and holes ({ hole: length }), then finish();
   * leaving the loop early aborts. virStreamSparseRecvAll as an iterator. `reuse` lends the data
   * chunks as chunks() does.
   */
  sparseChunks(options: RecvOptions = {}): AsyncGenerator<Uint8Array | StreamHole> {
    return this.items(VIR_STREAM_RECV_STOP_AT_HOLE, options);
  }

  /**
   * The loop behind chunks() and sparseChunks(): recvFlags() and recvHole() in one, taking what is
   * queued at once, in one generator (no receive call and its promises per chunk; measured, that
   * saved less than this host's noise, but it is the simpler loop).
   */
  private async *items(flags: number, options: RecvOptions): AsyncGenerator<Uint8Array | StreamHole> {
    const lend = options.reuse === true;
    const stopAtHole = (flags & VIR_STREAM_RECV_STOP_AT_HOLE) !== 0;
    const unwatch = this.watch(options.signal);
    let finished = false;
    try {
      for (;;) {
        this.giveBack();
        if (!this.channel || this.closed || this.error) this.usable();
        while (this.waiting) await this.changed().promise;
        if (this.error) throw this.error;
        const head = this.queue[0];
        if (!head) break; // end of file
        if (!('hole' in head)) yield this.take(head, ITEM_MAX, lend);
        else if (!stopAtHole) yield this.zeros(head, ITEM_MAX);
        else {
          this.queue.shift();
          if (head.hole > 0n) yield { hole: head.hole };
        }
      }
      unwatch();
      await this.finish(options);
      finished = true;
    } finally {
      unwatch();
      if (!finished) await this[Symbol.asyncDispose]();
    }
  }

  /** virStreamRecvAll: everything until end of file, then finish(). */
  async recvAll(options: SignalOptions = {}): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const c of this.chunks(options)) parts.push(c);
    return Buffer.concat(parts);
  }

  /** virStreamSendAll: every chunk of `source`, then finish(); abort() if the source throws. */
  sendAll(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: SignalOptions = {}): Promise<void> {
    return this.sparseSendAll(source, options);
  }

  /**
   * virStreamSparseSendAll: every item of `source`, data chunks and holes ({ hole: length }, for
   * a stream opened with a sparse flag), then finish(); abort() if the source throws.
   */
  async sparseSendAll(source: Iterable<Uint8Array | { hole: bigint | number }> | AsyncIterable<Uint8Array | { hole: bigint | number }>, options: SignalOptions = {}): Promise<void> {
    try {
      for await (const item of source) {
        if (item instanceof Uint8Array) await this.send(item, options);
        else await this.underSignal(options.signal, () => this.sendHole(item.hole));
      }
    } catch (e) {
      await this[Symbol.asyncDispose]();
      throw e;
    }
    await this.finish(options);
  }

  /**
   * A Node Readable of the stream's data (holes as zeros): end of file finishes the stream,
   * destroy() (or the `signal`) aborts it. For pipeline() to a file or socket. Its chunks are
   * the consumer's to keep, never lent: a Readable's consumer may hold pushed chunks (a Writable's
   * queue) and never says when it is done with one.
   */
  toReadable(options: NodeStreamOptions = {}): Readable {
    return new StreamReadable(this, options);
  }

  /** A Node Writable into the stream: end() finishes it, destroy() (or the `signal`) aborts it. */
  toWritable(options: NodeStreamOptions = {}): Writable {
    return new StreamWritable(this, options);
  }

  /**
   * Both at once, for a console or channel: `process.stdin.pipe(st.toDuplex()).pipe(process.stdout)`.
   * The daemon's end of file ends both sides and finishes the stream.
   */
  toDuplex(options: NodeStreamOptions = {}): Duplex {
    return new StreamDuplex(this, options);
  }
}

declare module './api-types.js' {
  interface ApiTypes {
    Stream: Stream;
  }
}
