// Compiled with the rest of the project under `strict` (a type error fails `npm run build`), never
// run: the README's calls exactly as a user writes them, without casts, and the mistakes the
// contract rejects at compile time (`@ts-expect-error` fails the build when a line compiles).
import {
  type Connection,
  type Domain,
  type KeepAliveState,
  type LibvirtError,
  type MemoryStats,
  type VcpuInfo,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_XML_INACTIVE,
  bigintReplacer,
  connect,
} from '../../src/index.js';

export async function readmeUsage(uri: string): Promise<void> {
  await using conn = await connect(uri, { timeout: 10_000, signal: AbortSignal.timeout(20_000) });
  const dom: Domain = await conn.domainLookupByName('web1');

  // 1. Inputs: numbers or bigints for 64-bit values, booleans for switches.
  await dom.setMemory(65536);
  await dom.setMemory(65536n);
  await dom.setMemoryFlags(65536, VIR_DOMAIN_AFFECT_LIVE);
  await dom.setAutostart(true);
  const peek: Uint8Array = await dom.blockPeek('vda', 0, 512);
  // 2. Defaults: flags and buffer sizes may be left out.
  const xml: string = await dom.getXMLDesc();
  const ids: number[] = await conn.listDomains();
  const names: string[] = await conn.listDefinedDomains();
  const snaps: string[] = await dom.snapshotListNames();
  const st = conn.newStream();
  const mime: string | null = await dom.screenshot(st);
  // 3. Results: C names, boolean CPU maps, keyed memory statistics, bigint for 64-bit.
  const { info, cpumaps }: { info: VcpuInfo[]; cpumaps: boolean[][] } = await dom.getVcpus();
  const cpuTime: bigint = info[0]!.cpuTime;
  const pins: boolean[][] = await dom.getVcpuPinInfo();
  const { cpus, cpumap, online } = await conn.nodeGetCPUMap();
  const stats: MemoryStats = await dom.memoryStats();
  const rss: bigint | undefined = stats.rss;
  const errors: { disk: string; error: number }[] = await dom.getDiskErrors();
  const json: string = JSON.stringify(await dom.getInfo(), bigintReplacer);
  // Typed parameters are typed per field where libvirt documents the field.
  const hardLimit: bigint | undefined = (await dom.getMemoryParameters()).hard_limit;
  const weight: number | undefined = (await dom.getBlkioParameters()).weight;
  // 4. Per-call options after the C arguments.
  const ac = new AbortController();
  await dom.getXMLDesc(VIR_DOMAIN_XML_INACTIVE, { signal: ac.signal });
  await conn.getLibVersion({ timeout: 5000 });
  await conn.listDomains(undefined, { timeout: 1000 });
  // 5. Resources: event streams are disposable too; on() is typed per event.
  await using events = conn.domainEvents({ signal: ac.signal });
  conn.on('close', (reason, error: LibvirtError | null) => void [reason, error]);
  const ka: KeepAliveState = conn.keepAliveState;
  // 6. Errors are LibvirtError with libvirt's code.
  try {
    await conn.domainLookupByUUIDString('not-a-uuid');
  } catch (e) {
    const code: number = (e as LibvirtError).code;
    void code;
  }
  void [hardLimit, weight, peek, xml, ids, names, snaps, mime, cpumaps, cpuTime, pins, cpus, cpumap, online, rss, errors, json, events, ka];
}

/** Whether A and B are the same type (not merely assignable either way). */
type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export function handlesNameTheirClasses(conn: Connection, dom: Domain): void {
  // A handle's connection is the full Connection class, not a narrower view of it.
  const domConnection: Exactly<typeof dom.connection, Connection> = true;
  const streamConnection: Exactly<ReturnType<Connection['newStream']>['connection'], Connection> = true;
  const lookedUp: Exactly<Awaited<ReturnType<Connection['domainLookupByName']>>, Domain> = true;
  void [conn, dom, domConnection, streamConnection, lookedUp];
}

export async function mistakes(conn: Connection, dom: Domain): Promise<void> {
  // @ts-expect-error memory is a number or a bigint, not a string
  await dom.setMemory('64M');
  // @ts-expect-error the options come after the C arguments (flags here)
  await dom.getXMLDesc({ signal: AbortSignal.abort() });
  // @ts-expect-error getVcpus' info has no wire names
  void (await dom.getVcpus()).info[0]!.cpu_time;
  // @ts-expect-error no wire count field in results
  void (await conn.nodeGetCPUMap()).ret;
  // @ts-expect-error hard_limit is a bigint, not a number
  const limit: number | undefined = (await dom.getMemoryParameters()).hard_limit;
  void limit;
  // @ts-expect-error unknown procedure names do not compile
  await conn.call('REMOTE_PROC_NOPE');
}
