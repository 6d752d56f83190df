// virsh-snapshot.c: the "Snapshot" group (snapshot-edit is ported elsewhere).

import {
  type Domain,
  type DomainSnapshot,
  VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC,
  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT,
  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_CREATE_HALT,
  VIR_DOMAIN_SNAPSHOT_CREATE_LIVE,
  VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
  VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE,
  VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE,
  VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT,
  VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE,
  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN,
  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY,
  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE,
  VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS,
  VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL,
  VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE,
  VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL,
  VIR_DOMAIN_SNAPSHOT_LIST_LEAVES,
  VIR_DOMAIN_SNAPSHOT_LIST_METADATA,
  VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES,
  VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA,
  VIR_DOMAIN_SNAPSHOT_LIST_ROOTS,
  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL,
  VIR_DOMAIN_SNAPSHOT_REVERT_FORCE,
  VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED,
  VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM,
  VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING,
  VIR_DOMAIN_XML_SECURE,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_DOMAIN_SNAPSHOT,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_SNAPSHOT_REVERT_RISKY,
  VIR_ERR_XML_ERROR,
  VIR_FROM_XML,
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import { infoCommand } from '../../vsh/info.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { dumpXML, optDomain } from '../util.js';
import { childAt, parseDoc, type XmlBuffer, xpathString } from '../snapshot-util.js';
import { attr } from '../monitor-util.js';
import { type MomentEntry, collectParents, createAsXML, createBuffer, deleteMoment, listFilterFlags, printChildCounts, printCreated, printMomentList, printParent, sortByName } from '../moment-util.js';

const FILTERS_STATUS = VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE | VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE | VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY;
const FILTERS_LOCATION = VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL | VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL;
const ROOT = 'domainsnapshot';
const KIND = { noun: 'snapshot', root: ROOT };
/** The options snapshot-create and snapshot-create-as share. */
const CREATE_FLAGS = [
  ['no-metadata', VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA],
  ['halt', VIR_DOMAIN_SNAPSHOT_CREATE_HALT],
  ['disk-only', VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY],
  ['reuse-external', VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT],
  ['quiesce', VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE],
  ['atomic', VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC],
  ['live', VIR_DOMAIN_SNAPSHOT_CREATE_LIVE],
  ['validate', VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE],
] as const;

/** The error virXMLParseStringCtxt leaves for a document that does not parse (libxml2's details aside). */
function xmlParseFailed(ctl: VirshControl): void {
  ctl.lastError = { message: 'XML error: (domain_snapshot): failed to parse XML document', code: VIR_ERR_XML_ERROR, domain: VIR_FROM_XML };
}

/** virshSnapshotCreate: the helper of snapshot-create and snapshot-create-as. */
async function snapshotCreate(ctl: VirshControl, dom: Domain, buffer: string, flags: number, from: string | undefined): Promise<boolean> {
  let halt = false;
  let snapshot = await ctl.call(dom.snapshotCreateXML(buffer, flags));
  // If no source file but validate was not recognized, try again without that flag.
  if (snapshot === FAILED && ctl.lastError?.code === VIR_ERR_NO_SUPPORT && from === undefined) {
    flags &= ~VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE;
    snapshot = await ctl.call(dom.snapshotCreateXML(buffer, flags));
  }
  // Emulate --halt on older servers.
  if (snapshot === FAILED && ctl.lastError?.code === VIR_ERR_INVALID_ARG && flags & VIR_DOMAIN_SNAPSHOT_CREATE_HALT) {
    ctl.resetError();
    const persistent = await ctl.call(dom.isPersistent());
    if (persistent === FAILED) {
      ctl.reportError();
      return false;
    }
    if (!persistent) {
      ctl.error('cannot halt after snapshot of transient domain');
      return false;
    }
    if ((await dom.isActive().catch(() => false)) === true) halt = true;
    flags &= ~VIR_DOMAIN_SNAPSHOT_CREATE_HALT;
    snapshot = await ctl.call(dom.snapshotCreateXML(buffer, flags));
  }
  if (snapshot === FAILED) return false;
  if (halt && (await ctl.call(dom.destroy())) === FAILED) {
    ctl.reportError();
    return false;
  }
  printCreated(ctl, KIND, snapshot.getName(), from);
  return true;
}

async function cmdSnapshotCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = cmd.flags([['redefine', VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE], ['current', VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT], ...CREATE_FLAGS]);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const read = createBuffer(ctl, cmd, KIND);
  if (!read) return false;
  return snapshotCreate(ctl, found.dom, read.buffer, flags, read.from);
}

