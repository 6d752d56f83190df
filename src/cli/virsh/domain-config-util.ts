// Helpers of virsh-domain.c's configuration commands: CPU bitmaps as virBitmapFormat and
// virBitmapParse read and write them, typed parameters with their wire types (virsh prints and
// parses values by type), libvirt's own client-side errors, and virshWatchJob.

import { LibvirtError, VIR_ERR_INVALID_ARG, VIR_FROM_NONE, typedParamType, type Connection, type Domain, type protocol, type TypedParams, type TypedParamTypeName, type TypedParamValue } from '../../index.js';
import type { XmlElement } from '../../xml/tree.js';
import { cformat } from '../vsh/cformat.js';
import { VshError, type Cmd } from '../vsh/cmd.js';
import { VSH_ERR_DEBUG } from '../vsh/control.js';
import { strToSigned, strToUnsigned } from '../vsh/numbers.js';
import { typedParamString } from '../vsh/typed-params.js';
import type { VirshControl } from './control.js';
import { escapeXmlAttr, escapeXmlContent } from './device-xml.js';
import { printJobProgress } from './util.js';

/** virBitmapFormat of a CPU map: "0-3,5"; '' when no bit is set. */
export function bitmapFormat(bits: readonly boolean[]): string {
  const parts: string[] = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    let j = i;
    while (j + 1 < bits.length && bits[j + 1]) j++;
    parts.push(i === j ? String(i) : `${i}-${j}`);
    i = j;
  }
  return parts.join(',');
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** virBitmapParse with a size limit: the set bits, or null where libvirt fails. */
export function bitmapParse(str: string, size: number): boolean[] | null {
  const map = new Array<boolean>(size).fill(false);
  let cur = 0;
  const skip = () => {
    while (isSpace(str[cur])) cur++;
  };
  const number = (): number | null => {
    const r = strToSigned(str.slice(cur), 32, 10, true);
    if (!r) return null;
    cur += r.end;
    return Number(r.value);
  };
  skip();
  if (cur === str.length) return null;
  let neg = false;
  while (cur < str.length) {
    if (str[cur] === '^') {
      cur++;
      neg = true;
    }
    if (!/[0-9]/.test(str[cur] ?? '')) return null;
    const start = number();
    if (start === null || start < 0) return null;
    skip();
    if (str[cur] === ',' || cur === str.length) {
      if (start >= size) return null;
      map[start] = !neg;
    } else if (str[cur] === '-') {
      if (neg) return null;
      cur++;
      skip();
      const last = number();
      if (last === null || last < start) return null;
      for (let i = start; i <= last; i++) {
        if (i >= size) return null;
        map[i] = true;
      }
      skip();
    }
    if (str[cur] === ',') {
      cur++;
      skip();
      neg = false;
    } else if (cur === str.length) break;
    else return null;
  }
  return map;
}

