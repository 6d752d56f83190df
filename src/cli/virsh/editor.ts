// virsh-edit.c and vshEdit*: the document in a temporary file, $VISUAL or $EDITOR on it, the
// edited text read back, and the loop that defines it again, with virsh's "Try again?" prompt on a
// terminal when that fails. The *-edit commands and metadata/desc --edit share it.

import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants as fsc, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { VIR_ERR_INTERNAL_ERROR, VIR_ERR_SYSTEM_ERROR } from '../../index.js';
import { escapeShell, strerror } from '../vsh/builtins.js';
import { FAILED } from '../vsh/control.js';
import type { VirshControl } from './control.js';
import { ttyMakeRaw, ttyRestore } from './tty.js';
import { readFileAll } from './util.js';

const ACCEPTED_CHARS = /^[abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\-/_.:@]*$/;
const MKSTEMP_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** vshEditWriteToTempFile: $TMPDIR/virshXXXXXX.xml, mode 0600. */
export function writeToTempFile(ctl: VirshControl, doc: string): string | null {
  const tmpdir = ctl.io.env.TMPDIR ?? '/tmp';
  let fd = -1;
  let filename = '';
  for (let attempt = 0; fd < 0; attempt++) {
    const suffix = [...randomBytes(6)].map((b) => MKSTEMP_CHARS[b % MKSTEMP_CHARS.length]).join('');
    filename = `${tmpdir}/virsh${suffix}.xml`;
    try {
      fd = openSync(filename, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
      ctl.error(`g_mkstemp_full: failed to create temporary file: ${strerror(e)}`);
      return null;
    }
  }
  try {
    writeSync(fd, doc);
  } catch (e) {
    closeSync(fd);
    unlinkSync(filename);
    ctl.error(`write: ${filename}: failed to write to temporary file: ${strerror(e)}`);
    return null;
  }
  closeSync(fd);
  return filename;
}

/** virFindFileInPath: a name without '/' is looked up in $PATH; null when not found. */
function findInPath(ctl: VirshControl, name: string): string | null {
  if (name.includes('/')) return name;
  for (const dir of (ctl.io.env.PATH ?? '').split(delimiter)) {
    const p = join(dir || '.', name);
    try {
      accessSync(p, fsc.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** vshEditFile: $VISUAL, $EDITOR or sensible-editor on the file, on our terminal; false after an error. */
export function editFile(ctl: VirshControl, filename: string): boolean {
  const env = ctl.io.env;
  const editor = env.VISUAL ?? env.EDITOR ?? 'sensible-editor';
  let argv: string[];
  if (!ACCEPTED_CHARS.test(editor)) {
    if (!ACCEPTED_CHARS.test(filename)) {
      ctl.error(`${filename}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`);
      return false;
    }
    argv = ['sh', '-c', `${editor} ${filename}`];
  } else argv = [editor, filename];
  const printable = argv.map(escapeShell).join(' ');
  const binary = findInPath(ctl, argv[0]!);
  if (binary === null) {
    ctl.lastError = { message: `Cannot find '${argv[0]}' in path: No such file or directory`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
    ctl.reportError();
    return false;
  }
  const r = spawnSync(binary, argv.slice(1), { stdio: 'inherit', env, argv0: argv[0] });
  let status: string;
  if (r.error) {
    // The child libvirt forks reports a failed exec itself and exits 127.
    ctl.io.stderr(`libvirt:  error : cannot execute binary ${binary}: ${strerror(r.error)}\n`);
    status = 'exit status 127';
  } else if (r.signal) status = `fatal signal ${signalNumber(r.signal)}`;
  else if (r.status !== 0) status = `exit status ${r.status}`;
  else return true;
  ctl.lastError = { message: `internal error: Child process (${printable}) unexpected ${status}`, code: VIR_ERR_INTERNAL_ERROR, domain: 0 };
  ctl.reportError();
  return false;
}

const signalNumber = (name: NodeJS.Signals): number => (osConstants.signals as Record<string, number>)[name] ?? 0;

/** vshEditReadBackFile. */
export function readBackFile(ctl: VirshControl, filename: string): string | null {
  const r = readFileAll(ctl, filename);
  if (r === null) {
    const cause = ctl.lastError?.message.replace(/^.*: /, '') ?? '';
    ctl.resetError();
    ctl.error(`${filename}: failed to read temporary file: ${cause}`);
  }
  return r;
}

/** getchar() on the terminal: one byte, -1 at its end. */
function readKey(ctl: VirshControl): Promise<number> {
  const stdin = ctl.io.stdin;
  return new Promise((resolve) => {
    const onData = (d: Buffer | string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      const b = typeof d === 'string' ? Buffer.from(d) : d;
      // What else arrived with the key is read by the next getchar in virsh; keep it for the next call.
      if (b.length > 1) stdin.unshift(b.subarray(1));
      resolve(b.length ? b[0]! : -1);
    };
    const onEnd = () => {
      stdin.off('data', onData);
      resolve(-1);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

/** vshAskReedit: 'y', 'n', 'i', 'f', or -1 when stdin is not a terminal. */
async function askReedit(ctl: VirshControl, msg: string, relaxAvail: boolean): Promise<string | -1> {
  if (!ctl.io.isTTY) return -1;
  ctl.reportError();
  const tty = ttyMakeRaw();
  if (!tty) return -1;
  try {
    return await askLoop(ctl, msg, relaxAvail);
  } finally {
    ttyRestore(tty);
    ctl.print('\r\n');
  }
}

async function askLoop(ctl: VirshControl, msg: string, relaxAvail: boolean): Promise<string | -1> {
  for (;;) {
    ctl.print('\r%s %s %s: ', msg, 'Try again?', relaxAvail ? '[y,n,i,f,?]' : '[y,n,f,?]');
    const k = await readKey(ctl);
    if (k < 0) return -1;
    const c = String.fromCharCode(k).toLowerCase();
    if (c === '?') {
      for (const line of ['', 'y - yes, start editor again', 'n - no, throw away my changes']) ctl.print('%s\r\n', line);
      if (relaxAvail) ctl.print('%s\r\n', 'i - turn off validation and try to redefine again');
      for (const line of ['f - force, try to redefine again', '? - print this help']) ctl.print('%s\r\n', line);
      continue;
    }
    if (c === 'y' || c === 'n' || c === 'f' || (relaxAvail && c === 'i')) return c;
  }
}

export interface EditSpec {
  /** EDIT_GET_XML: the object's XML (a failed call is kept and the edit fails). */
  getXML(): Promise<string>;
  /** EDIT_NOT_CHANGED: true to stop here (after its message). */
  notChanged(): boolean;
  /** EDIT_DEFINE: the edited XML defined again; false when it failed (error kept). */
  define(docEdited: string, doc: string): Promise<boolean>;
  /** EDIT_RELAX: define without validation on the next try. */
  relax?(): void;
}

/**
 * virsh-edit.c. 'edited' when the loop ended with a definition (or gave up on a non-terminal after
 * printing the error, as virsh does), 'unchanged' after EDIT_NOT_CHANGED, 'failed' otherwise.
 */
export async function editLoop(ctl: VirshControl, spec: EditSpec): Promise<'edited' | 'unchanged' | 'failed'> {
  const got = await ctl.call(spec.getXML());
  if (got === FAILED) return 'failed';
  let doc = got;
  const tmp = writeToTempFile(ctl, doc);
  if (tmp === null) return 'failed';
  let relaxAvail = false;
  try {
    reedit: for (;;) {
      relaxAvail = spec.relax !== undefined;
      if (!editFile(ctl, tmp)) return 'failed';
      const docEdited = readBackFile(ctl, tmp);
      if (docEdited === null) return 'failed';
      if (doc === docEdited && spec.notChanged()) return 'unchanged';
      for (;;) {
        let msg: string | null = null;
        const reread = await ctl.call(spec.getXML());
        if (reread === FAILED) return 'failed';
        if (doc !== reread) {
          msg = 'The XML configuration was changed by another user.';
          doc = reread;
        }
        if (!msg && !(await spec.define(docEdited, doc))) msg = 'Failed.';
        if (!msg) return 'edited';
        const c = await askReedit(ctl, msg, relaxAvail);
        if (c === 'y') continue reedit;
        if (c === 'f') continue;
        if (c === 'n') return 'failed';
        if (c === 'i' && relaxAvail) {
          spec.relax!();
          relaxAvail = false;
          continue;
        }
        ctl.error(msg);
        ctl.resetError();
        return 'edited';
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