/** virshParseSnapshotMemspec. */
function parseMemspec(ctl: VirshControl, buf: XmlBuffer, str: string): boolean {
  let snapshot: string | undefined;
  let file: string | undefined;
  for (const item of splitCommas(str)) {
    if (snapshot === undefined && item.startsWith('snapshot=')) snapshot = item.slice('snapshot='.length);
    else if (file === undefined && item.startsWith('file=')) file = item.slice('file='.length);
    else if (file === undefined && item.startsWith('/')) file = item;
    else {
      ctl.error(`unable to parse memspec: ${str}`);
      return false;
    }
  }
  buf.add('<memory');
  buf.escape(" snapshot='%s'", snapshot);
  buf.escape(" file='%s'", file);
  buf.add('/>\n');
  return true;
}

/** virshParseSnapshotDiskspec. */
function parseDiskspec(ctl: VirshControl, buf: XmlBuffer, str: string): boolean {
  const fail = () => {
    ctl.error(`unable to parse diskspec: ${str}`);
    return false;
  };
  const array = splitCommas(str);
  if (array.length === 0) return fail();
  const name = array[0]!;
  let snapshot: string | undefined;
  let driver: string | undefined;
  let stype: string | undefined;
  let file: string | undefined;
  let isFile = true;
  for (const item of array.slice(1)) {
    if (snapshot === undefined && item.startsWith('snapshot=')) snapshot = item.slice('snapshot='.length);
    else if (driver === undefined && item.startsWith('driver=')) driver = item.slice('driver='.length);
    else if (stype === undefined && item.startsWith('stype=')) stype = item.slice('stype='.length);
    else if (file === undefined && item.startsWith('file=')) file = item.slice('file='.length);
    else return fail();
  }
  buf.escape("<disk name='%s'", name);
  if (snapshot !== undefined) buf.add(` snapshot='${snapshot}'`);
  if (stype !== undefined) {
    if (stype === 'block') isFile = false;
    else if (stype !== 'file') {
      ctl.error(`Unknown storage type: '${stype}'`);
      return fail();
    }
    buf.add(` type='${stype}'`);
  }
  if (driver !== undefined || file !== undefined) {
    buf.add('>\n');
    buf.adjustIndent(2);
    if (driver !== undefined) buf.add(`<driver type='${driver}'/>\n`);
    if (file !== undefined) buf.escape(isFile ? "<source file='%s'/>\n" : "<source dev='%s'/>\n", file);
    buf.adjustIndent(-2);
    buf.add('</disk>\n');
  } else buf.add('/>\n');
  return true;
}

async function cmdSnapshotCreateAs(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = cmd.flags(CREATE_FLAGS);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const buffer = createAsXML(
    ctl,
    cmd,
    KIND,
    (buf, spec) => parseDiskspec(ctl, buf, spec),
    (buf) => {
      const memspec = cmd.string('memspec');
      return memspec === undefined || parseMemspec(ctl, buf, memspec);
    },
  );
  if (buffer === null) return false;
  if (buffer === '') return true;
  return snapshotCreate(ctl, found.dom, buffer, flags, undefined);
}

/**
 * virshLookupSnapshot: {--current | --<arg> name} as a snapshot of `dom`; null after the error is
 * reported.
 */
