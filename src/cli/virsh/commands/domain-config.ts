// virsh-domain.c, "Domain Management" (part): undefine, autostart, the save and managed-save
// commands, restore, dump, the vCPU, IOThread and scheduler commands, and the small
// per-domain actions (reset, inject-nmi, send-key, dompmsuspend, ...).

import {
  type TypedParams,
  type TypedParamsInput,
  typedParamType,
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_SAVE_BYPASS_CACHE,
  VIR_DOMAIN_SAVE_PAUSED,
  VIR_DOMAIN_SAVE_RESET_NVRAM,
  VIR_DOMAIN_SAVE_RUNNING,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_SNAPSHOT_LIST_METADATA,
  VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
  VIR_DOMAIN_UNDEFINE_KEEP_NVRAM,
  VIR_DOMAIN_UNDEFINE_KEEP_TPM,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
  VIR_DOMAIN_UNDEFINE_NVRAM,
  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_UNDEFINE_TPM,
  VIR_DOMAIN_VCPU_GUEST,
  VIR_DOMAIN_VCPU_HOTPLUGGABLE,
  VIR_DOMAIN_VCPU_MAXIMUM,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_SECURE,
  VIR_DUMP_BYPASS_CACHE,
  VIR_DUMP_CRASH,
  VIR_DUMP_LIVE,
  VIR_DUMP_MEMORY_ONLY,
  VIR_DUMP_RESET,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS,
  type Domain,
  type StorageVol,
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import { exclusive, requires, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonNumber, toJson, type JsonValue } from '../../vsh/json.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { affectFlags, bitmapFormat, jobWorker, nodeCPUCount, paramFromString, parseCPUList, watchJob } from '../domain-config-util.js';
import { typedParamEntries, typedParamString } from '../../vsh/typed-params.js';
import { connOf, dumpXML, optDomain, readFileAll } from '../util.js';
import { attr, child, childrenNamed, domainXMLFromDom } from '../monitor-util.js';
import { domainGuestHandlers } from './domain-guest.js';
import { domainTuneHandlers } from './domain-tune.js';
import { SUSPEND_TARGETS } from './host.js';


/** virXPathInt / virXPathUInt of a string: null when it is not a number (or absent). */
function xpathInt(text: string | undefined, unsigned: boolean): number | null {
  if (text === undefined || text === '') return null;
  const r = strToInt(text, unsigned);
  return r;
}

function strToInt(text: string, unsigned: boolean): number | null {
  const m = /^\s*([+-]?\d+)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  if (unsigned ? n < 0 || n > 0xffffffff : n < -0x80000000 || n > 0x7fffffff) return null;
  return n;
}

interface UndefineVolume {
  vol: StorageVol;
  source: string;
  target: string;
}

async function cmdUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  let volFlags = 0;
  const managedSave = cmd.has('managed-save');
  const snapshotsMetadata = cmd.has('snapshots-metadata');
  const checkpointsMetadata = cmd.has('checkpoints-metadata');
  const wipeStorage = cmd.has('wipe-storage');
  const removeAllStorage = cmd.has('remove-all-storage');
  const deleteSnapshots = cmd.has('delete-storage-volume-snapshots');
  const nvram = cmd.has('nvram');
  const keepNvram = cmd.has('keep-nvram');
  const tpm = cmd.has('tpm');
  const keepTpm = cmd.has('keep-tpm');
  let hasManagedSave = false;
  let hasSnapshotsMetadata = 0;
  let hasSnapshots = 0;
  let managedSaveSafe = false;
  let snapshotsSafe = false;
  const conn = connOf(ctl);

  cmd.requires('delete-storage-volume-snapshots', 'remove-all-storage');
  cmd.exclusive('nvram', 'keep-nvram');
  cmd.exclusive('tpm', 'keep-tpm');

  const volString = cmd.stringQuiet('storage');
  if (!(volString || removeAllStorage) && wipeStorage) {
    ctl.error("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'");
    return false;
  }
  if (deleteSnapshots) volFlags |= VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS;
  if (managedSave) {
    flags |= VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
    managedSaveSafe = true;
  }
  if (snapshotsMetadata) {
    flags |= VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    snapshotsSafe = true;
  }
  if (checkpointsMetadata) flags |= VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
  if (nvram) flags |= VIR_DOMAIN_UNDEFINE_NVRAM;
  if (keepNvram) flags |= VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;
  if (tpm) flags |= VIR_DOMAIN_UNDEFINE_TPM;
  if (keepTpm) flags |= VIR_DOMAIN_UNDEFINE_KEEP_TPM;

  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name } = found;
  const reportAndFail = () => {
    ctl.reportError();
    return false;
  };

  const running = await ctl.call(dom.isActive());
  if (running === FAILED) return reportAndFail();
  if (!running) {
    const hms = await ctl.call(dom.hasManagedSaveImage(0));
    if (hms === FAILED) {
      if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return reportAndFail();
      ctl.resetError();
    } else hasManagedSave = hms;
    const hs = await ctl.call(dom.snapshotNum(0));
    if (hs === FAILED) {
      if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return reportAndFail();
      ctl.resetError();
    } else hasSnapshots = hs;
    if (hasSnapshots) {
      const hsm = await ctl.call(dom.snapshotNum(VIR_DOMAIN_SNAPSHOT_LIST_METADATA));
      if (hsm === FAILED) {
        ctl.resetError();
        hasSnapshotsMetadata = hasSnapshots;
      } else {
        hasSnapshotsMetadata = hsm;
        managedSaveSafe = snapshotsSafe = true;
      }
    }
  }
  if (!hasManagedSave) {
    flags &= ~VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
    managedSaveSafe = true;
  }
  if (hasSnapshots === 0) snapshotsSafe = true;
  if (hasSnapshotsMetadata === 0) {
    flags &= ~VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    snapshotsSafe = true;
  }

  const vols: UndefineVolume[] = [];
  if (volString || removeAllStorage) {
    if (running) {
      ctl.error('Storage volume deletion is supported only on stopped domains');
      return false;
    }
    if (volString && removeAllStorage) {
      ctl.error('Specified both --storage and --remove-all-storage');
      return false;
    }
    const doc = await domainXMLFromDom(ctl, dom, 0);
    if (!doc) return false;
    const volList: (string | null)[] | null = volString ? splitCommas(volString) : null;
    for (const disk of childrenNamed(child(doc, 'devices'), 'disk')) {
      const target = attr(child(disk, 'target'), 'dev');
      if (!target) return reportAndFail();
      const src = child(disk, 'source');
      let source: string | undefined;
      if (src) {
        for (let i = 0; i < src.attributes.length; i += 2) {
          if (['file', 'dir', 'name', 'dev', 'volume'].includes(src.attributes[i]!)) {
            source = src.attributes[i + 1];
            break;
          }
        }
      }
      if (!source) continue;
      const pool = attr(src, 'pool') || undefined;
      if (volList) {
        const j = volList.findIndex((v) => v !== null && (v === target || v === source));
        if (j < 0) continue;
        volList[j] = null;
      }
      let vol: StorageVol | typeof FAILED;
      if (pool) {
        const storagepool = await ctl.call(conn.storagePoolLookupByName(pool));
        if (storagepool === FAILED) {
          ctl.error(`Storage pool '${pool}' for volume '${target}' not found.`);
          ctl.resetError();
          continue;
        }
        vol = await ctl.call(storagepool.storageVolLookupByName(source));
      } else vol = await ctl.call(conn.storageVolLookupByPath(source));
      if (vol === FAILED) {
        ctl.error(`Storage volume '${target}'(${source}) is not managed by libvirt. Remove it manually.\n`);
        ctl.resetError();
        continue;
      }
      vols.push({ vol, source, target });
    }
    if (volList) {
      let missing = false;
      for (const v of volList) {
        if (v !== null) {
          ctl.error(`Volume '${v}' was not found in domain's definition.\n`);
          missing = true;
        }
      }
      if (missing) return false;
    }
  }

  let rc: boolean | null = null;
  if ((managedSaveSafe && snapshotsSafe) || nvram) {
    rc = (await ctl.call(dom.undefineFlags(flags))) !== FAILED;
    const code = ctl.lastError?.code;
    if (rc || nvram || (code !== VIR_ERR_NO_SUPPORT && code !== VIR_ERR_INVALID_ARG)) {
      // out
    } else {
      ctl.resetError();
      rc = null;
    }
  }
  if (rc === null) {
    if (hasManagedSave) {
      if (!managedSave) {
        ctl.error('Refusing to undefine while domain managed save image exists');
        return false;
      }
      if ((await ctl.call(dom.managedSaveRemove(0))) === FAILED) return reportAndFail();
    }
    if (hasSnapshotsMetadata) {
      if (snapshotsMetadata) ctl.error(`Unable to remove metadata of ${hasSnapshotsMetadata} snapshots`);
      else ctl.error(`Refusing to undefine while ${hasSnapshotsMetadata} snapshots exist`);
      return false;
    }
    rc = (await ctl.call(dom.undefine())) !== FAILED;
  }
  if (!rc) {
    ctl.error(`Failed to undefine domain '${name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${name}' has been undefined\n`);
  let ret = true;
  for (const v of vols) {
    if (wipeStorage) {
      ctl.printExtra(`Wiping volume '${v.target}'(${v.source}) ... `);
      if ((await ctl.call(v.vol.wipe(0))) === FAILED) {
        ctl.error('Failed! Volume not removed.');
        ret = false;
        continue;
      }
      ctl.printExtra('Done.\n');
    }
    if ((await ctl.call(v.vol.delete(volFlags))) === FAILED) {
      ctl.error(`Failed to remove storage volume '${v.target}'(${v.source})`);
      ret = false;
    } else ctl.printExtra(`Volume '${v.target}'(${v.source}) removed.\n`);
  }
  return ret;
}

