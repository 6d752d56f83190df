// The floor of bench/load for a Node client: N bare net.Socket connections to the daemon's unix
// socket, nothing sent, held idle. What Node itself (libuv handle, stream wrappers, the Socket
// object) holds per connection, before any libvirt-rpc code runs; then N more, as bench/load-client
// does. Prints one JSON line (LoadRun).
//   node --expose-gc dist/bench/load-floor.js SOCKET_PATH N IDLE_SECONDS
import { connect, type Socket } from 'node:net';
import { vmRss } from './common.js';
import type { LoadRun } from './load-client.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const [path, nArg, idleArg] = process.argv.slice(2);
const n = Number(nArg);
gc();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = vmRss();
const sockets: Socket[] = [];
const open = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i++) {
    const s = connect({ path: path! });
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    sockets.push(s);
  }
};
let t = performance.now();
await open(n);
const openSeconds = (performance.now() - t) / 1000;
await new Promise((r) => setTimeout(r, Number(idleArg) * 1000));
const rssIdle = vmRss();
await open(n);
await new Promise((r) => setTimeout(r, Number(idleArg) * 1000));
const rssIdleSecond = vmRss();
gc();
const heapIdle = process.memoryUsage().heapUsed;
const rssIdleAfterGc = vmRss();
t = performance.now();
for (const s of sockets) s.destroy();
const run: LoadRun = { connections: n, openSeconds, callSeconds: 0, closeSeconds: (performance.now() - t) / 1000, rssBefore, rssIdle, rssIdleSecond, heapBefore, heapIdle, rssIdleAfterGc };
console.log(JSON.stringify(run));
