/**
 * Busy polling: while calls are in flight (or a stream is open), keep the event loop turning (a chain of setImmediate,
 * so libuv polls the socket with a zero timeout) instead of letting the thread sleep in epoll
 * until the next reply. A reply then finds the thread running, and the daemon's write does not
 * have to wake a sleeping thread on an idle CPU, which on a VM costs more than the call itself
 * (bench/rpc: 20 calls in flight on one unix socket go from about 32k to 65k calls/s on this
 * 2-core VM). The price is a CPU kept busy: the spinning stops when nothing is awaited, and
 * after `budgetMicros` without progress, as Linux's SO_BUSY_POLL does.
 */
export class BusyPoll {
  private lastProgress = 0;
  private spinning = false;
  private readonly budgetMs: number;

  constructor(
    budgetMicros: number,
    /** True while replies or stream packets are awaited. */
    private readonly busy: () => boolean,
  ) {
    this.budgetMs = budgetMicros / 1000;
  }

  /** A call went out or a reply or stream packet came in: keep polling for the next `budgetMicros`. */
  progress(): void {
    this.lastProgress = performance.now();
    if (this.spinning || !this.busy()) return;
    this.spinning = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    if (!this.busy() || performance.now() - this.lastProgress > this.budgetMs) {
      this.spinning = false;
      return;
    }
    setImmediate(this.tick);
  };
}

/** Why a busy-poll budget (µs) is not taken, or null: it must be a number from 0 (off) to one second. */
export function badBusyPoll(micros: number): string | null {
  return Number.isFinite(micros) && micros >= 0 && micros <= 1_000_000 ? null : `busyPoll must be 0 to 1000000 µs, not ${micros}`;
}
