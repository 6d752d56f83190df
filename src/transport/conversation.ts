import { closeSync, fchmodSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { decodePacket, encodePacket } from '../protocol/framing.js';
import { XdrWriter } from '../protocol/xdr/index.js';
import { decodeBody, describePacket, findProcedure, readableJson } from '../protocol/programs.js';

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
  /** The body held a credential and was left out (`data` then carries the header only). */
  redacted?: true;
}

export interface Conversation {
  format: typeof CONVERSATION_FORMAT;
  /** Free-form: what was recorded, against which daemon. */
  meta: Record<string, string>;
  packets: RecordedPacket[];
}

/**
 * Procedures whose bodies carry credentials: SASL exchanges (a PLAIN password, SCRAM proofs),
 * secret values, guest passwords. A recording leaves their bodies out unless asked to keep them.
 */
const CREDENTIAL_PROCEDURES = new Set([
  'REMOTE_PROC_AUTH_SASL_START',
  'REMOTE_PROC_AUTH_SASL_STEP',
  'REMOTE_PROC_SECRET_SET_VALUE',
  'REMOTE_PROC_SECRET_GET_VALUE',
  'REMOTE_PROC_DOMAIN_SET_USER_PASSWORD',
]);

export function recordPacket(from: 'client' | 'server', raw: Buffer, options: { keepCredentials?: boolean } = {}): RecordedPacket {
  if (!options.keepCredentials) {
    const redacted = withoutCredentials(raw);
    if (redacted) return { from, summary: `${describePacket(raw)} [body redacted]`, data: redacted.toString('base64'), redacted: true };
  }
  const body = decodeBody(raw);
  return { from, summary: describePacket(raw), ...(body === undefined ? {} : { body: readableJson(body) }), data: raw.toString('base64') };
}

/** The packet with its body left out, when the body may hold a credential; else null. */
function withoutCredentials(raw: Buffer): Buffer | null {
  let header;
  try {
    header = decodePacket(raw).header;
  } catch {
    return null;
  }
  const name = findProcedure(header.prog, header.proc)?.name;
  if (!name || !CREDENTIAL_PROCEDURES.has(name)) return null;
  return Buffer.from(encodePacket(new XdrWriter(64), header));
}

export function readConversation(path: string): Conversation {
  const text = readFileSync(path, 'utf8');
  let c: Conversation;
  try {
    c = JSON.parse(text) as Conversation;
  } catch (e) {
    // A recording cut short (the process died before close) lacks its closing brackets.
    try {
      c = JSON.parse(text.replace(/,?\s*$/, '') + '\n]}\n') as Conversation;
    } catch {
      throw e;
    }
  }
  if (c.format !== CONVERSATION_FORMAT || !Array.isArray(c.packets)) {
    throw new Error(`${path} is not a ${CONVERSATION_FORMAT} fixture`);
  }
  return c;
}

export function writeConversation(path: string, c: Conversation): void {
  writeFileSync(path, JSON.stringify(c, null, 1) + '\n', { mode: 0o600 });
}

/**
 * A conversation written as it happens: the header at once, each packet as it is recorded, the
 * closing brackets at the end (readConversation also reads a file that never got them). The file
 * is made, or reset, with mode 0600: it holds a session with the daemon.
 */
export class ConversationWriter {
  private fd: number | null;
  private count = 0;

  constructor(path: string, format: string, meta: Record<string, string>) {
    this.fd = openSync(path, 'w', 0o600);
    fchmodSync(this.fd, 0o600);
    writeSync(this.fd, `{\n "format": ${JSON.stringify(format)},\n "meta": ${JSON.stringify(meta)},\n "packets": [`);
  }

  append(p: RecordedPacket): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${this.count++ ? ',' : ''}\n  ${JSON.stringify(p)}`);
  }

  close(): void {
    if (this.fd === null) return;
    writeSync(this.fd, '\n ]\n}\n');
    closeSync(this.fd);
    this.fd = null;
  }
}
