// virsh-util.c: looking up the object a command names (by id, UUID or name, with virsh's debug
// lines and "failed to get ..." errors), the domain state, and XML printing.

import { closeSync, openSync, readSync } from 'node:fs';
import type { Connection, Domain } from '../../index.js';
import { VIR_DOMAIN_NOSTATE, VIR_ERR_NO_SUPPORT, VIR_ERR_SYSTEM_ERROR, LibvirtError } from '../../index.js';
import { strerror } from '../vsh/builtins.js';
import { printXPath } from './xpath.js';
import type { Cmd } from '../vsh/cmd.js';
import { VSH_ERR_DEBUG, VSH_ERR_INFO } from '../vsh/control.js';
import { strToSigned } from '../vsh/numbers.js';
import type { VirshControl } from './control.js';

export const VIRSH_BYID = 1 << 1;
export const VIRSH_BYUUID = 1 << 2;
export const VIRSH_BYNAME = 1 << 3;
export const VIRSH_BYMAC = 1 << 4;

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
  if (!dom && flags & VIRSH_BYUUID && name.length === 36) {
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

/** virFileReadAll: a file's text; null with libvirt's error kept when it cannot be read. */
export function readFileAll(ctl: VirshControl, path: string, max = 10 * 1024 * 1024): string | null {
  return readFileBytes(ctl, path, max)?.toString('utf8') ?? null;
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