async function cmdAutostart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const autostart = !cmd.has('disable');
  if ((await ctl.call(found.dom.setAutostart(autostart))) === FAILED) {
    if (autostart) ctl.error(`Failed to mark domain '${found.name}' as autostarted`);
    else ctl.error(`Failed to unmark domain '${found.name}' as autostarted`);
    return false;
  }
  if (autostart) ctl.printExtra(`Domain '${found.name}' marked as autostarted\n`);
  else ctl.printExtra(`Domain '${found.name}' unmarked as autostarted\n`);
  return true;
}

async function cmdSave(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const to = cmd.string('file')!;
  const verbose = cmd.has('verbose');
  const ok = await watchJob(ctl, found.dom, verbose, 'Save', () =>
    jobWorker(ctl, async () => {
      let flags = 0;
      if (cmd.has('bypass-cache')) flags |= VIR_DOMAIN_SAVE_BYPASS_CACHE;
      if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
      if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
      const xmlfile = cmd.string('xml');
      const again = await optDomain(ctl, cmd);
      if (!again) return false;
      let xml: string | null = null;
      if (xmlfile !== undefined) {
        xml = readFileAll(ctl, xmlfile);
        if (xml === null) {
          ctl.reportError();
          return false;
        }
      }
      const r = await ctl.call(flags || xml !== null ? again.dom.saveFlags(to, xml, flags) : again.dom.save(to));
      if (r === FAILED) {
        ctl.error(`Failed to save domain '${again.name}' to ${to}`);
        return false;
      }
      return true;
    }),
  );
  if (ok) ctl.printExtra(`\nDomain '${found.name}' saved to ${to}\n`);
  return ok;
}

