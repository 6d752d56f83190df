// virsh-domain.c: "Domain Management" commands that act on the running guest or read what it
// shows — inject-nmi, send-key, send-process-signal, screenshot, the guest agent's commands
// (domfs*, domhostname, *-user-sshkeys, guestinfo, guest-agent-timeout), the job commands
// (domjobinfo, domjobabort), the display and console addresses, domrename, domxml-*-native and
// domdirtyrate-calc.

import { closeSync, constants as fsc, openSync, unlinkSync, writeSync } from 'node:fs';
import {
  type TypedParams,
  VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND,
  VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE,
  VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP,
  VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
  VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING,
  VIR_DOMAIN_GET_HOSTNAME_AGENT,
  VIR_DOMAIN_GET_HOSTNAME_LEASE,
  VIR_DOMAIN_GUEST_INFO_DISKS,
  VIR_DOMAIN_GUEST_INFO_FILESYSTEM,
  VIR_DOMAIN_GUEST_INFO_HOSTNAME,
  VIR_DOMAIN_GUEST_INFO_INTERFACES,
  VIR_DOMAIN_GUEST_INFO_OS,
  VIR_DOMAIN_GUEST_INFO_TIMEZONE,
  VIR_DOMAIN_GUEST_INFO_USERS,
  VIR_DOMAIN_JOB_BOUNDED,
  VIR_DOMAIN_JOB_COMPLETED,
  VIR_DOMAIN_JOB_NONE,
  VIR_DOMAIN_JOB_STATS_COMPLETED,
  VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED,
  VIR_DOMAIN_JOB_UNBOUNDED,
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_SECURE,
  VIR_ERR_NO_SUPPORT,
  parseURI,
} from '../../../index.js';
import type { XmlElement } from '../../../xml/tree.js';
import { strerror } from '../../vsh/builtins.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { strToSigned, strToUnsigned } from '../../vsh/numbers.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonNumber } from '../../vsh/json.js';
import { Table } from '../../vsh/table.js';
import { typedParamEntries, typedParamString } from '../../vsh/typed-params.js';
import type { VirshControl } from '../control.js';
import { nodeToString, typedParamGet, type NodeEdit, typedParamToString } from '../domain-config-util.js';
import { keycodeValue, KEYCODE_SETS } from '../keycodes.js';
import { connOf, optDomain, readFileAll } from '../util.js';
import { attr, child, domainXMLFromDom, prettyCapacity } from '../monitor-util.js';

async function cmdInjectNMI(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  await found.dom.injectNMI(0);
  return true;
}

/** VIR_DOMAIN_SEND_KEY_MAX_KEYS. */
const SEND_KEY_MAX_KEYS = 16;

/** virshKeyCodeGetInt: a number (any base) up to 0xffff, or -1. */
function keyCodeGetInt(name: string): number {
  const r = strToUnsigned(name, 32, false, 0);
  if (!r || r.value > 0xffffn) return -1;
  return Number(r.value);
}

async function cmdSendKey(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  let codesetOption = cmd.stringQuiet('codeset') ?? 'linux';
  const holdtime = cmd.uint('holdtime') ?? 0;
  if (codesetOption === 'rfb') codesetOption = 'qnum';
  const codeset = KEYCODE_SETS.indexOf(codesetOption);
  if (codeset < 0) {
    ctl.error(`unknown codeset: '${codesetOption}'`);
    return false;
  }
  const keycodes: number[] = [];
  for (const key of cmd.argv()) {
    if (keycodes.length === SEND_KEY_MAX_KEYS) {
      ctl.error('too many keycodes');
      return false;
    }
    let keycode = keyCodeGetInt(key);
    if (keycode < 0) {
      keycode = keycodeValue(codeset, key);
      if (keycode < 0) {
        ctl.error(`invalid keycode: '${key}'`);
        return false;
      }
    }
    keycodes.push(keycode);
  }
  await found.dom.sendKey(codeset, holdtime, keycodes, 0);
  return true;
}

