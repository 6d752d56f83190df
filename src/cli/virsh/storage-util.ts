// What virsh-pool.c and virsh-volume.c share: looking up the pool or volume a command names
// (virshCommandOptPoolBy / virshCommandOptVolBy, with their debug lines and errors), sizes as
// vshPrettyCapacity shows them, the state and type names, and virBuffer-style XML building.

import type { StoragePool, StorageVol } from '../../index.js';
import type { Cmd } from '../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../vsh/control.js';
import type { VirshControl } from './control.js';
import { connOf, lookupByUUIDOrName, VIRSH_BYNAME, VIRSH_BYUUID } from './util.js';

/** virshCommandOptPoolBy: the pool of option `optname` by UUID and/or name; null after "failed to get pool". */
export async function optPoolBy(ctl: VirshControl, cmd: Cmd, optname: string, flags = VIRSH_BYUUID | VIRSH_BYNAME): Promise<{ pool: StoragePool; name: string } | null> {
  const n = cmd.string(optname);
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <${optname}>: ${n}\n`);
  const conn = connOf(ctl);
  const pool = await lookupByUUIDOrName(ctl, cmd, optname, 'pool', n, flags, (u) => conn.storagePoolLookupByUUIDString(u), (m) => conn.storagePoolLookupByName(m));
  if (!pool) {
    ctl.error(`failed to get pool '${n}'`);
    return null;
  }
  return { pool, name: n };
}

/**
 * virshCommandOptVolBy: the volume of option `optname`, by name in the pool of `pooloptname` when
 * given, else by key, then by path; null after an error.
 */
export async function optVolBy(ctl: VirshControl, cmd: Cmd, optname: string, pooloptname: string | null, flags = VIRSH_BYUUID | VIRSH_BYNAME): Promise<{ vol: StorageVol; name: string } | null> {
  const n = cmd.string(optname);
  if (n === undefined) return null;
  const p = pooloptname !== null ? cmd.string(pooloptname) : undefined;
  let pool: StoragePool | null = null;
  if (p !== undefined) {
    const found = await optPoolBy(ctl, cmd, pooloptname!, flags);
    if (!found) return null;
    pool = found.pool;
    if ((await pool.isActive().then((a) => (a ? 1 : 0), (e: unknown) => (ctl.saveError(e), -1))) !== 1) {
      ctl.error(`pool '${p}' is not active`);
      return null;
    }
  }
  ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: found option <${optname}>: ${n}\n`);
  const conn = connOf(ctl);
  let vol: StorageVol | typeof FAILED = FAILED;
  if (pool && flags & VIRSH_BYNAME) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as vol name\n`);
    vol = await ctl.call(pool.storageVolLookupByName(n));
  }
  if (vol === FAILED && flags & VIRSH_BYUUID) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as vol key\n`);
    vol = await ctl.call(conn.storageVolLookupByKey(n));
  }
  if (vol === FAILED && flags & VIRSH_BYUUID) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as vol path\n`);
    vol = await ctl.call(conn.storageVolLookupByPath(n));
  }
  if (vol === FAILED) {
    if (pool || pooloptname === null) ctl.error(`failed to get vol '${n}'`);
    else ctl.error(`failed to get vol '${n}', specifying --${pooloptname} might help`);
    return null;
  }
  ctl.resetError();
  if (pool) {
    // The volume must be the given pool's.
    const volpool = await ctl.call(vol.storagePoolLookupByVolume());
    if (volpool !== FAILED && volpool.getName() !== pool.getName()) {
      ctl.resetError();
      ctl.error(`Requested volume '${n}' is not in pool '${pool.getName()}'`);
      return null;
    }
  }
  return { vol, name: n };
}

/** virshCommandOptPool: by UUID or name. */
export const optPool = (ctl: VirshControl, cmd: Cmd, optname: string) => optPoolBy(ctl, cmd, optname);

/** virshCommandOptVol: by name in the pool, key or path. */
export const optVol = (ctl: VirshControl, cmd: Cmd, optname: string, pooloptname: string | null) => optVolBy(ctl, cmd, optname, pooloptname);

const POOL_STATES = ['inactive', 'building', 'running', 'degraded', 'inaccessible'];

/** virshStoragePoolStateToString. */
export const poolStateToString = (state: number): string => POOL_STATES[state] ?? 'unknown';

const VOL_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'];

/** virshVolumeTypeToString. */
export const volTypeToString = (type: number): string => VOL_TYPES[type] ?? 'unknown';

/** virBuffer's indentation rule: an addition at the start of a line is indented. */
export class XmlBuffer {
  private out = '';
  private indent = 0;

  add(text: string): this {
    if (this.indent > 0 && (this.out === '' || this.out.endsWith('\n'))) this.out += ' '.repeat(this.indent);
    this.out += text;
    return this;
  }

  adjust(by: number): this {
    this.indent = Math.max(0, this.indent + by);
    return this;
  }

  toString(): string {
    return this.out;
  }
}