async function cmdSaveImageDumpxml(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const wrap = cmd.has('wrap');
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_XML_SECURE;
  const file = cmd.string('file')!;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await connOf(ctl).domainSaveImageGetXMLDesc(file, flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdSaveImageDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
  const file = cmd.string('file')!;
  const xmlfile = cmd.string('xml')!;
  const xml = readFileAll(ctl, xmlfile);
  if (xml === null) return false;
  if ((await ctl.call(connOf(ctl).domainSaveImageDefineXML(file, xml, flags))) === FAILED) {
    ctl.error(`Failed to update ${file}`);
    return false;
  }
  ctl.printExtra(`State file ${file} updated.\n`);
  return true;
}

async function cmdManagedSave(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const verbose = cmd.has('verbose');
  const ok = await watchJob(ctl, found.dom, verbose, 'Managedsave', () =>
    jobWorker(ctl, async () => {
      let flags = 0;
      if (cmd.has('bypass-cache')) flags |= VIR_DOMAIN_SAVE_BYPASS_CACHE;
      if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
      if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
      const again = await optDomain(ctl, cmd);
      if (!again) return false;
      if ((await ctl.call(again.dom.managedSave(flags))) === FAILED) {
        ctl.error(`Failed to save domain '${again.name}' state`);
        return false;
      }
      return true;
    }),
  );
  if (ok) ctl.printExtra(`\nDomain '${found.name}' state saved by libvirt\n`);
  return ok;
}

async function cmdManagedSaveRemove(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const hassave = await ctl.call(found.dom.hasManagedSaveImage(0));
  if (hassave === FAILED) {
    ctl.error('Failed to check for domain managed save image');
    return false;
  }
  if (!hassave) {
    ctl.printExtra(`Domain '${found.name}' has no manage save image; removal skipped`);
    return true;
  }
  if ((await ctl.call(found.dom.managedSaveRemove(0))) === FAILED) {
    ctl.error(`Failed to remove managed save image for domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Removed managedsave image for domain '${found.name}'`);
  return true;
}

async function cmdManagedSaveDumpxml(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const wrap = cmd.has('wrap');
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_XML_SECURE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.dom.managedSaveGetXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdManagedSaveDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
  cmd.exclusive('running', 'paused');
  const xmlfile = cmd.string('xml')!;
  const xml = readFileAll(ctl, xmlfile);
  if (xml === null) return false;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.managedSaveDefineXML(xml, flags))) === FAILED) {
    ctl.error(`Failed to update ${found.dom.getName()} XML configuration`);
    return false;
  }
  ctl.printExtra(`Managed save state file of domain '${found.dom.getName()}' updated.\n`);
  return true;
}

async function cmdRestore(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const from = cmd.string('file')!;
  if (cmd.has('bypass-cache')) flags |= VIR_DOMAIN_SAVE_BYPASS_CACHE;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
  if (cmd.has('reset-nvram')) flags |= VIR_DOMAIN_SAVE_RESET_NVRAM;
  const xmlfile = cmd.string('xml');
  let xml: string | null = null;
  if (xmlfile !== undefined) {
    xml = readFileAll(ctl, xmlfile);
    if (xml === null) return false;
  }
  const conn = connOf(ctl);
  const r = await ctl.call(flags || xml !== null ? conn.domainRestoreFlags(from, xml, flags) : conn.domainRestore(from));
  if (r === FAILED) {
    ctl.error(`Failed to restore domain from ${from}`);
    return false;
  }
  ctl.printExtra(`Domain restored from ${from}\n`);
  return true;
}

