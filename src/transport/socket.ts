import { connect as netConnect, type Socket } from 'node:net';
import { clientError } from '../errors/errors.js';
import { VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import type { Transport } from './transport.js';
import { errnoText } from '../util/errno.js';

export interface SocketOptions {
  /** Give up connecting after this many ms. */
  timeout?: number;
}

/** Bytes a socket of ours reads at most at a time, into one buffer it reuses. */
const READ_BUFFER_SIZE = 256 * 1024;

/**
 * Node's own socket reads allocate 64 KiB for every read however few bytes it brings, and a bulk
 * download arrives in many small reads: the garbage collector then runs all the time (it was most
 * of a download's CPU). Our sockets read into one reused buffer and pass on exact-size copies as
 * 'data' events; pause() and resume() stop and start reading as usual. Not for a socket that TLS
 * or SSH reads (they take the socket's data their own way).
 */
function readingIntoReusedBuffer(): { options: { onread: { buffer: Buffer; callback: (n: number, buf: Buffer) => boolean } }; attach: (s: Socket) => Socket } {
  let socket: Socket | null = null;
  const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  return {
    options: {
      onread: {
        buffer,
        callback: (n, buf) => {
          socket?.emit('data', Buffer.from(buf.subarray(0, n)));
          return true;
        },
      },
    },
    attach: (s) => (socket = s),
  };
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
  const reading = readingIntoReusedBuffer();
  const socket = await open(reading.attach(netConnect({ path, ...reading.options })), path, (e) => `Failed to connect socket to '${path}': ${errnoText(e)}`, options);
  return { stream: socket, description: `unix:${path}`, encrypted: false, secure: true };
}

/**
 * Connects to libvirtd's plain TCP port (16509 by default): neither encrypted nor secure.
 * `layered`: TLS or SSH goes on top and reads the socket its own way.
 */
export async function openTcp(host: string, port: number, options: SocketOptions & { layered?: boolean } = {}): Promise<Transport> {
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const reading = options.layered ? null : readingIntoReusedBuffer();
  const plain = netConnect({ host, port, ...reading?.options });
  const socket = await open(reading ? reading.attach(plain) : plain, shown, (e) => `unable to connect to server at '${shown}': ${errnoText(e)}`, options);
  // Calls are small request/reply packets: Nagle's algorithm would only add latency.
  socket.setNoDelay(true);
  return { stream: socket, description: `tcp:${shown}`, encrypted: false, secure: false };
}
