// The measured process of bench/load: opens N connections with keepalive, makes one call on each,
// holds them idle, then closes them. Prints one JSON line (see LoadRun). Run by bench/load.ts:
//   node dist/bench/load-client.js URI N CONCURRENCY IDLE_SECONDS
import { type Connection } from '../src/api/connection.js';
import { connect } from '../src/api/open.js';
import { vmRss } from './common.js';

/** What one run of a load client reports (the C client's bench/c_client_load.py prints the same). */
export interface LoadRun {
  connections: number;
  openSeconds: number;
  callSeconds: number;
  closeSeconds: number;
  /** VmRSS before the first connection (library loaded) and with every connection open and idle. */
  rssBefore: number;
  rssIdle: number;
  /**
   * VmRSS once `connections` more are open, called and idle the same way: (rssIdleSecond -
   * rssIdle) / connections is what one more connection costs, without what the process grows once
   * (V8's young generation, malloc arenas) and the first figure divides among the first N.
   */
  rssIdleSecond: number;
  /** Ours only (node --expose-gc): the JavaScript heap in use after a full collection, before and with all 2N idle. */
  heapBefore?: number;
  heapIdle?: number;
  /** Ours only: VmRSS right after that collection (garbage of the opens gone, pages V8 keeps kept). */
  rssIdleAfterGc?: number;
}

/** The heap in use after a full collection (needs --expose-gc). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}


async function main(): Promise<void> {
  const [uri, nArg, concurrencyArg, idleArg] = process.argv.slice(2);
  const n = Number(nArg);
  const concurrency = Number(concurrencyArg);
  const idle = Number(idleArg);
  // Warm the code paths on one connection, so the baseline holds the loaded library, not the first open.
  const warm = await connect(uri!);
  await warm.getLibVersion();
  await warm.close();
  const heapBefore = heapAfterGc();
  const rssBefore = vmRss();
  const conns: Connection[] = [];
  /** Opens `n` more connections (`concurrency` at a time), calls each once, idles; what it took and the RSS then. */
  const batch = async (): Promise<{ openSeconds: number; callSeconds: number; rss: number }> => {
    const mine: Connection[] = [];
    let t = performance.now();
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < n) {
        next++;
        mine.push(await connect(uri!, { keepAlive: { interval: 5, count: 6 } }));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, opener));
    const openSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await Promise.all(mine.map((c) => c.getLibVersion()));
    const callSeconds = (performance.now() - t) / 1000;
    conns.push(...mine);
    // Idle: keepalive PINGs go both ways; then what the process holds per connection.
    await new Promise((r) => setTimeout(r, idle * 1000));
    return { openSeconds, callSeconds, rss: vmRss() };
  };
  const first = await batch();
  const { openSeconds, callSeconds } = first;
  const rssIdle = first.rss;
  // No collection between the batches: the second grows the process as the first did.
  const rssIdleSecond = (await batch()).rss;
  const heapIdle = heapAfterGc();
  const rssIdleAfterGc = vmRss();
  const dropped = conns.filter((c) => c.closed).length;
  if (dropped) throw new Error(`${dropped} connections closed while idle`);
  const t = performance.now();
  await Promise.all(conns.map((c) => c.close()));
  const closeSeconds = (performance.now() - t) / 1000;
  const run: LoadRun = { connections: n, openSeconds, callSeconds, closeSeconds, rssBefore, rssIdle, rssIdleSecond, heapBefore, heapIdle, rssIdleAfterGc };
  console.log(JSON.stringify(run));
}

await main();