// prettier-ignore
export const PROCESS_SIGNALS = [
  'nop', 'hup', 'int', 'quit', 'ill', 'trap', 'abrt', 'bus', 'fpe', 'kill',
  'usr1', 'segv', 'usr2', 'pipe', 'alrm', 'term', 'stkflt', 'chld', 'cont', 'stop',
  'tstp', 'ttin', 'ttou', 'urg', 'xcpu', 'xfsz', 'vtalrm', 'prof', 'winch', 'poll',
  'pwr', 'sys', ...Array.from({ length: 33 }, (_, i) => `rt${i}`),
];

/** getSignalNumber: a number, or a name with or without "sig"/"sig_" (any case); -1 when unknown. */
function signalNumber(signame: string): number {
  let p = signame.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const n = strToSigned(p, 32);
  if (n) return Number(n.value);
  if (p.startsWith('sig_')) p = p.slice(4);
  else if (p.startsWith('sig')) p = p.slice(3);
  return PROCESS_SIGNALS.indexOf(p);
}

async function cmdSendProcessSignal(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const pid = cmd.longlong('pid')!;
  const signame = cmd.string('signame')!;
  const signum = signalNumber(signame);
  if (signum < 0) {
    ctl.error(`malformed signal name: ${signame}`);
    return false;
  }
  await found.dom.sendProcessSignal(pid, signum, 0);
  return true;
}

