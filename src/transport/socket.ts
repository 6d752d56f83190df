import { connect as netConnect, type Socket } from 'node:net';
import { clientError } from '../errors/errors.js';
import { VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import type { Transport } from './transport.js';
import { errnoText } from '../util/errno.js';

export interface SocketOptions {
  /** Give up connecting after this many ms. */
  timeout?: number;
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
  const socket = await open(netConnect({ path }), path, (e) => `Failed to connect socket to '${path}': ${errnoText(e)}`, options);
  return { stream: socket, description: `unix:${path}`, encrypted: false, secure: true };
}

/** Connects to libvirtd's plain TCP port (16509 by default): neither encrypted nor secure. */
export async function openTcp(host: string, port: number, options: SocketOptions = {}): Promise<Transport> {
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const socket = await open(netConnect({ host, port }), shown, (e) => `unable to connect to server at '${shown}': ${errnoText(e)}`, options);
  // Calls are small request/reply packets: Nagle's algorithm would only add latency.
  socket.setNoDelay(true);
  return { stream: socket, description: `tcp:${shown}`, encrypted: false, secure: false };
}