async function lookupSnapshot(ctl: VirshControl, cmd: Cmd, arg: string, exclusive: boolean, dom: Domain): Promise<{ snap: DomainSnapshot; name: string } | null> {
  const current = cmd.has('current');
  const snapname = cmd.string(arg);
  if (exclusive && current && snapname !== undefined) {
    ctl.error(`--${arg} and --current are mutually exclusive`);
    return null;
  }
  let snap: DomainSnapshot | typeof FAILED;
  if (snapname !== undefined) snap = await ctl.call(dom.snapshotLookupByName(snapname, 0));
  else if (current) snap = await ctl.call(dom.snapshotCurrent(0));
  else {
    ctl.error(`--${arg} or --current is required`);
    return null;
  }
  if (snap === FAILED) {
    ctl.reportError();
    return null;
  }
  return { snap, name: snap.getName() };
}

/** The snapshot of --snapshotname in the command's domain (optDomain, then lookupSnapshot); null after the error. */
async function optSnapshot(ctl: VirshControl, cmd: Cmd): Promise<{ dom: Domain; snap: DomainSnapshot; name: string } | null> {
  const found = await optDomain(ctl, cmd);
  if (!found) return null;
  const looked = await lookupSnapshot(ctl, cmd, 'snapshotname', true, found.dom);
  return looked && { ...looked, dom: found.dom };
}

async function cmdSnapshotCurrent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_XML_SECURE;
  cmd.exclusive('name', 'snapshotname');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name: domname } = found;
  const done = (ok: boolean) => {
    if (!ok) ctl.reportError();
    return ok;
  };
  let snapshotname: string | undefined;
  try {
    snapshotname = cmd.string('snapshotname');
  } catch (e) {
    if (e instanceof VshError) ctl.error(e.message);
    return done(false);
  }
  if (snapshotname !== undefined) {
    flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
    const snapshot = await ctl.call(dom.snapshotLookupByName(snapshotname, 0));
    if (snapshot === FAILED) return done(false);
    const xml = await ctl.call(snapshot.getXMLDesc(VIR_DOMAIN_XML_SECURE));
    if (xml === FAILED) return done(false);
    if (xml.includes('<state>disk-snapshot</state>')) flags |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
    if ((await ctl.call(dom.snapshotCreateXML(xml, flags))) === FAILED) return done(false);
    ctl.printExtra('Snapshot %s set as current', snapshotname);
    return true;
  }
  const current = await ctl.call(dom.hasCurrentSnapshot(0));
  if (current === FAILED) return done(false);
  if (!current) {
    ctl.error(`domain '${domname}' has no current snapshot`);
    return done(false);
  }
  const snapshot = await ctl.call(dom.snapshotCurrent(0));
  if (snapshot === FAILED) return done(false);
  if (cmd.has('name')) ctl.print('%s', snapshot.getName());
  else {
    const xml = await ctl.call(snapshot.getXMLDesc(flags));
    if (xml === FAILED) return done(false);
    ctl.print('%s', xml);
  }
  return true;
}

/**
 * virshGetSnapshotParent: the name of the snapshot's parent, null for a root; undefined after the
 * error is reported.
 */
async function snapshotParent(ctl: VirshControl, snapshot: DomainSnapshot): Promise<string | null | undefined> {
  const failed = () => {
    ctl.reportError();
    ctl.error('unable to determine if snapshot has parent');
    return undefined;
  };
  if (!ctl.useSnapshotOld) {
    const parent = await ctl.call(snapshot.getParent(0));
    if (parent !== FAILED) {
      ctl.resetError();
      return parent.getName();
    }
    if (ctl.lastError?.code === VIR_ERR_NO_DOMAIN_SNAPSHOT) {
      ctl.resetError();
      return null;
    }
    ctl.useSnapshotOld = true;
  }
  const xml = await ctl.call(snapshot.getXMLDesc(0));
  if (xml === FAILED) return failed();
  const doc = await parseDoc(xml);
  if (!doc) {
    xmlParseFailed(ctl);
    return failed();
  }
  ctl.resetError();
  return xpathString(doc, ROOT, ['parent', 'name']);
}

