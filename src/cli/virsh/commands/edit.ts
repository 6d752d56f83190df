// The *-edit commands of every group: virsh-edit.c's loop (editor.ts) with each command's macros,
// how the object's XML is got and defined again.

import {
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
  VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_CHECKPOINT_XML_SECURE,
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_SAVE_PAUSED,
  VIR_DOMAIN_SAVE_RUNNING,
  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT,
  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE,
  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_SECURE,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_INTERFACE_XML_INACTIVE,
  VIR_NETWORK_XML_INACTIVE,
  VIR_STORAGE_XML_INACTIVE,
  LibvirtError,
  type Connection,
  type Domain,
  type DomainCheckpoint,
  type DomainSnapshot,
  type Interface,
  type Network,
  type NWFilter,
  type StoragePool,
} from '../../../index.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { editLoop } from '../editor.js';
import { connOf, optDomain } from '../util.js';

/** The name of an object that may be missing, as printf prints a NULL string. */
const nameOr = (o: { getName(): string } | null): string => (o ? o.getName() : '(null)');

/** virshDomainDefine: without flags virDomainDefineXML; VALIDATE dropped on daemons without it. */
async function domainDefine(ctl: VirshControl, conn: Connection, xml: string, flags: number): Promise<Domain | typeof FAILED> {
  if (!flags) return ctl.call(conn.domainDefineXML(xml));
  const dom = await ctl.call(conn.domainDefineXMLFlags(xml, flags));
  if (dom === FAILED && ctl.lastError?.code === VIR_ERR_NO_SUPPORT && flags === VIR_DOMAIN_DEFINE_VALIDATE) return ctl.call(conn.domainDefineXML(xml));
  return dom;
}

