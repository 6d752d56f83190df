// A scripted libvirtd for the event and keepalive unit tests: it answers the open handshake,
// event (de)registrations and keepalive, and lets a test push any event message.
import { type Socket } from 'node:net';
import { type Connection, type ConnectOptions } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { encodePacket, VIR_NET_MESSAGE, VIR_NET_OK, VIR_NET_REPLY } from '../../src/protocol/framing.js';
import { KEEPALIVE_PROC_PING, KEEPALIVE_PROC_PONG, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION } from '../../src/protocol/generated/keepalive.js';
import { QEMU_PROGRAM, QEMU_PROTOCOL_VERSION, qemu_procedures } from '../../src/protocol/generated/qemu.js';
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, remote_procedures } from '../../src/protocol/generated/remote.js';
import type { ProcedureInfo } from '../../src/protocol/procedure.js';
import { XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import { FakeDaemon, type FakeCall } from '../support/fake-daemon.js';

const byNumber = new Map<string, ProcedureInfo>();
for (const p of Object.values(remote_procedures)) byNumber.set(`${REMOTE_PROGRAM}:${p.proc}`, p as ProcedureInfo);
for (const p of Object.values(qemu_procedures)) byNumber.set(`${QEMU_PROGRAM}:${p.proc}`, p as ProcedureInfo);

export interface SeenCall {
  name: string;
  args: unknown;
}

export interface FakeLibvirtdOptions {
  /** VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK (default true). */
  eventCallbacks?: boolean;
  /** Answer keepalive PINGs (default true). */
  answerPings?: boolean;
  /** Called for every call; return true when the test answered it itself. */
  intercept?: (call: FakeCall, name: string, args: unknown, d: FakeLibvirtd) => boolean;
}

export class FakeLibvirtd {
  readonly daemon: FakeDaemon;
  readonly calls: SeenCall[] = [];
  pingsReceived = 0;
  private nextCallbackID = 100;
  private readonly w = new XdrWriter();
  socket: Socket | null = null;

  constructor(readonly options: FakeLibvirtdOptions = {}) {
    this.daemon = new FakeDaemon((call, d) => this.onCall(call, d));
  }

  private onCall(call: FakeCall, d: FakeDaemon): void {
    this.socket = call.socket;
    const h = call.header;
    if (h.prog === KEEPALIVE_PROGRAM) {
      if (h.proc === KEEPALIVE_PROC_PING) {
        this.pingsReceived++;
        if (this.options.answerPings !== false) call.socket.write(this.keepalive(KEEPALIVE_PROC_PONG));
      }
      return;
    }
    const proc = byNumber.get(`${h.prog}:${h.proc}`);
    if (!proc) throw new Error(`fake libvirtd: unknown procedure ${h.prog}:${h.proc}`);
    const args = proc.args ? proc.args.decode(new XdrReader(call.body)) : undefined;
    this.calls.push({ name: proc.name, args });
    if (this.options.intercept?.(call, proc.name, args, this)) return;
    const ret = this.answer(proc.name, args);
    call.socket.write(d.reply(call, proc.ret as never, ret as never));
  }

  /** The default answers. */
  answer(name: string, args: unknown): unknown {
    switch (name) {
      case 'REMOTE_PROC_AUTH_LIST':
        return { types: [] };
      case 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE': {
        const feature = (args as { feature: number }).feature;
        return { supported: feature === 14 ? (this.options.eventCallbacks === false ? 0 : 1) : 1 };
      }
      case 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY':
      case 'REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY':
      case 'REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY':
      case 'REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY':
      case 'REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY':
      case 'QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER':
        return { callbackID: this.nextCallbackID++ };
      case 'REMOTE_PROC_CONNECT_GET_LIB_VERSION':
        return { lib_ver: 11003000n };
      default:
        return undefined;
    }
  }

  /** The server callback ID the last registration got. */
  get lastCallbackID(): number {
    return this.nextCallbackID - 1;
  }

  reply(call: FakeCall, procName: string, ret: unknown): Buffer {
    const proc = (remote_procedures as Record<string, ProcedureInfo>)[procName] ?? (qemu_procedures as Record<string, ProcedureInfo>)[procName]!;
    return encodePacket(this.w, { ...call.header, type: VIR_NET_REPLY, status: VIR_NET_OK }, proc.ret ? (w) => proc.ret!.encode(w, ret) : undefined);
  }

  /** An event MESSAGE packet of `procName` carrying `msg`. */
  message(procName: string, msg: unknown): Buffer {
    const remote = (remote_procedures as Record<string, ProcedureInfo>)[procName];
    const proc = remote ?? (qemu_procedures as Record<string, ProcedureInfo>)[procName];
    if (!proc?.message) throw new Error(`${procName} is not an event`);
    const prog = remote ? REMOTE_PROGRAM : QEMU_PROGRAM;
    const vers = remote ? REMOTE_PROTOCOL_VERSION : QEMU_PROTOCOL_VERSION;
    return encodePacket(this.w, { prog, vers, proc: proc.proc, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK }, (w) => proc.message!.encode(w, msg));
  }

  keepalive(proc: number): Buffer {
    return encodePacket(this.w, { prog: KEEPALIVE_PROGRAM, vers: KEEPALIVE_PROTOCOL_VERSION, proc, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK });
  }

  /** Sends bytes to the (single) client. */
  send(...packets: Buffer[]): void {
    this.socket!.write(Buffer.concat(packets));
  }

  sendPing(): void {
    this.send(this.keepalive(KEEPALIVE_PROC_PING));
  }

  async connect(options: ConnectOptions = {}): Promise<Connection> {
    const port = await this.daemon.listen();
    return connect(`test+tcp://127.0.0.1:${port}/default`, options);
  }

  close(): Promise<void> {
    return this.daemon.close();
  }
}

export const domWire = (name: string, n = 1) => ({ name, uuid: new Uint8Array(16).fill(n), id: n });
