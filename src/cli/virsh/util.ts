// virsh-util.c: looking up the object a command names (by id, UUID or name, with virsh's debug
// lines and "failed to get ..." errors), the domain state, and XML printing.

import { closeSync, openSync, readSync } from 'node:fs';
import type { Connection, Domain } from '../../index.js';
import { VIR_DOMAIN_NOSTATE, VIR_ERR_INTERNAL_ERROR, VIR_ERR_NO_SUPPORT, VIR_ERR_SYSTEM_ERROR, LibvirtError } from '../../index.js';
import { strerror } from '../vsh/builtins.js';
import { printXPath } from './xpath.js';
import type { Cmd } from '../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../vsh/control.js';
import { strToSigned } from '../vsh/numbers.js';
import type { VirshControl } from './control.js';

export const VIRSH_BYID = 1 << 1;
export const VIRSH_BYUUID = 1 << 2;
export const VIRSH_BYNAME = 1 << 3;
export const VIRSH_BYMAC = 1 << 4;

/** VIR_UUID_STRING_BUFLEN - 1. */
const VIR_UUID_STRING_LEN = 36;

/** The open connection (the shell's connection hook has checked it before the handler runs). */
export function connOf(ctl: VirshControl): Connection {
  if (!ctl.conn) throw new Error('no valid connection');
  return ctl.conn;
}

/** virshLookupDomainInternal: null after printing "failed to get domain". */
export async function lookupDomain(ctl: VirshControl, cmdname: string, name: string, flags = VIRSH_BYID | VIRSH_BYUUID | VIRSH_BYNAME): Promise<Domain | null> {
  const conn = connOf(ctl);
  let dom: Domain | null = null;
  if (flags & VIRSH_BYID) {
    const id = strToSigned(name, 32);
    if (id && id.value >= 0n) {
      ctl.debug(VSH_ERR_DEBUG, `${cmdname}: <domain> looks like ID\n`);
      dom = await conn.domainLookupByID(Number(id.value)).catch(() => null);
    }
  }
  if (!dom && flags & VIRSH_BYUUID && name.length === VIR_UUID_STRING_LEN) {
    ctl.debug(VSH_ERR_DEBUG, `${cmdname}: <domain> trying as domain UUID\n`);
    dom = await conn.domainLookupByUUIDString(name).catch(() => null);
  }
  if (!dom && flags & VIRSH_BYNAME) {
    ctl.debug(VSH_ERR_DEBUG, `${cmdname}: <domain> trying as domain NAME\n`);
    dom = await conn.domainLookupByName(name).catch(() => null);
  }
  ctl.resetError();
  if (!dom) ctl.error(`failed to get domain '${name}'`);
  return dom;
}

/**
 * The UUID-then-name steps of virshCommandOpt{Network,NWFilter,Pool}By, with their debug lines:
 * the object, or null with the API error kept.
 */
export async function lookupByUUIDOrName<T>(
  ctl: VirshControl,
  cmd: Cmd,
  optname: string,
  noun: string,
  n: string,
  flags: number,
  byUUID: (uuid: string) => Promise<T>,
  byName: (name: string) => Promise<T>,
): Promise<T | null> {
  let found: T | typeof FAILED = FAILED;
  if (flags & VIRSH_BYUUID && n.length === VIR_UUID_STRING_LEN) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${noun} UUID\n`);
    found = await ctl.call(byUUID(n));
  }
  if (found === FAILED && flags & VIRSH_BYNAME) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${noun} NAME\n`);
    found = await ctl.call(byName(n));
  }
  return found === FAILED ? null : found;
}

/**
 * The *ListCollect fallback for daemons without virConnectListAll* (0.10.1 and older): count,
 * list the names (or UUIDs), look each up (one gone meanwhile is skipped); null after virsh's
 * "Failed to count <what>" or "Failed to list <what>".
 */
export async function listTheOldWay<T>(ctl: VirshControl, what: string, count: () => Promise<number>, names: (n: number) => Promise<string[]>, lookup: (name: string) => Promise<T>): Promise<T[] | null> {
  const n = await ctl.call(count());
  if (n === FAILED) {
    ctl.error(`Failed to count ${what}`);
    return null;
  }
  if (n === 0) return [];
  const listed = await ctl.call(names(n));
  if (listed === FAILED) {
    ctl.error(`Failed to list ${what}`);
    return null;
  }
  const list: T[] = [];
  for (const name of listed) {
    const found = await ctl.call(lookup(name));
    if (found !== FAILED) list.push(found);
  }
  return list;
}

