import { createServer, type Server, type Socket } from 'node:net';
import { PacketSplitter, decodePacket, encodePacket, type MessageHeader, VIR_NET_REPLY, VIR_NET_OK, VIR_NET_ERROR } from '../../src/protocol/framing.js';
import { XdrWriter } from '../../src/protocol/xdr/index.js';
import { enc_virNetMessageError, type virNetMessageError } from '../../src/protocol/generated/virnet.js';
import type { Codec } from '../../src/protocol/xdr/index.js';

export interface FakeCall {
  header: MessageHeader;
  body: Buffer;
  socket: Socket;
}

/** A scripted libvirtd stand-in on 127.0.0.1: it hands every received packet to `onCall`. */
export class FakeDaemon {
  readonly server: Server;
  readonly sockets: Socket[] = [];
  private readonly w = new XdrWriter();

  constructor(private readonly onCall: (call: FakeCall, daemon: FakeDaemon) => void) {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      socket.on('error', () => {});
      const splitter = new PacketSplitter((raw) => {
        const p = decodePacket(raw);
        this.onCall({ header: p.header, body: Buffer.from(p.body), socket }, this);
      });
      socket.on('data', (c: Buffer) => splitter.push(c));
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  }

  reply<T>(call: FakeCall, codec: Codec<T> | null, value: T): Buffer {
    return encodePacket(this.w, { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_OK }, codec ? (w) => codec.encode(w, value) : undefined);
  }

  errorReply(call: FakeCall, err: Partial<virNetMessageError> & { code: number; message: string }): Buffer {
    const full: virNetMessageError = { domain: 0, level: 2, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null, ...err };
    return encodePacket(this.w, { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_ERROR }, (w) => enc_virNetMessageError(w, full));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
