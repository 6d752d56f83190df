import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_FAILED,
  VIR_ERR_OPERATION_INVALID,
  VIR_FROM_STREAMS,
  VIR_STREAM_RECV_STOP_AT_HOLE,
} from '../apixml/generated/constants.js';
import { STREAM_CHUNK_MAX, type StreamChannel, type StreamMessage } from '../rpc/stream-channel.js';
import type { Connection } from './connection.js';
import { LibvirtError, clientError } from '../errors/errors.js';

type Item = { data: Buffer } | { hole: bigint };

/**
 * A data stream (virStreamPtr): made with `conn.newStream()`, handed to a method that opens a
 * stream (vol.download, vol.upload, dom.screenshot, dom.openConsole, ...), then read with recv() /
 * `for await`, or written with send() / sendAll(), and ended with finish() or abort().
 *
 * Incoming data is queued until read: like libvirt's own client, a slow reader does not stop the
 * daemon from sending (pausing the socket would stall every other call on the connection).
 */
export class Stream {
  private channel: StreamChannel | null = null;
  private readonly queue: Item[] = [];
  private eof = false;
  private error: LibvirtError | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private confirm: { resolve: () => void; reject: (e: LibvirtError) => void } | null = null;

  constructor(
    readonly connection: Connection,
    /** virStreamFlags: VIR_STREAM_NONBLOCK is accepted and ignored (every call is asynchronous here). */
    readonly flags = 0,
  ) {}

  /** @internal the call that opens the stream is on its way: this is the stream's channel */
  _bind(channel: StreamChannel): void {
    if (this.channel) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, 'stream is already in use');
    this.channel = channel;
  }

  /** @internal */
  onMessage(m: StreamMessage): void {
    switch (m.kind) {
      case 'hole':
        this.queue.push({ hole: m.length });
        break;
      case 'data':
        this.queue.push({ data: m.data });
        break;
      case 'eof':
        this.eof = true;
        break;
      case 'done':
        // Confirmation of our finish or abort.
        this.eof = true;
        if (this.confirm) {
          this.end();
          this.confirm.resolve();
          this.confirm = null;
        }
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

  private fail(err: LibvirtError): void {
    this.error ??= err;
    this.end();
    if (this.confirm) {
      this.confirm.reject(err);
      this.confirm = null;
    }
    this.notify();
  }

  private end(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.channel) this.channel.end();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private usable(): StreamChannel {
    if (this.error) throw this.error;
    if (!this.channel) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, 'stream is not open: pass it to a method that opens a stream first');
    if (this.closed) throw clientError(VIR_ERR_OPERATION_FAILED, VIR_FROM_STREAMS, 'stream is closed');
    return this.channel;
  }

  /** Waits until there is something to read, end of file, or an error. */
  private async ready(): Promise<void> {
    while (this.queue.length === 0 && !this.eof && !this.error && !this.closed) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * virStreamSend: sends data (split into packets libvirt accepts). Resolves to the number of bytes
   * once the socket has taken them, so a producer awaiting send() never buffers without bound.
   */
  async send(data: Uint8Array): Promise<number> {
    const channel = this.usable();
    for (let off = 0; off < data.length; off += STREAM_CHUNK_MAX) {
      channel.sendData(data.subarray(off, Math.min(data.length, off + STREAM_CHUNK_MAX)));
      if (channel.needsDrain) await channel.waitDrain();
      if (this.error) throw this.error;
    }
    return data.length;
  }

  /** virStreamSendHole: tells the other side `length` bytes of the file are a hole (sparse streams). */
  async sendHole(length: bigint, flags = 0): Promise<void> {
    const channel = this.usable();
    if (length < 0n) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'hole length must be positive');
    channel.sendHole(length, flags);
  }

  /** virStreamRecv: up to `nbytes` bytes; an empty result means end of file. A hole reads as zeros. */
  recv(nbytes: number): Promise<Uint8Array> {
    return this.recvFlags(nbytes, 0);
  }

  /**
   * virStreamRecvFlags: as recv(); with VIR_STREAM_RECV_STOP_AT_HOLE a hole at the head of the
   * stream gives an empty array and stays for recvHole() (libvirt's -3 return).
   */
  async recvFlags(nbytes: number, flags: number): Promise<Uint8Array> {
    if (!Number.isInteger(nbytes) || nbytes <= 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'nbytes must be a positive integer');
    if (!this.channel || this.closed) this.usable();
    await this.ready();
    if (this.error && this.queue.length === 0) throw this.error;
    const head = this.queue[0];
    if (!head) return new Uint8Array(0);
    if ('hole' in head) {
      if (flags & VIR_STREAM_RECV_STOP_AT_HOLE) return new Uint8Array(0);
      const n = head.hole > BigInt(nbytes) ? nbytes : Number(head.hole);
      head.hole -= BigInt(n);
      if (head.hole === 0n) this.queue.shift();
      return new Uint8Array(n);
    }
    if (head.data.length <= nbytes) {
      this.queue.shift();
      return head.data;
    }
    const out = head.data.subarray(0, nbytes);
    head.data = head.data.subarray(nbytes);
    return out;
  }

  /** virStreamRecvHole: length of the hole at the head of the stream (0n when data comes first). */
  async recvHole(_flags = 0): Promise<bigint> {
    await this.ready();
    const head = this.queue[0];
    if (head && 'hole' in head) {
      this.queue.shift();
      return head.hole;
    }
    return 0n;
  }

  /** virStreamFinish: ends a stream after all data went through; rejects if the daemon saw an error. */
  finish(): Promise<void> {
    return this.handshake('finish');
  }

  /** virStreamAbort: ends a stream early. */
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
    if (this.confirm) return Promise.reject(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_STREAMS, 'stream is already being closed'));
    return new Promise<void>((resolve, reject) => {
      this.confirm = { resolve, reject };
      if (how === 'finish') channel.sendFinish();
      else channel.sendAbort();
    });
  }

  /** Node idiom: every chunk until end of file, then finish(). A hole arrives as zeros. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.recv(1 << 20);
      if (chunk.length === 0) break;
      yield chunk;
    }
    await this.finish();
  }

  /** virStreamRecvAll: everything until end of file, then finish(). */
  async recvAll(): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const c of this) parts.push(c);
    return Buffer.concat(parts);
  }

  /** virStreamSendAll: every chunk of `source`, then finish(); abort() if the source throws. */
  async sendAll(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of source) await this.send(chunk);
    } catch (e) {
      if (!this.closed) await this.abort().catch(() => undefined);
      throw e;
    }
    await this.finish();
  }
}
