// Sparse files as a stream's items (data chunks and holes), for vol.upload / vol.download with the
// SPARSE_STREAM flags: what `virsh vol-upload --sparse` and `vol-download --sparse` do with a file.
import { open } from 'node:fs/promises';
import type { StreamHole } from './stream.js';

export interface SparseReadOptions {
  /** Holes are found in whole blocks of this many bytes (the file system's block size; default 4096). */
  blockSize?: number;
  /** Bytes read at a time (default 1 MiB). */
  readSize?: number;
}

/**
 * A file as data chunks and holes, for `st.sparseSendAll()`. Node has no SEEK_DATA / SEEK_HOLE,
 * so a hole is found as a run of all-zero blocks: every hole of the file is sent as a hole, and so
 * is an allocated block of zeros (which virsh would send as data; the bytes are the same).
 */
export async function* readSparseFile(path: string, options: SparseReadOptions = {}): AsyncGenerator<Uint8Array | StreamHole> {
  const blockSize = options.blockSize ?? 4096;
  const readSize = Math.max(blockSize, Math.floor((options.readSize ?? 1 << 20) / blockSize) * blockSize);
  const zero = Buffer.alloc(blockSize);
  const fh = await open(path, 'r');
  try {
    let hole = 0n;
    for (;;) {
      const buf = Buffer.allocUnsafe(readSize);
      const { bytesRead } = await fh.read(buf, 0, readSize, null);
      if (bytesRead === 0) break;
      let dataStart = -1;
      for (let off = 0; off < bytesRead; off += blockSize) {
        const end = Math.min(bytesRead, off + blockSize);
        const isZero = buf.subarray(off, end).equals(end - off === blockSize ? zero : zero.subarray(0, end - off));
        if (isZero) {
          if (dataStart >= 0) yield buf.subarray(dataStart, off);
          dataStart = -1;
          hole += BigInt(end - off);
        } else {
          if (hole > 0n) yield { hole };
          hole = 0n;
          if (dataStart < 0) dataStart = off;
        }
      }
      if (dataStart >= 0) yield buf.subarray(dataStart, bytesRead);
    }
    if (hole > 0n) yield { hole };
  } finally {
    await fh.close();
  }
}

/**
 * Writes a stream's items to a file, holes as holes (skipped, then the file's length set), as
 * `virsh vol-download --sparse` does: `await writeSparseFile(path, st.sparseChunks())`.
 */
export async function writeSparseFile(path: string, items: AsyncIterable<Uint8Array | StreamHole> | Iterable<Uint8Array | StreamHole>): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let pos = 0;
    for await (const item of items) {
      if (item instanceof Uint8Array) {
        for (let off = 0; off < item.length; ) off += (await fh.write(item, off, item.length - off, pos + off)).bytesWritten;
        pos += item.length;
      } else {
        pos += Number(item.hole);
      }
    }
    await fh.truncate(pos);
  } finally {
    await fh.close();
  }
}