const CORE_DUMP_FORMATS = ['raw', 'elf', 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp'];

async function cmdDump(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const to = cmd.string('file')!;
  const verbose = cmd.has('verbose');
  const ok = await watchJob(ctl, found.dom, verbose, 'Dump', () =>
    jobWorker(ctl, async () => {
      let flags = 0;
      let dumpformat = 0;
      cmd.string('file');
      const again = await optDomain(ctl, cmd);
      if (!again) return false;
      if (cmd.has('live')) flags |= VIR_DUMP_LIVE;
      if (cmd.has('crash')) flags |= VIR_DUMP_CRASH;
      if (cmd.has('bypass-cache')) flags |= VIR_DUMP_BYPASS_CACHE;
      if (cmd.has('reset')) flags |= VIR_DUMP_RESET;
      if (cmd.has('memory-only')) flags |= VIR_DUMP_MEMORY_ONLY;
      if (cmd.has('format')) {
        if (!(flags & VIR_DUMP_MEMORY_ONLY)) {
          ctl.error('--format only works with --memory-only');
          return false;
        }
        const format = cmd.stringQuiet('format');
        if (format !== undefined) {
          dumpformat = CORE_DUMP_FORMATS.indexOf(format);
          if (dumpformat < 0) {
            ctl.error(`format '${format}' is not supported, expecting 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'`);
            return false;
          }
        }
      }
      const r = await ctl.call(dumpformat !== 0 ? again.dom.coreDumpWithFormat(to, dumpformat, flags) : again.dom.coreDump(to, flags));
      if (r === FAILED) {
        ctl.error(`Failed to core dump domain '${again.name}' to ${to}`);
        return false;
      }
      return true;
    }),
  );
  if (!ok) return false;
  ctl.printExtra(`\nDomain '${found.name}' dumped to ${to}\n`);
  return true;
}


async function cmdDomPMSuspend(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const duration = cmd.ulonglong('duration') ?? 0n;
  const target = cmd.string('target')!;
  const suspendTarget = SUSPEND_TARGETS.indexOf(target);
  if (suspendTarget < 0) {
    ctl.error('Invalid target');
    return false;
  }
  if ((await ctl.call(found.dom.pMSuspendForDuration(suspendTarget, duration, 0))) === FAILED) {
    ctl.error(`Domain '${found.dom.getName()}' could not be suspended`);
    return false;
  }
  ctl.printExtra(`Domain '${found.dom.getName()}' successfully suspended`);
  return true;
}

async function cmdDomPMWakeup(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.pMWakeup(0))) === FAILED) {
    ctl.error(`Domain '${found.dom.getName()}' could not be woken up`);
    return false;
  }
  ctl.printExtra(`Domain '${found.dom.getName()}' successfully woken up`);
  return true;
}

async function cmdReset(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.reset(0))) === FAILED) {
    ctl.error(`Failed to reset domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' was reset\n`);
  return true;
}

export const LIFECYCLE_TYPES = ['poweroff', 'reboot', 'crash'];
export const LIFECYCLE_ACTIONS = ['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart'];

async function cmdSetLifecycleAction(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const typeStr = cmd.string('type')!;
  const actionStr = cmd.string('action')!;
  const type = LIFECYCLE_TYPES.indexOf(typeStr);
  if (type < 0) {
    ctl.error(`Invalid lifecycle type '${typeStr}'.`);
    return false;
  }
  const action = LIFECYCLE_ACTIONS.indexOf(actionStr);
  if (action < 0) {
    ctl.error(`Invalid lifecycle action '${actionStr}'.`);
    return false;
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.setLifecycleAction(type, action, flags))) === FAILED) {
    ctl.error('Unable to change lifecycle action.');
    return false;
  }
  return true;
}

async function cmdSetUserPassword(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = cmd.has('encrypted') ? 1 : 0;
  const user = cmd.string('user')!;
  const password = cmd.string('password')!;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  await found.dom.setUserPassword(user, password, flags);
  ctl.printExtra(`Password set successfully for ${user} in ${found.name}`);
  return true;
}

/**
 * virshCPUCountCollect: the vCPU count for `flags` (with the fallbacks for old daemons); -1 when
 * `checkState` and the domain cannot have it, -2 after an error.
 */
