/**
 * The byte stream of a command that carries the protocol on its stdin/stdout (a remote command
 * over an ssh channel, or a local `+ext` command), with its stderr kept for the error at EOF, as
 * libvirt's virNetSocket does with the command's error pipe.
 */
import { Duplex, type Readable, type Writable } from 'node:stream';
import type { LibvirtError } from '../errors/errors.js';
import { TransportEndOfFile } from './transport.js';

/** Packets written together up to this many bytes are joined into one write to the command. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** libvirt reads at most this much of a command's stderr (virFileReadLimFD(errfd, 1024)). */
export const STDERR_LIMIT = 1024;

export interface EofInfo {
  /** The first STDERR_LIMIT bytes of stderr, trailing whitespace removed (libvirt's errout). */
  errout: string;
  /** The exit status, or null when unknown (killed by a signal, or not reported). */
  exitCode: number | null;
  /** Whether any byte came from the command before the end. */
  received: boolean;
}

export interface CommandStreamOptions {
  stdout: Readable;
  stdin: Writable;
  stderr: Readable | null;
  /** Resolves when the command is over (its exit status, or null); awaited (briefly) at EOF for stderr. */
  exited: Promise<number | null>;
  /** The error the connection fails with at EOF, or null for a plain end of file. */
  eofError: (info: EofInfo) => LibvirtError | null;
  /** Releases everything (kills the process, ends the ssh connection); called once. */
  dispose: () => void;
  /** How long to wait for the exit status and the rest of stderr after stdout ends (ms). */
  exitWait?: number;
}

/**
 * A Duplex over a command's stdin/stdout. At EOF it waits for the command to finish and, when
 * `eofError` gives one, fails with that LibvirtError (as a TransportEndOfFile) instead of
 * ending quietly, so the error carries the command's stderr as libvirt's does.
 */
export class CommandStream extends Duplex {
  private readonly errChunks: Buffer[] = [];
  private errBytes = 0;
  private received = false;
  private ending = false;
  private disposed = false;
  private exitCode: number | null | undefined = undefined;

  constructor(private readonly opts: CommandStreamOptions) {
    super({ allowHalfOpen: false });
    const { stdout, stdin, stderr } = opts;
    stdout.on('data', (chunk: Buffer) => {
      this.received = true;
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.once('end', () => void this.onEnd());
    stdout.on('error', (e: Error) => this.destroy(e));
    // A closed stdin shows up as the end of stdout; its write errors add nothing.
    stdin.on('error', () => undefined);
    if (stderr) {
      stderr.on('data', (chunk: Buffer) => {
        if (this.errBytes < STDERR_LIMIT) {
          const part = chunk.subarray(0, STDERR_LIMIT - this.errBytes);
          this.errChunks.push(part);
          this.errBytes += part.length;
        }
      });
      stderr.on('error', () => undefined);
    }
    opts.exited.then(
      (code) => {
        this.exitCode = code;
      },
      () => {
        this.exitCode = null;
      },
    );
  }

  /** What the command wrote to stderr so far (at most STDERR_LIMIT bytes), trailing whitespace removed. */
  get errorOutput(): string {
    return Buffer.concat(this.errChunks).toString('utf8').replace(/\s+$/, '');
  }

  private async onEnd(): Promise<void> {
    if (this.destroyed) return;
    if (!this.ending) {
      // Give the command a moment to exit and flush stderr, as libvirt reads the error pipe to its end.
      const wait = this.opts.exitWait ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        this.opts.exited.catch(() => null),
        new Promise<number | null>((r) => {
          timer = setTimeout(() => r(null), wait);
        }),
      ]);
      clearTimeout(timer);
      if (this.destroyed) return;
      const err = this.ending ? null : this.opts.eofError({ errout: this.errorOutput, exitCode: this.exitCode ?? code, received: this.received });
      if (err) {
        this.destroy(new TransportEndOfFile(err));
        return;
      }
    }
    this.push(null);
  }

  override _read(): void {
    this.opts.stdout.resume();
  }

  /**
   * A write completes on the next tick, not at once: the packets the engine writes meanwhile (a
   * burst of calls in flight) wait in the Writable's buffer and reach `_writev` together, so the
   * command gets them in one write (over ssh, one channel message: one cipher and MAC pass instead
   * of one per packet). The first packet of a burst is not held back.
   */
  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.forward(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (error?: Error | null) => void): void {
    let total = 0;
    for (const c of chunks) total += c.chunk.length;
    // Small packets are joined; a stream's large data packets go as they are (no copy).
    if (total <= COALESCE_MAX_BYTES) {
      this.forward(Buffer.concat(chunks.map((c) => c.chunk), total), cb);
      return;
    }
    for (let i = 0; i < chunks.length - 1; i++) this.opts.stdin.write(chunks[i]!.chunk);
    this.forward(chunks[chunks.length - 1]!.chunk, cb);
  }

  /**
   * Writes `chunk` to the command; `cb` once stdin has taken it (its own write callback: an ssh
   * channel out of window, or a pipe the command is slow to read, still holds the caller's
   * buffer until then, and Stream.send() tells its caller the buffer may be reused once this
   * completes) and no sooner than the next tick (see _write).
   */
  private forward(chunk: Buffer, cb: (error?: Error | null) => void): void {
    let ticked = false;
    let written = false;
    // A write error is not this write's to report: a closed stdin shows up as the end of stdout,
    // with the command's stderr (see the constructor).
    const done = (): void => {
      if (ticked && written) cb();
    };
    this.opts.stdin.write(chunk, () => {
      written = true;
      done();
    });
    process.nextTick(() => {
      ticked = true;
      done();
    });
  }

  override _final(cb: (error?: Error | null) => void): void {
    this.ending = true;
    this.opts.stdin.end();
    // The command normally exits on EOF; if it lingers, release it anyway (libvirt kills it on close).
    setTimeout(() => this.destroy(), this.opts.exitWait ?? 2000).unref();
    cb();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.dispose();
    cb(err);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.opts.dispose();
  }
}
