// Node stream views of a libvirt Stream: Readable, Writable and Duplex, for pipeline(), files,
// sockets and TTYs. Ending a view finishes the stream; destroying it (an error, a signal) aborts it.
import { Duplex, Readable, Writable } from 'node:stream';
import { STREAM_CHUNK_MAX } from '../rpc/stream-channel.js';
import type { ApiTypes } from './api-types.js';

/** @inline */ type Stream = ApiTypes['Stream'];

export interface NodeStreamOptions {
  /**
   * The view's own buffer, in bytes: for toWritable() WRITABLE_HIGH_WATER_MARK by default, Node's
   * default for the others. The Stream's highWaterMark bounds what waits before it.
   */
  highWaterMark?: number;
  /** Aborting it destroys the view, which aborts the stream. */
  signal?: AbortSignal;
}

/**
 * What toWritable() buffers by default: room for a few full packets of small writes (a file read
 * in 64 KiB pieces) while one packet is on its way, so they go out joined (see StreamWritable).
 */
export const WRITABLE_HIGH_WATER_MARK = 1 << 20;

/** The largest read handed to recv() at once (a packet is at most 256 KiB: no copy). */
const READ_SIZE = 1 << 20;

/** Reads once and pushes what came; end of file pushes null after `atEof`. */
function pull(st: Stream, view: Readable, atEof: () => Promise<void>): void {
  if (st.ended && !st.failure) {
    view.push(null);
    return;
  }
  st.recv(READ_SIZE).then(
    (chunk) => {
      if (chunk.length) view.push(chunk);
      else atEof().then(() => view.push(null), (e: Error) => view.destroy(e));
    },
    (e: Error) => view.destroy(e),
  );
}

function write(st: Stream, chunk: Uint8Array, cb: (e?: Error | null) => void): void {
  st.send(chunk).then(() => cb(), cb);
}

/** Ends a view: a stream that has not finished is aborted first. */
function dispose(st: Stream, err: Error | null, cb: (e: Error | null) => void): void {
  st[Symbol.asyncDispose]().then(() => cb(err), () => cb(err));
}

export class StreamReadable extends Readable {
  constructor(
    private readonly st: Stream,
    options: NodeStreamOptions,
  ) {
    super(options);
  }

  override _read(): void {
    pull(this.st, this, () => this.st.finish());
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    dispose(this.st, err, cb);
  }
}

/**
 * An upload. The writes that wait while a packet is on its way reach _writev together and go out
 * as full packets (STREAM_CHUNK_MAX bytes, as virsh's virStreamSendAll sends them) instead of one
 * packet per write: a file piped in 64 KiB pieces costs a quarter of the packets, the daemon's
 * work for each included. Small pieces are copied into one packet buffer, reused once send() says
 * the socket took it; whole packets of a large write go uncopied.
 */
export class StreamWritable extends Writable {
  private packet: Buffer | null = null;

  constructor(
    private readonly st: Stream,
    options: NodeStreamOptions,
  ) {
    super({ highWaterMark: WRITABLE_HIGH_WATER_MARK, ...options });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    write(this.st, chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.sendJoined(chunks).then(() => cb(), cb);
  }

  private async sendJoined(chunks: { chunk: Buffer }[]): Promise<void> {
    const packet = (this.packet ??= Buffer.allocUnsafeSlow(STREAM_CHUNK_MAX));
    let fill = 0;
    for (const { chunk } of chunks) {
      let off = 0;
      while (off < chunk.length) {
        const left = chunk.length - off;
        if (fill === 0 && left >= STREAM_CHUNK_MAX) {
          const whole = left - (left % STREAM_CHUNK_MAX);
          await this.st.send(chunk.subarray(off, off + whole));
          off += whole;
          continue;
        }
        const n = Math.min(STREAM_CHUNK_MAX - fill, chunk.length - off);
        chunk.copy(packet, fill, off, off + n);
        fill += n;
        off += n;
        if (fill === STREAM_CHUNK_MAX) {
          await this.st.send(packet);
          fill = 0;
        }
      }
    }
    if (fill > 0) await this.st.send(packet.subarray(0, fill));
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.st.finish().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.packet = null;
    dispose(this.st, err, cb);
  }
}

/** A console or channel: the daemon's end of file ends the readable side, which ends the writable side and finishes the stream. */
export class StreamDuplex extends Duplex {
  constructor(
    private readonly st: Stream,
    options: NodeStreamOptions,
  ) {
    super({ ...options, allowHalfOpen: false });
  }

  override _read(): void {
    pull(this.st, this, () => Promise.resolve());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    write(this.st, chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.st.ended) cb();
    else this.st.finish().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    dispose(this.st, err, cb);
  }
}