/** virValidateWWN: 16 hex digits after an optional 0x; false with libvirt's error kept. */
export function validWWN(ctl: VirshControl, wwn: string): boolean {
  const p = wwn.startsWith('0x') ? wwn.slice(2) : wwn;
  if (/^[0-9a-fA-F]{16}$/.test(p)) return true;
  ctl.lastError = { message: `internal error: Malformed wwn: ${wwn}`, code: VIR_ERR_INTERNAL_ERROR, domain: 0 };
  return false;
}

/** virshCommandOptDomainBy: the domain of the "domain" option; null after an error. */
export async function optDomain(ctl: VirshControl, cmd: Cmd, flags = VIRSH_BYID | VIRSH_BYUUID | VIRSH_BYNAME): Promise<{ dom: Domain; name: string } | null> {
  const n = cmd.string('domain');
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <domain>: ${n}\n`);
  const dom = await lookupDomain(ctl, cmd.name, n, flags);
  return dom ? { dom, name: n } : null;
}

/** virshDomainState: the state (and reason), falling back to virDomainGetInfo on old daemons. */
export async function domainState(ctl: VirshControl, dom: Domain): Promise<{ state: number; reason: number }> {
  if (!ctl.useGetInfo) {
    try {
      const r = await dom.getState(0);
      return { state: r.state, reason: r.reason };
    } catch (e) {
      if (e instanceof LibvirtError && e.code === VIR_ERR_NO_SUPPORT) ctl.useGetInfo = true;
      else throw e;
    }
  }
  const info = await dom.getInfo();
  return { state: info.state ?? VIR_DOMAIN_NOSTATE, reason: -1 };
}

const DOMAIN_STATES = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

/** virshDomainStateToString. */
export function domainStateToString(state: number): string {
  return DOMAIN_STATES[state] ?? 'no state';
}

/** The domain's id as virsh prints it: "-" when inactive. */
export function idString(dom: Domain): string {
  const id = dom.getID();
  return id === -1 || id === 0xffffffff ? '-' : String(id);
}

/**
 * virFileReadAll: a file's text; null with libvirt's error kept when it cannot be read. virsh uses
 * the buffer as a C string, so the text ends at the first NUL byte.
 */
export function readFileAll(ctl: VirshControl, path: string, max = 10 * 1024 * 1024): string | null {
  const bytes = readFileBytes(ctl, path, max);
  if (!bytes) return null;
  const nul = bytes.indexOf(0);
  return (nul < 0 ? bytes : bytes.subarray(0, nul)).toString('utf8');
}

/** virFileReadAll's bytes as they are (a secret's value need not be text); null with libvirt's error kept. */
export function readFileBytes(ctl: VirshControl, path: string, max: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    ctl.lastError = { message: `Failed to open file '${path}': ${strerror(e)}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(65536);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) {
        ctl.lastError = { message: `Failed to read file '${path}': ${strerror({ code: 'EOVERFLOW' })}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
        return null;
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  } catch (e) {
    ctl.lastError = { message: `Failed to read file '${path}': ${strerror(e)}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
    return null;
  } finally {
    closeSync(fd);
  }
}

/** virshDumpXML without --xpath: the document as the daemon sent it. */
export async function dumpXML(ctl: VirshControl, xml: string, xpath: string | undefined, wrap: boolean): Promise<boolean> {
  if (xpath === undefined) {
    ctl.print('%s', xml);
    return true;
  }
  return printXPath(ctl, xml, xpath, wrap);
}

/**
 * virshPrintJobProgress: "\r<label>: [ NN %]" on stderr; 100 only when nothing remains (a job
 * that is not done shows at most 99).
 */
export function printJobProgress(ctl: VirshControl, label: string, remaining: bigint, total: bigint): void {
  let progress: number;
  if (remaining === 0n) progress = 100;
  else {
    progress = Math.trunc(100.0 - (Number(remaining) * 100.0) / Number(total));
    if (progress >= 100) progress = 99;
  }
  ctl.io.stderr(`\r${label}: [${String(progress).padStart(3)} %]`);
}