/** virBitmapToData: bytes with bit i of the map at bit (i % 8) of byte i / 8, as long as the last set bit needs. */
export function bitmapToData(map: readonly boolean[]): Uint8Array {
  const last = map.lastIndexOf(true);
  const out = new Uint8Array(Math.floor((last < 0 ? map.length : last) / 8) + 1);
  map.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/** virshNodeGetCPUCount: the host's CPUs (virNodeGetCPUMap, else virNodeGetInfo); null after an error. */
export async function nodeCPUCount(ctl: VirshControl, conn: Connection): Promise<number | null> {
  try {
    return (await conn.nodeGetCPUMap(0)).cpus;
  } catch {
    ctl.resetError();
    try {
      const info = await conn.nodeGetInfo();
      return info.nodes * info.sockets * info.cores * info.threads;
    } catch (e) {
      ctl.saveError(e);
      return null;
    }
  }
}

/** virshParseCPUList: the --cpulist as a cpumap; null after the error. */
export function parseCPUList(ctl: VirshControl, cpulist: string, maxcpu: number): Uint8Array | null {
  let map: boolean[] | null;
  if (cpulist[0] === 'r') map = new Array<boolean>(maxcpu).fill(true);
  else {
    map = bitmapParse(cpulist, 1024);
    if (!map) ctl.saveError(invalidArg(`Failed to parse bitmap '${cpulist}'`));
    if (!map || !map.includes(true)) {
      ctl.error(`Invalid cpulist '${cpulist}'`);
      return null;
    }
    const lastcpu = map.lastIndexOf(true);
    if (lastcpu >= maxcpu) {
      ctl.error(`CPU ${lastcpu} in cpulist '${cpulist}' exceed the maxcpu ${maxcpu}`);
      return null;
    }
  }
  return bitmapToData(map);
}

/** One typed parameter as the daemon sent it, with its virTypedParameterType. */
export type WireParam = protocol.remote.remote_typed_param;

/** vshGetTypedParamValue. */
export function typedParamValue(p: WireParam): string {
  const v = p.value;
  switch (v.type) {
    case 1:
      return String(v.i);
    case 2:
      return String(v.ui >>> 0);
    case 3:
      return String(v.l);
    case 4:
      return String(BigInt.asUintN(64, v.ul));
    case 5:
      return v.d.toFixed(6);
    case 6:
      return v.b ? 'yes' : 'no';
    default:
      return v.s;
  }
}

/** A libvirt error raised by libvirt's client library itself (VIR_FROM_NONE), as virReportError makes it. */
export function invalidArg(message: string): LibvirtError {
  return new LibvirtError({ code: VIR_ERR_INVALID_ARG, domain: VIR_FROM_NONE, message: `invalid argument: ${message}` });
}

/** virTypedParameterAssignFromStr: `val` read as a parameter of `type`; throws libvirt's error. */
export function paramFromString(field: string, type: TypedParamTypeName, val: string): { type: TypedParamTypeName; value: TypedParamValue } {
  const fail = (what: string) => invalidArg(`Invalid value for field '${field}': expected ${what}`);
  switch (type) {
    case 'int': {
      const r = strToSigned(val, 32);
      if (!r) throw fail('int');
      return { type, value: Number(r.value) };
    }
    case 'uint': {
      const r = strToUnsigned(val, 32, true);
      if (!r) throw fail('unsigned int');
      return { type, value: Number(r.value) };
    }
    case 'llong': {
      const r = strToSigned(val, 64);
      if (!r) throw fail('long long');
      return { type, value: r.value };
    }
    case 'ullong': {
      const r = strToUnsigned(val, 64, true);
      if (!r) throw fail('unsigned long long');
      return { type, value: r.value };
    }
    case 'double': {
      const d = strToDouble(val);
      if (d === null) throw fail('double');
      return { type, value: d };
    }
    case 'boolean':
      if (val.toLowerCase() === 'true' || val === '1') return { type, value: true };
      if (val.toLowerCase() === 'false' || val === '0') return { type, value: false };
      throw invalidArg(`Invalid boolean value for field '${field}'`);
    default:
      return { type: 'string', value: val };
  }
}

/** virStrToDouble without an end pointer: the whole string is a C double. */
function strToDouble(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (!/^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf(inity)?|nan)$/i.test(t)) return null;
  const n = /inf/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(t) ? NaN : Number(t);
  if (!Number.isFinite(n) && !/inf/i.test(t) && !/nan/i.test(t)) return null;
  return n;
}

/** What virshWatchJob reports at each poll: the bytes still to transfer and the total. */
export type JobProgress = (remaining: bigint, total: bigint) => void;

export interface WatchJobOptions {
  /** Seconds after which `onTimeout` runs, once (virshWatchJob's timeout_secs and timeout_func); 0: none. */
  timeout?: number;
  onTimeout?: () => Promise<void>;
  /**
   * Where progress goes instead of printJobProgress: with it the job is polled to the end even
   * without --verbose (virsh-rpc's progress bar, drawn where virsh prints nothing).
   */
  progress?: JobProgress;
}

