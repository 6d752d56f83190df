// virsh-nodedev.c: the "Node Device" group.

import {
  type NodeDevice,
  VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
  VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE,
  VIR_ERR_NO_SUPPORT,
  VIR_NODE_DEVICE_CREATE_XML_VALIDATE,
  VIR_NODE_DEVICE_DEFINE_XML_VALIDATE,
  VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
  VIR_NODE_DEVICE_EVENT_ID_UPDATE,
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { toJson } from '../../vsh/json.js';
import type { VirshControl } from '../control.js';
import { connOf, dumpXML, listTheOldWay, readFileAll, validWWN } from '../util.js';
import { strcasecmp } from './domain-monitor.js';
import { eventTimestamp, eventType, waitForEvents } from '../event-wait.js';
import { treePrint } from '../snapshot-util.js';

/** virNodeDevCapType names (libvirt 9.0) and the listing flag of each. */
export const CAP_FLAGS: Record<string, number> = {
  system: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
  pci: VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV,
  usb_device: VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV,
  usb: VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE,
  net: VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET,
  scsi_host: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
  scsi_target: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET,
  scsi: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI,
  storage: VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE,
  fc_host: VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
  vports: VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
  scsi_generic: VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC,
  drm: VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM,
  mdev_types: VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES,
  mdev: VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV,
  ccw: VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV,
  css: VIR_CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV,
  vdpa: VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA,
  ap_card: VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD,
  ap_queue: VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE,
  ap_matrix: VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX,
  vpd: VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD,
};

async function cmdNodeDeviceCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NODE_DEVICE_CREATE_XML_VALIDATE;
  const dev = await ctl.call(connOf(ctl).nodeDeviceCreateXML(buffer, flags));
  if (dev === FAILED) {
    ctl.error(`Failed to create node device from ${from}`);
    return false;
  }
  ctl.printExtra('Node device %s created from %s\n', dev.getName(), from);
  return true;
}

/** vshFindNodeDevice: by name, or by a "wwnn,wwpn" pair; null after an error. */
async function findNodeDevice(ctl: VirshControl, value: string): Promise<NodeDevice | null> {
  const conn = connOf(ctl);
  let dev: NodeDevice | typeof FAILED;
  if (value.includes(',')) {
    const arr = splitCommas(value);
    if (arr.length !== 2) {
      ctl.error(`Malformed device value '${value}'`);
      return null;
    }
    if (!validWWN(ctl, arr[0]!) || !validWWN(ctl, arr[1]!)) return null;
    dev = await ctl.call(conn.nodeDeviceLookupSCSIHostByWWN(arr[0]!, arr[1]!, 0));
  } else dev = await ctl.call(conn.nodeDeviceLookupByName(value));
  if (dev === FAILED) {
    ctl.error(`Could not find matching device '${value}'`);
    return null;
  }
  return dev;
}

/** virNodeDeviceLookupByName with the "Could not find matching device" error. */
async function lookupByName(ctl: VirshControl, name: string): Promise<NodeDevice | null> {
  const dev = await ctl.call(connOf(ctl).nodeDeviceLookupByName(name));
  if (dev === FAILED) {
    ctl.error(`Could not find matching device '${name}'`);
    return null;
  }
  return dev;
}

async function cmdNodeDeviceDestroy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const value = cmd.string('device')!;
  const dev = await findNodeDevice(ctl, value);
  if (!dev) return false;
  if ((await ctl.call(dev.destroy())) === FAILED) {
    ctl.error(`Failed to destroy node device '${value}'`);
    return false;
  }
  ctl.printExtra("Destroyed node device '%s'\n", value);
  return true;
}

/** virshNodeDeviceListCollect: the devices sorted by name; null after an error. */
async function nodeDeviceListCollect(ctl: VirshControl, capnames: string[] | null, flags: number): Promise<NodeDevice[] | null> {
  const conn = connOf(ctl);
  let list = await ctl.call(conn.listAllNodeDevices(flags));
  if (list === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) {
      ctl.error('Failed to list node devices');
      return null;
    }
    // The old way (0.10.1 and older), filtering by capability here.
    ctl.resetError();
    const old = await listTheOldWay(
      ctl,
      'node devices',
      () => conn.nodeNumOfDevices(null, 0),
      (n) => conn.nodeListDevices(null, n, 0),
      (name) => conn.nodeDeviceLookupByName(name),
    );
    if (!old) return null;
    list = old;
    if (capnames) {
      const kept: NodeDevice[] = [];
      for (const d of list) {
        const caps = await ctl.call(d.listCaps());
        if (caps === FAILED) {
          ctl.error('Failed to get capability names of the device');
          return null;
        }
        if (caps.some((c) => capnames.includes(c))) kept.push(d);
      }
      list = kept;
    }
  }
  return list.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