/** virshGenFileName: '<domain>-<local time>' with the extension of the MIME type. */
function genFileName(name: string, mime: string): string {
  const ext = mime === 'image/x-portable-pixmap' ? '.ppm' : mime === 'image/png' ? '.png' : '';
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const now = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${name}-${now}${ext}`;
}

async function cmdScreenshot(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let file = cmd.string('file');
  const screen = cmd.uint('screen') ?? 0;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name } = found;
  const conn = connOf(ctl);
  const st = conn.newStream(0);
  let created = false;
  let fd = -1;
  let ok = false;
  try {
    const mime = await ctl.call(dom.screenshot(st, screen, 0));
    if (mime === FAILED || mime === null) {
      ctl.error(`could not take a screenshot of ${name}`);
      return false;
    }
    file ??= genFileName(dom.getName(), mime);
    try {
      fd = openSync(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o666);
      created = true;
    } catch (e) {
      try {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        fd = openSync(file, fsc.O_WRONLY | fsc.O_TRUNC, 0o666);
      } catch {
        ctl.error(`cannot create file ${file}`);
        return false;
      }
    }
    try {
      for await (const chunk of st.chunks()) writeSync(fd, chunk);
    } catch (e) {
      ctl.saveError(e);
      ctl.error(`could not receive data from domain '${name}'`);
      return false;
    }
    try {
      closeSync(fd);
      fd = -1;
    } catch {
      ctl.error(`cannot close file ${file}`);
      return false;
    }
    if ((await ctl.call(st.finish())) === FAILED) {
      ctl.error(`cannot close stream on domain '${name}'`);
      return false;
    }
    ctl.printExtra(`Screenshot saved to ${file}, with type of ${mime}`);
    ok = true;
    return true;
  } finally {
    if (fd >= 0) closeSync(fd);
    if (!ok && created && file !== undefined) {
      try {
        unlinkSync(file);
      } catch (e) {
        ctl.debug(VSH_ERR_DEBUG, `unlink ${file}: ${strerror(e)}\n`);
      }
    }
    await st[Symbol.asyncDispose]();
  }
}

async function cmdDomrename(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const newName = cmd.string('new-name')!;
  await found.dom.rename(newName, 0);
  ctl.printExtra('Domain successfully renamed\n');
  return true;
}

const HOSTNAME_SOURCES: Record<string, number> = { agent: VIR_DOMAIN_GET_HOSTNAME_AGENT, lease: VIR_DOMAIN_GET_HOSTNAME_LEASE };

async function cmdDomHostname(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  let flags = 0;
  const source = cmd.string('source');
  if (source !== undefined) {
    const f = Object.hasOwn(HOSTNAME_SOURCES, source) ? HOSTNAME_SOURCES[source] : undefined;
    if (f === undefined) {
      ctl.error(`Unknown data source '${source}'`);
      return false;
    }
    flags |= f;
  }
  const hostname = await ctl.call(found.dom.getHostname(flags));
  if (hostname === FAILED) {
    ctl.error('failed to get hostname');
    return false;
  }
  ctl.print('%s\n', hostname);
  return true;
}

const JOB_TYPES = ['None', 'Bounded', 'Unbounded', 'Completed', 'Failed', 'Cancelled'];
const JOB_OPERATIONS = ['Unknown', 'Start', 'Save', 'Restore', 'Incoming migration', 'Outgoing migration', 'Snapshot', 'Snapshot revert', 'Dump', 'Backup', 'Snapshot delete'];

interface JobInfo {
  type: number;
  timeElapsed: bigint;
  timeRemaining: bigint;
  dataTotal: bigint;
  dataProcessed: bigint;
  dataRemaining: bigint;
  memTotal: bigint;
  memProcessed: bigint;
  memRemaining: bigint;
  fileTotal: bigint;
  fileProcessed: bigint;
  fileRemaining: bigint;
}

async function cmdDomjobinfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const rawstats = cmd.has('rawstats');
  cmd.requires('keep-completed', 'completed');
  cmd.jsonExcludes('rawstats');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let flags = 0;
  if (cmd.has('completed')) flags |= VIR_DOMAIN_JOB_STATS_COMPLETED;
  if (cmd.has('keep-completed')) flags |= VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED;
  let params: TypedParams = {};
  let info: JobInfo;
  const ull = (name: string) => (typedParamGet(params, name, 'ullong') as bigint | undefined) ?? 0n;
  const stats = await ctl.call(dom.getJobStats(flags));
  if (stats !== FAILED) {
    params = stats.params;
    try {
      info = {
        type: stats.type,
        timeElapsed: ull('time_elapsed'),
        timeRemaining: ull('time_remaining'),
        dataTotal: ull('data_total'),
        dataProcessed: ull('data_processed'),
        dataRemaining: ull('data_remaining'),
        memTotal: ull('memory_total'),
        memProcessed: ull('memory_processed'),
        memRemaining: ull('memory_remaining'),
        fileTotal: ull('disk_total'),
        fileProcessed: ull('disk_processed'),
        fileRemaining: ull('disk_remaining'),
      };
    } catch (e) {
      ctl.saveError(e);
      return false;
    }
  } else {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return false;
    if (flags !== 0 || rawstats) {
      ctl.error('Optional flags or --rawstats are not supported by the daemon');
      return false;
    }
    ctl.debug(VSH_ERR_DEBUG, 'detailed statistics not supported\n');
    ctl.resetError();
    const j = await dom.getJobInfo();
    const b = (v: number | bigint) => BigInt(v);
    info = {
      type: j.type,
      timeElapsed: b(j.timeElapsed),
      timeRemaining: b(j.timeRemaining),
      dataTotal: b(j.dataTotal),
      dataProcessed: b(j.dataProcessed),
      dataRemaining: b(j.dataRemaining),
      memTotal: b(j.memTotal),
      memProcessed: b(j.memProcessed),
      memRemaining: b(j.memRemaining),
      fileTotal: b(j.fileTotal),
      fileProcessed: b(j.fileProcessed),
      fileRemaining: b(j.fileRemaining),
    };
  }
  if (rawstats) {
    ctl.print('Job type: %d\n\n', info.type);
    for (const [field, value] of typedParamEntries(params)) ctl.print('%s: %s\n', field, typedParamToString(params, field, value));
    return true;
  }
  const out = new InfoOutput(ctl, cmd);
  out.print('%-17s %-12s\n', 'Job type:', JOB_TYPES[info.type] ?? 'unknown');
  if (info.type !== VIR_DOMAIN_JOB_NONE) {
    try {
      printJobStats(out, cmd, flags, info, params);
    } catch (e) {
      ctl.saveError(e);
      return false;
    }
  }
  out.end();
  return true;
}

/**
 * The part of domjobinfo after the job type; throws the "Invalid type" error of a parameter.
 * --json keys are the labels' (times with _ms; sizes and rates in bytes).
 */
function printJobStats(out: InfoOutput, cmd: Cmd, flags: number, info: JobInfo, params: TypedParams): void {
  const ull = (name: string) => typedParamGet(params, name, 'ullong') as bigint | undefined;
  const op = (typedParamGet(params, 'operation', 'int') as number | undefined) ?? 0;
  out.print('%-17s %-12s\n', 'Operation:', JOB_OPERATIONS[op] ?? 'unknown');
  if (!cmd.has('anystats') && info.type !== VIR_DOMAIN_JOB_BOUNDED && info.type !== VIR_DOMAIN_JOB_UNBOUNDED && (!(flags & VIR_DOMAIN_JOB_STATS_COMPLETED) || info.type !== VIR_DOMAIN_JOB_COMPLETED)) return;
  // A size (or with '/s' a rate) printed scaled: --json gives the bytes.
  const capacity = (label: string, v: bigint, suffix = '') => {
    const { value, unit } = prettyCapacity(v);
    out.print(`%-17s %-.3lf %s${suffix}\n`, label, value, unit).as(jsonNumber(v));
  };
  out.print('%-17s %-12llu ms\n', 'Time elapsed:', info.timeElapsed);
  let value = ull('time_elapsed_net');
  if (value !== undefined) out.print('%-17s %-12llu ms\n', 'Time elapsed w/o network:', value);
  if (info.type === VIR_DOMAIN_JOB_BOUNDED) out.print('%-17s %-12llu ms\n', 'Time remaining:', info.timeRemaining);
  if (info.dataTotal || info.dataRemaining || info.dataProcessed) {
    capacity('Data processed:', info.dataProcessed);
    capacity('Data remaining:', info.dataRemaining);
    capacity('Data total:', info.dataTotal);
  }
  if (info.memTotal || info.memRemaining || info.memProcessed) {
    capacity('Memory processed:', info.memProcessed);
    capacity('Memory remaining:', info.memRemaining);
    capacity('Memory total:', info.memTotal);
    value = ull('memory_bps');
    if (value) capacity('Memory bandwidth:', value, '/s');
    value = ull('memory_dirty_rate');
    if (value !== undefined) out.print('%-17s %-12llu pages/s\n', 'Dirty rate:', value).as(jsonNumber(value), 'dirty_rate_pages_per_s');
    value = ull('memory_page_size');
    if (value !== undefined) out.print('%-17s %-12llu bytes\n', 'Page size:', value);
    value = ull('memory_iteration');
    if (value !== undefined) out.print('%-17s %-12llu\n', 'Iteration:', value);
    value = ull('memory_postcopy_requests');
    if (value !== undefined) out.print('%-17s %-12llu\n', 'Postcopy requests:', value);
  }
  if (info.fileTotal || info.fileRemaining || info.fileProcessed) {
    capacity('File processed:', info.fileProcessed);
    capacity('File remaining:', info.fileRemaining);
    capacity('File total:', info.fileTotal);
    value = ull('disk_bps');
    if (value) capacity('File bandwidth:', value, '/s');
  }
  value = ull('memory_constant');
  if (value !== undefined) out.print('%-17s %-12llu\n', 'Constant pages:', value);
  value = ull('memory_normal');
  if (value !== undefined) out.print('%-17s %-12llu\n', 'Normal pages:', value);
  value = ull('memory_normal_bytes');
  if (value !== undefined) capacity('Normal data:', value);
  value = ull('downtime');
  if (value !== undefined) out.print('%-17s %-12llu ms\n', info.type === VIR_DOMAIN_JOB_COMPLETED ? 'Total downtime:' : 'Expected downtime:', value);
  value = ull('downtime_net');
  if (value !== undefined) out.print('%-17s %-12llu ms\n', 'Downtime w/o network:', value);
  value = ull('setup_time');
  if (value !== undefined) out.print('%-17s %-12llu ms\n', 'Setup time:', value);
  value = ull('compression_cache');
  if (value !== undefined) capacity('Compression cache:', value);
  value = ull('compression_bytes');
  if (value !== undefined) capacity('Compressed data:', value);
  value = ull('compression_pages');
  if (value !== undefined) out.print('%-17s %-13llu\n', 'Compressed pages:', value);
  value = ull('compression_cache_misses');
  if (value !== undefined) out.print('%-17s %-13llu\n', 'Compression cache misses:', value);
  value = ull('compression_overflow');
  if (value !== undefined) out.print('%-17s %-13llu\n', 'Compression overflows:', value);
  const throttle = typedParamGet(params, 'auto_converge_throttle', 'int');
  if (throttle !== undefined) out.print('%-17s %-13d\n', 'Auto converge throttle:', throttle);
  value = ull('disk_temp_used');
  if (value !== undefined) capacity('Temporary disk space use:', value);
  value = ull('disk_temp_total');
  if (value !== undefined) capacity('Temporary disk space total:', value);
  const errmsg = typedParamGet(params, 'errmsg', 'string');
  if (errmsg !== undefined) out.print('%-17s %s\n', 'Error message:', errmsg);
}

async function cmdDomjobabort(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const flags = cmd.has('postcopy') ? 1 : 0;
  if (flags === 0) await found.dom.abortJob();
  else await found.dom.abortJobFlags(flags);
  return true;
}

async function cmdDomXMLFromNative(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const format = cmd.string('format')!;
  const configFile = cmd.string('config')!;
  const configData = readFileAll(ctl, configFile);
  if (configData === null) return false;
  const xml = await connOf(ctl).domainXMLFromNative(format, configData, 0);
  ctl.print('%s', xml);
  return true;
}

async function cmdDomXMLToNative(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const format = cmd.string('format')!;
  const xmlFile = cmd.string('xml');
  cmd.exclusive('domain', 'xml');
  let xmlData: string | null;
  if (cmd.has('domain')) {
    const found = await optDomain(ctl, cmd);
    if (!found) return false;
    const r = await ctl.call(found.dom.getXMLDesc(0));
    xmlData = r === FAILED ? null : r;
  } else if (xmlFile !== undefined) {
    xmlData = readFileAll(ctl, xmlFile);
    if (xmlData === null) return false;
  } else {
    ctl.error('need either domain or domain XML');
    return false;
  }
  if (xmlData === null) {
    ctl.error('failed to retrieve XML');
    return false;
  }
  const config = await connOf(ctl).domainXMLToNative(format, xmlData, 0);
  ctl.print('%s', config);
  return true;
}


/** virXPathString: undefined for an empty string, as libvirt gives NULL. */
const nonEmpty = (s: string | undefined) => (s === '' ? undefined : s);

/** virXPathInt of an attribute: the number, or undefined when absent or not an int. */
function intAttr(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const r = strToSigned(s, 32);
  return r ? Number(r.value) : undefined;
}

/** virSocketAddrParse + virSocketAddrIsWildcard for a listen address. */
function isWildcard(addr: string): boolean {
  if (/^0+(\.0+){3}$/.test(addr) || addr === '0') return true;
  if (!addr.includes(':')) return false;
  try {
    return new URL(`http://[${addr}]/`).hostname === '[::]';
  } catch {
    return false;
  }
}

