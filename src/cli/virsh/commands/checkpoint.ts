// virsh-checkpoint.c: the "Checkpoint" group (checkpoint-edit is ported elsewhere).

import {
  type Domain,
  type DomainCheckpoint,
  VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE,
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
  VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN,
  VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
  VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS,
  VIR_DOMAIN_CHECKPOINT_LIST_LEAVES,
  VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES,
  VIR_DOMAIN_CHECKPOINT_LIST_ROOTS,
  VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL,
  VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN,
  VIR_DOMAIN_CHECKPOINT_XML_SECURE,
  VIR_DOMAIN_CHECKPOINT_XML_SIZE,
  VIR_ERR_NO_DOMAIN_CHECKPOINT,
  VIR_ERR_NO_SUPPORT,
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import { infoCommand } from '../../vsh/info.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { dumpXML, optDomain, readFileAll } from '../util.js';
import { strcasecmp } from './domain-monitor.js';
import { formatLocalTime, parseDoc, treePrint, XmlBuffer, xpathLongLong, xpathString, quietString } from '../snapshot-util.js';

const ROOT = 'domaincheckpoint';

/** virshCheckpointCreate: the helper of checkpoint-create and checkpoint-create-as. */
async function checkpointCreate(ctl: VirshControl, dom: Domain, buffer: string, flags: number, from: string | undefined): Promise<boolean> {
  const checkpoint = await dom.checkpointCreateXML(buffer, flags);
  const name = checkpoint.getName();
  if (from !== undefined) ctl.printExtra("Domain checkpoint %s created from '%s'", name, from);
  else ctl.printExtra('Domain checkpoint %s created', name);
  return true;
}

async function cmdCheckpointCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.requires('redefine-validate', 'redefine');
  let flags = 0;
  if (cmd.has('redefine')) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
  if (cmd.has('redefine-validate')) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;
  if (cmd.has('quiesce')) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const from = cmd.string('xmlfile');
  let buffer: string | null;
  if (from === undefined) buffer = '<domaincheckpoint/>';
  else {
    buffer = readFileAll(ctl, from);
    if (buffer === null) return false;
  }
  return checkpointCreate(ctl, found.dom, buffer, flags, from);
}

/** virshParseCheckpointDiskspec. */
function parseDiskspec(ctl: VirshControl, buf: XmlBuffer, str: string): boolean {
  const fail = () => {
    ctl.error(`unable to parse diskspec: ${str}`);
    return false;
  };
  const array = splitCommas(str);
  if (array.length === 0) return fail();
  let checkpoint: string | undefined;
  let bitmap: string | undefined;
  for (const item of array.slice(1)) {
    if (checkpoint === undefined && item.startsWith('checkpoint=')) checkpoint = item.slice('checkpoint='.length);
    else if (bitmap === undefined && item.startsWith('bitmap=')) bitmap = item.slice('bitmap='.length);
    else return fail();
  }
  buf.escape("<disk name='%s'", array[0]!);
  if (checkpoint !== undefined) buf.add(` checkpoint='${checkpoint}'`);
  if (bitmap !== undefined) buf.add(` bitmap='${bitmap}'`);
  buf.add('/>\n');
  return true;
}

async function cmdCheckpointCreateAs(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('quiesce')) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const name = cmd.string('name');
  const desc = cmd.string('description');
  const buf = new XmlBuffer();
  buf.add('<domaincheckpoint>\n');
  buf.adjustIndent(2);
  buf.escape('<name>%s</name>\n', name);
  buf.escape('<description>%s</description>\n', desc);
  if (cmd.has('diskspec')) {
    buf.add('<disks>\n');
    buf.adjustIndent(2);
    for (const spec of cmd.argv()) if (!parseDiskspec(ctl, buf, spec)) return false;
    buf.adjustIndent(-2);
    buf.add('</disks>\n');
  }
  buf.adjustIndent(-2);
  buf.add('</domaincheckpoint>\n');
  const buffer = buf.toString();
  if (cmd.has('print-xml')) {
    ctl.print('%s\n', buffer);
    return true;
  }
  return checkpointCreate(ctl, found.dom, buffer, flags, undefined);
}