async function cmdNodeListDevices(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('tree');
  const tree = cmd.has('tree');
  const inactive = cmd.has('inactive');
  const all = cmd.has('all');
  let flags = 0;
  const capStr = cmd.stringQuiet('cap');
  const caps = capStr !== undefined ? splitCommas(capStr) : null;
  if (all && inactive) {
    ctl.error('Option --all is incompatible with --inactive');
    return false;
  }
  if (tree && (capStr !== undefined || inactive)) {
    ctl.error('Option --tree is incompatible with --cap and --inactive');
    return false;
  }
  for (const c of caps ?? []) {
    const f = CAP_FLAGS[c];
    if (f === undefined) {
      ctl.error('Invalid capability type');
      return false;
    }
    flags |= f;
  }
  if (inactive || all) flags |= VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE;
  if (!inactive) flags |= VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE;
  const list = await nodeDeviceListCollect(ctl, caps, flags >>> 0);
  if (!list) return false;
  if (tree) {
    const names = list.map((d) => d.getName());
    const parents: (string | null)[] = [];
    for (let i = 0; i < list.length; i++) parents.push(names[i] !== 'computer' ? await list[i]!.getParent().catch(() => null) : null);
    const lookup = (id: number, parent: boolean) => (parent ? parents[id]! : names[id]!);
    for (let i = 0; i < list.length; i++) if (parents[i] === null) treePrint(ctl, lookup, list.length, i);
  } else if (cmd.has('json')) ctl.print(toJson(list.map((d) => ({ name: d.getName() }))));
  else for (const d of list) ctl.print('%s\n', d.getName());
  return true;
}

async function cmdNodeDeviceDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const value = cmd.string('device')!;
  const xpath = cmd.stringQuietReq('xpath');
  const dev = await findNodeDevice(ctl, value);
  if (!dev) return false;
  const xml = await dev.getXMLDesc(0);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdNodeDeviceDetach(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const name = cmd.string('device')!;
  const driverName = cmd.stringQuiet('driver');
  const dev = await lookupByName(ctl, name);
  if (!dev) return false;
  // The old API is misspelled (virNodeDeviceDettach); only the new one takes a driver name.
  const r = await ctl.call(driverName !== undefined ? dev.detachFlags(driverName, 0) : dev.dettach());
  if (r === FAILED) {
    ctl.error(`Failed to detach device ${name}`);
    return false;
  }
  ctl.printExtra('Device %s detached\n', name);
  return true;
}

async function cmdNodeDeviceReAttach(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const name = cmd.string('device')!;
  const dev = await lookupByName(ctl, name);
  if (!dev) return false;
  if ((await ctl.call(dev.reAttach())) === FAILED) {
    ctl.error(`Failed to re-attach device ${name}`);
    return false;
  }
  ctl.printExtra('Device %s re-attached\n', name);
  return true;
}

async function cmdNodeDeviceReset(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const name = cmd.string('device')!;
  const dev = await lookupByName(ctl, name);
  if (!dev) return false;
  if ((await ctl.call(dev.reset())) === FAILED) {
    ctl.error(`Failed to reset device ${name}`);
    return false;
  }
  ctl.printExtra('Device %s reset\n', name);
  return true;
}

export const NODEDEV_EVENTS = ['lifecycle', 'update'];
const LIFECYCLE = ['Created', 'Deleted', 'Defined', 'Undefined'];