/** virshGetOneDisplay: the URI of the first <graphics> of `scheme`, or null. */
function oneDisplay(ctl: VirshControl, scheme: string, doc: XmlElement): string | null {
  const graphics = (doc.children.find((c) => c.name === 'devices')?.children ?? []).filter((g) => g.name === 'graphics' && attr(g, 'type') === scheme);
  const first = (get: (g: XmlElement) => string | undefined) => {
    for (const g of graphics) {
      const v = get(g);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  if (scheme === 'dbus') {
    const addr = nonEmpty(first((g) => attr(g, 'address')));
    if (!addr) return null;
    if (addr.startsWith('unix:path=')) return `dbus+unix://${addr.slice(10)}`;
    ctl.error(`'${addr}' D-Bus address is not handled`);
    return null;
  }
  let port = intAttr(first((g) => attr(g, 'port'))) ?? 0;
  const tlsPort = intAttr(first((g) => attr(g, 'tlsPort'))) ?? 0;
  let listenAddr = nonEmpty(first((g) => attr(g, 'listen')));
  const typeConn = nonEmpty(first((g) => attr(child(g, 'listen'), 'type')));
  let sockpath: string | undefined;
  if (typeConn === 'socket') sockpath = nonEmpty(first((g) => attr(child(g, 'listen'), 'socket')));
  if (!port && !tlsPort && !sockpath) return null;
  if (!listenAddr) listenAddr = nonEmpty(first((g) => attr(child(g, 'listen'), 'address')));
  else if (isWildcard(listenAddr)) {
    listenAddr = undefined;
    const uriStr = ctl.conn?.uri;
    if (uriStr) {
      try {
        listenAddr = parseURI(uriStr).host ?? undefined;
      } catch {
        listenAddr = undefined;
      }
    }
  }
  const passwd = nonEmpty(first((g) => attr(g, 'passwd')));
  let buf = sockpath ? `${scheme}+unix://` : `${scheme}://`;
  if (scheme === 'vnc' && passwd) buf += `:${passwd}@`;
  if (!listenAddr && !sockpath) buf += 'localhost';
  else if (!sockpath && listenAddr!.includes(':')) buf += `[${listenAddr}]`;
  else if (sockpath) buf += sockpath;
  else buf += listenAddr;
  if (port) {
    if (scheme === 'vnc') port -= 5900;
    buf += `:${port}`;
  }
  buf += '?';
  if (tlsPort) buf += `tls-port=${tlsPort}&`;
  if (scheme === 'spice' && passwd) buf += `password=${passwd}&`;
  return buf.slice(0, -1);
}

async function cmdDomDisplay(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const all = cmd.has('all');
  cmd.exclusive('all', 'type');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if (!(await found.dom.isActive().catch(() => true))) {
    ctl.error('Domain is not running');
    return false;
  }
  const flags = cmd.has('include-password') ? VIR_DOMAIN_XML_SECURE : 0;
  const type = cmd.string('type');
  const doc = await domainXMLFromDom(ctl, found.dom, flags);
  if (!doc) return false;
  let ret = false;
  for (const scheme of ['vnc', 'spice', 'rdp', 'dbus']) {
    if (!all && type !== undefined && type !== scheme) continue;
    const display = oneDisplay(ctl, scheme, doc);
    if (!display) continue;
    ctl.print('%s', display);
    ret = true;
    if (!all) break;
    ctl.print('\n');
  }
  if (!ret) {
    if (type !== undefined) ctl.error(`No graphical display with type '${type}' found`);
    else ctl.error('No graphical display found');
  }
  return ret;
}

async function cmdVNCDisplay(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if (!(await found.dom.isActive().catch(() => true))) {
    ctl.error('Domain is not running');
    return false;
  }
  const doc = await domainXMLFromDom(ctl, found.dom, 0);
  if (!doc) return false;
  const vnc = (child(doc, 'devices')?.children ?? []).filter((g) => g.name === 'graphics' && attr(g, 'type') === 'vnc');
  const port = intAttr(vnc.map((g) => attr(g, 'port')).find((p) => p !== undefined));
  if (port === undefined) {
    ctl.error('Failed to get VNC port. Is this domain using VNC?');
    return false;
  }
  let listenAddr = nonEmpty(vnc.map((g) => attr(g, 'listen')).find((p) => p !== undefined));
  if (!listenAddr) listenAddr = nonEmpty(vnc.map((g) => attr(child(g, 'listen'), 'address')).find((p) => p !== undefined));
  if (listenAddr === undefined || listenAddr === '0.0.0.0') ctl.print(':%d\n', port - 5900);
  else ctl.print('%s:%d\n', listenAddr, port - 5900);
  return true;
}

async function cmdTTYConsole(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const doc = await domainXMLFromDom(ctl, found.dom, 0);
  if (!doc) return false;
  const consoles = (child(doc, 'devices')?.children ?? []).filter((c) => c.name === 'console');
  const tty = nonEmpty(consoles.map((c) => attr(c, 'tty')).find((t) => t !== undefined));
  if (!tty) return false;
  ctl.print('%s\n', tty);
  return true;
}

async function cmdDomFSTrim(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const minimum = cmd.ulonglong('minimum') ?? 0n;
  const mountPoint = cmd.string('mountpoint') ?? null;
  if ((await ctl.call(found.dom.fSTrim(mountPoint, minimum, 0))) === FAILED) {
    ctl.error('Unable to invoke fstrim');
    return false;
  }
  return true;
}

async function cmdDomFSFreeze(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const count = await ctl.call(found.dom.fSFreeze(cmd.argv(), 0));
  if (count === FAILED) {
    ctl.error('Unable to freeze filesystems');
    return false;
  }
  ctl.printExtra('Froze %d filesystem(s)\n', count);
  return true;
}

async function cmdDomFSThaw(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const count = await ctl.call(found.dom.fSThaw(cmd.argv(), 0));
  if (count === FAILED) {
    ctl.error('Unable to thaw filesystems');
    return false;
  }
  ctl.printExtra('Thawed %d filesystem(s)\n', count);
  return true;
}

async function cmdDomFSInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const info = await ctl.call(found.dom.getFSInfo(0));
  if (info === FAILED) {
    ctl.error('Unable to get filesystem information');
    return false;
  }
  if (info.length === 0) {
    ctl.printExtra('No filesystems are mounted in the domain');
    return true;
  }
  const table = new Table('Mountpoint', 'Name', 'Type', 'Target');
  for (const fs of info) table.add(fs.mountpoint, fs.name, fs.fstype, fs.devAlias.join(','));
  ctl.printTable(cmd, table);
  return true;
}

async function cmdGuestAgentTimeout(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const timeout = cmd.int('timeout') ?? -2;
  await found.dom.agentSetResponseTimeout(timeout, 0);
  return true;
}

async function cmdGuestInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let types = 0;
  for (const [opt, bit] of [
    ['user', VIR_DOMAIN_GUEST_INFO_USERS],
    ['os', VIR_DOMAIN_GUEST_INFO_OS],
    ['timezone', VIR_DOMAIN_GUEST_INFO_TIMEZONE],
    ['hostname', VIR_DOMAIN_GUEST_INFO_HOSTNAME],
    ['filesystem', VIR_DOMAIN_GUEST_INFO_FILESYSTEM],
    ['disk', VIR_DOMAIN_GUEST_INFO_DISKS],
    ['interface', VIR_DOMAIN_GUEST_INFO_INTERFACES],
  ] as const)
    if (cmd.has(opt)) types |= bit;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const r = await found.dom.getGuestInfo(types, 0);
  for (const [field, value] of typedParamEntries(r)) ctl.print('%-20s: %s\n', field, typedParamString(r, field, value));
  return true;
}

