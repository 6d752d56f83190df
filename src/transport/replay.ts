import { Duplex } from 'node:stream';
import { VIR_ERR_RPC, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import { LibvirtError } from '../errors/errors.js';
import { PacketSplitter } from '../protocol/framing.js';
import { decodeBody, describePacket, readableJson } from '../protocol/programs.js';
import { type Conversation, readConversation } from './conversation.js';
import type { Transport } from './transport.js';

/** The client did not say what the recording says it said. */
/**
 * The client sent something else than the recording has: a LibvirtError (VIR_ERR_RPC,
 * VIR_FROM_RPC) so that code catching LibvirtError sees it, with the readable diff as its message.
 */
export class ReplayMismatchError extends LibvirtError {
  override readonly name: string = 'ReplayMismatchError';
  constructor(message: string) {
    super({ code: VIR_ERR_RPC, domain: VIR_FROM_RPC, message });
  }
}

/**
 * Plays the server's side of a recorded conversation: every server packet is sent when the client
 * packet before it has arrived and matched byte for byte. A different request fails the stream
 * with a readable diff (both packets described and decoded, first differing byte).
 */
export class ReplayTransport implements Transport {
  readonly stream: Duplex;
  readonly description: string;
  readonly encrypted: boolean;
  readonly secure: boolean;
  private next = 0;
  private failure: ReplayMismatchError | null = null;

  static fromFile(path: string, options?: { encrypted?: boolean; secure?: boolean }): ReplayTransport {
    return new ReplayTransport(readConversation(path), options, path);
  }

  constructor(
    private readonly conversation: Conversation,
    options: { encrypted?: boolean; secure?: boolean } = {},
    name = 'conversation',
  ) {
    this.description = `replay:${name}`;
    this.encrypted = options.encrypted ?? false;
    this.secure = options.secure ?? true;
    const packets = conversation.packets.map((p) => ({ from: p.from, raw: Buffer.from(p.data, 'base64') }));
    const serveServerPackets = (): void => {
      while (this.next < packets.length && packets[this.next]!.from === 'server') {
        this.stream.push(packets[this.next++]!.raw);
      }
    };
    const splitter = new PacketSplitter((actual) => {
      if (this.failure) return;
      const expected = this.next < packets.length ? packets[this.next]!.raw : null;
      if (!expected || !expected.equals(actual)) {
        this.failure = new ReplayMismatchError(mismatch(this.next, packets.length, expected, actual));
        this.stream.destroy(this.failure);
        return;
      }
      this.next++;
      serveServerPackets();
    });
    this.stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        try {
          splitter.push(chunk);
        } catch (e) {
          this.failure = new ReplayMismatchError(`client sent bytes that are not a valid packet: ${(e as Error).message}`);
          cb(this.failure);
          return;
        }
        cb();
      },
      final: (cb) => {
        // The client hung up: like a daemon, answer with end of file.
        this.stream.push(null);
        cb();
      },
    });
    queueMicrotask(serveServerPackets);
  }

  /** Packets of the recording not yet played (0 when the client said everything it should). */
  get remaining(): number {
    return this.conversation.packets.length - this.next;
  }

  /** Throws when the client diverged or stopped before the end of the recording. */
  assertComplete(): void {
    if (this.failure) throw this.failure;
    if (this.remaining > 0) {
      const p = this.conversation.packets[this.next]!;
      throw new ReplayMismatchError(`replay incomplete: ${this.remaining} recorded packet(s) not reached; next is ${p.from} ${p.summary}`);
    }
  }
}

function mismatch(index: number, total: number, expected: Buffer | null, actual: Buffer): string {
  const lines = [`replay mismatch at packet ${index + 1} of ${total}:`];
  if (!expected) {
    lines.push('  expected: nothing more (the recording has ended)');
  } else {
    lines.push(`  expected: ${describePacket(expected)}`);
    const eb = decodeBody(expected);
    if (eb !== undefined) lines.push(`            ${readableJson(eb)}`);
  }
  lines.push(`  actual:   ${describePacket(actual)}`);
  const ab = decodeBody(actual);
  if (ab !== undefined) lines.push(`            ${readableJson(ab)}`);
  if (expected) {
    let i = 0;
    while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
    const hex = (b: Buffer): string => b.subarray(i, i + 16).toString('hex').replace(/(..)/g, '$1 ').trim();
    lines.push(`  first difference at byte ${i}: expected [${hex(expected)}] actual [${hex(actual)}]`);
  }
  return lines.join('\n');
}
