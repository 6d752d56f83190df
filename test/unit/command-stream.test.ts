// The command stream (ssh and ext transports): a write completes only once the command's stdin
// has taken the bytes, and the packets of one burst still reach it in one write.
import { expect } from 'chai';
import { PassThrough, Writable } from 'node:stream';
import { CommandStream } from '../../src/transport/ssh-stream.js';

/** A stdin that keeps each write (and its callback) until release() — an ssh channel out of window. */
class HeldStdin extends Writable {
  readonly writes: Buffer[] = [];
  private held: (() => void)[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writes.push(chunk);
    this.held.push(() => cb());
  }
  release(): void {
    const h = this.held;
    this.held = [];
    for (const f of h) f();
  }
}

function commandStream(stdin: Writable): CommandStream {
  return new CommandStream({ stdout: new PassThrough(), stdin, stderr: null, exited: new Promise(() => undefined), eofError: () => null, dispose: () => undefined });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the command stream of the ssh and ext transports', () => {
  for (const size of [1000, 300_000]) {
    it(`completes a write of ${size} bytes only once stdin has taken it, so the caller may reuse its buffer only then`, async () => {
      // Below stdin's high-water mark its write() says true while it still holds the buffer.
      const stdin = new HeldStdin();
      const cs = commandStream(stdin);
      const data = Buffer.alloc(size, 7);
      let completed = false;
      cs.write(data, () => (completed = true));
      for (let i = 0; i < 5; i++) await tick();
      expect(stdin.writes).to.have.length(1);
      expect(stdin.writes[0]).to.equal(data, 'the packet goes to stdin as it is (no copy)');
      expect(completed, 'completed while stdin still held the buffer').to.equal(false);
      stdin.release();
      for (let i = 0; i < 3; i++) await tick();
      expect(completed).to.equal(true);
      cs.destroy();
    });
  }

  it('joins the small packets written in one tick into one write to stdin', async () => {
    const stdin = new HeldStdin();
    const cs = commandStream(stdin);
    const done: number[] = [];
    cs.write(Buffer.from('first'), () => done.push(1));
    cs.write(Buffer.from('second'), () => done.push(2));
    cs.write(Buffer.from('third'), () => done.push(3));
    await tick();
    stdin.release();
    for (let i = 0; i < 5; i++) await tick();
    stdin.release();
    for (let i = 0; i < 5; i++) await tick();
    expect(stdin.writes.map((b) => b.toString())).to.deep.equal(['first', 'secondthird']);
    expect(done).to.deep.equal([1, 2, 3]);
    cs.destroy();
  });
});