async function cpuCountCollect(ctl: VirshControl, dom: Domain, flags: number, checkState: boolean): Promise<number> {
  if (checkState) {
    if (flags & VIR_DOMAIN_AFFECT_LIVE && (await dom.isActive().catch(() => false)) !== true) return -1;
    if (flags & VIR_DOMAIN_AFFECT_CONFIG && (await dom.isPersistent().catch(() => false)) !== true) return -1;
  }
  const count = await ctl.call(dom.getVcpusFlags(flags));
  if (count !== FAILED && count >= 0) return count;
  const code = ctl.lastError?.code;
  if (!(code === VIR_ERR_NO_SUPPORT || code === VIR_ERR_INVALID_ARG)) return -2;
  if (flags & VIR_DOMAIN_VCPU_GUEST) {
    ctl.error('Failed to retrieve vCPU count from the guest');
    return -2;
  }
  if (!(flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) && (await dom.isActive().catch(() => false)) === true) flags |= VIR_DOMAIN_AFFECT_LIVE;
  ctl.resetError();
  if (flags & VIR_DOMAIN_AFFECT_LIVE) {
    if (flags & VIR_DOMAIN_VCPU_MAXIMUM) {
      const max = await ctl.call(dom.getMaxVcpus());
      return max === FAILED ? -2 : max;
    }
    const info = await ctl.call(dom.getInfo());
    return info === FAILED ? -2 : info.nrVirtCpu;
  }
  const doc = await domainXMLFromDom(ctl, dom, VIR_DOMAIN_XML_INACTIVE);
  if (!doc) return -2;
  const vcpu = child(doc, 'vcpu');
  if (flags & VIR_DOMAIN_VCPU_MAXIMUM) {
    const n = xpathInt(vcpu?.text, false);
    if (n === null) {
      ctl.error('Failed to retrieve maximum vcpu count');
      return -2;
    }
    return n;
  }
  const n = xpathInt(attr(vcpu, 'current'), false);
  if (n === null) {
    ctl.error('Failed to retrieve current vcpu count');
    return -2;
  }
  return n;
}

async function cmdVcpucount(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const maximum = cmd.has('maximum');
  const active = cmd.has('active');
  const config = cmd.has('config');
  const live = cmd.has('live');
  let current = cmd.has('current');
  const guest = cmd.has('guest');
  const all = !maximum && !active && !current && !config && !live && !guest;
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  if (!maximum && !active && current) current = false;
  exclusive('live', live, 'config', config);
  exclusive('current', current, 'live', live);
  exclusive('current', current, 'config', config);
  exclusive('active', active, 'maximum', maximum);
  exclusive('guest', guest, 'config', config);
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (config) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (maximum) flags |= VIR_DOMAIN_VCPU_MAXIMUM;
  if (guest) flags |= VIR_DOMAIN_VCPU_GUEST;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  if (all) {
    const confMax = await cpuCountCollect(ctl, dom, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM, true);
    const confCur = await cpuCountCollect(ctl, dom, VIR_DOMAIN_AFFECT_CONFIG, true);
    const liveMax = await cpuCountCollect(ctl, dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM, true);
    const liveCur = await cpuCountCollect(ctl, dom, VIR_DOMAIN_AFFECT_LIVE, true);
    if (confMax === -2 || confCur === -2 || liveMax === -2 || liveCur === -2) return false;
    const printCount = (v: number, which: string, state: string) => {
      if (v > 0) ctl.print('%-12s %-12s %3d\n', which, state, v);
    };
    printCount(confMax, 'maximum', 'config');
    printCount(liveMax, 'maximum', 'live');
    printCount(confCur, 'current', 'config');
    printCount(liveCur, 'current', 'live');
  } else {
    const count = await cpuCountCollect(ctl, dom, flags, false);
    if (count < 0) return false;
    ctl.print('%d\n', count);
  }
  return true;
}

const VCPU_STATES = ['offline', 'running', 'blocked'];

/** virshVcpuinfoPrintAffinity; for --json the affinity as printed, without --pretty's "(out of N)". */
function printAffinity(out: InfoOutput, cpumap: readonly boolean[], maxcpu: number, pretty: boolean): void {
  if (pretty) {
    const list = bitmapFormat(cpumap);
    out.print('%-15s %s (out of %d)\n', 'CPU Affinity:', list, maxcpu).as(list);
    return;
  }
  let map = '';
  for (let i = 0; i < maxcpu; i++) map += cpumap[i] ? 'y' : '-';
  out.print('%-15s %s\n', 'CPU Affinity:', map);
}