async function cmdGetUserSSHKeys(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const user = cmd.string('user')!;
  const keys = await found.dom.authorizedSSHKeysGet(user, 0);
  for (const k of keys) ctl.print('%s', k);
  return true;
}

async function cmdSetUserSSHKeys(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  cmd.requires('remove', 'file');
  cmd.exclusive('reset', 'remove');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const user = cmd.string('user')!;
  const from = cmd.string('file');
  if (cmd.has('remove')) flags |= VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE;
  else if (!cmd.has('reset')) {
    flags |= VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND;
    if (from === undefined) {
      ctl.error('Option --file is required');
      return false;
    }
  }
  let keys: string[] = [];
  if (from !== undefined) {
    const buffer = readFileAll(ctl, from);
    if (buffer === null) return false;
    keys = buffer === '' ? [] : buffer.split('\n');
    if (keys.length === 0) {
      ctl.error(`File ${from} contains no keys`);
      return false;
    }
  }
  await found.dom.authorizedSSHKeysSet(user, keys, flags);
  return true;
}

export const DIRTYRATE_MODES: Record<string, number> = {
  'page-sampling': VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING,
  'dirty-bitmap': VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP,
  'dirty-ring': VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
};

async function cmdDomDirtyRateCalc(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const seconds = cmd.int('seconds') ?? 1;
  const modestr = cmd.string('mode');
  let flags = 0;
  if (modestr !== undefined) {
    const mode = Object.hasOwn(DIRTYRATE_MODES, modestr) ? DIRTYRATE_MODES[modestr] : undefined;
    if (mode === undefined) {
      ctl.error(`Unknown calculation mode '${modestr}'`);
      return false;
    }
    flags |= mode;
  }
  await found.dom.startDirtyRateCalc(seconds, flags);
  ctl.printExtra("Start to calculate domain's memory dirty rate successfully.\n");
  return true;
}

