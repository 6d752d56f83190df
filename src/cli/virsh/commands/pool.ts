// virsh-pool.c: the "Storage Pool" group (pool-edit is ported elsewhere).

import {
  VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
  VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  VIR_ERR_INVALID_ARG,
  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE,
  VIR_STORAGE_POOL_BUILD_OVERWRITE,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE,
  VIR_STORAGE_POOL_DEFINE_VALIDATE,
  VIR_STORAGE_POOL_DEGRADED,
  VIR_STORAGE_POOL_RUNNING,
  VIR_STORAGE_XML_INACTIVE,
  type StoragePool,
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonNumber } from '../../vsh/json.js';
import { cformat } from '../../vsh/cformat.js';
import { exclusive, VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { numberCell, Table, type Cell } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { optPool, optPoolBy, poolStateToString, XmlBuffer } from '../storage-util.js';
import { prettyCapacity } from '../monitor-util.js';
import { connOf, dumpXML, readFileAll, VIRSH_BYNAME, VIRSH_BYUUID } from '../util.js';
import { strcasecmp } from './domain-monitor.js';
import { poolEventHandlers } from './pool-event.js';

async function cmdPoolAutostart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const { pool, name } = found;
  const autostart = !cmd.has('disable');
  if ((await ctl.call(pool.setAutostart(autostart))) === FAILED) {
    ctl.error(autostart ? `failed to mark pool ${name} as autostarted` : `failed to unmark pool ${name} as autostarted`);
    return false;
  }
  ctl.printExtra(autostart ? `Pool ${name} marked as autostarted\n` : `Pool ${name} unmarked as autostarted\n`);
  return true;
}

/** --build, --overwrite and --no-overwrite of pool-create, pool-create-as and pool-start. */
function createFlags(cmd: Cmd): number {
  const build = cmd.has('build');
  const overwrite = cmd.has('overwrite');
  const noOverwrite = cmd.has('no-overwrite');
  exclusive('overwrite', overwrite, 'no-overwrite', noOverwrite);
  let flags = 0;
  if (build) flags |= VIR_STORAGE_POOL_CREATE_WITH_BUILD;
  if (overwrite) flags |= VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE;
  if (noOverwrite) flags |= VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;
  return flags;
}

/** The XML of `xml` made a pool: pool-create and pool-create-as (`create`), pool-define and pool-define-as. */
async function poolFromXML(ctl: VirshControl, create: boolean, xml: string, flags: number): Promise<StoragePool | typeof FAILED> {
  const conn = connOf(ctl);
  return ctl.call(create ? conn.storagePoolCreateXML(xml, flags) : conn.storagePoolDefineXML(xml, flags));
}

/** pool-create and pool-define: the pool of --file's XML. */
async function poolFromFile(ctl: VirshControl, cmd: Cmd, create: boolean, flagsOf: () => number): Promise<boolean> {
  const verb = create ? 'create' : 'define';
  const from = cmd.string('file')!;
  const flags = flagsOf();
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const pool = await poolFromXML(ctl, create, buffer, flags);
  if (pool === FAILED) {
    ctl.error(`Failed to ${verb} pool from ${from}`);
    return false;
  }
  ctl.printExtra(`Pool ${pool.getName()} ${verb}d from ${from}\n`);
  return true;
}

/** pool-create-as and pool-define-as: the pool of the options' XML, or that XML with --print-xml. */
async function poolFromOptions(ctl: VirshControl, cmd: Cmd, create: boolean, flagsOf: () => number): Promise<boolean> {
  const verb = create ? 'create' : 'define';
  const printXML = cmd.has('print-xml');
  const flags = flagsOf();
  const { name, xml } = buildPoolXML(cmd);
  if (printXML) {
    ctl.print('%s', xml);
    return true;
  }
  if ((await poolFromXML(ctl, create, xml, flags)) === FAILED) {
    ctl.error(`Failed to ${verb} pool ${name}`);
    return false;
  }
  ctl.printExtra(`Pool ${name} ${verb}d\n`);
  return true;
}

