// What the snapshot-* and checkpoint-* commands share: virsh-checkpoint.c began as a copy of
// virsh-snapshot.c, so creating from a file or from options, listing (tree or table), asking for the
// parent and deleting work the same way over either kind of object.

import { VIR_ERR_NO_SUPPORT } from '../../index.js';
import type { Cmd } from '../vsh/cmd.js';
import type { InfoOutput } from '../vsh/info.js';
import { FAILED } from '../vsh/control.js';
import { Table } from '../vsh/table.js';
import type { VirshControl } from './control.js';
import { strcasecmp } from './commands/domain-monitor.js';
import { formatLocalTime, parseDoc, treePrint, XmlBuffer, xpathLongLong, xpathString } from './snapshot-util.js';
import { readFileAll } from './util.js';

/** A DomainSnapshot or a DomainCheckpoint, as far as the shared code needs one. */
export interface Moment {
  getName(): string;
  getXMLDesc(flags: number): Promise<string>;
}

/** One entry of a collected list: the object and, with --tree, its parent's name. */
export interface MomentEntry<T extends Moment> {
  item: T;
  parent: string | null;
}

/** How snapshots and checkpoints differ where the code is shared. */
export interface MomentKind {
  /** 'snapshot' or 'checkpoint', as the messages say it. */
  noun: string;
  /** The root element of the object's XML. */
  root: string;
}

/**
 * The XML to create from: `xmlfile` read whole, or the empty root; null after the error is
 * reported. `from` is the file's name for the message.
 */
export function createBuffer(ctl: VirshControl, cmd: Cmd, kind: MomentKind): { buffer: string; from: string | undefined } | null {
  const from = cmd.string('xmlfile');
  if (from === undefined) return { buffer: `<${kind.root}/>`, from };
  const buffer = readFileAll(ctl, from);
  return buffer === null ? null : { buffer, from };
}

/** The message of virsh{Snapshot,Checkpoint}Create once the object exists. */
export function printCreated(ctl: VirshControl, kind: MomentKind, name: string, from: string | undefined): void {
  if (from !== undefined) ctl.printExtra(`Domain ${kind.noun} %s created from '%s'`, name, from);
  else ctl.printExtra(`Domain ${kind.noun} %s created`, name);
}

/**
 * The XML of *-create-as: name, description, what `body` adds (the memspec), then one <disk> per
 * --diskspec; null after a spec failed to parse. With --print-xml it is printed instead and the
 * result is the empty string.
 */
export function createAsXML(ctl: VirshControl, cmd: Cmd, kind: MomentKind, diskspec: (buf: XmlBuffer, spec: string) => boolean, body: (buf: XmlBuffer) => boolean = () => true): string | null {
  const buf = new XmlBuffer();
  buf.add(`<${kind.root}>\n`);
  buf.adjustIndent(2);
  buf.escape('<name>%s</name>\n', cmd.string('name'));
  buf.escape('<description>%s</description>\n', cmd.string('description'));
  if (!body(buf)) return null;
  if (cmd.has('diskspec')) {
    buf.add('<disks>\n');
    buf.adjustIndent(2);
    for (const spec of cmd.argv()) if (!diskspec(buf, spec)) return null;
    buf.adjustIndent(-2);
    buf.add('</disks>\n');
  }
  buf.adjustIndent(-2);
  buf.add(`</${kind.root}>\n`);
  const buffer = buf.toString();
  if (!cmd.has('print-xml')) return buffer;
  ctl.print('%s\n', buffer);
  return '';
}

/**
 * The option checks *-list begins with: the exclusive pairs (then `more` of them), and the filter
 * flags, which --tree excludes; null after the error is reported.
 */
export function listFilterFlags(ctl: VirshControl, cmd: Cmd, filters: readonly (readonly [string, number])[], more: readonly (readonly [string, string])[] = []): number | null {
  for (const [a, b] of [['tree', 'name'], ['parent', 'roots'], ['parent', 'tree'], ['roots', 'tree'], ['roots', 'from'], ...more] as const) cmd.exclusive(a, b);
  const tree = cmd.has('tree');
  let flags = 0;
  for (const [option, flag] of filters) {
    if (!cmd.has(option)) continue;
    if (tree) {
      ctl.error(`--${option} and --tree are mutually exclusive`);
      return null;
    }
    flags |= flag;
  }
  return flags;
}