/**
 * virshWatchJob: runs `job` (the API call of save, managedsave, dump, migrate) while polling the
 * domain's job every 500 ms, reporting progress with --verbose (and [100 %] when the job
 * succeeded); on a terminal Ctrl-C aborts the job; `timeout` runs its action once. Resolves to
 * whether `job` succeeded.
 */
export async function watchJob(ctl: VirshControl, dom: Domain, verbose: boolean, label: string, job: () => Promise<boolean>, options: WatchJobOptions = {}): Promise<boolean> {
  const printProgress: JobProgress = options.progress ?? ((remaining, total) => printJobProgress(ctl, label, remaining, total));
  const reporting = verbose || options.progress !== undefined;
  let jobStarted = false;
  let polling = true;
  const onSigint = () => undefined;
  process.on('SIGINT', onSigint);
  let stdinListener: ((d: Buffer) => void) | null = null;
  const stdin = ctl.io.stdin as NodeJS.ReadStream;
  // The interactive shell's readline may own the terminal: leave it as it was found.
  const wasRaw = Boolean(stdin.isRaw);
  const wasFlowing = stdin.readableFlowing;
  if (ctl.io.isTTY) {
    ctl.debug(VSH_ERR_DEBUG, 'watchJob: on TTY, enabling Ctrl-c processing\n');
    stdinListener = (d: Buffer) => {
      ctl.debug(VSH_ERR_DEBUG, `watchJob: got ${d.length} characters\n`);
      if (d.length === 1 && d[0] === 3) {
        // virsh only turns VINTR off, so the terminal still echoes the ^C (ECHOCTL); raw mode does not.
        ctl.io.stdout('^C');
        void dom.abortJob().catch(() => undefined);
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', stdinListener);
    stdin.resume();
  }
  let timeoutTimer: NodeJS.Timeout | null = null;
  if (options.timeout) {
    ctl.debug(VSH_ERR_DEBUG, `watchJob: setting timeout of ${options.timeout} secs\n`);
    timeoutTimer = setTimeout(() => {
      ctl.debug(VSH_ERR_DEBUG, 'watchJob: timeout\n');
      void options.onTimeout?.();
    }, options.timeout * 1000);
  }
  const timer = setInterval(() => {
    if (!polling) return;
    ctl.debug(VSH_ERR_DEBUG, 'watchJob: progress update\n');
    dom.getJobInfo().then(
      (info) => {
        if (!polling) return;
        if (reporting && BigInt(info.dataTotal) > 0n) printProgress(BigInt(info.dataRemaining), BigInt(info.dataTotal));
        if (!jobStarted && (info.type === 1 || info.type === 2)) {
          jobStarted = true;
          if (!reporting) {
            ctl.debug(VSH_ERR_DEBUG, 'watchJob: job started, disabling callback\n');
            polling = false;
          }
        }
      },
      () => undefined,
    );
  }, 500);
  let ok: boolean;
  try {
    ok = await job();
  } finally {
    polling = false;
    clearInterval(timer);
    if (timeoutTimer) clearTimeout(timeoutTimer);
    process.off('SIGINT', onSigint);
    if (stdinListener) {
      stdin.off('data', stdinListener);
      stdin.setRawMode?.(wasRaw);
      if (wasFlowing !== true) stdin.pause();
    }
  }
  ctl.debug(VSH_ERR_DEBUG, `watchJob: job done, status ${ok ? 0 : -1}\n`);
  if (ok && reporting) printProgress(0n, 1n);
  return ok;
}

/** Runs a worker of a job command (doSave, doMigrate ...): its VshError is reported as virsh's worker thread does. */
export async function jobWorker(ctl: VirshControl, body: () => Promise<boolean>): Promise<boolean> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof VshError) {
      ctl.error(e.message);
      if (e.libvirtError) ctl.lastError = { message: e.libvirtError, code: -1, domain: 0 };
      return false;
    }
    ctl.saveError(e);
    return false;
  }
}

