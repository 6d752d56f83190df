import { readFileSync, writeFileSync } from 'node:fs';
import { decodeBody, describePacket, readableJson } from '../protocol/programs.js';

export const CONVERSATION_FORMAT = 'libvirt-rpc-conversation/1';

/** One packet of a recorded conversation, as it crossed the wire. */
export interface RecordedPacket {
  from: 'client' | 'server';
  /** For people reading the fixture; replay only uses `data`. */
  summary: string;
  /** The decoded body (for people; bigint as "123n", bytes as "bytes:hex"). */
  body?: string;
  /** The whole packet, length word included, base64. */
  data: string;
}

export interface Conversation {
  format: typeof CONVERSATION_FORMAT;
  /** Free-form: what was recorded, against which daemon. */
  meta: Record<string, string>;
  packets: RecordedPacket[];
}

export function recordPacket(from: 'client' | 'server', raw: Buffer): RecordedPacket {
  const body = decodeBody(raw);
  return { from, summary: describePacket(raw), ...(body === undefined ? {} : { body: readableJson(body) }), data: raw.toString('base64') };
}

export function readConversation(path: string): Conversation {
  const c = JSON.parse(readFileSync(path, 'utf8')) as Conversation;
  if (c.format !== CONVERSATION_FORMAT || !Array.isArray(c.packets)) {
    throw new Error(`${path} is not a ${CONVERSATION_FORMAT} fixture`);
  }
  return c;
}

export function writeConversation(path: string, c: Conversation): void {
  writeFileSync(path, JSON.stringify(c, null, 1) + '\n');
}
