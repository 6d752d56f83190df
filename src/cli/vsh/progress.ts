// A progress bar for long transfers (vol-upload, vol-download, migrate): ours, not virsh's, so it
// is drawn only on a terminal's stderr and never with -q; otherwise nothing at all is written.

import { cformat } from './cformat.js';

/** Where the bar is drawn: a terminal. */
export interface ProgressOutput {
  write(text: string): void;
  columns: number;
}

/** Milliseconds, monotonic enough for rates (Date.now, or a fake clock in tests). */
export type Clock = () => number;

/** The least time between two redraws: at most ten a second. */
export const REDRAW_MS = 100;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Bytes in binary units with one decimal ("12.5 MiB"; bytes as a whole number). */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : cformat('%.1f %s', n, UNITS[i]!);
}

export class ProgressBar {
  private done = 0;
  private readonly start: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private ended = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private total: number | null,
    private readonly now: Clock = Date.now,
    private readonly onEnd: () => void = () => undefined,
  ) {
    this.start = now();
  }

  /** `n` more bytes moved (data or, with --sparse, a hole). */
  add(n: number | bigint): void {
    this.update(this.done + Number(n));
  }

  /** The bytes done so far, and the total when it becomes known or changes (migration). */
  update(done: number, total: number | null = this.total): void {
    if (this.ended) return;
    this.done = done;
    this.total = total;
    const t = this.now();
    if (t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    this.draw(t);
  }

  /** The transfer succeeded: the bar at its final value, and the line ended. */
  finish(): void {
    if (this.ended) return;
    this.draw(this.now());
    this.out.write('\n');
    this.end();
  }

  /** The transfer failed: the line cleared, so that the error starts on a clean line. */
  clear(): void {
    if (this.ended) return;
    if (this.drawn) this.out.write('\r\x1b[K');
    this.end();
  }

  /** All of the total done (a job that reports its end without its byte counts). */
  complete(): void {
    if (this.total !== null) this.update(this.total);
  }

  /** The line as drawn now (without the carriage return and erase). */
  render(t: number): string {
    const secs = (t - this.start) / 1000;
    const rate = secs > 0 ? `${formatBytes(Math.round(this.done / secs))}/s` : '';
    const total = this.total;
    if (total === null || total <= 0) return `${this.label}: ${formatBytes(this.done)} ${rate}`.trimEnd();
    const frac = Math.min(1, this.done / total);
    const tail = ` ${cformat('%3d', Math.floor(frac * 100))}% ${formatBytes(this.done)} / ${formatBytes(total)} ${rate}`.trimEnd();
    const head = `${this.label}: `;
    const width = this.out.columns - 1 - head.length - tail.length - 2;
    if (width < 10) return head + tail.trimStart();
    const full = Math.floor(frac * width);
    return `${head}[${'#'.repeat(full)}${'.'.repeat(width - full)}]${tail}`;
  }

  private draw(t: number): void {
    this.out.write(`\r${this.render(t)}\x1b[K`);
    this.drawn = true;
  }

  private end(): void {
    this.ended = true;
    this.onEnd();
  }
}

/**
 * A bar for a transfer of `total` bytes (null: unknown), or null when there is no terminal to
 * draw on or the shell is quiet. Errors the shell prints clear it first (see VshControl.error).
 */
export function startProgress(ctl: { quiet: boolean; io: { progress?: ProgressOutput | null }; progressLine: { clear(): void } | null }, label: string, total: number | bigint | null, now: Clock = Date.now): ProgressBar | null {
  const out = ctl.io.progress;
  if (ctl.quiet || !out) return null;
  const bar: ProgressBar = new ProgressBar(out, label, total === null ? null : Number(total), now, () => {
    if (ctl.progressLine === bar) ctl.progressLine = null;
  });
  ctl.progressLine = bar;
  return bar;
}

/** The items of a stream transfer, counted on `bar` as each is taken (data by length, holes by size). */
export async function* countedItems<T extends Uint8Array | { hole: bigint }>(items: Iterable<T> | AsyncIterable<T>, bar: ProgressBar): AsyncGenerator<T> {
  for await (const item of items) {
    yield item;
    bar.add(item instanceof Uint8Array ? item.length : item.hole);
  }
}

/**
 * A migration's progress callback (remaining and total bytes) drawing on `bar`. The job watcher's
 * last call, once the job succeeded, is "nothing remains" of a total of 1 (virsh's [100 %]).
 */
export function migrationProgress(bar: ProgressBar): (remaining: number | bigint, total: number | bigint) => void {
  return (remaining, total) => (Number(remaining) === 0 ? bar.complete() : bar.update(Number(total) - Number(remaining), Number(total)));
}
