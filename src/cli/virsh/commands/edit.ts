// The *-edit commands of every group (virsh-edit.c with each command's macros): the object's XML in
// a temporary file, $VISUAL or $EDITOR on it, and the edited XML defined again, with virsh's
// "Try again?" prompt on a terminal when that fails.

import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants as fsc, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
  VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_CHECKPOINT_XML_SECURE,
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_SAVE_PAUSED,
  VIR_DOMAIN_SAVE_RUNNING,
  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT,
  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE,
  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_SECURE,
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_SYSTEM_ERROR,
  VIR_INTERFACE_XML_INACTIVE,
  VIR_NETWORK_XML_INACTIVE,
  VIR_STORAGE_XML_INACTIVE,
  LibvirtError,
  type Connection,
  type Domain,
  type DomainCheckpoint,
  type DomainSnapshot,
  type Interface,
  type Network,
  type NWFilter,
  type StoragePool,
} from '../../../index.js';
import { escapeShell, strerror } from '../../vsh/builtins.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { ttyMakeRaw, ttyRestore } from '../tty.js';
import { connOf, optDomain, readFileAll } from '../util.js';

const ACCEPTED_CHARS = /^[abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\-/_.:@]*$/;
const MKSTEMP_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** vshEditWriteToTempFile: $TMPDIR/virshXXXXXX.xml, mode 0600. */
function writeToTempFile(ctl: VirshControl, doc: string): string | null {
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

/** vshEditFile: $VISUAL, $EDITOR or sensible-editor on the file, on our terminal; -1 after an error. */
function editFile(ctl: VirshControl, filename: string): number {
  const env = ctl.io.env;
  const editor = env.VISUAL ?? env.EDITOR ?? 'sensible-editor';
  let argv: string[];
  if (!ACCEPTED_CHARS.test(editor)) {
    if (!ACCEPTED_CHARS.test(filename)) {
      ctl.error(`${filename}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`);
      return -1;
    }
    argv = ['sh', '-c', `${editor} ${filename}`];
  } else argv = [editor, filename];
  const printable = argv.map(escapeShell).join(' ');
  const binary = findInPath(ctl, argv[0]!);
  if (binary === null) {
    ctl.lastError = { message: `Cannot find '${argv[0]}' in path: No such file or directory`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
    ctl.reportError();
    return -1;
  }
  const r = spawnSync(binary, argv.slice(1), { stdio: 'inherit', env, argv0: argv[0] });
  let status: string;
  if (r.error) {
    // The child libvirt forks reports a failed exec itself and exits 127.
    ctl.io.stderr(`libvirt:  error : cannot execute binary ${binary}: ${strerror(r.error)}\n`);
    status = 'exit status 127';
  } else if (r.signal) status = `fatal signal ${signalNumber(r.signal)}`;
  else if (r.status !== 0) status = `exit status ${r.status}`;
  else return 0;
  ctl.lastError = { message: `internal error: Child process (${printable}) unexpected ${status}`, code: VIR_ERR_INTERNAL_ERROR, domain: 0 };
  ctl.reportError();
  return -1;
}

const signalNumber = (name: NodeJS.Signals): number => (osConstants.signals as Record<string, number>)[name] ?? 0;

/** vshEditReadBackFile. */
function readBackFile(ctl: VirshControl, filename: string): string | null {
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

interface EditSpec {
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
async function editLoop(ctl: VirshControl, spec: EditSpec): Promise<'edited' | 'unchanged' | 'failed'> {
  const got = await ctl.call(spec.getXML());
  if (got === FAILED) return 'failed';
  let doc = got;
  const tmp = writeToTempFile(ctl, doc);
  if (tmp === null) return 'failed';
  let relaxAvail = false;
  try {
    reedit: for (;;) {
      relaxAvail = spec.relax !== undefined;
      if (editFile(ctl, tmp) === -1) return 'failed';
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

/** The name of an object that may be missing, as printf prints a NULL string. */
const nameOr = (o: { getName(): string } | null): string => (o ? o.getName() : '(null)');

/** virshDomainDefine: without flags virDomainDefineXML; VALIDATE dropped on daemons without it. */
async function domainDefine(ctl: VirshControl, conn: Connection, xml: string, flags: number): Promise<Domain | typeof FAILED> {
  if (!flags) return ctl.call(conn.domainDefineXML(xml));
  const dom = await ctl.call(conn.domainDefineXMLFlags(xml, flags));
  if (dom === FAILED && ctl.lastError?.code === VIR_ERR_NO_SUPPORT && flags === VIR_DOMAIN_DEFINE_VALIDATE) return ctl.call(conn.domainDefineXML(xml));
  return dom;
}

async function cmdEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const conn = connOf(ctl);
  let defineFlags = VIR_DOMAIN_DEFINE_VALIDATE;
  if (cmd.has('skip-validate')) defineFlags &= ~VIR_DOMAIN_DEFINE_VALIDATE;
  let edited: Domain | null = null;
  const r = await editLoop(ctl, {
    getXML: () => dom.getXMLDesc(VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE),
    notChanged: () => {
      ctl.printExtra("Domain '%s' XML configuration not changed.\n", dom.getName());
      return true;
    },
    define: async (xml) => {
      const d = await domainDefine(ctl, conn, xml, defineFlags);
      edited = d === FAILED ? null : d;
      return d !== FAILED;
    },
    relax: () => {
      defineFlags &= ~VIR_DOMAIN_DEFINE_VALIDATE;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra("Domain '%s' XML configuration edited.\n", nameOr(edited));
  return true;
}

/** --running / --paused of the save image commands. */
function saveFlags(cmd: Cmd): number {
  let flags = 0;
  if (cmd.has('running')) flags |= VIR_DOMAIN_SAVE_RUNNING;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_SAVE_PAUSED;
  cmd.exclusive('running', 'paused');
  return flags;
}

async function cmdSaveImageEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const defineFlags = saveFlags(cmd);
  const file = cmd.string('file')!;
  const conn = connOf(ctl);
  const r = await editLoop(ctl, {
    getXML: () => conn.domainSaveImageGetXMLDesc(file, VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      ctl.printExtra('Saved image %s XML configuration not changed.\n', file);
      return true;
    },
    define: async (xml) => (await ctl.call(conn.domainSaveImageDefineXML(file, xml, defineFlags))) !== FAILED,
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('State file %s edited.\n', file);
  return true;
}

async function cmdManagedSaveEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const defineFlags = saveFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const r = await editLoop(ctl, {
    getXML: () => dom.managedSaveGetXMLDesc(VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      ctl.printExtra("Managed save image of domain '%s' XML configuration not changed.\n", dom.getName());
      return true;
    },
    define: async (xml) => (await ctl.call(dom.managedSaveDefineXML(xml, defineFlags))) !== FAILED,
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra("Managed save image of Domain '%s' XML configuration edited.\n", dom.getName());
  return true;
}

/** virshCommandOpt<Object>By for the objects looked up by UUID then name (network, pool, nwfilter). */
async function optByUUIDOrName<T>(ctl: VirshControl, cmd: Cmd, optname: string, what: string, byUUID: (s: string) => Promise<T>, byName: (s: string) => Promise<T>): Promise<T | null> {
  const n = cmd.string(optname);
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <${optname}>: ${n}\n`);
  let obj: T | typeof FAILED = FAILED;
  if (n.length === 36) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${what} UUID\n`);
    obj = await ctl.call(byUUID(n));
  }
  if (obj === FAILED) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as ${what} NAME\n`);
    obj = await ctl.call(byName(n));
  }
  if (obj === FAILED) {
    ctl.error(`failed to get ${what} '${n}'`);
    return null;
  }
  return obj;
}

async function cmdNetworkEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const network = await optByUUIDOrName<Network>(ctl, cmd, 'network', 'network', (s) => conn.networkLookupByUUIDString(s), (s) => conn.networkLookupByName(s));
  if (!network) return false;
  let edited: Network | null = null;
  // virshNetworkGetXMLDesc: old daemons without VIR_NETWORK_XML_INACTIVE.
  const getXML = async (): Promise<string> => {
    try {
      return await network.getXMLDesc(VIR_NETWORK_XML_INACTIVE);
    } catch (e) {
      if (e instanceof LibvirtError && e.code === VIR_ERR_INVALID_ARG) return network.getXMLDesc(0);
      throw e;
    }
  };
  const r = await editLoop(ctl, {
    getXML,
    notChanged: () => {
      ctl.printExtra('Network %s XML configuration not changed.\n', network.getName());
      return true;
    },
    define: async (xml) => {
      const n = await ctl.call(conn.networkDefineXML(xml));
      edited = n === FAILED ? null : n;
      return n !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Network %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdPoolEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const pool = await optByUUIDOrName<StoragePool>(ctl, cmd, 'pool', 'pool', (s) => conn.storagePoolLookupByUUIDString(s), (s) => conn.storagePoolLookupByName(s));
  if (!pool) return false;
  let flags = VIR_STORAGE_XML_INACTIVE;
  if ((await ctl.call(pool.getXMLDesc(flags))) === FAILED) {
    if (ctl.lastError?.code === VIR_ERR_INVALID_ARG) {
      flags &= ~VIR_STORAGE_XML_INACTIVE;
      ctl.resetError();
    } else return false;
  }
  let edited: StoragePool | null = null;
  const r = await editLoop(ctl, {
    getXML: () => pool.getXMLDesc(flags),
    notChanged: () => {
      ctl.printExtra('Pool %s XML configuration not changed.\n', pool.getName());
      return true;
    },
    define: async (xml) => {
      const p = await ctl.call(conn.storagePoolDefineXML(xml, 0));
      edited = p === FAILED ? null : p;
      return p !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Pool %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdNWFilterEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const nwfilter = await optByUUIDOrName<NWFilter>(ctl, cmd, 'nwfilter', 'nwfilter', (s) => conn.nWFilterLookupByUUIDString(s), (s) => conn.nWFilterLookupByName(s));
  if (!nwfilter) return false;
  let edited: NWFilter | null = null;
  const r = await editLoop(ctl, {
    getXML: () => nwfilter.getXMLDesc(0),
    notChanged: () => {
      ctl.printExtra('Network filter %s XML configuration not changed.\n', nwfilter.getName());
      return true;
    },
    define: async (xml) => {
      const f = await ctl.call(conn.nWFilterDefineXML(xml));
      edited = f === FAILED ? null : f;
      return f !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Network filter %s XML configuration edited.\n', nameOr(edited));
  return true;
}

/** virMacAddrParse: six hex bytes separated by ':' or '-'. */
function isMac(s: string): boolean {
  const parts = s.split(/[:-]/);
  return parts.length === 6 && parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p));
}

async function cmdInterfaceEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const n = cmd.string('interface');
  if (n === undefined) return false;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <interface>: ${n}\n`);
  let iface: Interface | typeof FAILED;
  if (!isMac(n)) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <interface> trying as interface NAME\n`);
    iface = await ctl.call(conn.interfaceLookupByName(n));
  } else {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <interface> trying as interface MAC\n`);
    iface = await ctl.call(conn.interfaceLookupByMACString(n));
  }
  if (iface === FAILED) {
    ctl.error(`failed to get interface '${n}'`);
    return false;
  }
  const found = iface;
  let edited: Interface | null = null;
  const r = await editLoop(ctl, {
    getXML: () => found.getXMLDesc(VIR_INTERFACE_XML_INACTIVE),
    notChanged: () => {
      ctl.printExtra('Interface %s XML configuration not changed.\n', found.getName());
      return true;
    },
    define: async (xml) => {
      const i = await ctl.call(conn.interfaceDefineXML(xml, 0));
      edited = i === FAILED ? null : i;
      return i !== FAILED;
    },
  });
  if (r !== 'edited') return r === 'unchanged';
  ctl.printExtra('Interface %s XML configuration edited.\n', nameOr(edited));
  return true;
}

async function cmdSnapshotEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const renameOkay = cmd.has('rename');
  const cloneOkay = cmd.has('clone');
  cmd.exclusive('rename', 'clone');
  let defineFlags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
  if (cmd.has('current') && cmd.has('snapshotname')) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  // virshLookupSnapshot(exclusive = false)
  const snapname = cmd.string('snapshotname');
  let snapshot: DomainSnapshot | typeof FAILED;
  if (snapname !== undefined) snapshot = await ctl.call(dom.snapshotLookupByName(snapname, 0));
  else if (cmd.has('current')) snapshot = await ctl.call(dom.snapshotCurrent(0));
  else {
    ctl.error('--snapshotname or --current is required');
    return false;
  }
  if (snapshot === FAILED) {
    ctl.reportError();
    return false;
  }
  const snap = snapshot;
  const name = snap.getName();
  const failed = (): boolean => {
    ctl.error(`Failed to update ${name}`);
    return false;
  };
  let edited: DomainSnapshot | null = null;
  const r = await editLoop(ctl, {
    getXML: () => snap.getXMLDesc(VIR_DOMAIN_XML_SECURE),
    notChanged: () => {
      if (defineFlags & VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT) return false;
      ctl.printExtra('Snapshot %s XML configuration not changed.\n', name);
      return true;
    },
    define: async (xml, doc) => {
      if (doc.includes('<state>disk-snapshot</state>')) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
      const s = await ctl.call(dom.snapshotCreateXML(xml, defineFlags));
      edited = s === FAILED ? null : s;
      return s !== FAILED;
    },
  });
  if (r === 'unchanged') return true;
  if (r === 'failed') return failed();
  const e = edited as DomainSnapshot | null;
  const editedName = e ? e.getName() : '(null)';
  if (name === editedName) ctl.printExtra('Snapshot %s edited.\n', name);
  else if (cloneOkay) ctl.printExtra('Snapshot %s cloned to %s.\n', name, editedName);
  else {
    const victim = renameOkay ? snap : e;
    if (!victim || (await ctl.call(victim.delete(VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY))) === FAILED) {
      ctl.reportError();
      ctl.error(`Failed to clean up ${renameOkay ? name : editedName}`);
      return failed();
    }
    if (!renameOkay) {
      ctl.error(`Must use --rename or --clone to change ${name} to ${editedName}`);
      return failed();
    }
  }
  return true;
}

async function cmdCheckpointEdit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const chkname = cmd.string('checkpointname');
  if (chkname === undefined) {
    ctl.error('--checkpointname is required');
    return false;
  }
  const looked = await ctl.call(dom.checkpointLookupByName(chkname, 0));
  if (looked === FAILED) {
    ctl.reportError();
    return false;
  }
  const checkpoint = looked;
  const name = checkpoint.getName();
  const failed = (): boolean => {
    ctl.error(`Failed to update ${name}`);
    return false;
  };
  let edited: DomainCheckpoint | null = null;
  const r = await editLoop(ctl, {
    getXML: () => checkpoint.getXMLDesc(VIR_DOMAIN_CHECKPOINT_XML_SECURE),
    notChanged: () => {
      ctl.printExtra('Checkpoint %s XML configuration not changed.\n', name);
      return true;
    },
    define: async (xml) => {
      const c = await ctl.call(dom.checkpointCreateXML(xml, VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE));
      edited = c === FAILED ? null : c;
      return c !== FAILED;
    },
  });
  if (r === 'unchanged') return true;
  if (r === 'failed') return failed();
  const e = edited as DomainCheckpoint | null;
  if (!e) throw new VshError(`Failed to update ${name}`);
  const editedName = e.getName();
  if (name === editedName) {
    ctl.printExtra('Checkpoint %s edited.\n', name);
    return true;
  }
  if ((await ctl.call(e.delete(VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY))) === FAILED) {
    ctl.reportError();
    ctl.error(`Failed to clean up ${editedName}`);
    return failed();
  }
  ctl.error(`Cannot rename checkpoint ${name} to ${editedName}`);
  return failed();
}

export const editHandlers = {
  cmdEdit,
  cmdSaveImageEdit,
  cmdManagedSaveEdit,
  cmdNetworkEdit,
  cmdPoolEdit,
  cmdNWFilterEdit,
  cmdInterfaceEdit,
  cmdSnapshotEdit,
  cmdCheckpointEdit,
};