/** virshSnapshotFilter: 1 when the snapshot passes the status and location filters, 0 when not, -1 after an error. */
async function snapshotFilter(ctl: VirshControl, snapshot: DomainSnapshot | null, flags: number): Promise<number> {
  if (!snapshot) return 1;
  const xml = await ctl.call(snapshot.getXMLDesc(0));
  if (xml === FAILED) return -1;
  const doc = await parseDoc(xml);
  if (!doc) {
    xmlParseFailed(ctl);
    return -1;
  }
  const state = xpathString(doc, ROOT, ['state']);
  if (state === null) {
    ctl.error('unable to perform snapshot filtering');
    return -1;
  }
  if (state === 'disk-snapshot') return flags & VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY && flags & VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL ? 1 : 0;
  if (!(flags & VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL)) return 0;
  if (state === 'shutoff') return flags & VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE ? 1 : 0;
  return flags & VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE ? 1 : 0;
}

const cmdSnapshotInfo = infoCommand<VirshControl>(async (ctl, cmd, out) => {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const looked = await lookupSnapshot(ctl, cmd, 'snapshotname', true, dom);
  if (!looked) return false;
  const { snap, name } = looked;
  out.print('%-15s %s\n', 'Name:', name);
  out.print('%-15s %s\n', 'Domain:', dom.getName());
  // Whether the snapshot is current is useful enough that an error is ignored.
  const current = await snap.isCurrent(0).catch(() => false);
  out.print('%-15s %s\n', 'Current:', current ? 'yes' : 'no');
  const docText = await snap.getXMLDesc(0);
  const doc = await parseDoc(docText);
  if (!doc) {
    xmlParseFailed(ctl);
    return false;
  }
  const state = xpathString(doc, ROOT, ['state']);
  if (state === null) {
    ctl.error('unexpected problem reading snapshot xml');
    return false;
  }
  out.print('%-15s %s\n', 'State:', state);
  // With a <memory> element, snapshot='external' on it or a disk decides; before 1.0.1, only disk-snapshot was external.
  let external: boolean;
  const memory = doc.name === ROOT ? childAt(doc, ['memory']) : undefined;
  if (memory) {
    const disks = childAt(doc, ['disks'])?.children.filter((c) => c.name === 'disk') ?? [];
    external = attr(memory, 'snapshot') === 'external' || disks.some((d) => attr(d, 'snapshot') === 'external');
  } else external = state === 'disk-snapshot';
  out.print('%-15s %s\n', 'Location:', external ? 'external' : 'internal');
  const parent = xpathString(doc, ROOT, ['parent', 'name']);
  out.print('%-15s %s\n', 'Parent:', parent ?? '-');
  // Past this point the fallback to compute children is too expensive: quit quietly without the APIs.
  if (ctl.useSnapshotOld) return true;
  const counted = await printChildCounts(ctl, out, await ctl.call(snap.numChildren(0)), () => snap.numChildren(VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS));
  if (counted !== 'printed') return counted === 'unsupported';
  // The fallback relies on metadata having been all-or-nothing for the snapshot count.
  let metadata: number | boolean | typeof FAILED = await ctl.call(snap.hasMetadata(0));
  if (metadata === FAILED) {
    metadata = await ctl.call(dom.snapshotNum(VIR_DOMAIN_SNAPSHOT_LIST_METADATA));
    ctl.resetError();
  }
  if (metadata !== FAILED) out.print('%-15s %s\n', 'Metadata:', metadata ? 'yes' : 'no');
  return true;
});

/** One entry of a collected snapshot list: null once filtered out. */
interface SnapEntry {
  item: DomainSnapshot | null;
  parent: string | null;
}

/**
 * virshSnapshotListCollect: the snapshots of `dom` (or the children of `from`), filtered by
 * `origFlags`; with `tree`, every entry but `from` or the roots knows its parent. Null after an
 * error was reported (or kept for the report).
 */