const cmdPoolCreate = (ctl: VirshControl, cmd: Cmd) => poolFromFile(ctl, cmd, true, () => createFlags(cmd));
const cmdPoolDefine = (ctl: VirshControl, cmd: Cmd) => poolFromFile(ctl, cmd, false, () => cmd.flags([['validate', VIR_STORAGE_POOL_DEFINE_VALIDATE]]));
const cmdPoolCreateAs = (ctl: VirshControl, cmd: Cmd) => poolFromOptions(ctl, cmd, true, () => createFlags(cmd));
const cmdPoolDefineAs = (ctl: VirshControl, cmd: Cmd) => poolFromOptions(ctl, cmd, false, () => 0);

/** virshBuildPoolXML: the pool document of pool-create-as and pool-define-as. */
function buildPoolXML(cmd: Cmd): { name: string; xml: string } {
  cmd.exclusive('secret-usage', 'secret-uuid');
  const name = cmd.string('name')!;
  const type = cmd.string('type')!;
  const opt = (o: string) => cmd.string(o);
  const srcHost = opt('source-host');
  const srcPath = opt('source-path');
  const srcDev = opt('source-dev');
  const srcName = opt('source-name');
  const srcFormat = opt('source-format');
  const target = opt('target');
  const authType = opt('auth-type');
  const authUsername = opt('auth-username');
  const secretUsage = opt('secret-usage');
  const secretUUID = opt('secret-uuid');
  const adapterName = opt('adapter-name');
  const adapterWwnn = opt('adapter-wwnn');
  const adapterWwpn = opt('adapter-wwpn');
  const adapterParent = opt('adapter-parent');
  const adapterParentWwnn = opt('adapter-parent-wwnn');
  const adapterParentWwpn = opt('adapter-parent-wwpn');
  const adapterParentFabricWwn = opt('adapter-parent-fabric-wwn');
  const protoVer = opt('source-protocol-ver');
  const srcInitiator = opt('source-initiator');

  const buf = new XmlBuffer();
  buf.add(`<pool type='${type}'>\n`).adjust(2);
  buf.add(`<name>${name}</name>\n`);
  if (srcHost || srcPath || srcDev || srcInitiator || srcFormat || srcName || (adapterWwnn && adapterWwpn) || adapterName) {
    buf.add('<source>\n').adjust(2);
    if (srcHost) buf.add(`<host name='${srcHost}'/>\n`);
    if (srcPath) buf.add(`<dir path='${srcPath}'/>\n`);
    if (srcDev) buf.add(`<device path='${srcDev}'/>\n`);
    if (srcInitiator) {
      buf.add('<initiator>\n').adjust(2);
      buf.add(`<iqn name='${srcInitiator}'/>\n`);
      buf.adjust(-2).add('</initiator>\n');
    }
    if (adapterWwnn && adapterWwpn) {
      buf.add("<adapter type='fc_host'");
      if (adapterParent) buf.add(` parent='${adapterParent}'`);
      else if (adapterParentWwnn && adapterParentWwpn) buf.add(` parent_wwnn='${adapterParentWwnn}' parent_wwpn='${adapterParentWwpn}'`);
      else if (adapterParentFabricWwn) buf.add(` parent_fabric_wwn='${adapterParentFabricWwn}'`);
      buf.add(` wwnn='${adapterWwnn}' wwpn='${adapterWwpn}'/>\n`);
    } else if (adapterName) {
      buf.add(`<adapter type='scsi_host' name='${adapterName}'/>\n`);
    }
    if (authType && authUsername && (secretUsage || secretUUID)) {
      buf.add(`<auth type='${authType}' username='${authUsername}'>\n`).adjust(2);
      if (secretUsage) buf.add(`<secret usage='${secretUsage}'/>\n`);
      else buf.add(`<secret uuid='${secretUUID}'/>\n`);
      buf.adjust(-2).add('</auth>\n');
    }
    if (srcFormat) buf.add(`<format type='${srcFormat}'/>\n`);
    if (srcName) buf.add(`<name>${srcName}</name>\n`);
    if (protoVer) buf.add(`<protocol ver='${protoVer}'/>\n`);
    buf.adjust(-2).add('</source>\n');
  }
  if (target) {
    buf.add('<target>\n').adjust(2);
    buf.add(`<path>${target}</path>\n`);
    buf.adjust(-2).add('</target>\n');
  }
  buf.adjust(-2).add('</pool>\n');
  return { name, xml: buf.toString() };
}

