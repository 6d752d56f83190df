// virsh's option completers (tools/virsh-completer-*.c), by their C names: the values an option
// can take, asked of the daemon (names, UUIDs, a domain's disks and interfaces...) or virsh's own
// tables. Each gives up with null where virsh's returns NULL (no connection, a failed call).

import * as libvirt from '../../index.js';
import { type Domain, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, VIR_DOMAIN_VCPU_GUEST, VIR_DOMAIN_VCPU_MAXIMUM, VIR_DOMAIN_XML_INACTIVE } from '../../index.js';
import { parseXmlTree, type XmlElement } from '../../xml/tree.js';
import type { Cmd } from '../vsh/cmd.js';
import type { Completer } from '../vsh/completion.js';
import { scaleInteger, strToSigned, strToUnsigned, ULLONG_MAX } from '../vsh/numbers.js';
import { typedParamEntries, typedParamString } from '../vsh/typed-params.js';
import { LIFECYCLE_ACTIONS, LIFECYCLE_TYPES } from './commands/domain-config.js';
import { DIRTYRATE_MODES, PROCESS_SIGNALS } from './commands/domain-guest.js';
import { ADDRESS_SOURCES } from './commands/domain-monitor.js';
import { NUMATUNE_MODES } from './commands/domain-tune.js';
import { CALLBACKS as DOMAIN_EVENTS } from './commands/events.js';
import { SUSPEND_TARGETS } from './commands/host.js';
import { EVENT_TYPES as NETWORK_EVENTS } from './commands/network-event.js';
import { UPDATE_COMMANDS, UPDATE_SECTIONS } from './commands/network.js';
import { CAP_FLAGS, NODEDEV_EVENTS } from './commands/nodedev.js';
import { EVENT_NAMES as POOL_EVENTS } from './commands/pool-event.js';
import { collectPools, POOL_TYPE_FLAGS } from './commands/pool.js';
import { SECRET_EVENTS } from './commands/secret.js';
import { WIPE_ALGORITHMS } from './commands/volume.js';
import type { VirshControl } from './control.js';
import { KEY_NAMES } from './generated/keymaps.js';
import { KEYCODE_SETS } from './keycodes.js';
import { attr, attrString, childrenNamed, domainXML, domainXMLFromDom, normalizeMac, prettyCapacity, select } from './monitor-util.js';
import { optNetwork } from './network-util.js';
import { optPool } from './storage-util.js';
import { connOf, optDomain } from './util.js';

/** virsh's own completer flag for domif-getlink's --mac (virshDomainInterfaceCompleterFlags). */
const INTERFACE_COMPLETER_MAC = 'VIRSH_DOMAIN_INTERFACE_COMPLETER_MAC';

/** The listing flags a completer is given by their C names (VIR_CONNECT_LIST_DOMAINS_ACTIVE...). */
function listFlags(names: readonly string[]): number {
  let flags = 0;
  for (const n of names) {
    const v = (libvirt as Readonly<Record<string, unknown>>)[n];
    if (typeof v !== 'number') throw new Error(`unknown completer flag ${n}`);
    flags |= v;
  }
  return flags;
}