async function snapshotListCollect(ctl: VirshControl, dom: Domain, from: DomainSnapshot | null, origFlags: number, tree: boolean): Promise<MomentEntry<DomainSnapshot>[] | null> {
  let flags = origFlags;
  let filterFallback = false;
  let snaps: DomainSnapshot[] | typeof FAILED = FAILED;
  let list: SnapEntry[];
  if (!ctl.useSnapshotOld) {
    const listAll = () => ctl.call(from ? from.listAllChildren(flags) : dom.listAllSnapshots(flags));
    snaps = await listAll();
    // Flags added in 1.0.1 can be filtered here instead.
    if (snaps === FAILED && ctl.lastError?.code === VIR_ERR_INVALID_ARG && flags & (FILTERS_STATUS | FILTERS_LOCATION)) {
      flags &= ~(FILTERS_STATUS | FILTERS_LOCATION);
      ctl.resetError();
      filterFallback = true;
      snaps = await listAll();
    }
  }
  if (snaps !== FAILED) {
    const all: MomentEntry<DomainSnapshot>[] = snaps.map((item) => ({ item, parent: null }));
    if (tree && !(await collectParents(all, from, (snap) => snapshotParent(ctl, snap)))) return null;
    list = all;
  } else {
    const collected = await snapshotListCollectNames(ctl, dom, from, flags, tree);
    if (!collected) return null;
    list = collected;
  }
  if (filterFallback) {
    // Older servers did not filter on status or location, but the snapshot's XML tells.
    origFlags |= FILTERS_STATUS | FILTERS_LOCATION;
    for (const e of list) {
      const r = await snapshotFilter(ctl, e.item, origFlags);
      if (r < 0) return null;
      if (r === 0) {
        e.item = null;
        e.parent = null;
      }
    }
  }
  const kept = list.filter((e): e is MomentEntry<DomainSnapshot> => e.item !== null);
  return sortByName(kept, (origFlags & VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL) !== 0);
}

/**
 * The part of virshSnapshotListCollect for servers without virDomainListAllSnapshots (0.8.0 to
 * 0.9.12): counting, then listing names. The emulation of --from and --descendants over the
 * global list that servers without child listing need is not ported.
 */
async function snapshotListCollectNames(ctl: VirshControl, dom: Domain, from: DomainSnapshot | null, flags: number, tree: boolean): Promise<SnapEntry[] | null> {
  if (flags & VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES && flags & VIR_DOMAIN_SNAPSHOT_LIST_LEAVES) flags &= ~(VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES | VIR_DOMAIN_SNAPSHOT_LIST_LEAVES);
  if (flags & VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA && flags & VIR_DOMAIN_SNAPSHOT_LIST_METADATA) flags &= ~(VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA | VIR_DOMAIN_SNAPSHOT_LIST_METADATA);
  if (flags & VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA) {
    // --no-metadata can be emulated with --metadata: it was all-or-none on old servers.
    const n = await ctl.call(dom.snapshotNum(VIR_DOMAIN_SNAPSHOT_LIST_METADATA));
    if (n === FAILED) return null;
    if (n > 0) return [];
    flags &= ~VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA;
  }
  if (flags & (FILTERS_STATUS | FILTERS_LOCATION)) {
    flags &= ~(FILTERS_STATUS | FILTERS_LOCATION);
  }
  let roots = false;
  let count: number | typeof FAILED;
  if (from) {
    if (tree) flags |= VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS;
    count = await ctl.call(from.numChildren(flags));
    if (count !== FAILED && tree) count++;
  } else {
    count = await ctl.call(dom.snapshotNum(flags));
    if (count === FAILED && ctl.lastError?.code === VIR_ERR_INVALID_ARG && flags & VIR_DOMAIN_SNAPSHOT_LIST_ROOTS) {
      ctl.resetError();
      roots = true;
      flags &= ~VIR_DOMAIN_SNAPSHOT_LIST_ROOTS;
      count = await ctl.call(dom.snapshotNum(flags));
    }
  }
  if (count === FAILED) {
    if (!ctl.lastError) ctl.error('failed to collect snapshot list');
    return null;
  }
  if (!count) return [];
  let names: string[] | typeof FAILED;
  if (from) {
    names = await ctl.call(from.listChildrenNames(tree ? count - 1 : count, flags));
    if (names !== FAILED && tree) names = [from.getName(), ...names];
  } else names = await ctl.call(dom.snapshotListNames(count, flags));
  if (names === FAILED) return null;
  const list: SnapEntry[] = [];
  for (const n of names) {
    const snap = await ctl.call(dom.snapshotLookupByName(n, 0));
    if (snap === FAILED) return null;
    list.push({ item: snap, parent: null });
  }
  if (tree || roots) {
    for (let i = from ? 1 : 0; i < list.length; i++) {
      const e = list[i]!;
      const p = await snapshotParent(ctl, e.item!);
      if (p === undefined) return null;
      e.parent = p;
      if ((from && tree && !e.parent) || (roots && e.parent)) {
        e.item = null;
        e.parent = null;
      }
    }
  }
  return list;
}

