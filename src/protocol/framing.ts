import { XdrReader, XdrWriter, XdrError } from './xdr/index.js';
import {
  VIR_NET_CONTINUE,
  VIR_NET_MESSAGE_HEADER_MAX,
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
  VIR_NET_STREAM,
  dec_virNetMessageHeader,
  enc_virNetMessageHeader,
  type virNetMessageHeader,
} from './generated/virnet.js';

export type MessageHeader = virNetMessageHeader;

export {
  VIR_NET_CALL,
  VIR_NET_REPLY,
  VIR_NET_MESSAGE,
  VIR_NET_STREAM,
  VIR_NET_CALL_WITH_FDS,
  VIR_NET_REPLY_WITH_FDS,
  VIR_NET_STREAM_HOLE,
  VIR_NET_OK,
  VIR_NET_ERROR,
  VIR_NET_CONTINUE,
} from './generated/virnet.js';

/** Largest packet on the wire: the length word plus libvirt's VIR_NET_MESSAGE_MAX. */
export const MAX_PACKET = VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX;
/** Smallest valid packet: the length word plus a header. */
export const MIN_PACKET = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;

/** A packet that breaks the framing rules (size, header); the connection cannot continue. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

/**
 * Encodes one packet: length word, header, then the body written by `body`. The writer is reused
 * across packets; the result is a fresh Buffer the caller owns.
 */
export function encodePacket(w: XdrWriter, header: MessageHeader, body?: (w: XdrWriter) => void): Buffer {
  w.reset();
  w.uint('packet.length', 0);
  enc_virNetMessageHeader(w, header);
  if (body) body(w);
  const n = w.pos;
  if (n > MAX_PACKET) {
    throw new FramingError(`packet of ${n} bytes exceeds libvirt's maximum of ${MAX_PACKET} bytes`);
  }
  w.view.setUint32(0, n);
  return Buffer.from(w.bytes());
}

/** Header and body of a received packet (body is a view into the packet). */
export interface Packet {
  header: MessageHeader;
  body: Buffer;
}

export function decodePacket(packet: Buffer): Packet {
  const r = new XdrReader(packet, VIR_NET_MESSAGE_LEN_MAX);
  let header: MessageHeader;
  try {
    header = dec_virNetMessageHeader(r);
  } catch (e) {
    if (e instanceof XdrError) throw new FramingError(`bad packet header: ${e.message}`);
    throw e;
  }
  return { header, body: packet.subarray(r.pos) };
}

/**
 * The serial of a stream's data packet (type VIR_NET_STREAM, status VIR_NET_CONTINUE), read from
 * its first MIN_PACKET bytes (length word and header) without decoding the header; null for any
 * other packet. A direct reader asks it for every large packet as its header comes in, while the
 * daemon is still writing the rest, so it reads three words where decodePacket() builds a reader
 * and a header object (7 µs of the 19 µs, p50, between the header's read and the body's).
 */
export function streamDataSerial(head: Buffer): number | null {
  const at = VIR_NET_MESSAGE_LEN_MAX;
  // virNetMessageHeader: prog, vers, proc, type, serial, status (4 bytes each).
  if (head.readInt32BE(at + 12) !== VIR_NET_STREAM || head.readInt32BE(at + 20) !== VIR_NET_CONTINUE) return null;
  return head.readUInt32BE(at + 16);
}

/** Packets this long are assembled as they arrive (a stream's data packets, 256 KiB, never are). */
const ASSEMBLE_MIN = 1024 * 1024;

/**
 * Splits a byte stream into packets. Chunks that hold whole packets are not copied; a packet split
 * across chunks is reassembled once, or, with `onPieces`, handed over as its pieces (views of the
 * chunks, the first holding the whole header) so a bulk reader can take them without a copy. A
 * length word below the header size or above MAX_PACKET is refused before anything is buffered.
 */