// Enums virsh completes from that no command of ours parses by the same list.
const INTERFACE_SOURCE_MODES = ['server', 'client'];
const HOSTNAME_SOURCES = ['agent', 'lease'];
const MIGRATE_COMP_METHODS = ['xbzrle', 'mt'];
// virshDomainCoreDumpFormat: VIR_DOMAIN_CORE_DUMP_FORMAT_RAW is "elf" (dump --format takes "raw" too).
const CORE_DUMP_FORMATS = ['elf', 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp'];
const PCI_BACKENDS = ['default', 'kvm', 'vfio', 'xen'];
// prettier-ignore
const PERF_EVENTS = [
  'cmt', 'mbmt', 'mbml', 'cpu_cycles', 'instructions', 'cache_references', 'cache_misses',
  'branch_instructions', 'branch_misses', 'bus_cycles', 'stalled_cycles_frontend',
  'stalled_cycles_backend', 'ref_cpu_cycles', 'cpu_clock', 'task_clock', 'page_faults',
  'context_switches', 'cpu_migrations', 'page_faults_min', 'page_faults_maj', 'alignment_faults',
  'emulation_faults',
];
// prettier-ignore
const STORAGE_FILE_FORMATS = ['none', 'raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'cow', 'qcow', 'qcow2', 'qed', 'vmdk'];
// prettier-ignore
const VIRT_TYPES = ['none', 'qemu', 'kqemu', 'kvm', 'xen', 'lxc', 'uml', 'openvz', 'test', 'vmware', 'hyperv', 'vbox', 'phyp', 'parallels', 'bhyve', 'vz', 'hvf'];
// prettier-ignore
const ARCHES = [
  'none', 'alpha', 'armv6l', 'armv7l', 'armv7b', 'aarch64', 'cris', 'i686', 'ia64', 'lm32', 'm68k',
  'microblaze', 'microblazeel', 'mips', 'mipsel', 'mips64', 'mips64el', 'openrisc', 'parisc',
  'parisc64', 'ppc', 'ppcle', 'ppc64', 'ppc64le', 'ppcemb', 'riscv32', 'riscv64', 's390', 's390x',
  'sh4', 'sh4eb', 'sparc', 'sparc64', 'unicore32', 'x86_64', 'xtensa', 'xtensaeb',
];

/**
 * vshCommandOptStringQuiet for a completer: the value, undefined when the option is absent, null
 * where virsh's gives -1 (a required option absent, or empty where that is not allowed).
 */
function optQuiet(cmd: Cmd, name: string): string | undefined | null {
  const given = cmd.opts.find((o) => o.def.name === name);
  if (!given) return cmd.def.opts?.some((o) => o.name === name && o.required) ? null : undefined;
  if (given.data === '' && !given.def.emptyOk) return null;
  return given.data ?? undefined;
}

/**
 * virshCommaStringListComplete: for a comma-separated option, what has been typed up to its last
 * comma followed by each option not in it yet.
 */
function commaList(input: string | undefined | null, options: readonly string[]): string[] {
  const typed = input && input !== ' ' && input.includes(',') ? input.slice(0, input.lastIndexOf(',')) : null;
  const have = typed?.split(',') ?? [];
  return options.filter((o) => !have.includes(o)).map((o) => (typed !== null ? `${typed},${o}` : o));
}

async function alive(ctl: VirshControl): Promise<boolean> {
  return ctl.conn ? ctl.conn.isAlive().catch(() => false) : false;
}

/** A completer that needs a live connection, as most of virsh's start with. */
const connected =
  (f: (ctl: VirshControl, cmd: Cmd, flags: readonly string[]) => Promise<readonly string[] | null>): Completer<VirshControl> =>
  async (ctl, cmd, flags) =>
    (await alive(ctl)) ? f(ctl, cmd, flags) : null;

/** A list of virsh's own (virshEnumComplete and the event-name completers). */
const fixed = (list: readonly string[]): Completer<VirshControl> => () => list;

/** A fixed list for a comma-separated option (perf --enable a,b...). */
const fixedComma =
  (option: string, list: readonly string[]): Completer<VirshControl> =>
  (_ctl, cmd) => {
    const typed = optQuiet(cmd, option);
    return typed === null ? null : commaList(typed, list);
  };

/** virXPathInt("string(...)"): the element's text as an int, or null. */
function xpathInt(el: XmlElement | undefined): number | null {
  const r = el ? strToSigned(el.text, 32) : null;
  return r ? Number(r.value) : null;
}

const range = (n: number): string[] => Array.from({ length: Math.max(0, n) }, (_, i) => String(i));

/** The elements under `el` called `name`, at any depth, in document order (//name). */
function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    out.push(...descendants(c, name));
  }
  return out;
}

/** virshDomainDiskTargetCompleter: the target of every disk; null when one has none. */
async function diskTargets(ctl: VirshControl, cmd: Cmd): Promise<string[] | null> {
  const xml = await domainXML(ctl, cmd, 0);
  if (!xml) return null;
  const out: string[] = [];
  for (const disk of select(xml, 'devices/disk')) {
    const dev = attrString(disk, 'target', 'dev');
    if (dev === null) return null;
    out.push(dev);
  }
  return out;
}

/** virshDomainDiskTargetListCompleter: disk targets for a comma-separated option. */
const diskTargetList =
  (option: string): Completer<VirshControl> =>
  async (ctl, cmd) => {
    const targets = await diskTargets(ctl, cmd);
    const typed = optQuiet(cmd, option);
    if (typed === null || !targets) return null;
    return commaList(typed, targets);
  };