/** The domain's --config/--live/--current flags (VIRSH_COMMON_OPT_DOMAIN_CONFIG and friends), with their exclusions. */
export function affectFlags(cmd: Cmd): { flags: number; current: boolean; config: boolean; live: boolean } {
  const current = cmd.has('current');
  const config = cmd.has('config');
  const live = cmd.has('live');
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  let flags = 0;
  if (config) flags |= 2;
  if (live) flags |= 1;
  return { flags, current, config, live };
}

/** virTypedParameterToString (libvirt's own spelling: %g doubles, 0/1 booleans). */
export function typedParamToString(params: TypedParams, field: string, value: TypedParamValue): string {
  const type = typedParamType(params, field);
  if (type === 'double') return cformat('%g', value as number);
  if (type === 'boolean') return value ? '1' : '0';
  return typedParamString(params, field, value);
}

/**
 * virTypedParamsGet<Type>: the (first) value of `name` when it has `type`; undefined when absent;
 * throws libvirt's "Invalid type" error when it has another type.
 */
export function typedParamGet(params: TypedParams, name: string, type: 'int' | 'ullong' | 'string'): number | bigint | string | undefined {
  const actual = typedParamType(params, name);
  if (actual === undefined) return undefined;
  if (actual !== type) throw invalidArg(`Invalid type '${type}' requested for parameter '${name}', actual type is '${actual}'`);
  const v = params[name]!;
  return (Array.isArray(v) ? v[0] : v) as number | bigint | string;
}

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of a source slice with its references decoded. */
function decodeText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITY[ref] ?? whole;
  });
}

/** An element to add or change while serializing (a new child, changed attributes). */
export interface NodeEdit {
  /** Attributes to set (in place when present, appended when not). */
  set?: Record<string, string>;
  /** Text that replaces the element's content. */
  text?: string;
  /** Elements appended after the last child, as [name, attributes]. */
  append?: [string, [string, string][]][];
}

/**
 * virXMLNodeToString (xmlNodeDump of a parsed document's element): the element as libxml2 writes
 * it back — double-quoted attributes, the document's text and whitespace as they were, empty
 * elements as <x/> — with `edits` applied to the elements they are keyed by.
 */
export function nodeToString(el: XmlElement, edits: ReadonlyMap<XmlElement, NodeEdit> = new Map()): string {
  const edit = edits.get(el);
  const attrs: [string, string][] = [];
  for (let i = 0; i < el.attributes.length; i += 2) attrs.push([el.attributes[i]!, el.attributes[i + 1]!]);
  for (const [k, v] of Object.entries(edit?.set ?? {})) {
    const a = attrs.find(([n]) => n === k);
    if (a) a[1] = v;
    else attrs.push([k, v]);
  }
  const name = el.written ?? el.name;
  const out = `<${name}${attrs.map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`).join('')}`;
  let content = '';
  if (edit?.text !== undefined) content = escapeXmlContent(edit.text);
  else {
    const src = el.source;
    const open = src.indexOf('>', el.start);
    const selfClosing = src[open - 1] === '/';
    if (!selfClosing) {
      let pos = open + 1;
      for (const c of el.children) {
        content += escapeXmlContent(decodeText(src.slice(pos, c.start)));
        content += nodeToString(c, edits);
        pos = c.end;
      }
      const close = src.lastIndexOf('</', el.end);
      content += escapeXmlContent(decodeText(src.slice(pos, close)));
    }
  }
  for (const [n, a] of edit?.append ?? []) content += `<${n}${a.map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`).join('')}/>`;
  return content === '' ? `${out}/>` : `${out}>${content}</${name}>`;
}