/**
 * lxc-enter-namespace: virDomainLxcOpenNamespace hands the namespaces' descriptors over the
 * socket (SCM_RIGHTS), which this client cannot receive; the daemon's own refusal is reported as
 * virsh reports it, and a success as the library's VIR_ERR_NO_SUPPORT.
 */
async function cmdLxcEnterNamespace(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  cmd.argv();
  await found.dom.lxcOpenNamespace(0);
  return false;
}

async function cmdDomIfSetLink(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const iface = cmd.string('interface')!;
  const state = cmd.string('state')!;
  if (state !== 'up' && state !== 'down') {
    ctl.error(`invalid link state '${state}'`);
    return false;
  }
  let flags: number;
  let xmlflags = 0;
  if (cmd.has('config')) {
    flags = VIR_DOMAIN_AFFECT_CONFIG;
    xmlflags |= VIR_DOMAIN_XML_INACTIVE;
  } else flags = VIR_DOMAIN_AFFECT_LIVE;
  if ((await dom.isActive().catch(() => -1)) === false) flags = VIR_DOMAIN_AFFECT_CONFIG;
  const doc = await domainXMLFromDom(ctl, dom, xmlflags);
  if (!doc) return false;
  const nodes = (child(doc, 'devices')?.children ?? []).filter((c) => c.name === 'interface');
  if (nodes.length === 0) {
    ctl.error('Failed to extract interface information or no interfaces found');
    return false;
  }
  const lower = (s: string | undefined) => s?.toLowerCase();
  const ifaceNode = nodes.find((n) => {
    const mac = nonEmpty(attr(child(n, 'mac'), 'address'));
    if (mac !== undefined && lower(mac) === lower(iface)) return true;
    const target = nonEmpty(attr(child(n, 'target'), 'dev'));
    return target !== undefined && lower(target) === lower(iface);
  });
  if (!ifaceNode) {
    ctl.error(`interface '${iface}' not found`);
    return false;
  }
  const link = child(ifaceNode, 'link');
  const edits = new Map<XmlElement, NodeEdit>(link ? [[link, { set: { state } }]] : [[ifaceNode, { append: [['link', [['state', state]]]] }]]);
  const xmlBuf = nodeToString(ifaceNode, edits);
  if (cmd.has('print-xml')) {
    ctl.print('%s', xmlBuf);
    return true;
  }
  if ((await ctl.call(dom.updateDeviceFlags(xmlBuf, flags))) === FAILED) {
    ctl.error('Failed to update interface link state');
    return false;
  }
  ctl.printExtra('%s', 'Device updated successfully\n');
  return true;
}

export const domainGuestHandlers = {
  cmdDomIfSetLink,
  cmdLxcEnterNamespace,
  cmdInjectNMI,
  cmdSendKey,
  cmdSendProcessSignal,
  cmdScreenshot,
  cmdDomrename,
  cmdDomHostname,
  cmdDomjobinfo,
  cmdDomjobabort,
  cmdDomXMLFromNative,
  cmdDomXMLToNative,
  cmdDomDisplay,
  cmdVNCDisplay,
  cmdTTYConsole,
  cmdDomFSTrim,
  cmdDomFSFreeze,
  cmdDomFSThaw,
  cmdDomFSInfo,
  cmdGuestAgentTimeout,
  cmdGuestInfo,
  cmdGetUserSSHKeys,
  cmdSetUserSSHKeys,
  cmdDomDirtyRateCalc,
};