/** virBitmapParseUnlimited: the set bits of a list as "0-3,^2,5"; null when it is not one. */
function parseBitmap(s: string): Set<number> | null {
  const bits = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^\s*(\^)?(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) return null;
    const lo = Number(m[2]);
    const hi = m[3] === undefined ? lo : Number(m[3]);
    if (hi < lo) return null;
    for (let i = lo; i <= hi; i++) {
      if (m[1]) bits.delete(i);
      else bits.add(i);
    }
  }
  return bits;
}

/** virshDomainVcpulistViaAgentCompleter: vCPUs the agent can bring online (--enable) or take offline (--disable). */
async function vcpulistViaAgent(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const enable = cmd.has('enable');
  const disable = cmd.has('disable');
  const found = await optDomain(ctl, cmd);
  if (!found) return null;
  const typed = optQuiet(cmd, 'cpulist');
  if (typed === null) return null;
  const nvcpus = await found.dom.getVcpusFlags(VIR_DOMAIN_VCPU_GUEST | VIR_DOMAIN_VCPU_MAXIMUM);
  if (!enable && !disable) return commaList(typed, range(nvcpus));
  const params = await found.dom.getGuestVcpus(0);
  const entries = typedParamEntries(params);
  const bitmapAt = (i: number): Set<number> | null => {
    const e = entries[i];
    return e ? parseBitmap(typedParamString(params, e[0], e[1])) : null;
  };
  const online = bitmapAt(1);
  if (!online) return null;
  const out: string[] = [];
  if (enable) {
    const offlinable = bitmapAt(2);
    if (!offlinable) return null;
    const last = Math.max(-1, ...offlinable);
    let j = 0;
    for (let i = 0; i < nvcpus - online.size; i++) {
      while (j <= last && (online.has(j) || !offlinable.has(j))) j++;
      out.push(String(j++));
    }
  } else {
    const last = Math.max(-1, ...online);
    let j = 0;
    for (let i = 0; i < online.size; i++) {
      while (j <= last && !online.has(j)) j++;
      out.push(String(j++));
    }
  }
  return commaList(typed, out);
}

/** virshDomainInterfaceStateCompleter: the link state domif-setlink would change the interface to. */
async function interfaceState(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const xml = await domainXML(ctl, cmd, 0);
  if (!xml) return null;
  const iface = optQuiet(cmd, 'interface');
  if (!iface) return null;
  const mac = normalizeMac(iface);
  const matching = select(xml, 'devices/interface').filter(
    (i) => childrenNamed(i, 'mac').some((m) => attr(m, 'address') === mac) || childrenNamed(i, 'target').some((t) => attr(t, 'dev') === iface),
  );
  if (matching.length !== 1) return null;
  return [attrString(matching[0]!, 'link', 'state') === 'down' ? 'up' : 'down'];
}

/** virshDomainBlockjobBaseTopCompleter: each disk's target, then target[index] of its source and backing store. */
async function blockjobBaseTop(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const xml = await domainXML(ctl, cmd, 0);
  if (!xml) return null;
  const disks = select(xml, 'devices/disk');
  if (!disks.length) return null;
  let path = optQuiet(cmd, 'path') ?? undefined;
  if (!disks.some((d) => attrString(d, 'target', 'dev') === path)) path = undefined;
  const out: string[] = [];
  for (const disk of disks) {
    const target = attrString(disk, 'target', 'dev');
    if (target === null) return null;
    if (path !== undefined && path !== target) continue;
    out.push(target);
    for (const c of disk.children) {
      const index = c.name === 'source' || c.name === 'backingStore' ? attr(c, 'index') : undefined;
      if (index !== undefined) out.push(`${target}[${index}]`);
    }
  }
  return out;
}

/** virshKeycodeNameCompleter: the key names of send-key's --codeset (linux by default). */
function keycodeNames(_ctl: VirshControl, cmd: Cmd): readonly string[] | null {
  let codeset = optQuiet(cmd, 'codeset');
  if (!codeset) codeset = 'linux';
  if (codeset === 'rfb') codeset = 'qnum';
  if (!KEYCODE_SETS.includes(codeset)) return null;
  return KEY_NAMES[codeset]?.map(([name]) => name) ?? null;
}

