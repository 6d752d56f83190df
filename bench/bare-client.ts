// The floor of a Node client: a bare net.Socket doing bench/rpc's call (REMOTE_PROC_CONNECT_GET_LIB_VERSION,
// a 28-byte request) one at a time on an opened connection, with no client library around it: the
// request bytes are built once, only the serial changes, and a reply is only counted.
import { connect as netConnect, type Socket } from 'node:net';
import { type MessageHeader, VIR_NET_CALL, VIR_NET_OK, encodePacket } from '../src/protocol/framing.js';
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, remote_procedures } from '../src/protocol/generated/remote.js';
import { XdrWriter } from '../src/protocol/xdr/index.js';
import { VIR_DRV_FEATURE_PROGRAM_KEEPALIVE } from '../src/rpc/features.js';
import { type Run, timedCalls } from './common.js';

const header = (proc: number, serial: number): MessageHeader => ({ prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc, type: VIR_NET_CALL, serial, status: VIR_NET_OK });

/** Resolves on each whole packet received (only its length is read). */
function packets(socket: Socket): () => Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let waiting: (() => void) | null = null;
  let ready = 0;
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
      pending = pending.subarray(pending.readUInt32BE(0));
      ready++;
    }
    if (ready && waiting) {
      const w = waiting;
      waiting = null;
      w();
    }
  });
  return () =>
    new Promise<void>((resolve) => {
      if (ready) {
        ready--;
        resolve();
      } else
        waiting = () => {
          ready--;
          resolve();
        };
    });
}

/** Sequential getLibVersion round trips for `seconds` over a unix socket path or `host:port`. */
export async function bareCalls(address: string, seconds: number): Promise<Run> {
  const [host, port] = address.includes(':') && !address.startsWith('/') ? address.split(':') : [null, null];
  const socket = host ? netConnect(Number(port), host) : netConnect(address);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  const next = packets(socket);
  const w = new XdrWriter(256);
  const open = remote_procedures.REMOTE_PROC_CONNECT_OPEN;
  socket.write(encodePacket(w, header(open.proc, 1), (x) => open.args!.encode(x, { name: 'qemu:///system', flags: 0 })));
  await next();
  const request = Buffer.from(encodePacket(w, header(remote_procedures.REMOTE_PROC_CONNECT_GET_LIB_VERSION.proc, 2)));
  let serial = 2;
  const call = async (): Promise<void> => {
    request.writeUInt32BE(serial++ >>> 0, 20);
    socket.write(request);
    await next();
  };
  for (let i = 0; i < 2000; i++) await call(); // warm-up
  const run = await timedCalls(1, seconds, call);
  socket.destroy();
  return run;
}

/**
 * The floor of a Node client for a whole connection: for `seconds`, a bare net.Socket per
 * iteration sends what connect() and close() send over a unix socket (REMOTE_PROC_AUTH_LIST,
 * CONNECT_SUPPORTS_FEATURE for keepalive, CONNECT_OPEN, CONNECT_CLOSE, each awaited), then waits
 * for the daemon to hang up. The request bytes are built once.
 */
export async function bareOpenClose(path: string, seconds: number): Promise<Run> {
  const w = new XdrWriter(256);
  const p = remote_procedures;
  const requests = [
    Buffer.from(encodePacket(w, header(p.REMOTE_PROC_AUTH_LIST.proc, 1))),
    Buffer.from(encodePacket(w, header(p.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE.proc, 2), (x) => p.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE.args!.encode(x, { feature: VIR_DRV_FEATURE_PROGRAM_KEEPALIVE }))),
    Buffer.from(encodePacket(w, header(p.REMOTE_PROC_CONNECT_OPEN.proc, 3), (x) => p.REMOTE_PROC_CONNECT_OPEN.args!.encode(x, { name: 'qemu:///system', flags: 0 }))),
    Buffer.from(encodePacket(w, header(p.REMOTE_PROC_CONNECT_CLOSE.proc, 4))),
  ];
  const once = async (): Promise<void> => {
    const socket = netConnect(path);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const next = packets(socket);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    for (const r of requests) {
      socket.write(r);
      await next();
    }
    socket.end();
    await closed;
  };
  for (let i = 0; i < 20; i++) await once(); // warm-up
  return timedCalls(1, seconds, once);
}