export class PacketSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = 0;
  /** A packet of ASSEMBLE_MIN bytes or more, copied into its buffer as its chunks come (no join of megabytes at once). */
  private assembly: Buffer | null = null;
  private assembled = 0;

  constructor(
    private readonly onPacket: (packet: Buffer) => void,
    private readonly onPieces?: (pieces: Buffer[]) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.assembly) {
      const n = Math.min(chunk.length, this.assembly.length - this.assembled);
      chunk.copy(this.assembly, this.assembled, 0, n);
      this.assembled += n;
      if (this.assembled < this.assembly.length) return;
      const packet = this.assembly;
      this.assembly = null;
      this.onPacket(packet);
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.buffered === 0) {
      // Fast path: consume whole packets straight from the chunk.
      let off = 0;
      while (chunk.length - off >= 4) {
        const len = readLength(chunk, off);
        if (chunk.length - off < len) break;
        this.onPacket(chunk.subarray(off, off + len));
        off += len;
      }
      if (off === chunk.length) return;
      chunk = chunk.subarray(off);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (true) {
      if (this.need === 0) {
        if (this.buffered < 4) return;
        this.need = readLength(this.head(4), 0);
      }
      if (this.buffered < this.need) {
        if (this.need >= ASSEMBLE_MIN) {
          const packet = Buffer.allocUnsafeSlow(this.need);
          let off = 0;
          for (const c of this.chunks) off += c.copy(packet, off);
          this.assembly = packet;
          this.assembled = off;
          this.chunks = [];
          this.buffered = 0;
          this.need = 0;
        }
        return;
      }
      const need = this.need;
      this.need = 0;
      if (this.onPieces && this.chunks.length > 1 && this.chunks[0]!.length >= MIN_PACKET) {
        this.onPieces(this.takePieces(need));
      } else {
        const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
        const rest = all.subarray(need);
        this.chunks = rest.length ? [rest] : [];
        this.buffered = rest.length;
        this.onPacket(all.subarray(0, need));
      }
      if (this.buffered === 0) return;
    }
  }

  /** The first `n` buffered bytes as views of the chunks; what follows stays buffered. */
  private takePieces(n: number): Buffer[] {
    const pieces: Buffer[] = [];
    while (n > 0) {
      const c = this.chunks[0]!;
      if (c.length <= n) {
        pieces.push(c);
        this.chunks.shift();
        n -= c.length;
        this.buffered -= c.length;
      } else {
        pieces.push(c.subarray(0, n));
        this.chunks[0] = c.subarray(n);
        this.buffered -= n;
        n = 0;
      }
    }
    return pieces;
  }

  /** Bytes of an incomplete packet still buffered (non-zero at EOF means a truncated packet). */
  get pending(): number {
    return this.buffered + (this.assembly ? this.assembled : 0);
  }

  private head(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}

function readLength(buf: Buffer, off: number): number {
  const len = buf.readUInt32BE(off);
  if (len < MIN_PACKET) throw new FramingError(`packet ${len} bytes received from server too small, want ${MIN_PACKET}`);
  if (len > MAX_PACKET) throw new FramingError(`packet ${len} bytes received from server too large, want at most ${MAX_PACKET}`);
  return len;
}

/** Packets at least this long are read into a buffer of their own (a stream's data, a large reply). */
export const OWN_BUFFER_MIN = 64 * 1024;
/** Small packets after a large one before headers are no longer read on their own. */
const HEADER_FIRST_SMALL_PACKETS = 8;
/**
 * How far past what it needs a read goes while headers are read on their own: a header and a
 * little more, so that a small packet (libvirtd's 24-byte data packet after each large one) and
 * the next packet's header come in one read, and what of a large packet's body lands in scratch,
 * to be copied, stays small.
 */
const HEADER_FIRST_READ = 256;
/**
 * A connection's own buffer, for the rest of a small packet a read left unfinished, starts small
 * and doubles, up to the largest, when a read fills it or a packet does not fit.
 */
const SCRATCH_START = 16 * 1024;
const SCRATCH_MAX = 256 * 1024;

/**
 * The buffer every reader with nothing pending reads into, so that an idle connection holds no
 * read buffer of its own (bench/load: memory per idle connection). Sharing it is safe because
 * libuv reads one socket at a time and calls back before the next read, and a reader copies what
 * it leaves unconsumed into its own buffer before its callback returns. `inUse` guards against a
 * packet handler that, synchronously, makes another reader take bytes while one still walks it.
 */
const shared = { buffer: null as Buffer | null, inUse: false };

/**
 * Supplies the buffer a large packet is read into, given the packet's first MIN_PACKET bytes
 * (length word and header; a view valid only during the call) and its length: a buffer of
 * exactly `length` bytes that nothing else uses until it comes back through `onPacket`, or null
 * for a fresh one. It is also asked with the header of a stream data packet already in, for the
 * reader's guess that the next is like it (see DirectPacketReader.lastHead): that buffer comes
 * back only if the guess was right.
 */
export type PacketBufferSupplier = (head: Buffer, length: number) => Buffer | null;

/**
 * Splits a byte stream into packets for a socket that reads into buffers we give it (net.Socket's
 * `onread`): the C client's way, with no allocation per read and no joining of pieces. A packet
 * of OWN_BUFFER_MIN bytes or more gets a buffer of its own as soon as its header is in, from
 * `bufferFor` if it gives one (a buffer its owner recycles) or freshly allocated, and the kernel
 * writes the rest of it straight there: `onPacket` gets it with `owned` true, a Buffer that
 * spans its whole ArrayBuffer, and may keep it. Smaller packets are views of a reused buffer
 * (`owned` false), valid only during the `onPacket` call. Length words are checked as
 * PacketSplitter checks them.
 */
