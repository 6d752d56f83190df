import { Duplex } from 'node:stream';
import { PacketSplitter } from '../protocol/framing.js';
import { type Conversation, CONVERSATION_FORMAT, recordPacket, writeConversation } from './conversation.js';
import type { Transport } from './transport.js';

/**
 * Wraps a transport and writes down every packet that crosses it, in order, so the conversation
 * can be replayed later without a daemon (see ReplayTransport). Nothing is changed on the way.
 */
export class RecordingTransport implements Transport {
  readonly stream: Duplex;
  readonly description: string;
  readonly encrypted: boolean;
  readonly secure: boolean;
  readonly conversation: Conversation;

  constructor(inner: Transport, meta: Record<string, string> = {}, private readonly path?: string) {
    this.description = `record(${inner.description})`;
    this.encrypted = inner.encrypted;
    this.secure = inner.secure;
    this.conversation = { format: CONVERSATION_FORMAT, meta: { transport: inner.description, ...meta }, packets: [] };
    const packets = this.conversation.packets;
    const fromClient = new PacketSplitter((p) => packets.push(recordPacket('client', Buffer.from(p))));
    const fromServer = new PacketSplitter((p) => packets.push(recordPacket('server', Buffer.from(p))));
    const save = (): void => {
      if (this.path) this.save(this.path);
    };
    const proxy = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        fromClient.push(chunk);
        inner.stream.write(chunk, cb);
      },
      final(cb) {
        inner.stream.end();
        cb();
      },
      destroy(err, cb) {
        inner.stream.destroy();
        save();
        cb(err);
      },
    });
    inner.stream.on('data', (chunk: Buffer) => {
      try {
        fromServer.push(chunk);
      } catch {
        // an invalid packet is the engine's problem to report; the recording just stops growing
      }
      proxy.push(chunk);
    });
    inner.stream.on('end', () => {
      save();
      proxy.push(null);
    });
    inner.stream.on('error', (e) => proxy.destroy(e));
    inner.stream.on('close', () => {
      if (!proxy.destroyed) proxy.destroy();
    });
    this.stream = proxy;
  }

  save(path: string): void {
    writeConversation(path, this.conversation);
  }
}
