// Helpers of virsh-domain.c's configuration commands: CPU bitmaps as virBitmapFormat and
// virBitmapParse read and write them, typed parameters with their wire types (virsh prints and
// parses values by type), libvirt's own client-side errors, and virshWatchJob.

import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { LibvirtError, VIR_ERR_INVALID_ARG, VIR_ERR_SYSTEM_ERROR, VIR_FROM_NONE, type Connection, type Domain, type protocol } from '../../index.js';
import type { XmlElement } from '../../xml/index.js';
import { strerror } from '../vsh/builtins.js';
import { cformat } from '../vsh/cformat.js';
import { VshError, type Cmd } from '../vsh/cmd.js';
import { VSH_ERR_DEBUG } from '../vsh/control.js';
import { strToSigned, strToUnsigned } from '../vsh/numbers.js';
import type { VirshControl } from './control.js';

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
export function paramFromString(field: string, type: number, val: string): WireParam {
  const fail = (what: string) => invalidArg(`Invalid value for field '${field}': expected ${what}`);
  switch (type) {
    case 1: {
      const r = strToSigned(val, 32);
      if (!r) throw fail('int');
      return { field, value: { type, i: Number(r.value) } };
    }
    case 2: {
      const r = strToUnsigned(val, 32, true);
      if (!r) throw fail('unsigned int');
      return { field, value: { type, ui: Number(r.value) } };
    }
    case 3: {
      const r = strToSigned(val, 64);
      if (!r) throw fail('long long');
      return { field, value: { type, l: r.value } };
    }
    case 4: {
      const r = strToUnsigned(val, 64, true);
      if (!r) throw fail('unsigned long long');
      return { field, value: { type, ul: r.value } };
    }
    case 5: {
      const d = strToDouble(val);
      if (d === null) throw fail('double');
      return { field, value: { type, d } };
    }
    case 6:
      if (val.toLowerCase() === 'true' || val === '1') return { field, value: { type, b: 1 } };
      if (val.toLowerCase() === 'false' || val === '0') return { field, value: { type, b: 0 } };
      throw invalidArg(`Invalid boolean value for field '${field}'`);
    default:
      return { field, value: { type: 7, s: val } };
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

/** Wire typed parameters as the library's input: each with its type spelled out. */
export function paramsInput(params: readonly WireParam[]): Record<string, { type: 'int' | 'uint' | 'llong' | 'ullong' | 'double' | 'boolean' | 'string'; value: number | bigint | boolean | string }> {
  const out = Object.create(null) as ReturnType<typeof paramsInput>;
  for (const p of params) {
    const v = p.value;
    out[p.field] =
      v.type === 1 ? { type: 'int', value: v.i }
      : v.type === 2 ? { type: 'uint', value: v.ui }
      : v.type === 3 ? { type: 'llong', value: v.l }
      : v.type === 4 ? { type: 'ullong', value: v.ul }
      : v.type === 5 ? { type: 'double', value: v.d }
      : v.type === 6 ? { type: 'boolean', value: v.b !== 0 }
      : { type: 'string', value: v.s };
  }
  return out;
}

/** vshPrettyCapacity: a byte count in the largest binary unit it reaches. */
export function prettyCapacity(val: bigint | number): [number, string] {
  const v = Number(val);
  let limit = 1024;
  if (v < limit) return [v, 'B'];
  for (const unit of ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']) {
    limit *= 1024;
    if (v < limit) return [v / (limit / 1024), unit];
  }
  limit *= 1024;
  return [v / (limit / 1024), 'EiB'];
}

/** What virshWatchJob reports at each poll: the bytes still to transfer and the total. */
export type JobProgress = (remaining: bigint, total: bigint) => void;

/** virshPrintJobProgress: "\r<label>: [ NN %]" on stderr; 100 only when nothing remains. */
export function printJobProgress(ctl: VirshControl, label: string): JobProgress {
  return (remaining, total) => {
    let progress: number;
    if (remaining === 0n) progress = 100;
    else {
      progress = Math.trunc(100.0 - (Number(remaining) * 100.0) / Number(total));
      if (progress >= 100) progress = 99;
    }
    ctl.io.stderr(`\r${label}: [${String(progress).padStart(3)} %]`);
  };
}

export interface WatchJobOptions {
  /** Seconds after which `onTimeout` runs, once (virshWatchJob's timeout_secs and timeout_func); 0: none. */
  timeout?: number;
  onTimeout?: () => Promise<void>;
  /** Where --verbose progress goes instead of printJobProgress (a progress bar, say). */
  progress?: JobProgress;
}

/**
 * virshWatchJob: runs `job` (the API call of save, managedsave, dump, migrate) while polling the
 * domain's job every 500 ms, reporting progress with --verbose (and [100 %] when the job
 * succeeded); on a terminal Ctrl-C aborts the job; `timeout` runs its action once. Resolves to
 * whether `job` succeeded.
 */
export async function watchJob(ctl: VirshControl, dom: Domain, verbose: boolean, label: string, job: () => Promise<boolean>, options: WatchJobOptions = {}): Promise<boolean> {
  const printProgress = options.progress ?? printJobProgress(ctl, label);
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
        if (verbose && BigInt(info.dataTotal) > 0n) printProgress(BigInt(info.dataRemaining), BigInt(info.dataTotal));
        if (!jobStarted && (info.type === 1 || info.type === 2)) {
          jobStarted = true;
          if (!verbose) {
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
  if (ok && verbose) printProgress(0n, 1n);
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

const TYPE_NAMES = ['unknown', 'int', 'uint', 'llong', 'ullong', 'double', 'boolean', 'string'];

/** virTypedParameterToString (libvirt's own spelling: %g doubles, 0/1 booleans). */
export function typedParamToString(p: WireParam): string {
  const v = p.value;
  if (v.type === 5) return cformat('%g', v.d);
  if (v.type === 6) return String(v.b);
  return typedParamValue(p);
}

/**
 * virTypedParamsGet<Type>: the value of `name` when it has `type`; undefined when absent; throws
 * libvirt's "Invalid type" error when it has another type.
 */
export function typedParamGet(params: readonly WireParam[], name: string, type: 1 | 4 | 7): number | bigint | string | undefined {
  const p = params.find((x) => x.field === name);
  if (!p) return undefined;
  if (p.value.type !== type) throw invalidArg(`Invalid type '${TYPE_NAMES[type]}' requested for parameter '${name}', actual type is '${TYPE_NAMES[p.value.type]}'`);
  const v = p.value;
  return v.type === 1 ? v.i : v.type === 4 ? BigInt.asUintN(64, v.ul) : v.type === 7 ? v.s : undefined;
}

/** The temporary file of an edit (vshEditWriteToTempFile); null after the error. */
export function editWriteToTempFile(ctl: VirshControl, doc: string): string | null {
  const tmpdir = ctl.io.env.TMPDIR ?? '/tmp';
  const template = `${tmpdir}/virsh`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = `${template}${randomName()}.xml`;
    let fd: number;
    try {
      fd = openSync(name, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      ctl.error(`g_mkstemp_full: failed to create temporary file: ${strerror(e)}`);
      return null;
    }
    try {
      writeSync(fd, doc);
    } catch (e) {
      closeSync(fd);
      ctl.error(`write: ${name}: failed to write to temporary file: ${strerror(e)}`);
      return null;
    }
    closeSync(fd);
    return name;
  }
  ctl.error(`g_mkstemp_full: failed to create temporary file: ${strerror({ code: 'EEXIST' })}`);
  return null;
}

function randomName(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < 6; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

const ACCEPTED_CHARS = /^[a-zA-Z0-9\-/_.:@]*$/;

/** vshEditFile: runs $VISUAL, $EDITOR or sensible-editor on the file; false after the error. */
export function editFile(ctl: VirshControl, filename: string): boolean {
  const editor = ctl.io.env.VISUAL ?? ctl.io.env.EDITOR ?? 'sensible-editor';
  let argv: string[];
  if (!ACCEPTED_CHARS.test(editor)) {
    if (!ACCEPTED_CHARS.test(filename)) {
      ctl.error(`${filename}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`);
      return false;
    }
    argv = ['sh', '-c', `${editor} ${filename}`];
  } else argv = [editor, filename];
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env: ctl.io.env });
  const shown = argv.map((a) => (/^[a-zA-Z0-9\-/_.:@,=+]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  if (r.error) {
    ctl.lastError = { message: `Cannot run program '${argv[0]}': ${strerror(r.error)}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
    ctl.reportError();
    return false;
  }
  if (r.status !== 0) {
    const how = r.signal ? `fatal signal ${signalNumber(r.signal)}` : `exit status ${r.status}`;
    ctl.lastError = { message: `internal error: Child process (${shown}) unexpected ${how}`, code: 1, domain: 0 };
    ctl.reportError();
    return false;
  }
  return true;
}

function signalNumber(sig: NodeJS.Signals): number {
  return osConstants.signals[sig] ?? 0;
}

/** vshEditReadBackFile; null after the error. */
export function editReadBackFile(ctl: VirshControl, filename: string): string | null {
  try {
    return readFileSync(filename, 'utf8');
  } catch (e) {
    ctl.error(`${filename}: failed to read temporary file: ${strerror(e)}`);
    return null;
  }
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

/** libxml2's escaping without a document encoding: non-ASCII as &#xHH; references. */
function escapeNonAscii(s: string): string {
  return s.replace(/[\u{80}-\u{10ffff}]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`);
}

const escapeContent = (s: string) => escapeNonAscii(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;'));
const escapeAttr = (s: string) =>
  escapeNonAscii(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;'));

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
  const out = `<${name}${attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('')}`;
  let content = '';
  if (edit?.text !== undefined) content = escapeContent(edit.text);
  else {
    const src = el.source;
    const open = src.indexOf('>', el.start);
    const selfClosing = src[open - 1] === '/';
    if (!selfClosing) {
      let pos = open + 1;
      for (const c of el.children) {
        content += escapeContent(decodeText(src.slice(pos, c.start)));
        content += nodeToString(c, edits);
        pos = c.end;
      }
      const close = src.lastIndexOf('</', el.end);
      content += escapeContent(decodeText(src.slice(pos, close)));
    }
  }
  for (const [n, a] of edit?.append ?? []) content += `<${n}${a.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('')}/>`;
  return content === '' ? `${out}/>` : `${out}>${content}</${name}>`;
}