export class DirectPacketReader {
  /** Our own buffer, allocated the first time a read ends inside a small packet. */
  private scratch: Buffer | null = null;
  /** Unconsumed bytes of scratch: [start, end). */
  private start = 0;
  private end = 0;
  /** Whether the buffer nextBuffer() last returned is the shared one. */
  private inShared = false;
  /** A large packet being filled, and how much of it is. */
  private packet: Buffer | null = null;
  private filled = 0;
  /**
   * While large packets come (a stream's data), reads stop a little past each header (see
   * HEADER_FIRST_READ), as libvirt's client reads a length word on its own, so the rest of a
   * large packet goes straight into its buffer instead of into scratch and then copied (libuv
   * goes on reading at once when a read fills its buffer). It stays on across a few small
   * packets: libvirtd follows each 262,120-byte data packet of a volume download with one of 24
   * bytes (its file reads are 256 KiB).
   */
  private smallSinceLarge = HEADER_FIRST_SMALL_PACKETS;
  /**
   * The length word and header of the last large stream data packet, while large packets come:
   * then every read with nothing pending goes straight into a buffer for a packet like it (the
   * guess), so when libvirtd writes its next data packet the kernel copies it where it belongs as
   * soon as we are woken, with no JavaScript between its header and its body. libvirtd writes a
   * 262 KiB packet while we read it, and finds the socket full again (and waits for a turn of its
   * loop) unless we drained it meanwhile; the C client reads the length word and then the rest.
   */
  private lastHead: Buffer | null = null;
  /** The buffer read into on that guess, how much of it is filled, and whether the last read went there. */
  private guess: Buffer | null = null;
  private guessed = 0;
  private inGuess = false;
  /** Bytes of a wrong guess are on their way through the usual path (no guessing meanwhile). */
  private feeding = false;

  constructor(
    private readonly onPacket: (packet: Buffer, owned: boolean) => void,
    private readonly bufferFor?: PacketBufferSupplier,
  ) {}

  /** Where the next read should put its bytes. */
  nextBuffer(): Buffer {
    this.inGuess = false;
    if (this.packet) return this.packet.subarray(this.filled);
    const headerFirst = this.smallSinceLarge < HEADER_FIRST_SMALL_PACKETS;
    if (!headerFirst) this.forgetGuess();
    else if (this.lastHead && this.start === this.end && !this.feeding) {
      this.guess ??= this.ownBuffer(this.lastHead, readLength(this.lastHead, 0));
      this.inGuess = true;
      return this.guess.subarray(this.guessed);
    }
    if (this.start === this.end && !shared.inUse) {
      this.inShared = true;
      const b = (shared.buffer ??= Buffer.allocUnsafeSlow(SCRATCH_MAX));
      return headerFirst ? b.subarray(0, HEADER_FIRST_READ) : b;
    }
    this.inShared = false;
    const s = (this.scratch ??= Buffer.allocUnsafeSlow(SCRATCH_START));
    // The rest of a small packet whose length is in, and at most HEADER_FIRST_READ bytes past it.
    if (headerFirst) return s.subarray(this.end, this.start + this.smallPending(s) + HEADER_FIRST_READ);
    return s.subarray(this.end);
  }

  /** `n` bytes landed at the start of the buffer nextBuffer() last returned. */
  received(n: number): void {
    if (this.inGuess) {
      this.receivedGuess(n);
      return;
    }
    if (this.packet) {
      this.filled += n;
      if (this.filled < this.packet.length) return;
      const p = this.packet;
      this.packet = null;
      this.largeArrived(p);
      return;
    }
    if (!this.inShared) {
      this.end += n;
      const s = this.scratch!;
      const filledUp = this.end === s.length;
      this.start = this.split(s, this.start, this.end);
      if (this.start === this.end) this.start = this.end = 0;
      const need = this.pendingNeeds(s);
      let size = filledUp ? Math.min(SCRATCH_MAX, s.length * 2) : s.length;
      while (size < need) size *= 2;
      if (size !== s.length) this.moveTo(s, Buffer.allocUnsafeSlow(size));
      else if (s.length - this.start < need) this.moveTo(s, s);
      return;
    }
    const s = shared.buffer!;
    shared.inUse = true;
    let start: number;
    try {
      start = this.split(s, 0, n);
    } finally {
      shared.inUse = false;
    }
    if (start === n) return;
    // A small packet goes on past this read: keep its beginning in our own buffer.
    this.start = start;
    this.end = n;
    let size = this.scratch?.length ?? SCRATCH_START;
    while (size < Math.max(n - start, this.pendingNeeds(s))) size *= 2;
    this.moveTo(s, this.scratch && this.scratch.length === size ? this.scratch : Buffer.allocUnsafeSlow(size));
  }

