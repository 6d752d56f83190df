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
} from '../../../index.js';
import { splitCommas } from '../../vsh/builtins.js';
import { infoCommand } from '../../vsh/info.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { dumpXML, optDomain } from '../util.js';
import type { XmlBuffer } from '../snapshot-util.js';
import { type MomentEntry, collectParents, createAsXML, createBuffer, deleteMoment, listFilterFlags, printChildCounts, printCreated, printMomentList, printParent, sortByName } from '../moment-util.js';

const KIND = { noun: 'checkpoint', root: 'domaincheckpoint' };

/** virshCheckpointCreate: the helper of checkpoint-create and checkpoint-create-as. */
async function checkpointCreate(ctl: VirshControl, dom: Domain, buffer: string, flags: number, from: string | undefined): Promise<boolean> {
  const checkpoint = await dom.checkpointCreateXML(buffer, flags);
  printCreated(ctl, KIND, checkpoint.getName(), from);
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
  const read = createBuffer(ctl, cmd, KIND);
  if (!read) return false;
  return checkpointCreate(ctl, found.dom, read.buffer, flags, read.from);
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
  const buffer = createAsXML(ctl, cmd, KIND, (buf, spec) => parseDiskspec(ctl, buf, spec));
  if (buffer === null) return false;
  if (buffer === '') return true;
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

/** The checkpoint of --checkpointname in the command's domain (optDomain, then lookupCheckpoint); null after the error. */
async function optCheckpoint(ctl: VirshControl, cmd: Cmd): Promise<{ dom: Domain; chk: DomainCheckpoint; name: string } | null> {
  const found = await optDomain(ctl, cmd);
  if (!found) return null;
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  return looked && { ...looked, dom: found.dom };
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
  const looked = await optCheckpoint(ctl, cmd);
  if (!looked) return false;
  out.print('%-15s %s\n', 'Name:', looked.name);
  out.print('%-15s %s\n', 'Domain:', looked.dom.getName());
  const parent = await checkpointParent(ctl, looked.chk);
  if (parent === undefined) {
    ctl.error('unexpected problem querying checkpoint state');
    return false;
  }
  out.print('%-15s %s\n', 'Parent:', parent ?? '-');
  const children = await ctl.call(looked.chk.listAllChildren(0));
  const counted = await printChildCounts(ctl, out, children === FAILED ? FAILED : children.length, async () => (await looked.chk.listAllChildren(VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS)).length);
  return counted !== 'failed';
});

type ChkEntry = MomentEntry<DomainCheckpoint>;

/** virshCheckpointListCollect. */
async function checkpointListCollect(ctl: VirshControl, dom: Domain, from: DomainCheckpoint | null, flags: number, tree: boolean): Promise<ChkEntry[] | null> {
  const chks = await ctl.call(from ? from.listAllChildren(flags) : dom.listAllCheckpoints(flags));
  if (chks === FAILED) {
    ctl.error('unexpected problem querying checkpoints');
    return null;
  }
  const list: ChkEntry[] = chks.map((item) => ({ item, parent: null }));
  if (tree && !(await collectParents(list, from, (chk) => checkpointParent(ctl, chk)))) return null;
  return sortByName(list, (flags & VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL) !== 0);
}

async function cmdCheckpointList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('name', 'tree');
  const from = cmd.has('from');
  let flags = listFilterFlags(ctl, cmd, [
    ['leaves', VIR_DOMAIN_CHECKPOINT_LIST_LEAVES],
    ['no-leaves', VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES],
  ]);
  if (flags === null) return false;
  if (cmd.has('topological')) flags |= VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL;
  if (cmd.has('roots')) flags |= VIR_DOMAIN_CHECKPOINT_LIST_ROOTS;
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
  const list = await checkpointListCollect(ctl, found.dom, start, flags, cmd.has('tree'));
  if (!list) return false;
  return printMomentList(ctl, cmd, KIND, list, false);
}

async function cmdCheckpointDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  const wrap = cmd.has('wrap');
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_CHECKPOINT_XML_SECURE;
  if (cmd.has('no-domain')) flags |= VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN;
  if (cmd.has('size')) flags |= VIR_DOMAIN_CHECKPOINT_XML_SIZE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuietReq('xpath');
  const looked = await lookupCheckpoint(ctl, cmd, 'checkpointname', found.dom);
  if (!looked) return false;
  const xml = await looked.chk.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdCheckpointParent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const looked = await optCheckpoint(ctl, cmd);
  if (!looked) return false;
  return printParent(ctl, KIND, looked.name, await checkpointParent(ctl, looked.chk));
}

async function cmdCheckpointDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const looked = await optCheckpoint(ctl, cmd);
  if (!looked) return false;
  const flags = [VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN, VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY, VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY] as const;
  return deleteMoment(ctl, cmd, KIND, looked.name, flags, (f) => looked.chk.delete(f));
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