/** virshDomainGetVcpuBitmap: the vCPUs that are online in the definition; null after an error. */
async function vcpuBitmap(ctl: VirshControl, dom: Domain, inactive: boolean): Promise<boolean[] | null> {
  const doc = await domainXMLFromDom(ctl, dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  if (!doc) return null;
  const vcpu = child(doc, 'vcpu');
  const maxvcpus = xpathInt(vcpu?.text, true);
  if (maxvcpus === null) {
    ctl.error('Failed to retrieve maximum vcpu count');
    return null;
  }
  let curvcpus = xpathInt(attr(vcpu, 'current'), true) ?? 0;
  if (curvcpus === 0) curvcpus = maxvcpus;
  const map = new Array<boolean>(maxvcpus).fill(false);
  const nodes = childrenNamed(child(doc, 'vcpus'), 'vcpu');
  if (nodes.length === 0) {
    for (let i = 0; i < curvcpus && i < maxvcpus; i++) map[i] = true;
    return map;
  }
  for (const node of nodes) {
    const id = xpathInt(attr(node, 'id'), true);
    const online = attr(node, 'enabled');
    if (id === null || !online) continue;
    if (online === 'yes' && id < maxvcpus) map[id] = true;
  }
  if (map.filter(Boolean).length !== curvcpus) {
    ctl.error('Failed to retrieve vcpu state bitmap');
    return null;
  }
  return map;
}

async function cmdVcpuinfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const pretty = cmd.has('pretty');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const maxcpu = await nodeCPUCount(ctl, connOf(ctl));
  if (maxcpu === null) return false;
  const info = await dom.getInfo();
  const maplen = Math.floor((maxcpu + 7) / 8);
  // One InfoOutput per vCPU: text goes out as virsh prints it, --json collects an array of them.
  const records: JsonValue[] = [];
  let count = 0;
  const record = (): InfoOutput => {
    const out = new InfoOutput(ctl, cmd);
    if (count++ > 0) out.text('\n');
    if (out.value) records.push(out.value);
    return out;
  };
  const vcpus = await ctl.call(dom.getVcpus(info.nrVirtCpu, maplen));
  if (vcpus === FAILED) {
    if (info.state !== VIR_DOMAIN_SHUTOFF) return false;
    ctl.resetError();
    const online = await vcpuBitmap(ctl, dom, true);
    if (!online) return false;
    const pins = await dom.getVcpuPinInfo(online.length, maplen, VIR_DOMAIN_AFFECT_CONFIG);
    online.forEach((on, n) => {
      if (!on) return;
      const out = record();
      out.print('%-15s %zd\n', 'VCPU:', n);
      out.print('%-15s %s\n', 'CPU:', 'N/A').as(null);
      out.print('%-15s %s\n', 'State:', 'N/A').as(null);
      out.print('%-15s %s\n', 'CPU time', 'N/A').as(null, 'cpu_time_ns');
      printAffinity(out, pins[n] ?? [], maxcpu, pretty);
    });
  } else {
    vcpus.info.forEach((v, i) => {
      const out = record();
      out.print('%-15s %d\n', 'VCPU:', v.number);
      out.print('%-15s %d\n', 'CPU:', v.cpu);
      out.print('%-15s %s\n', 'State:', VCPU_STATES[v.state] ?? 'no state');
      if (BigInt(v.cpuTime) !== 0n) out.print('%-15s %.1lfs\n', 'CPU time:', Number(v.cpuTime) / 1e9).as(jsonNumber(v.cpuTime), 'cpu_time_ns');
      printAffinity(out, vcpus.cpumaps[i] ?? [], maxcpu, pretty);
    });
  }
  if (cmd.has('json')) ctl.print(toJson(records));
  return true;
}

/** virshVcpuPinQuery. */
async function vcpuPinQuery(ctl: VirshControl, cmd: Cmd, dom: Domain, vcpu: number, gotVcpu: boolean, maxcpu: number, flags: number): Promise<boolean> {
  let ncpus = await cpuCountCollect(ctl, dom, flags | VIR_DOMAIN_VCPU_MAXIMUM, true);
  if (ncpus < 0) {
    if (ncpus === -1) {
      if (flags & VIR_DOMAIN_AFFECT_LIVE) ctl.error('cannot get vcpupin for offline domain');
      else ctl.error('cannot get vcpupin for transient domain');
    }
    return false;
  }
  if (gotVcpu && vcpu >= ncpus) {
    if (flags & VIR_DOMAIN_AFFECT_LIVE || (!(flags & VIR_DOMAIN_AFFECT_CONFIG) && (await dom.isActive().catch(() => false)) === true))
      ctl.error(`vcpu ${vcpu | 0} is out of range of live cpu count ${ncpus}`);
    else ctl.error(`vcpu ${vcpu | 0} is out of range of persistent cpu count ${ncpus}`);
    return false;
  }
  const maplen = Math.floor((maxcpu + 7) / 8);
  const maps = await ctl.call(dom.getVcpuPinInfo(ncpus, maplen, flags));
  if (maps !== FAILED) {
    ncpus = maps.length;
    const table = new Table('VCPU', 'CPU Affinity');
    for (let i = 0; i < ncpus; i++) {
      if (gotVcpu && i !== vcpu) continue;
      table.add(String(i), bitmapFormat(maps[i]!));
    }
    ctl.printTable(cmd, table);
  }
  return true;
}

async function cmdVcpuPin(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags, config, live } = affectFlags(cmd);
  const current = cmd.has('current');
  const cpulist = cmd.string('cpulist');
  if (cpulist === undefined) exclusive('live', live, 'config', config);
  const vcpu = cmd.uint('vcpu');
  if (cpulist !== undefined && vcpu === undefined) {
    ctl.error('vcpupin: Missing vCPU number in pin mode.');
    return false;
  }
  const conn = connOf(ctl);
  const maxcpu = await nodeCPUCount(ctl, conn);
  if (maxcpu === null) return false;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if (cpulist === undefined) return vcpuPinQuery(ctl, cmd, found.dom, vcpu ?? 0, vcpu !== undefined, maxcpu, flags);
  const cpumap = parseCPUList(ctl, cpulist, maxcpu);
  if (!cpumap) return false;
  if (flags === VIR_DOMAIN_AFFECT_CURRENT && !current) await found.dom.pinVcpu(vcpu!, cpumap);
  else await found.dom.pinVcpuFlags(vcpu!, cpumap, flags);
  return true;
}