/** The commands that look the pool up, make one call, and say "Pool <name> <done>". */
function simplePoolCommand(call: (pool: StoragePool, cmd: Cmd) => Promise<unknown>, done: string, failed: string) {
  return async (ctl: VirshControl, cmd: Cmd): Promise<boolean> => {
    const found = await optPool(ctl, cmd, 'pool');
    if (!found) return false;
    if ((await ctl.call(call(found.pool, cmd))) === FAILED) {
      ctl.error(`Failed to ${failed} pool ${found.name}`);
      return false;
    }
    ctl.printExtra(`Pool ${found.name} ${done}\n`);
    return true;
  };
}

const cmdPoolBuild = simplePoolCommand(
  (p, cmd) =>
    p.build(
      cmd.flags([
        ['no-overwrite', VIR_STORAGE_POOL_BUILD_NO_OVERWRITE],
        ['overwrite', VIR_STORAGE_POOL_BUILD_OVERWRITE],
      ]),
    ),
  'built',
  'build',
);
const cmdPoolStart = simplePoolCommand((p, cmd) => p.create(createFlags(cmd)), 'started', 'start');
const cmdPoolDestroy = simplePoolCommand((p) => p.destroy(), 'destroyed', 'destroy');
const cmdPoolDelete = simplePoolCommand((p) => p.delete(0), 'deleted', 'delete');
const cmdPoolRefresh = simplePoolCommand((p) => p.refresh(0), 'refreshed', 'refresh');
const cmdPoolUndefine = simplePoolCommand((p) => p.undefine(), 'has been undefined', 'undefine');

async function cmdPoolDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const inactive = cmd.has('inactive');
  const wrap = cmd.has('wrap');
  const flags = inactive ? VIR_STORAGE_XML_INACTIVE : 0;
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.pool.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