async function cmdNodeDeviceEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const event = eventType(ctl, cmd, NODEDEV_EVENTS);
  if (event === 'listed') return true;
  if (event === null) return false;
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs() ?? 0;
  const value = cmd.string('device');
  let dev: NodeDevice | null = null;
  if (value !== undefined) {
    dev = await lookupByName(ctl, value);
    if (!dev) return false;
  }
  const conn = connOf(ctl);
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const print = (text: string) =>
      deliver(() => {
        if (timestamp) ctl.print('%s: ', eventTimestamp());
        ctl.print('%s', text);
      });
    const id =
      event === VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE
        ? await ctl.call(conn.nodeDeviceEventRegisterAny(dev, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, (e) => print(`event 'lifecycle' for node device ${e.dev.getName()}: ${LIFECYCLE[e.event] ?? 'unknown'}\n`)))
        : await ctl.call(conn.nodeDeviceEventRegisterAny(dev, VIR_NODE_DEVICE_EVENT_ID_UPDATE, (e) => print(`event 'update' for node device ${e.dev.getName()}\n`)));
    if (id === FAILED) return null;
    return () => conn.nodeDeviceEventDeregisterAny(id);
  });
}

async function cmdNodeDeviceUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const value = cmd.string('device')!;
  const dev = await findNodeDevice(ctl, value);
  if (!dev) return false;
  if ((await ctl.call(dev.undefine(0))) === FAILED) {
    ctl.error(`Failed to undefine node device '${value}'`);
    return false;
  }
  ctl.printExtra("Undefined node device '%s'\n", value);
  return true;
}

async function cmdNodeDeviceDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NODE_DEVICE_DEFINE_XML_VALIDATE;
  const dev = await ctl.call(connOf(ctl).nodeDeviceDefineXML(buffer, flags));
  if (dev === FAILED) {
    ctl.error(`Failed to define node device from '${from}'`);
    return false;
  }
  ctl.printExtra("Node device '%s' defined from '%s'\n", dev.getName(), from);
  return true;
}

async function cmdNodeDeviceStart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const name = cmd.string('device')!;
  const dev = await lookupByName(ctl, name);
  if (!dev) return false;
  if ((await ctl.call(dev.create(0))) === FAILED) {
    ctl.error(`Failed to start device ${name}`);
    return false;
  }
  ctl.printExtra('Device %s started\n', name);
  return true;
}

async function cmdNodeDeviceAutostart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const name = cmd.string('device')!;
  const dev = await findNodeDevice(ctl, name);
  if (!dev) return false;
  const autostart = !cmd.has('disable');
  if ((await ctl.call(dev.setAutostart(autostart))) === FAILED) {
    ctl.error(autostart ? `failed to mark device ${name} as autostarted` : `failed to unmark device ${name} as autostarted`);
    return false;
  }
  ctl.printExtra(autostart ? 'Device %s marked as autostarted\n' : 'Device %s unmarked as autostarted\n', name);
  return true;
}

async function cmdNodeDeviceInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const value = cmd.string('device')!;
  const dev = await findNodeDevice(ctl, value);
  if (!dev) return false;
  const parent = await dev.getParent().catch(() => null);
  ctl.print('%-15s %s\n', 'Name:', dev.getName());
  ctl.print('%-15s %s\n', 'Parent:', parent ?? '');
  // virNodeDeviceIsActive and IsPersistent return -1 on an error, which virsh prints as "yes".
  ctl.print('%-15s %s\n', 'Active:', (await dev.isActive().catch(() => true)) ? 'yes' : 'no');
  ctl.print('%-15s %s\n', 'Persistent:', (await dev.isPersistent().catch(() => true)) ? 'yes' : 'no');
  const autostart = await ctl.call(dev.getAutostart());
  if (autostart === FAILED) ctl.print('%-15s %s\n', 'Autostart:', 'no autostart');
  else ctl.print('%-15s %s\n', 'Autostart:', autostart ? 'yes' : 'no');
  return true;
}

export const nodedevHandlers = {
  cmdNodeDeviceCreate,
  cmdNodeDeviceDestroy,
  cmdNodeListDevices,
  cmdNodeDeviceDumpXML,
  cmdNodeDeviceDetach,
  cmdNodeDeviceReAttach,
  cmdNodeDeviceReset,
  cmdNodeDeviceEvent,
  cmdNodeDeviceUndefine,
  cmdNodeDeviceDefine,
  cmdNodeDeviceStart,
  cmdNodeDeviceAutostart,
  cmdNodeDeviceInfo,
};