  /**
   * Hands on the whole packets in s[start, end) and returns where the unconsumed rest begins. A
   * large packet's beginning moves to a buffer of its own, filled by the next reads.
   */
  private split(s: Buffer, start: number, end: number): number {
    while (end - start >= 4) {
      const len = readLength(s, start);
      const have = end - start;
      if (len >= OWN_BUFFER_MIN) {
        // Its buffer is chosen once the header is in (the supplier sees whose packet it is).
        if (have < MIN_PACKET) break;
        const p = this.ownBuffer(s.subarray(start, start + MIN_PACKET), len);
        const take = Math.min(len, have);
        s.copy(p, 0, start, start + take);
        start += take;
        if (take < len) {
          this.packet = p;
          this.filled = take;
          break;
        }
        this.largeArrived(p);
        continue;
      }
      if (have < len) break;
      const p = s.subarray(start, start + len);
      start += len;
      if (this.smallSinceLarge < HEADER_FIRST_SMALL_PACKETS) this.smallSinceLarge++;
      this.onPacket(p, false);
    }
    return start;
  }

  /** A large packet is in: remember its header if it is a stream's data, and hand it on. */
  private largeArrived(p: Buffer): void {
    this.smallSinceLarge = 0;
    if (streamDataSerial(p) === null) this.forgetGuess();
    else if (!this.lastHead || p.compare(this.lastHead, 0, MIN_PACKET, 0, MIN_PACKET) !== 0) {
      // A guess is only ever for packets with the very header (length, stream) it was made for.
      this.guess = null;
      p.copy((this.lastHead ??= Buffer.allocUnsafe(MIN_PACKET)), 0, 0, MIN_PACKET);
    }
    this.onPacket(p, true);
  }

  /** `n` bytes landed in the guess: once its header is in, it is the packet guessed or its bytes go the usual way. */
  private receivedGuess(n: number): void {
    const g = this.guess!;
    this.guessed += n;
    if (this.guessed < MIN_PACKET) return;
    const got = this.guessed;
    this.guessed = 0;
    if (g.compare(this.lastHead!, 0, MIN_PACKET, 0, MIN_PACKET) === 0) {
      this.guess = null;
      this.packet = g;
      this.filled = got;
      if (got === g.length) {
        this.packet = null;
        this.largeArrived(g);
      }
      return;
    }
    // Another packet (the small one after each data packet, a reply, a keepalive): its bytes are
    // copied through the usual path, and the guess waits for the next read with nothing pending.
    this.guess = null;
    this.feeding = true;
    try {
      for (let off = 0; off < got; ) {
        const dst = this.nextBuffer();
        const k = Math.min(dst.length, got - off);
        g.copy(dst, 0, off, off + k);
        off += k;
        this.received(k);
      }
    } finally {
      this.feeding = false;
    }
    if (this.lastHead) this.guess ??= g;
  }

  /**
   * Lets go of the guess and of the header it guesses from (unless a read is halfway into it): a
   * stream that ended leaves no buffer behind in its connection's reader.
   */
  forgetGuess(): void {
    if (this.guessed > 0) return;
    this.guess = null;
    this.lastHead = null;
  }

  private ownBuffer(head: Buffer, len: number): Buffer {
    const supplied = this.bufferFor?.(head, len);
    if (!supplied) return Buffer.allocUnsafeSlow(len);
    if (supplied.length !== len || supplied.byteOffset !== 0 || supplied.buffer.byteLength !== len) {
      throw new Error(`packet buffer supplier gave ${supplied.length} bytes (of an ArrayBuffer of ${supplied.buffer.byteLength}) for a packet of ${len}`);
    }
    return supplied;
  }

  /** The length of the small packet scratch begins with, if its length word is in; 0 otherwise. */
  private smallPending(s: Buffer): number {
    if (this.end - this.start < 4) return 0;
    const len = readLength(s, this.start);
    return len < OWN_BUFFER_MIN ? len : 0;
  }

  /**
   * Room the unconsumed beginning of a packet needs in scratch: all of a small packet (less than
   * OWN_BUFFER_MIN), the header of a large one (which then moves to a buffer of its own).
   */
  private pendingNeeds(s: Buffer): number {
    if (this.start === this.end) return 0;
    return this.smallPending(s) || MIN_PACKET;
  }

  /** Moves the unconsumed bytes s[start, end) to the front of `to`, which becomes scratch. */
  private moveTo(s: Buffer, to: Buffer): void {
    s.copy(to, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.scratch = to;
  }

  /** Bytes of an incomplete packet received so far (non-zero at EOF means a truncated packet). */
  get pending(): number {
    return this.packet ? this.filled : this.guessed || this.end - this.start;
  }
}