/** virshStoragePoolListCollect: the pools the flags select, sorted by name; null after an error. */
export async function collectPools(ctl: VirshControl, flags: number): Promise<StoragePool[] | null> {
  const conn = connOf(ctl);
  let list = await ctl.call(conn.listAllStoragePools(flags));
  if (list === FAILED && ctl.lastError?.code === VIR_ERR_INVALID_ARG) {
    // Try again without the flags older daemons do not know, and filter here.
    ctl.resetError();
    list = await ctl.call(conn.listAllStoragePools(flags & (VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE)));
    if (list !== FAILED) {
      const kept: StoragePool[] = [];
      const match = (f: number) => (flags & f) !== 0;
      for (const pool of list) {
        if (match(VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT | VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT)) {
          const persistent = await ctl.call(pool.isPersistent());
          if (persistent === FAILED) {
            ctl.error('Failed to get pool persistence info');
            return null;
          }
          if (!((match(VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT) && persistent) || (match(VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT) && !persistent))) continue;
        }
        if (match(VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART | VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART)) {
          const autostart = await ctl.call(pool.getAutostart());
          if (autostart === FAILED) {
            ctl.error('Failed to get pool autostart state');
            return null;
          }
          if (!((match(VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART) && autostart) || (match(VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART) && !autostart))) continue;
        }
        kept.push(pool);
      }
      list = kept;
    }
  }
  if (list === FAILED) {
    ctl.error('Failed to list pools');
    return null;
  }
  return list.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

/** virStoragePoolType's names, with the pool-list --type flag of each. */
export const POOL_TYPE_FLAGS: Record<string, number> = {
  dir: VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  fs: VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  netfs: VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  logical: VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  disk: VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  iscsi: VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  'iscsi-direct': VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  scsi: VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  mpath: VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  rbd: VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  sheepdog: VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  gluster: VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  zfs: VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  vstorage: VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
};

interface PoolInfoText {
  state: string;
  autostart: string;
  persistent: string;
  capacity: Cell;
  allocation: Cell;
  available: Cell;
}

function sizeText(bytes: bigint): string {
  const { value, unit } = prettyCapacity(bytes);
  return cformat('%.2lf %s', value, unit);
}

async function cmdPoolList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('name', 'uuid');
  const details = cmd.has('details');
  const inactive = cmd.has('inactive');
  const all = cmd.has('all');
  exclusive('all', all, 'inactive', inactive);
  let flags = VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE;
  if (inactive) flags = VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
  if (all) flags = VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
  if (cmd.has('autostart')) flags |= VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART;
  if (cmd.has('no-autostart')) flags |= VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART;
  if (cmd.has('persistent')) flags |= VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT;
  if (cmd.has('transient')) flags |= VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT;
  const uuid = cmd.has('uuid');
  const name = cmd.has('name');
  const type = cmd.string('type');
  cmd.exclusive('details', 'uuid');
  cmd.exclusive('details', 'name');
  if (type !== undefined) {
    for (const t of splitCommas(type)) {
      const f = Object.hasOwn(POOL_TYPE_FLAGS, t) ? POOL_TYPE_FLAGS[t] : undefined;
      if (f === undefined) {
        ctl.error(`Invalid pool type '${t}'`);
        return false;
      }
      flags |= f;
    }
  }

  const list = await collectPools(ctl, flags);
  if (!list) return false;
  const texts: PoolInfoText[] = [];
  for (const pool of list) {
    const t: PoolInfoText = { state: '', autostart: '', persistent: '', capacity: '', allocation: '', available: '' };
    texts.push(t);
    const autostart = await ctl.call(pool.getAutostart());
    t.autostart = autostart === FAILED ? 'no autostart' : autostart ? 'yes' : 'no';
    if (details) {
      const persistent = await pool.isPersistent().then((p) => (p ? 1 : 0), (e: unknown) => (ctl.saveError(e), -1));
      ctl.debug(VSH_ERR_DEBUG, `Persistent flag value: ${persistent}\n`);
      t.persistent = persistent < 0 ? 'unknown' : persistent ? 'yes' : 'no';
    }
    const info = await ctl.call(pool.getInfo());
    if (info === FAILED) {
      ctl.error('Could not retrieve pool information');
      t.state = 'unknown';
      if (details) t.capacity = t.allocation = t.available = 'unknown';
    } else if (details) {
      t.state = poolStateToString(info.state);
      if (info.state === VIR_STORAGE_POOL_RUNNING || info.state === VIR_STORAGE_POOL_DEGRADED) {
        t.capacity = numberCell(sizeText(info.capacity), info.capacity);
        t.allocation = numberCell(sizeText(info.allocation), info.allocation);
        t.available = numberCell(sizeText(info.available), info.available);
      } else t.capacity = t.allocation = t.available = '-';
    } else {
      // virStoragePoolIsActive's -1 counts as active, as in virsh.
      const active = await pool.isActive().then((a) => a, (e: unknown) => (ctl.saveError(e), true));
      t.state = active ? 'active' : 'inactive';
    }
  }

  if (!details) {
    if (uuid || name) {
      list.forEach((pool) => {
        if (uuid) ctl.print('%-36s%c', pool.getUUIDString(), name ? ' ' : '\n');
        if (name) ctl.print('%-20s\n', pool.getName());
      });
      return true;
    }
    const table = new Table('Name', 'State', 'Autostart');
    list.forEach((pool, i) => table.add(pool.getName(), texts[i]!.state, texts[i]!.autostart).with({ uuid: pool.getUUIDString() }));
    ctl.printTable(cmd, table);
    return true;
  }
  const table = new Table('Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available');
  list.forEach((pool, i) => {
    const t = texts[i]!;
    table.add(pool.getName(), t.state, t.autostart, t.persistent, t.capacity, t.allocation, t.available).with({ uuid: pool.getUUIDString() });
  });
  ctl.printTable(cmd, table);
  return true;
}

/** The end of pool-discover-sources and pool-discover-sources-as: the daemon's list of sources. */
async function printPoolSources(ctl: VirshControl, type: string, srcSpec: string | null): Promise<boolean> {
  const srcList = await ctl.call(connOf(ctl).findStoragePoolSources(type, srcSpec, 0));
  if (srcList === FAILED) {
    ctl.error(`Failed to find any ${type} pool sources`);
    return false;
  }
  ctl.print('%s', srcList);
  return true;
}