/** virshLookupCheckpoint: --<arg> name as a checkpoint of `dom`; null after the error is reported. */
async function lookupCheckpoint(ctl: VirshControl, cmd: Cmd, arg: string, dom: Domain): Promise<{ chk: DomainCheckpoint; name: string } | null> {
  const chkname = cmd.string(arg);
  if (chkname === undefined) {
    ctl.error(`--${arg} is required`);
    return null;
  }
  const chk = await ctl.call(dom.checkpointLookupByName(chkname, 0));
  if (chk === FAILED) {
    ctl.reportError();
    return null;
  }
  return { chk, name: chk.getName() };
}

/**
 * virshGetCheckpointParent: the name of the checkpoint's parent, null for a root; undefined after
 * the error is reported.
 */
async function checkpointParent(ctl: VirshControl, checkpoint: DomainCheckpoint): Promise<string | null | undefined> {
  const parent = await ctl.call(checkpoint.getParent(0));
  if (parent !== FAILED) {
    ctl.resetError();
    return parent.getName();
  }
  if (ctl.lastError?.code === VIR_ERR_NO_DOMAIN_CHECKPOINT) {
    ctl.resetError();
    return null;
  }
  ctl.reportError();
  ctl.error('unable to determine if checkpoint has parent');
  return undefined;
}

const cmdCheckpointInfo = infoCommand<VirshControl>(async (ctl, cmd, out) => {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  if (!looked) return false;
  out.print('%-15s %s\n', 'Name:', looked.name);
  out.print('%-15s %s\n', 'Domain:', found.dom.getName());
  const parent = await checkpointParent(ctl, looked.chk);
  if (parent === undefined) {
    ctl.error('unexpected problem querying checkpoint state');
    return false;
  }
  out.print('%-15s %s\n', 'Parent:', parent ?? '-');
  const children = await ctl.call(looked.chk.listAllChildren(0));
  if (children === FAILED) {
    if (ctl.lastError?.code === VIR_ERR_NO_SUPPORT) {
      ctl.resetError();
      return true;
    }
    return false;
  }
  out.print('%-15s %d\n', 'Children:', children.length);
  const descendants = await looked.chk.listAllChildren(VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS);
  out.print('%-15s %d\n', 'Descendants:', descendants.length);
  return true;
});

interface ChkEntry {
  chk: DomainCheckpoint;
  parent: string | null;
}

/** virshCheckpointListCollect. */
async function checkpointListCollect(ctl: VirshControl, dom: Domain, from: DomainCheckpoint | null, flags: number, tree: boolean): Promise<ChkEntry[] | null> {
  const chks = await ctl.call(from ? from.listAllChildren(flags) : dom.listAllCheckpoints(flags));
  if (chks === FAILED) {
    ctl.error('unexpected problem querying checkpoints');
    return null;
  }
  const list: ChkEntry[] = chks.map((chk) => ({ chk, parent: null }));
  if (tree) {
    for (const e of list) {
      const p = await checkpointParent(ctl, e.chk);
      if (p === undefined) return null;
      e.parent = p;
    }
    if (from) list.push({ chk: from, parent: null });
  }
  if (!(flags & VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)) list.sort((a, b) => strcasecmp(a.chk.getName(), b.chk.getName()));
  return list;
}

