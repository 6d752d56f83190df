import { Duplex } from 'node:stream';
import { PacketSplitter } from '../protocol/framing.js';
import { type Conversation, CONVERSATION_FORMAT, ConversationWriter, recordPacket, writeConversation } from './conversation.js';
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

  /**
   * With `path`, the conversation is written there as it goes (mode 0600), so a crash leaves
   * everything up to it. Bodies that carry credentials (SASL exchanges, secret values, guest
   * passwords) are left out unless `keepCredentials` is set.
   */
  constructor(inner: Transport, meta: Record<string, string> = {}, path?: string, options: { keepCredentials?: boolean } = {}) {
    this.description = `record(${inner.description})`;
    this.encrypted = inner.encrypted;
    this.secure = inner.secure;
    this.conversation = { format: CONVERSATION_FORMAT, meta: { transport: inner.description, ...meta }, packets: [] };
    const packets = this.conversation.packets;
    const writer = path ? new ConversationWriter(path, CONVERSATION_FORMAT, this.conversation.meta) : null;
    const record = (from: 'client' | 'server', raw: Buffer): void => {
      const p = recordPacket(from, raw, options);
      packets.push(p);
      writer?.append(p);
    };
    const fromClient = new PacketSplitter((p) => record('client', Buffer.from(p)));
    const fromServer = new PacketSplitter((p) => record('server', Buffer.from(p)));
    const save = (): void => writer?.close();
    const proxy = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        fromClient.push(chunk);
        inner.stream.write(chunk, cb);
      },
      final(cb) {
        inner.stream.end();
        // Our side is done: the recording is complete (close() resolves after this).
        save();
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