/** With --tree: every entry's parent, then `from` itself as the root; false after an error. */
export async function collectParents<T extends Moment>(list: MomentEntry<T>[], from: T | null, parentOf: (item: T) => Promise<string | null | undefined>): Promise<boolean> {
  for (const e of list) {
    const p = await parentOf(e.item);
    if (p === undefined) return false;
    e.parent = p;
  }
  if (from) list.push({ item: from, parent: null });
  return true;
}

/** The list sorted by name as virsh does, unless the server's topological order was asked for. */
export function sortByName<T extends Moment>(list: MomentEntry<T>[], topological: boolean): MomentEntry<T>[] {
  if (!topological) list.sort((a, b) => strcasecmp(a.item.getName(), b.item.getName()));
  return list;
}

/**
 * The output of *-list: a tree, names, or the table of name, creation time, the state (snapshots)
 * and the parent; an entry whose XML does not say is left out, as virsh does.
 */
export async function printMomentList<T extends Moment>(ctl: VirshControl, cmd: Cmd, kind: MomentKind, list: MomentEntry<T>[], withState: boolean): Promise<boolean> {
  if (cmd.has('tree')) {
    const lookup = (id: number, wantParent: boolean) => (wantParent ? list[id]!.parent : list[id]!.item.getName());
    for (let i = 0; i < list.length; i++) if (!list[i]!.parent) treePrint(ctl, lookup, list.length, i);
    return true;
  }
  const name = cmd.has('name');
  const parent = cmd.has('parent');
  const table = name ? null : new Table('Name', 'Creation Time', ...(withState ? ['State'] : []), ...(parent ? ['Parent'] : []));
  for (const e of list) {
    const itemName = e.item.getName();
    if (name) {
      ctl.print('%s\n', itemName);
      continue;
    }
    const doc = await ctl.call(e.item.getXMLDesc(0));
    if (doc === FAILED) continue;
    const xml = await parseDoc(doc);
    if (!xml) continue;
    const cells = [itemName];
    if (withState) {
      const state = xpathString(xml, kind.root, ['state']);
      if (state === null) continue;
      cells.push(state);
    }
    const creation = xpathLongLong(xml, kind.root, ['creationTime']);
    if (creation === null) continue;
    cells.splice(1, 0, formatLocalTime(creation));
    if (parent) cells.push(xpathString(xml, kind.root, ['parent', 'name']) ?? '');
    table!.add(...cells);
  }
  if (table) ctl.printTable(cmd, table);
  return true;
}

/** *-parent once the object is looked up: its parent's name, or the error for a root. */
export function printParent(ctl: VirshControl, kind: MomentKind, name: string, parent: string | null | undefined): boolean {
  if (parent === undefined) return false;
  if (parent === null) {
    ctl.error(`${kind.noun} '${name}' has no parent`);
    return false;
  }
  ctl.print('%s', parent);
  return true;
}

/** The end of *-info: the numbers of children and descendants; 'unsupported' when the server has no such API. */
export async function printChildCounts(ctl: VirshControl, out: InfoOutput, children: number | typeof FAILED, descendants: () => Promise<number>): Promise<'printed' | 'unsupported' | 'failed'> {
  if (children === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return 'failed';
    ctl.resetError();
    return 'unsupported';
  }
  out.print('%-15s %d\n', 'Children:', children);
  out.print('%-15s %d\n', 'Descendants:', await descendants());
  return 'printed';
}

/** The flags of *-delete: --children, --children-only, --metadata, in that order. */
export type DeleteFlags = readonly [children: number, childrenOnly: number, metadata: number];

/** *-delete once the object is looked up. */
export async function deleteMoment(ctl: VirshControl, cmd: Cmd, kind: MomentKind, name: string, flagValues: DeleteFlags, remove: (flags: number) => Promise<unknown>): Promise<boolean> {
  const [children, childrenOnly, metadata] = flagValues;
  let flags = 0;
  if (cmd.has('children')) flags |= children;
  if (cmd.has('children-only')) flags |= childrenOnly;
  if (cmd.has('metadata')) flags |= metadata;
  if ((await ctl.call(remove(flags))) === FAILED) {
    ctl.error(`Failed to delete ${kind.noun} ${name}`);
    return false;
  }
  if (flags & childrenOnly) ctl.printExtra(`Domain ${kind.noun} %s children deleted\n`, name);
  else ctl.printExtra(`Domain ${kind.noun} %s deleted\n`, name);
  return true;
}