async function cmdCheckpointList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('name', 'tree');
  const tree = cmd.has('tree');
  const name = cmd.has('name');
  const from = cmd.has('from');
  const parent = cmd.has('parent');
  const roots = cmd.has('roots');
  cmd.exclusive('tree', 'name');
  cmd.exclusive('parent', 'roots');
  cmd.exclusive('parent', 'tree');
  cmd.exclusive('roots', 'tree');
  cmd.exclusive('roots', 'from');
  let flags = 0;
  for (const [option, flag] of [
    ['leaves', VIR_DOMAIN_CHECKPOINT_LIST_LEAVES],
    ['no-leaves', VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES],
  ] as const) {
    if (!cmd.has(option)) continue;
    if (tree) {
      ctl.error(`--${option} and --tree are mutually exclusive`);
      return false;
    }
    flags |= flag;
  }
  if (cmd.has('topological')) flags |= VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL;
  if (roots) flags |= VIR_DOMAIN_CHECKPOINT_LIST_ROOTS;
  if (cmd.has('descendants')) {
    if (!from) {
      ctl.error('--descendants requires --from');
      return false;
    }
    flags |= VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS;
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  let start: DomainCheckpoint | null = null;
  if (from) {
    const looked = await lookupCheckpoint(ctl, cmd, 'from', found.dom);
    if (!looked) return false;
    start = looked.chk;
  }
  const list = await checkpointListCollect(ctl, found.dom, start, flags, tree);
  if (!list) return false;
  if (tree) {
    const lookup = (id: number, wantParent: boolean) => (wantParent ? list[id]!.parent : list[id]!.chk.getName());
    for (let i = 0; i < list.length; i++) if (!list[i]!.parent) treePrint(ctl, lookup, list.length, i);
    return true;
  }
  const table = name ? null : parent ? new Table('Name', 'Creation Time', 'Parent') : new Table('Name', 'Creation Time');
  for (const e of list) {
    const chkName = e.chk.getName();
    if (name) {
      ctl.print('%s\n', chkName);
      continue;
    }
    const doc = await ctl.call(e.chk.getXMLDesc(0));
    if (doc === FAILED) continue;
    const xml = await parseDoc(doc);
    if (!xml) continue;
    const parentChk = parent ? xpathString(xml, ROOT, ['parent', 'name']) : null;
    const creation = xpathLongLong(xml, ROOT, ['creationTime']);
    if (creation === null) continue;
    const thenstr = formatLocalTime(creation);
    if (parent) table!.add(chkName, thenstr, parentChk ?? '');
    else table!.add(chkName, thenstr);
  }
  if (table) ctl.printTable(cmd, table);
  return true;
}

async function cmdCheckpointDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const wrap = cmd.has('wrap');
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_CHECKPOINT_XML_SECURE;
  if (cmd.has('no-domain')) flags |= VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN;
  if (cmd.has('size')) flags |= VIR_DOMAIN_CHECKPOINT_XML_SIZE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xpath = quietString(cmd, 'xpath');
  if (xpath === null) return false;
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  if (!looked) return false;
  const xml = await looked.chk.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdCheckpointParent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  if (!looked) return false;
  const parent = await checkpointParent(ctl, looked.chk);
  if (parent === undefined) return false;
  if (parent === null) {
    ctl.error(`checkpoint '${looked.name}' has no parent`);
    return false;
  }
  ctl.print('%s', parent);
  return true;
}

async function cmdCheckpointDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  if (!looked) return false;
  let flags = 0;
  if (cmd.has('children')) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN;
  if (cmd.has('children-only')) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY;
  if (cmd.has('metadata')) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY;
  if ((await ctl.call(looked.chk.delete(flags))) === FAILED) {
    ctl.error(`Failed to delete checkpoint ${looked.name}`);
    return false;
  }
  if (flags & VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) ctl.printExtra('Domain checkpoint %s children deleted\n', looked.name);
  else ctl.printExtra('Domain checkpoint %s deleted\n', looked.name);
  return true;
}

export const checkpointHandlers = {
  cmdCheckpointCreate,
  cmdCheckpointCreateAs,
  cmdCheckpointInfo,
  cmdCheckpointList,
  cmdCheckpointDumpXML,
  cmdCheckpointParent,
  cmdCheckpointDelete,
};
