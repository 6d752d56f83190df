// The packets of one data stream (virNetClientStream): what the API's Stream sends and receives,
// as typed messages; this module owns their headers and bodies.
import { VIR_NET_CONTINUE, VIR_NET_ERROR, VIR_NET_OK, VIR_NET_REPLY, VIR_NET_STREAM, VIR_NET_STREAM_HOLE, type MessageHeader, type Packet } from '../protocol/framing.js';
import { dec_virNetMessageError, dec_virNetStreamHole, enc_virNetStreamHole, VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX } from '../protocol/generated/virnet.js';
import type { ProcedureInfo } from '../protocol/procedure.js';
import { XdrReader, type XdrWriter } from '../protocol/xdr/index.js';
import { LibvirtError } from '../errors/errors.js';

/** What the daemon sends on a stream. */
export type StreamMessage =
  /**
   * A chunk of data. With `packet`, `data` is a view of that buffer, which spans its own
   * ArrayBuffer and which nothing else holds: once the reader is done with `data`, the sink may
   * give it back through bufferFor() for another packet of the same length.
   */
  | { readonly kind: 'data'; readonly data: Buffer; readonly packet?: Buffer }
  /** A hole of this many bytes (sparse streams). */
  | { readonly kind: 'hole'; readonly length: bigint }
  /** The sender's end of file (an empty data packet). */
  | { readonly kind: 'eof' }
  /** The confirmation of our finish or abort. */
  | { readonly kind: 'done' }
  /** The daemon's error for the stream (or for its finish/abort). */
  | { readonly kind: 'error'; readonly error: LibvirtError };

/** The receiving end of a stream opened by a call. */
export interface StreamSink {
  onMessage(message: StreamMessage): void;
  /**
   * A buffer of exactly `length` bytes for the next data packet of this stream, read straight
   * into it (a `packet` it got back from its reader), or null for a fresh one. The buffer comes
   * back as the `packet` of a data message, or not at all if the stream ended meanwhile (or the
   * direct reader's guess that the next packet is this stream's data turned out wrong).
   */
  bufferFor?(length: number): Buffer | null;
  /** The connection closed, or the call that opens the stream failed. */
  onClose(err: LibvirtError): void;
}

/** The largest data chunk one stream packet carries (what libvirt's client sends). */
export const STREAM_CHUNK_MAX = VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX;

/**
 * What a stream packet says, or null for a packet that is not a stream message. `whole`: the
 * packet's buffer, when it is one of its own the sink may recycle (see the data message).
 */
export function streamMessage(p: Packet, whole?: Buffer): StreamMessage | null {
  const h = p.header;
  if (h.type === VIR_NET_STREAM_HOLE && h.status === VIR_NET_CONTINUE) return { kind: 'hole', length: dec_virNetStreamHole(new XdrReader(p.body)).length };
  if (h.type === VIR_NET_STREAM && h.status === VIR_NET_CONTINUE) {
    if (!p.body.length) return { kind: 'eof' };
    return whole ? { kind: 'data', data: p.body, packet: whole } : { kind: 'data', data: p.body };
  }
  if (h.type === VIR_NET_STREAM && h.status === VIR_NET_OK) return { kind: 'done' };
  if (h.status === VIR_NET_ERROR && (h.type === VIR_NET_STREAM || h.type === VIR_NET_REPLY)) {
    const e = dec_virNetMessageError(new XdrReader(p.body));
    return { kind: 'error', error: new LibvirtError({ ...e, message: e.message }) };
  }
  return null;
}

/** The sending side the engine gives a stream: packets go out under the opening call's serial. */
export interface StreamPacketWriter {
  send(header: MessageHeader, body?: (w: XdrWriter) => void): void;
  sendData(header: MessageHeader, data: Uint8Array, written?: (err?: Error | null) => void): void;
  holdReading(serial: number): void;
  releaseReading(serial: number): void;
  readonly needsDrain: boolean;
  waitDrain(): Promise<void>;
  endStream(serial: number): void;
}

/** One open stream: data, holes, finish and abort as packets of the opening call's procedure and serial. */
export class StreamChannel {
  constructor(
    private readonly engine: StreamPacketWriter,
    private readonly proc: ProcedureInfo,
    readonly serial: number,
  ) {}

  private header(type: MessageHeader['type'], status: MessageHeader['status']): MessageHeader {
    return { prog: this.proc.program, vers: this.proc.version, proc: this.proc.proc, type, status, serial: this.serial };
  }

  /** One data packet (at most STREAM_CHUNK_MAX bytes); `chunk` may be sent as is: keep it unchanged until `written`. */
  sendData(chunk: Uint8Array, written?: (err?: Error | null) => void): void {
    this.engine.sendData(this.header(VIR_NET_STREAM, VIR_NET_CONTINUE), chunk, written);
  }

  sendHole(length: bigint, flags: number): void {
    this.engine.send(this.header(VIR_NET_STREAM_HOLE, VIR_NET_CONTINUE), (w) => enc_virNetStreamHole(w, { length, flags }));
  }

  /** virStreamFinish's packet; the daemon confirms with `done` or answers with `error`. */
  sendFinish(): void {
    this.engine.send(this.header(VIR_NET_STREAM, VIR_NET_OK));
  }

  /** virStreamAbort's packet. */
  sendAbort(): void {
    this.engine.send(this.header(VIR_NET_STREAM, VIR_NET_ERROR));
  }

  get needsDrain(): boolean {
    return this.engine.needsDrain;
  }

  waitDrain(): Promise<void> {
    return this.engine.waitDrain();
  }

  /** The reader is full: stop reading the socket until resumeReading() (TCP then slows the daemon). */
  pauseReading(): void {
    this.engine.holdReading(this.serial);
  }

  resumeReading(): void {
    this.engine.releaseReading(this.serial);
  }

  /** The stream is over: its packets are no longer routed to the sink (late ones are dropped quietly). */
  end(): void {
    this.engine.endStream(this.serial);
  }
}