async function cmdEmulatorPin(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const affect = affectFlags(cmd);
  let flags = affect.flags;
  if (!affect.current && !affect.live && !affect.config) flags = -1;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const cpulist = cmd.string('cpulist');
  const maxcpu = await nodeCPUCount(ctl, connOf(ctl));
  if (maxcpu === null) return false;
  if (cpulist === undefined) {
    if (flags === -1) flags = VIR_DOMAIN_AFFECT_CURRENT;
    const map = await ctl.call(found.dom.getEmulatorPinInfo(Math.floor((maxcpu + 7) / 8), flags));
    if (map === FAILED) return false;
    const list = bitmapFormat(map);
    const out = new InfoOutput(ctl, cmd).field('cpu_affinity', list);
    if (!out.json) {
      ctl.printExtra('%s %s\n', 'emulator:', 'CPU Affinity');
      ctl.printExtra('----------------------------------\n');
      ctl.printExtra('       *: ');
      ctl.print('%s\n', list);
    }
    out.end();
    return true;
  }
  const cpumap = parseCPUList(ctl, cpulist, maxcpu);
  if (!cpumap) return false;
  if (flags === -1) flags = VIR_DOMAIN_AFFECT_LIVE;
  await found.dom.pinEmulator(cpumap, flags);
  return true;
}

async function cmdSetvcpus(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const maximum = cmd.has('maximum');
  const guest = cmd.has('guest');
  const hotpluggable = cmd.has('hotpluggable');
  const affect = affectFlags(cmd);
  const { current, config } = affect;
  let flags = affect.flags;
  exclusive('guest', guest, 'config', config);
  requires('maximum', maximum, 'config', config);
  if (guest) flags |= VIR_DOMAIN_VCPU_GUEST;
  if (maximum) flags |= VIR_DOMAIN_VCPU_MAXIMUM;
  if (hotpluggable) flags |= VIR_DOMAIN_VCPU_HOTPLUGGABLE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const count = cmd.uint('count') ?? 0;
  if (count === 0) {
    ctl.error("Can't set 0 processors for a VM");
    return false;
  }
  if (!current && flags === 0) await found.dom.setVcpus(count);
  else await found.dom.setVcpusFlags(count, flags);
  return true;
}

async function cmdGuestvcpus(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const enable = cmd.has('enable');
  const disable = cmd.has('disable');
  exclusive('enable', enable, 'disable', disable);
  cmd.requires('enable', 'cpulist');
  cmd.requires('disable', 'cpulist');
  const cpulist = cmd.string('cpulist');
  if (cpulist !== undefined && !(enable || disable)) {
    ctl.error('One of options --enable or --disable is required by option --cpulist');
    return false;
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if (cpulist !== undefined) await found.dom.setGuestVcpus(cpulist, enable ? 1 : 0, 0);
  else {
    const params = await found.dom.getGuestVcpus(0);
    for (const [field, value] of typedParamEntries(params)) ctl.print('%-15s: %s\n', field, typedParamString(params, field, value));
  }
  return true;
}

async function cmdSetvcpu(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const enable = cmd.has('enable');
  const disable = cmd.has('disable');
  const config = cmd.has('config');
  const live = cmd.has('live');
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  exclusive('enable', enable, 'disable', disable);
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  if (config) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (!(enable || disable)) {
    ctl.error('one of --enable, --disable is required');
    return false;
  }
  const vcpulist = cmd.string('vcpulist')!;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  await found.dom.setVcpu(vcpulist, enable ? 1 : 0, flags);
  return true;
}

async function cmdIOThreadInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const info = await ctl.call(found.dom.getIOThreadInfo(flags));
  if (info === FAILED) {
    ctl.error('Unable to get domain IOThreads information');
    return false;
  }
  if (info.length === 0 && !cmd.has('json')) {
    ctl.printExtra('No IOThreads found for the domain');
    return true;
  }
  const table = new Table('IOThread ID', 'CPU Affinity');
  for (const t of info) table.add(String(t.iothread_id >>> 0), bitmapFormat(t.cpumap));
  ctl.printTable(cmd, table);
  return true;
}

async function cmdIOThreadPin(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const iothreadId = cmd.uint('iothread') ?? 0;
  const cpulist = cmd.string('cpulist')!;
  const maxcpu = await nodeCPUCount(ctl, connOf(ctl));
  if (maxcpu === null) return false;
  const cpumap = parseCPUList(ctl, cpulist, maxcpu);
  if (!cpumap) return false;
  await found.dom.pinIOThread(iothreadId, cpumap, flags);
  return true;
}

/** The --id of iothreadadd/del/set: a positive int. */
function iothreadId(ctl: VirshControl, cmd: Cmd): number | null {
  const id = cmd.int('id') ?? 0;
  if (id <= 0) {
    ctl.error(`Invalid IOThread id value: '${id}'`);
    return null;
  }
  return id;
}

async function cmdIOThreadAdd(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const id = iothreadId(ctl, cmd);
  if (id === null) return false;
  await found.dom.addIOThread(id, flags);
  return true;
}

async function cmdIOThreadDel(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const id = iothreadId(ctl, cmd);
  if (id === null) return false;
  await found.dom.delIOThread(id, flags);
  return true;
}

