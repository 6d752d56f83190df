// A file as a stream's data chunks, for vol.upload: what `virsh vol-upload` reads (its
// virStreamSendAll source).
import { open } from 'node:fs/promises';
import { VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS } from '../apixml/generated/constants.js';
import { clientError } from '../errors/errors.js';
import { STREAM_CHUNK_MAX } from '../rpc/stream-channel.js';

export interface FileChunkOptions {
  /**
   * Lend the chunks instead of giving them: one buffer is read into again and again, and a chunk
   * is valid until the next one is asked for (st.sendAll() and a loop that awaits st.send() are
   * done with it by then). No memory is allocated per chunk, so a large upload leaves no garbage
   * for the collector. Copy what you keep.
   */
  reuse?: boolean;
  /** Bytes read at a time (default STREAM_CHUNK_MAX: one full stream packet per chunk). */
  readSize?: number;
}

/**
 * The bytes of the file at `path`, in chunks of `readSize`, for `st.sendAll()`:
 * `await st.sendAll(readFileChunks('disk.img', { reuse: true }))` uploads a file as
 * `virsh vol-upload` does, in full packets. Leaving early closes the file.
 */
export async function* readFileChunks(path: string, options: FileChunkOptions = {}): AsyncGenerator<Uint8Array> {
  const size = options.readSize ?? STREAM_CHUNK_MAX;
  if (!Number.isSafeInteger(size) || size <= 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, 'readSize must be a positive integer (bytes)');
  const fh = await open(path, 'r');
  const lent = options.reuse ? Buffer.allocUnsafeSlow(size) : null;
  try {
    for (;;) {
      const buf = lent ?? Buffer.allocUnsafeSlow(size);
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) break;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