async function cmdSnapshotList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('name', 'tree');
  const from = cmd.has('from');
  const current = cmd.has('current');
  let flags = listFilterFlags(
    ctl,
    cmd,
    [
      ['leaves', VIR_DOMAIN_SNAPSHOT_LIST_LEAVES],
      ['no-leaves', VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES],
      ['inactive', VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE],
      ['active', VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE],
      ['disk-only', VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY],
      ['internal', VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL],
      ['external', VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL],
    ],
    [['roots', 'current']],
  );
  if (flags === null) return false;
  if (cmd.has('topological')) flags |= VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL;
  if (cmd.has('roots')) flags |= VIR_DOMAIN_SNAPSHOT_LIST_ROOTS;
  if (cmd.has('metadata')) flags |= VIR_DOMAIN_SNAPSHOT_LIST_METADATA;
  if (cmd.has('no-metadata')) flags |= VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA;
  if (cmd.has('descendants')) {
    if (!from && !current) {
      ctl.error('--descendants requires either --from or --current');
      return false;
    }
    flags |= VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS;
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let start: DomainSnapshot | null = null;
  if (from || current) {
    const looked = await lookupSnapshot(ctl, cmd, 'from', true, dom);
    if (!looked) return false;
    start = looked.snap;
  }
  const list = await snapshotListCollect(ctl, dom, start, flags, cmd.has('tree'));
  if (!list) return false;
  return printMomentList(ctl, cmd, KIND, list, true);
}

async function cmdSnapshotDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const wrap = cmd.has('wrap');
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_XML_SECURE;
  const name = cmd.string('snapshotname')!;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const snapshot = await found.dom.snapshotLookupByName(name, 0);
  const xpath = cmd.stringQuietReq('xpath');
  const xml = await snapshot.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdSnapshotParent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const looked = await optSnapshot(ctl, cmd);
  if (!looked) return false;
  return printParent(ctl, KIND, looked.name, await snapshotParent(ctl, looked.snap));
}

async function cmdDomainSnapshotRevert(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED;
  if (cmd.has('reset-nvram')) flags |= VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM;
  // --force works with servers that reverted unsafely by default and reject the flag: probe without it.
  const force = cmd.has('force');
  const looked = await optSnapshot(ctl, cmd);
  if (!looked) return false;
  let result = await ctl.call(looked.snap.revertToSnapshot(flags));
  if (result === FAILED && force && ctl.lastError?.code === VIR_ERR_SNAPSHOT_REVERT_RISKY) {
    flags |= VIR_DOMAIN_SNAPSHOT_REVERT_FORCE;
    ctl.resetError();
    result = await ctl.call(looked.snap.revertToSnapshot(flags));
  }
  if (result === FAILED) {
    ctl.error(`Failed to revert snapshot ${looked.name}`);
    return false;
  }
  ctl.printExtra('Domain snapshot %s reverted\n', looked.name);
  return true;
}

async function cmdSnapshotDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const looked = await optSnapshot(ctl, cmd);
  if (!looked) return false;
  const flags = [VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN, VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY, VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY] as const;
  return deleteMoment(ctl, cmd, KIND, looked.name, flags, (f) => looked.snap.delete(f));
}

export const snapshotHandlers = {
  cmdSnapshotCreate,
  cmdSnapshotCreateAs,
  cmdSnapshotCurrent,
  cmdSnapshotInfo,
  cmdSnapshotList,
  cmdSnapshotDumpXML,
  cmdSnapshotParent,
  cmdDomainSnapshotRevert,
  cmdSnapshotDelete,
};
