import { connect as netConnect, type Socket } from 'node:net';
import { clientError } from '../errors/errors.js';
import { VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import type { Transport } from './transport.js';
import { errnoText } from '../util/errno.js';

export interface SocketOptions {
  /** Give up connecting after this many ms. */
  timeout?: number;
  /**
   * Read through net.Socket's `onread` into buffers the reader supplies (see DirectRead) instead of
   * emitting 'data'. Not for a socket another layer (TLS, SSH, a recorder) reads.
   */
  directRead?: boolean;
}

/** What reads a direct-read socket: it says where each read goes and hears how many bytes came. */
export interface DirectReadTarget {
  nextBuffer(): Uint8Array;
  received(n: number): void;
}

const DIRECT_READ = Symbol('libvirt-rpc.directRead');

/**
 * Where reads go before a target is attached (and the read after, which was already set up). All
 * sockets share it: libuv reads one socket at a time, and the callback copies the bytes out.
 */
let spareBuffer: Buffer | null = null;
const spare = (): Buffer => (spareBuffer ??= Buffer.allocUnsafeSlow(4096));

/**
 * The `onread` of a socket opened with `directRead`: reads go into the buffers of the target
 * attached with attach(); bytes that come before it are kept (copied) and handed over then. The
 * socket emits no 'data'; pause()/resume() still stop and restart reading, and 'end', 'error'
 * and 'close' are as usual.
 */
export class DirectRead {
  private target: DirectReadTarget | null = null;
  private early: Buffer[] = [];
  /** The `onread` option for net.connect(). */
  readonly onread = {
    buffer: (): Uint8Array => (this.target ? this.target.nextBuffer() : spare()),
    callback: (n: number, buf: Uint8Array): boolean => {
      if (buf !== spareBuffer) this.target!.received(n);
      else if (this.target) this.copyIn(buf.subarray(0, n));
      else this.early.push(Buffer.from(buf.subarray(0, n)));
      return true;
    },
  };

  /** From now on `target` reads the socket (what came before is copied into its buffers first). */
  attach(target: DirectReadTarget): void {
    this.target = target;
    for (const chunk of this.early) this.copyIn(chunk);
    this.early = [];
  }

  private copyIn(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length; ) {
      const dst = this.target!.nextBuffer();
      const n = Math.min(dst.length, chunk.length - off);
      dst.set(chunk.subarray(off, off + n));
      off += n;
      this.target!.received(n);
    }
  }

  /** The direct reader of a stream opened with `directRead`, if it is one. */
  static of(stream: object): DirectRead | undefined {
    return (stream as { [DIRECT_READ]?: DirectRead })[DIRECT_READ];
  }

  /** Opens a socket with this reader as its `onread`. */
  static connect(options: { path: string } | { host: string; port: number }): Socket {
    const reader = new DirectRead();
    const socket = netConnect({ ...options, onread: reader.onread });
    (socket as unknown as { [DIRECT_READ]: DirectRead })[DIRECT_READ] = reader;
    return socket;
  }
}

function open(socket: Socket, what: string, failMessage: (e: Error) => string, options: SocketOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (e: Error | null): void => {
      if (timer) clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      if (e) {
        socket.destroy();
        reject(clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, failMessage(e), e));
      } else {
        resolve(socket);
      }
    };
    const onError = (e: Error): void => done(e);
    const onConnect = (): void => done(null);
    socket.once('error', onError);
    socket.once('connect', onConnect);
    if (options.timeout !== undefined) {
      timer = setTimeout(() => {
        socket.off('error', onError);
        socket.destroy();
        reject(clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `timed out after ${options.timeout} ms connecting to ${what}`));
      }, options.timeout);
    }
  });
}

/** Connects to a libvirtd UNIX socket (local, so "secure" in libvirt's sense). */
export async function openUnix(path: string, options: SocketOptions = {}): Promise<Transport> {
  const socket = await open(options.directRead ? DirectRead.connect({ path }) : netConnect({ path }), path, (e) => `Failed to connect socket to '${path}': ${errnoText(e)}`, options);
  return { stream: socket, description: `unix:${path}`, encrypted: false, secure: true };
}

/** Connects to libvirtd's plain TCP port (16509 by default): neither encrypted nor secure. */
export async function openTcp(host: string, port: number, options: SocketOptions = {}): Promise<Transport> {
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const socket = await open(options.directRead ? DirectRead.connect({ host, port }) : netConnect({ host, port }), shown, (e) => `unable to connect to server at '${shown}': ${errnoText(e)}`, options);
  // Calls are small request/reply packets: Nagle's algorithm would only add latency.
  socket.setNoDelay(true);
  return { stream: socket, description: `tcp:${shown}`, encrypted: false, secure: false };
}