async function cmdIOThreadSet(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const id = iothreadId(ctl, cmd);
  if (id === null) return false;
  const params: Record<string, { type: 'ullong' | 'uint' | 'int'; value: number | bigint }> = {};
  const pollMax = cmd.ulonglong('poll-max-ns');
  if (pollMax !== undefined) params['poll_max_ns'] = { type: 'ullong', value: pollMax };
  for (const [opt, field] of [
    ['poll-grow', 'poll_grow'],
    ['poll-shrink', 'poll_shrink'],
  ] as const) {
    const v = cmd.uint(opt);
    if (v !== undefined) params[field] = { type: 'uint', value: v };
  }
  for (const [opt, field] of [
    ['thread-pool-min', 'thread_pool_min'],
    ['thread-pool-max', 'thread_pool_max'],
  ] as const) {
    const v = cmd.int(opt);
    if (v !== undefined) params[field] = { type: 'int', value: v };
  }
  if (Object.keys(params).length === 0) {
    ctl.error('Not enough arguments passed, nothing to set');
    return false;
  }
  await found.dom.setIOThreadParams(id, params, flags);
  return true;
}

/** cmdSchedInfoUpdateOne: `field`=`value` typed as the daemon's parameter of that name. */
function schedUpdateOne(ctl: VirshControl, src: TypedParams, out: TypedParamsInput, field: string, value: string): boolean {
  const type = typedParamType(src, field);
  if (type === undefined) {
    ctl.error(`invalid scheduler option: ${field}`);
    return false;
  }
  try {
    out[field] = paramFromString(field, type, value);
  } catch (e) {
    ctl.saveError(e);
    return false;
  }
  return true;
}

/** cmdSchedInfoUpdate: the --set, --cap and --weight updates; null after an error. */
function schedInfoUpdate(ctl: VirshControl, cmd: Cmd, src: TypedParams): TypedParamsInput | null {
  const out = Object.create(null) as TypedParamsInput;
  for (const set of cmd.argv()) {
    const eq = set.indexOf('=');
    if (eq < 0) {
      ctl.error('Invalid syntax for --set, expecting name=value');
      return null;
    }
    if (!schedUpdateOne(ctl, src, out, set.slice(0, eq), set.slice(eq + 1))) return null;
  }
  for (const name of ['cap', 'weight']) {
    const val = cmd.string(name);
    if (val !== undefined && !schedUpdateOne(ctl, src, out, name, val)) return null;
  }
  return out;
}

async function cmdSchedinfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  const current = cmd.has('current');
  const config = cmd.has('config');
  const live = cmd.has('live');
  exclusive('current', current, 'live', live);
  exclusive('current', current, 'config', config);
  if (config) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const queryflags = config && live ? VIR_DOMAIN_AFFECT_CURRENT : flags;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const type = await ctl.call(dom.getSchedulerType());
  if (type === FAILED) {
    ctl.print('%-15s: %s\n', 'Scheduler', 'Unknown');
    return false;
  }
  ctl.print('%-15s: %s\n', 'Scheduler', type.type);
  const nparams = type.nparams;
  if (!nparams) return false;
  const useFlags = flags !== 0 || current;
  // The library's getters ask for the scheduler type (the count) again, as virsh did above.
  const get = (): Promise<TypedParams> => (useFlags ? dom.getSchedulerParametersFlags(queryflags) : dom.getSchedulerParameters());
  let params = await get();
  const updates = schedInfoUpdate(ctl, cmd, params);
  if (!updates) return false;
  if (Object.keys(updates).length > 0) {
    if (useFlags) await dom.setSchedulerParametersFlags(updates, flags);
    else await dom.setSchedulerParameters(updates);
    params = await get();
  } else if (live && config) {
    ctl.error('cannot query both live and config at once');
    return false;
  }
  for (const [field, value] of typedParamEntries(params)) ctl.print('%-15s: %s\n', field, typedParamString(params, field, value));
  return true;
}

/** This part of the group's handlers, with those of domain-tune.ts and domain-guest.ts. */
export const domainConfigHandlers = {
  ...domainTuneHandlers,
  ...domainGuestHandlers,
  cmdUndefine,
  cmdAutostart,
  cmdSave,
  cmdSaveImageDumpxml,
  cmdSaveImageDefine,
  cmdManagedSave,
  cmdManagedSaveRemove,
  cmdManagedSaveDumpxml,
  cmdManagedSaveDefine,
  cmdRestore,
  cmdDump,
  cmdDomPMSuspend,
  cmdDomPMWakeup,
  cmdReset,
  cmdSetLifecycleAction,
  cmdSetUserPassword,
  cmdVcpucount,
  cmdVcpuinfo,
  cmdVcpuPin,
  cmdEmulatorPin,
  cmdSetvcpus,
  cmdGuestvcpus,
  cmdSetvcpu,
  cmdIOThreadInfo,
  cmdIOThreadPin,
  cmdIOThreadAdd,
  cmdIOThreadDel,
  cmdIOThreadSet,
  cmdSchedinfo,
};