/** virshPagesizeNodeToString: a <pages size unit> as "4KiB". */
function pageSize(pages: XmlElement): string | null {
  const size = strToUnsigned(attr(pages, 'size') ?? '', 64, false);
  if (!size) return null;
  let bytes: bigint;
  try {
    bytes = scaleInteger(size.value, attr(pages, 'unit') ?? '', 1024n, ULLONG_MAX);
  } catch {
    return null;
  }
  const { value, unit } = prettyCapacity(bytes);
  return `${value.toFixed(0)}${unit}`;
}

async function capabilities(ctl: VirshControl): Promise<XmlElement | null> {
  try {
    return parseXmlTree(await connOf(ctl).getCapabilities());
  } catch {
    return null;
  }
}

/** virshAllocpagesPagesizeCompleter: the host's page sizes (of --cellno's cell when given). */
async function pagesizes(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const caps = await capabilities(ctl);
  if (!caps) return null;
  const cell = cmd.has('cellno') ? optQuiet(cmd, 'cellno') : undefined;
  const pages = cell ? select(caps, 'host/topology/cells/cell').filter((c) => attr(c, 'id') === cell).flatMap((c) => childrenNamed(c, 'pages')) : select(caps, 'host/cpu/pages');
  if (!pages.length) return null;
  const out: string[] = [];
  for (const p of pages) {
    const s = pageSize(p);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** virshCellnoCompleter: the ids of the host's NUMA cells. */
async function cellIds(ctl: VirshControl): Promise<readonly string[] | null> {
  const caps = await capabilities(ctl);
  if (!caps) return null;
  const cells = select(caps, 'host/topology/cells/cell');
  if (!cells.length) return null;
  const ids = cells.map((c) => attr(c, 'id'));
  return ids.includes(undefined) ? null : (ids as string[]);
}

/** virshCPUModelCompleter: the custom CPU models of the domain capabilities --virttype, --emulator, --arch and --machine select. */
async function cpuModels(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const opt = (n: string) => cmd.string(n) ?? null;
  const [virttype, emulator, arch, machine] = [opt('virttype'), opt('emulator'), opt('arch'), opt('machine')];
  if (!(await alive(ctl))) return null;
  const caps = parseXmlTree(await connOf(ctl).getDomainCapabilities(emulator, arch, machine, virttype, 0));
  const models = select(caps, 'cpu/mode')
    .filter((m) => attr(m, 'name') === 'custom')
    .flatMap((m) => childrenNamed(m, 'model'));
  return models.length ? models.map((m) => m.text) : null;
}

/** virshDomainConsoleCompleter: the aliases of the pty serial and parallel devices. */
async function consoles(ctl: VirshControl, cmd: Cmd): Promise<readonly string[] | null> {
  const xml = await domainXML(ctl, cmd, 0);
  if (!xml) return null;
  const out: string[] = [];
  for (const dev of [...select(xml, 'devices/serial'), ...select(xml, 'devices/parallel')]) {
    if (attr(dev, 'type') !== 'pty') continue;
    const alias = attrString(dev, 'alias', 'name');
    // virsh's list ends at the first device without an alias.
    if (alias === null) break;
    out.push(alias);
  }
  return out;
}

/** A domain's maximum vCPU count from its inactive XML (virshDomainVcpuCompleter's query). */
async function maxVcpus(ctl: VirshControl, dom: Domain): Promise<number | null> {
  const xml = await domainXMLFromDom(ctl, dom, VIR_DOMAIN_XML_INACTIVE);
  return xml ? xpathInt(childrenNamed(xml, 'vcpu')[0]) : null;
}

async function nodeCpus(ctl: VirshControl): Promise<{ cpus: number; cpumap: boolean[] }> {
  return connOf(ctl).nodeGetCPUMap(0);
}

export const virshCompleters: Readonly<Record<string, Completer<VirshControl>>> = {
  virshCompletePathLocalExisting: () => null,
  virshCompleteEmpty: () => null,

  virshDomainNameCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllDomains(listFlags(flags))).map((d) => d.getName())),
  virshDomainUUIDCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllDomains(listFlags(flags))).map((d) => d.getUUIDString())),
  virshDomainInterfaceCompleter: connected(async (ctl, cmd, flags) => {
    const xml = await domainXML(ctl, cmd, cmd.has('config') ? VIR_DOMAIN_XML_INACTIVE : 0);
    if (!xml) return null;
    const out: string[] = [];
    for (const iface of select(xml, 'devices/interface')) {
      const dev = flags.includes(INTERFACE_COMPLETER_MAC) ? null : attrString(iface, 'target', 'dev');
      // An inactive domain's interfaces have no target: their MAC addresses then.
      const name = dev ?? attrString(iface, 'mac', 'address');
      if (name === null) return null;
      out.push(name);
    }
    return out;
  }),
  virshDomainDiskTargetCompleter: connected(diskTargets),
  virshDomainMigrateDisksCompleter: diskTargetList('migrate-disks'),
  virshDomainUndefineStorageDisksCompleter: diskTargetList('storage'),
  virshDomainBlockjobBaseTopCompleter: connected(blockjobBaseTop),
  virshDomainInterfaceStateCompleter: connected(interfaceState),
  virshDomainDeviceAliasCompleter: connected(async (ctl, cmd) => {
    const xml = await domainXML(ctl, cmd, cmd.has('config') ? VIR_DOMAIN_XML_INACTIVE : 0);
    if (!xml) return null;
    const aliases = childrenNamed(xml, 'devices').flatMap((d) => descendants(d, 'alias'));
    return aliases.map((a) => attr(a, 'name')).filter((n): n is string => n !== undefined);
  }),
  virshDomainShutdownModeCompleter: fixedComma('mode', ['acpi', 'agent', 'initctl', 'signal', 'paravirt']),
  virshDomainInterfaceAddrSourceCompleter: fixed(ADDRESS_SOURCES),
  virshDomainInterfaceSourceModeCompleter: fixed(INTERFACE_SOURCE_MODES),
  virshDomainHostnameSourceCompleter: fixed(HOSTNAME_SOURCES),
  virshDomainPerfEnableCompleter: fixedComma('enable', PERF_EVENTS),
  virshDomainPerfDisableCompleter: fixedComma('disable', PERF_EVENTS),
  virshDomainIOThreadIdCompleter: async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    if (!found) return null;
    return (await found.dom.getIOThreadInfo(0)).map((t) => String(t.iothread_id));
  },
  virshDomainVcpuCompleter: async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    if (!found) return null;
    const n = await maxVcpus(ctl, found.dom);
    return n === null ? null : range(n);
  },
  virshDomainVcpulistCompleter: async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    if (!found) return null;
    const typed = optQuiet(cmd, 'vcpulist');
    if (typed === null) return null;
    const n = await maxVcpus(ctl, found.dom);
    return n === null ? null : commaList(typed, range(n));
  },
  virshDomainCpulistCompleter: async (ctl, cmd) => {
    const typed = optQuiet(cmd, 'cpulist');
    if (typed === null) return null;
    return commaList(typed, range((await nodeCpus(ctl)).cpus));
  },
  virshDomainVcpulistViaAgentCompleter: vcpulistViaAgent,
  virshDomainConsoleCompleter: connected(consoles),
  virshDomainSignalCompleter: fixed(PROCESS_SIGNALS),
  virshDomainLifecycleCompleter: fixed(LIFECYCLE_TYPES),
  virshDomainLifecycleActionCompleter: fixed(LIFECYCLE_ACTIONS),
  virshCodesetNameCompleter: fixed(KEYCODE_SETS),
  virshKeycodeNameCompleter: keycodeNames,
  virshDomainFSMountpointsCompleter: async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    if (!found) return null;
    const info = await found.dom.getFSInfo(0);
    return info.length ? info.map((f) => f.mountpoint) : null;
  },
  virshDomainCoreDumpFormatCompleter: fixed(CORE_DUMP_FORMATS),
  virshDomainMigrateCompMethodsCompleter: fixedComma('comp-methods', MIGRATE_COMP_METHODS),
  virshDomainStorageFileFormatCompleter: fixed(STORAGE_FILE_FORMATS),
  virshDomainNumatuneModeCompleter: fixed(NUMATUNE_MODES),
  virshDomainDirtyRateCalcModeCompleter: fixed(Object.keys(DIRTYRATE_MODES)),
  virshDomainEventNameCompleter: fixed(DOMAIN_EVENTS.map(([name]) => name)),

  virshAllocpagesPagesizeCompleter: connected(pagesizes),
  virshCellnoCompleter: connected(cellIds),
  virshNodeCpuCompleter: async (ctl) => {
    const map = await nodeCpus(ctl);
    return range(map.cpus).filter((_, i) => map.cpumap[i]);
  },
  virshNodeSuspendTargetCompleter: fixed(SUSPEND_TARGETS),
  virshDomainVirtTypeCompleter: fixed(VIRT_TYPES),
  virshArchCompleter: fixed(ARCHES),
  virshCPUModelCompleter: cpuModels,

  virshNetworkNameCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllNetworks(listFlags(flags))).map((n) => n.getName())),
  virshNetworkUUIDCompleter: connected(async (ctl) => (await connOf(ctl).listAllNetworks(0)).map((n) => n.getUUIDString())),
  virshNetworkEventNameCompleter: fixed(NETWORK_EVENTS),
  virshNetworkPortUUIDCompleter: connected(async (ctl, cmd) => {
    const found = await optNetwork(ctl, cmd);
    return found ? (await found.net.listAllPorts(0)).map((p) => p.getUUIDString()) : null;
  }),
  virshNetworkDhcpMacCompleter: connected(async (ctl, cmd) => {
    const found = await optNetwork(ctl, cmd);
    if (!found) return null;
    const macs = (await found.net.getDHCPLeases(null, 0)).map((l) => l.mac);
    // A lease without a MAC address ends virsh's list.
    const end = macs.indexOf(null);
    return (end < 0 ? macs : macs.slice(0, end)) as string[];
  }),
  // virsh takes "add" for add-last, and not the enum's first entry ("none").
  virshNetworkUpdateCommandCompleter: fixed(['add', ...UPDATE_COMMANDS.slice(1)]),
  virshNetworkUpdateSectionCompleter: fixed(UPDATE_SECTIONS.slice(1)),

  virshStorageVolNameCompleter: connected(async (ctl, cmd) => {
    const found = await optPool(ctl, cmd, 'pool');
    return found ? (await found.pool.listAllVolumes(0)).map((v) => v.getName()) : null;
  }),
  virshStorageVolKeyCompleter: connected(async (ctl) => {
    const pools = await collectPools(ctl, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    if (!pools) return null;
    const keys: string[] = [];
    for (const pool of pools) for (const vol of await pool.listAllVolumes(0)) keys.push(vol.getKey());
    return keys;
  }),
  virshStorageVolWipeAlgorithmCompleter: fixed(WIPE_ALGORITHMS),
  virshStoragePoolNameCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllStoragePools(listFlags(flags))).map((p) => p.getName())),
  virshPoolEventNameCompleter: fixed(POOL_EVENTS),
  virshPoolTypeCompleter: fixedComma('type', Object.keys(POOL_TYPE_FLAGS)),

  virshCheckpointNameCompleter: connected(async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    return found ? (await found.dom.listAllCheckpoints(0)).map((c) => c.getName()) : null;
  }),
  virshSnapshotNameCompleter: connected(async (ctl, cmd) => {
    const found = await optDomain(ctl, cmd);
    return found ? (await found.dom.listAllSnapshots(0)).map((s) => s.getName()) : null;
  }),

  virshInterfaceNameCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllInterfaces(listFlags(flags))).map((i) => i.getName())),
  virshInterfaceMacCompleter: connected(async (ctl, _cmd, flags) => (await connOf(ctl).listAllInterfaces(listFlags(flags))).map((i) => i.getMACString())),

  virshNodeDeviceNameCompleter: connected(async (ctl) => (await connOf(ctl).listAllNodeDevices(0)).map((d) => d.getName())),
  virshNodeDeviceEventNameCompleter: fixed(NODEDEV_EVENTS),
  virshNodeDeviceCapabilityNameCompleter: fixedComma('cap', Object.keys(CAP_FLAGS)),
  virshNodeDevicePCIBackendCompleter: fixed(PCI_BACKENDS),

  virshNWFilterNameCompleter: connected(async (ctl) => (await connOf(ctl).listAllNWFilters(0)).map((f) => f.getName())),
  virshNWFilterBindingNameCompleter: connected(async (ctl) => (await connOf(ctl).listAllNWFilterBindings(0)).map((b) => b.getPortDev())),

  virshSecretUUIDCompleter: connected(async (ctl) => (await connOf(ctl).listAllSecrets(0)).map((s) => s.getUUIDString())),
  virshSecretEventNameCompleter: fixed(SECRET_EVENTS),
};
