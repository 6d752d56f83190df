import type { CallOptions } from '../rpc/engine.js';
import type { Session } from './session.js';

/** Bytes of a CPU bitmap for `cpus` CPUs (VIR_CPU_MAPLEN). */
export const cpuMapLen = (cpus: number): number => Math.ceil(cpus / 8);

/**
 * The host's CPU count as libvirt-python finds it (virNodeGetCPUMap without a map, else
 * virNodeGetInfo's nodes x sockets x cores x threads).
 */
export async function hostCPUs(session: Session, options?: CallOptions): Promise<number> {
  try {
    return (await session.call('REMOTE_PROC_NODE_GET_CPU_MAP', { need_map: 0, need_online: 0, flags: 0 }, options)).ret;
  } catch {
    const i = await session.invoke('REMOTE_PROC_NODE_GET_INFO', undefined, options);
    return i.nodes * i.sockets * i.cores * i.threads;
  }
}

/** One CPU bitmap of `cpus` bits at `offset` in `maps` (VIR_CPU_USABLE), as booleans. */
export function cpuMap(maps: Uint8Array, offset: number, cpus: number): boolean[] {
  const out = new Array<boolean>(cpus);
  for (let cpu = 0; cpu < cpus; cpu++) out[cpu] = ((maps[offset + (cpu >> 3)] ?? 0) & (1 << (cpu & 7))) !== 0;
  return out;
}

/** `count` bitmaps of `maplen` bytes each, `cpus` booleans per map. */
export function cpuMaps(maps: Uint8Array, count: number, maplen: number, cpus: number): boolean[][] {
  const bits = Math.min(cpus, maplen * 8);
  const out: boolean[][] = [];
  for (let i = 0; i < count && (i + 1) * maplen <= maps.length; i++) out.push(cpuMap(maps, i * maplen, bits));
  return out;
}
