// Runs test/support/events_oracle.py: libvirt's C client (libvirt-python with its default event
// loop) listening for events on the same daemon at the same time as libvirt-rpc.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
const SCRIPT = join(root, 'test/support/events_oracle.py');

export interface OracleEvent {
  family: 'domain' | 'network' | 'pool' | 'nodedev' | 'secret' | 'qemu' | 'legacy';
  eventID?: number;
  dom?: string;
  name?: string;
  uuid?: string | null;
  args?: unknown[];
  event?: string;
  seconds?: number;
  micros?: number;
  details?: string | null;
  t: number;
}

export class EventsOracle {
  readonly events: OracleEvent[] = [];
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  private readyDone: Promise<void>;
  private exited: Promise<number | null>;

  /** Starts the oracle; `await oracle.ready` before causing events. */
  constructor(uri: string, options: { register?: string[]; domain?: string } = {}) {
    const args = [SCRIPT, uri];
    if (options.register) args.push('--register', options.register.join(','));
    if (options.domain) args.push('--domain', options.domain);
    this.proc = spawn('/usr/bin/python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    const rl = createInterface({ input: this.proc.stdout });
    const lines = rl[Symbol.asyncIterator]();
    this.lines = lines;
    this.readyDone = (async () => {
      const first = await lines.next();
      if (first.done) throw new Error(`events oracle exited before it was ready: ${this.stderr}`);
      const msg = JSON.parse(first.value) as { ready?: boolean; error?: string };
      if (!msg.ready) throw new Error(`events oracle failed: ${msg.error ?? first.value}`);
      void this.pump();
    })();
  }

  get ready(): Promise<void> {
    return this.readyDone;
  }

  private async pump(): Promise<void> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) break;
      const msg = JSON.parse(r.value) as OracleEvent & { done?: boolean };
      if (msg.done) continue;
      this.events.push(msg);
      for (const w of this.waiters.splice(0)) w();
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `pred` holds for the events so far (rejects after `timeout` ms). */
  async waitFor(pred: (events: OracleEvent[]) => boolean, timeout = 30_000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!pred(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`events oracle: timed out; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Closes its stdin: it deregisters and exits. */
  async stop(): Promise<void> {
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
