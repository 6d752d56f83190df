// bench/big-reply: how long one legal maximum-size reply keeps the event loop from running while it
// decodes. A fake daemon on loopback (the project's own XDR writer) answers
// connectGetAllDomainStats with 32 MiB of typed parameters, the shape with the most objects per
// byte; a 1 ms interval probe records the longest gap between its ticks, and
// perf_hooks.monitorEventLoopDelay the delay distribution. `npm run bench:big-reply`;
// BENCH_ROUNDS (default 5). No libvirtd: the C client has no event loop to compare here.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { VIR_TYPED_PARAM_INT, VIR_TYPED_PARAM_STRING } from '../src/apixml/generated/constants.js';
import { remote_procedures as P } from '../src/protocol/generated/remote.js';
import { RpcEngine } from '../src/rpc/engine.js';
import { openTcp } from '../src/transport/socket.js';
import { FakeDaemon } from '../test/support/fake-daemon.js';
import { median } from './common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAX_BODY = 32 * 1024 * 1024 - 200;
const proc = P.REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS;

/** getAllDomainStats with `perDom` parameters per domain, as many domains as fit in 32 MiB. */
function statsReply(perDom: number, kind: 'int' | 'string'): { retStats: unknown[]; params: number } {
  const bytesPerParam = kind === 'int' ? 16 : 20;
  const ndom = Math.floor(MAX_BODY / (perDom * bytesPerParam + 32));
  const value = kind === 'int' ? { type: VIR_TYPED_PARAM_INT, i: 1 } : { type: VIR_TYPED_PARAM_STRING, s: 'x' };
  const params = Array.from({ length: perDom }, () => ({ field: 'a', value }));
  return { retStats: Array.from({ length: ndom }, () => ({ dom: { name: 'd', uuid: new Uint8Array(16), id: 1 }, params })), params: ndom * perDom };
}

const shapes = [
  { name: '2 million int parameters (2048 per domain)', ...statsReply(2048, 'int') },
  { name: '1.6 million string parameters (2048 per domain)', ...statsReply(2048, 'string') },
  { name: '2 million int parameters (262,144 per domain, the bound)', ...statsReply(262144, 'int') },
  { name: '1,000 guests x 60 parameters', retStats: statsReply(60, 'int').retStats.slice(0, 1000), params: 60_000 },
];

async function main(): Promise<void> {
  console.log(`One getAllDomainStats reply from a fake daemon on loopback, decoded by the engine; median (max) of ${ROUNDS} rounds\n`);
  console.log('| reply | bytes | longest event-loop block, ms | p99 loop delay, ms | longest GC pause, ms | call time, ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const shape of shapes) {
    let reply: Buffer | null = null;
    const daemon = new FakeDaemon((call, d) => {
      reply ??= d.reply(call, proc.ret, { retStats: shape.retStats } as never);
      reply.writeUInt32BE(call.header.serial, 20);
      call.socket.write(reply);
    });
    const port = await daemon.listen();
    // As connect() opens a tcp:// URI.
    const engine = new RpcEngine((await openTcp('127.0.0.1', port, { directRead: true })).stream);
    const blocks: number[] = [];
    const p99s: number[] = [];
    const times: number[] = [];
    const gcs: number[] = [];
    let gcLongest = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcLongest = Math.max(gcLongest, e.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    try {
      await engine.call(proc, { doms: [], stats: 0, flags: 0 }); // warm-up, and the reply encoded once
      for (let round = 0; round < ROUNDS; round++) {
        const h = monitorEventLoopDelay({ resolution: 1 });
        let last = performance.now();
        let longest = 0;
        const probe = setInterval(() => {
          const now = performance.now();
          longest = Math.max(longest, now - last);
          last = now;
        }, 1);
        h.enable();
        gcLongest = 0;
        const t0 = performance.now();
        const v = await engine.call(proc, { doms: [], stats: 0, flags: 0 });
        times.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
        clearInterval(probe);
        h.disable();
        const n = v.retStats.reduce((k, s) => k + s.params.length, 0);
        if (n !== shape.params) throw new Error(`${n} parameters instead of ${shape.params}`);
        blocks.push(longest);
        gcs.push(gcLongest);
        p99s.push(h.percentile(99) / 1e6);
      }
    } finally {
      gc.disconnect();
      engine.close();
      await daemon.close();
    }
    const f = (xs: number[]): string => `${median(xs).toFixed(0)} (${Math.max(...xs).toFixed(0)})`;
    console.log(`| ${shape.name} | ${reply!.length} | ${f(blocks)} | ${f(p99s)} | ${f(gcs)} | ${f(times)} |`);
  }
}

await main();