async function cmdPoolDiscoverSourcesAs(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const type = cmd.string('type')!;
  const host = cmd.string('host');
  const initiator = cmd.string('initiator');
  let srcSpec: string | null = null;
  if (host !== undefined) {
    let port: string | undefined;
    try {
      port = cmd.string('port');
    } catch (e) {
      if (!(e instanceof VshError)) throw e;
      ctl.error(e.message);
      ctl.error('missing argument');
      return false;
    }
    const buf = new XmlBuffer();
    buf.add('<source>\n').adjust(2);
    buf.add(`<host name='${host}'`);
    if (port !== undefined) buf.add(` port='${port}'`);
    buf.add('/>\n');
    if (initiator !== undefined) {
      buf.add('<initiator>\n').adjust(2);
      buf.add(`<iqn name='${initiator}'/>\n`);
      buf.adjust(-2).add('</initiator>\n');
    }
    buf.adjust(-2).add('</source>\n');
    srcSpec = buf.toString();
  }
  return printPoolSources(ctl, type, srcSpec);
}

async function cmdPoolDiscoverSources(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const type = cmd.string('type')!;
  const srcSpecFile = cmd.string('srcSpec');
  let srcSpec: string | null = null;
  if (srcSpecFile !== undefined) {
    srcSpec = readFileAll(ctl, srcSpecFile);
    if (srcSpec === null) return false;
  }
  return printPoolSources(ctl, type, srcSpec);
}

async function cmdPoolInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const { pool } = found;
  const bytes = cmd.has('bytes');
  const out = new InfoOutput(ctl, cmd);
  out.print('%-15s %s\n', 'Name:', pool.getName());
  out.print('%-15s %s\n', 'UUID:', pool.getUUIDString());
  const info = await ctl.call(pool.getInfo());
  if (info === FAILED) return false;
  out.print('%-15s %s\n', 'State:', poolStateToString(info.state));
  const persistent = await pool.isPersistent().then((p) => (p ? 1 : 0), (e: unknown) => (ctl.saveError(e), -1));
  ctl.debug(VSH_ERR_DEBUG, `Pool persistent flag value: ${persistent}\n`);
  out.print('%-15s %s\n', 'Persistent:', persistent < 0 ? 'unknown' : persistent ? 'yes' : 'no');
  const autostart = await ctl.call(pool.getAutostart());
  out.print('%-15s %s\n', 'Autostart:', autostart === FAILED ? 'no autostart' : autostart ? 'yes' : 'no');
  if (info.state === VIR_STORAGE_POOL_RUNNING || info.state === VIR_STORAGE_POOL_DEGRADED) {
    if (bytes) {
      out.print('%-15s %llu\n', 'Capacity:', info.capacity);
      out.print('%-15s %llu\n', 'Allocation:', info.allocation);
      out.print('%-15s %llu\n', 'Available:', info.available);
    } else {
      for (const [label, v] of [['Capacity:', info.capacity], ['Allocation:', info.allocation], ['Available:', info.available]] as const) {
        const { value, unit } = prettyCapacity(v);
        out.print('%-15s %2.2lf %s\n', label, value, unit).as(jsonNumber(v));
      }
    }
  }
  out.end();
  return true;
}

async function cmdPoolName(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optPoolBy(ctl, cmd, 'pool', VIRSH_BYUUID);
  if (!found) return false;
  ctl.print('%s\n', found.pool.getName());
  return true;
}

async function cmdPoolUuid(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optPoolBy(ctl, cmd, 'pool', VIRSH_BYNAME);
  if (!found) return false;
  ctl.print('%s\n', found.pool.getUUIDString());
  return true;
}

async function cmdPoolCapabilities(ctl: VirshControl, _cmd: Cmd): Promise<boolean> {
  const caps = await ctl.call(connOf(ctl).getStoragePoolCapabilities(0));
  if (caps === FAILED) {
    ctl.error('failed to get storage pool capabilities');
    return false;
  }
  ctl.print('%s\n', caps);
  return true;
}

export const poolHandlers = {
  cmdPoolAutostart,
  cmdPoolCreate,
  cmdPoolCreateAs,
  cmdPoolDefine,
  cmdPoolDefineAs,
  cmdPoolBuild,
  cmdPoolDestroy,
  cmdPoolDelete,
  cmdPoolRefresh,
  cmdPoolUndefine,
  cmdPoolDumpXML,
  cmdPoolList,
  cmdPoolDiscoverSourcesAs,
  cmdPoolDiscoverSources,
  cmdPoolInfo,
  cmdPoolName,
  cmdPoolStart,
  cmdPoolUuid,
  cmdPoolCapabilities,
  ...poolEventHandlers,
};
