// Node stream views of a libvirt Stream: Readable, Writable and Duplex, for pipeline(), files,
// sockets and TTYs. Ending a view finishes the stream; destroying it (an error, a signal) aborts it.
import { Duplex, Readable, Writable } from 'node:stream';
import type { ApiTypes } from './api-types.js';

/** @inline */ type Stream = ApiTypes['Stream'];

export interface NodeStreamOptions {
  /** The view's own buffer, in bytes (Node's default otherwise); the Stream's highWaterMark bounds what waits before it. */
  highWaterMark?: number;
  /** Aborting it destroys the view, which aborts the stream. */
  signal?: AbortSignal;
}

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

export class StreamWritable extends Writable {
  constructor(
    private readonly st: Stream,
    options: NodeStreamOptions,
  ) {
    super(options);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    write(this.st, chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.st.finish().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
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