async function cmdEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const conn = connOf(ctl);
  let defineFlags = VIR_DOMAIN_DEFINE_VALIDATE;
  if (cmd.has('skip-validate')) defineFlags &= ~VIR_DOMAIN_DEFINE_VALIDATE;
  let edited: Domain | null = null;
  const r = await editLoop(ctl, {
    getXML: () => dom.getXMLDesc(VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE),
    notChanged: () => {
      ctl.printExtra("Domain '%s' XML configuration not changed.\n", dom.getName());
      return true;
    },
    define: async (xml) => {
      const d = await domainDefine(ctl, conn, xml, defineFlags);
      edited = d === FAILED ? null : d;
      return d !== FAILED;
    },
    relax: () => {
      defineFlags &= ~VIR_DOMAIN_DEFINE_VALIDATE;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra("Domain '%s' XML configuration edited.\n", nameOr(edited));
  return true;
}

/** --running / --paused of the save image commands. */
function saveFlags(cmd: Cmd): number {
  let flags = 0;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
  cmd.exclusive('running', 'paused');
  return flags;
}

async function cmdSaveImageEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const defineFlags = saveFlags(cmd);
  const file = cmd.string('file')!;
  const conn = connOf(ctl);
  const r = await editLoop(ctl, {
    getXML: () => conn.domainSaveImageGetXMLDesc(file, VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      ctl.printExtra('Saved image %s XML configuration not changed.\n', file);
      return true;
    },
    define: async (xml) => (await ctl.call(conn.domainSaveImageDefineXML(file, xml, defineFlags))) !== FAILED,
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('State file %s edited.\n', file);
  return true;
}

async function cmdManagedSaveEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const defineFlags = saveFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const r = await editLoop(ctl, {
    getXML: () => dom.managedSaveGetXMLDesc(VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      ctl.printExtra("Managed save image of domain '%s' XML configuration not changed.\n", dom.getName());
      return true;
    },
    define: async (xml) => (await ctl.call(dom.managedSaveDefineXML(xml, defineFlags))) !== FAILED,
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra("Managed save image of Domain '%s' XML configuration edited.\n", dom.getName());
  return true;
}

/** virshCommandOpt<Object>By for the objects looked up by UUID then name (network, pool, nwfilter). */
async function optByUUIDOrName<T>(ctl: VirshControl, cmd: Cmd, optname: string, what: string, byUUID: (s: string) => Promise<T>, byName: (s: string) => Promise<T>): Promise<T | null> {
  const n = cmd.string(optname);
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <${optname}>: ${n}\n`);
  let obj: T | typeof FAILED = FAILED;
  if (n.length === 36) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${what} UUID\n`);
    obj = await ctl.call(byUUID(n));
  }
  if (obj === FAILED) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${what} NAME\n`);
    obj = await ctl.call(byName(n));
  }
  if (obj === FAILED) {
    ctl.error(`failed to get ${what} '${n}'`);
    return null;
  }
  return obj;
}

async function cmdNetworkEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const network = await optByUUIDOrName<Network>(ctl, cmd, 'network', 'network', (s) => conn.networkLookupByUUIDString(s), (s) => conn.networkLookupByName(s));
  if (!network) return false;
  let edited: Network | null = null;
  // virshNetworkGetXMLDesc: old daemons without VIR_NETWORK_XML_INACTIVE.
  const getXML = async (): Promise<string> => {
    try {
      return await network.getXMLDesc(VIR_NETWORK_XML_INACTIVE);
    } catch (e) {
      if (e instanceof LibvirtError && e.code === VIR_ERR_INVALID_ARG) return network.getXMLDesc(0);
      throw e;
    }
  };
  const r = await editLoop(ctl, {
    getXML,
    notChanged: () => {
      ctl.printExtra('Network %s XML configuration not changed.\n', network.getName());
      return true;
    },
    define: async (xml) => {
      const n = await ctl.call(conn.networkDefineXML(xml));
      edited = n === FAILED ? null : n;
      return n !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Network %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdPoolEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const pool = await optByUUIDOrName<StoragePool>(ctl, cmd, 'pool', 'pool', (s) => conn.storagePoolLookupByUUIDString(s), (s) => conn.storagePoolLookupByName(s));
  if (!pool) return false;
  let flags = VIR_STORAGE_XML_INACTIVE;
  if ((await ctl.call(pool.getXMLDesc(flags))) === FAILED) {
    if (ctl.lastError?.code === VIR_ERR_INVALID_ARG) {
      flags &= ~VIR_STORAGE_XML_INACTIVE;
      ctl.resetError();
    } else return false;
  }
  let edited: StoragePool | null = null;
  const r = await editLoop(ctl, {
    getXML: () => pool.getXMLDesc(flags),
    notChanged: () => {
      ctl.printExtra('Pool %s XML configuration not changed.\n', pool.getName());
      return true;
    },
    define: async (xml) => {
      const p = await ctl.call(conn.storagePoolDefineXML(xml, 0));
      edited = p === FAILED ? null : p;
      return p !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Pool %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdNWFilterEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const nwfilter = await optByUUIDOrName<NWFilter>(ctl, cmd, 'nwfilter', 'nwfilter', (s) => conn.nWFilterLookupByUUIDString(s), (s) => conn.nWFilterLookupByName(s));
  if (!nwfilter) return false;
  let edited: NWFilter | null = null;
  const r = await editLoop(ctl, {
    getXML: () => nwfilter.getXMLDesc(0),
    notChanged: () => {
      ctl.printExtra('Network filter %s XML configuration not changed.\n', nwfilter.getName());
      return true;
    },
    define: async (xml) => {
      const f = await ctl.call(conn.nWFilterDefineXML(xml));
      edited = f === FAILED ? null : f;
      return f !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Network filter %s XML configuration edited.\n', nameOr(edited));
  return true;
}

/** virMacAddrParse: six hex bytes separated by ':' or '-'. */
function isMac(s: string): boolean {
  const parts = s.split(/[:-]/);
  return parts.length === 6 && parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p));
}

async function cmdInterfaceEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const n = cmd.string('interface');
  if (n === undefined) return false;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <interface>: ${n}\n`);
  let iface: Interface | typeof FAILED;
  if (!isMac(n)) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <interface> trying as interface NAME\n`);
    iface = await ctl.call(conn.interfaceLookupByName(n));
  } else {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <interface> trying as interface MAC\n`);
    iface = await ctl.call(conn.interfaceLookupByMACString(n));
  }
  if (iface === FAILED) {
    ctl.error(`failed to get interface '${n}'`);
    return false;
  }
  const found = iface;
  let edited: Interface | null = null;
  const r = await editLoop(ctl, {
    getXML: () => found.getXMLDesc(VIR_INTERFACE_XML_INACTIVE),
    notChanged: () => {
      ctl.printExtra('Interface %s XML configuration not changed.\n', found.getName());
      return true;
    },
    define: async (xml) => {
      const i = await ctl.call(conn.interfaceDefineXML(xml, 0));
      edited = i === FAILED ? null : i;
      return i !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Interface %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdSnapshotEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const renameOkay = cmd.has('rename');
  const cloneOkay = cmd.has('clone');
  cmd.exclusive('rename', 'clone');
  let defineFlags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
  if (cmd.has('current') && cmd.has('snapshotname')) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  // virshLookupSnapshot(exclusive = false)
  const snapname = cmd.string('snapshotname');
  let snapshot: DomainSnapshot | typeof FAILED;
  if (snapname !== undefined) snapshot = await ctl.call(dom.snapshotLookupByName(snapname, 0));
  else if (cmd.has('current')) snapshot = await ctl.call(dom.snapshotCurrent(0));
  else {
    ctl.error('--snapshotname or --current is required');
    return false;
  }
  if (snapshot === FAILED) {
    ctl.reportError();
    return false;
  }
  const snap = snapshot;
  const name = snap.getName();
  const failed = (): boolean => {
    ctl.error(`Failed to update ${name}`);
    return false;
  };
  let edited: DomainSnapshot | null = null;
  const r = await editLoop(ctl, {
    getXML: () => snap.getXMLDesc(VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      if (defineFlags & VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT) return false;
      ctl.printExtra('Snapshot %s XML configuration not changed.\n', name);
      return true;
    },
    define: async (xml, doc) => {
      if (doc.includes('<state>disk-snapshot</state>')) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
      const s = await ctl.call(dom.snapshotCreateXML(xml, defineFlags));
      edited = s === FAILED ? null : s;
      return s !== FAILED;
    },
  });
  if (r === 'unchanged') return true;
  if (r === 'failed') return failed();
  const e = edited as DomainSnapshot | null;
  const editedName = e ? e.getName() : '(null)';
  if (name === editedName) ctl.printExtra('Snapshot %s edited.\n', name);
  else if (cloneOkay) ctl.printExtra('Snapshot %s cloned to %s.\n', name, editedName);
  else {
    const victim = renameOkay ? snap : e;
    if (!victim || (await ctl.call(victim.delete(VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY))) === FAILED) {
      ctl.reportError();
      ctl.error(`Failed to clean up ${renameOkay ? name : editedName}`);
      return failed();
    }
    if (!renameOkay) {
      ctl.error(`Must use --rename or --clone to change ${name} to ${editedName}`);
      return failed();
    }
  }
  return true;
}

async function cmdCheckpointEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const chkname = cmd.string('checkpointname');
  if (chkname === undefined) {
    ctl.error('--checkpointname is required');
    return false;
  }
  const looked = await ctl.call(dom.checkpointLookupByName(chkname, 0));
  if (looked === FAILED) {
    ctl.reportError();
    return false;
  }
  const checkpoint = looked;
  const name = checkpoint.getName();
  const failed = (): boolean => {
    ctl.error(`Failed to update ${name}`);
    return false;
  };
  let edited: DomainCheckpoint | null = null;
  const r = await editLoop(ctl, {
    getXML: () => checkpoint.getXMLDesc(VIR_DOMAIN_CHECKPOINT_XML_SECURE),
    notChanged: () => {
      ctl.printExtra('Checkpoint %s XML configuration not changed.\n', name);
      return true;
    },
    define: async (xml) => {
      const c = await ctl.call(dom.checkpointCreateXML(xml, VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
      edited = c === FAILED ? null : c;
      return c !== FAILED;
    },
  });
  if (r === 'unchanged') return true;
  if (r === 'failed') return failed();
  const e = edited as DomainCheckpoint | null;
  if (!e) throw new VshError(`Failed to update ${name}`);
  const editedName = e.getName();
  if (name === editedName) {
    ctl.printExtra('Checkpoint %s edited.\n', name);
    return true;
  }
  if ((await ctl.call(e.delete(VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY))) === FAILED) {
    ctl.reportError();
    ctl.error(`Failed to clean up ${editedName}`);
    return failed();
  }
  ctl.error(`Cannot rename checkpoint ${name} to ${editedName}`);
  return failed();
}

export const editHandlers = {
  cmdEdit,
  cmdSaveImageEdit,
  cmdManagedSaveEdit,
  cmdNetworkEdit,
  cmdPoolEdit,
  cmdNWFilterEdit,
  cmdInterfaceEdit,
  cmdSnapshotEdit,
  cmdCheckpointEdit,
};
