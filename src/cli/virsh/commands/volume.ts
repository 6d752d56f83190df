// virsh-volume.c: the "Storage Volume" group (vol-edit is ported elsewhere).

import { closeSync, fstatSync, openSync, readSync, unlinkSync, writeSync, constants as fsc, type Stats } from 'node:fs';
import {
  readSparseFile,
  STREAM_CHUNK_MAX,
  writeSparseFile,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_SYSTEM_ERROR,
  VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA,
  VIR_STORAGE_VOL_CREATE_REFLINK,
  VIR_STORAGE_VOL_CREATE_VALIDATE,
  VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS,
  VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM,
  VIR_STORAGE_VOL_GET_PHYSICAL,
  VIR_STORAGE_VOL_RESIZE_ALLOCATE,
  VIR_STORAGE_VOL_RESIZE_DELTA,
  VIR_STORAGE_VOL_RESIZE_SHRINK,
  VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM,
  VIR_STORAGE_VOL_WIPE_ALG_ZERO,
  VIR_STREAM_RECV_STOP_AT_HOLE,
  type Stream,
  type StreamHole,
  type StoragePool,
  type StorageVol,
} from '../../../index.js';
import { strerror } from '../../vsh/builtins.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonNumber } from '../../vsh/json.js';
import { cformat } from '../../vsh/cformat.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { ScaleError, scaleInteger, strToUnsigned, ULLONG_MAX } from '../../vsh/numbers.js';
import { numberCell, Table, type Cell } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { countedItems, startProgress } from '../../vsh/progress.js';
import { optPool, optVol, optVolBy, volTypeToString, XmlBuffer } from '../storage-util.js';
import { prettyCapacity } from '../monitor-util.js';
import { connOf, dumpXML, readFileAll, VIRSH_BYUUID } from '../util.js';
import { makeCloneXML } from '../xml-save.js';
import { strcasecmp } from './domain-monitor.js';

/** virshVolSize: a scaled size in bytes; null when malformed (libvirt's scaling error kept). */
function volSize(ctl: VirshControl, data: string): bigint | null {
  const r = strToUnsigned(data, 64, false, 10, true);
  if (!r) return null;
  try {
    return scaleInteger(r.value, data.slice(r.end), 1n, ULLONG_MAX);
  } catch (e) {
    if (!(e instanceof ScaleError)) throw e;
    ctl.lastError = { message: e.message, code: -1, domain: 0 };
    return null;
  }
}

async function cmdVolCreateAs(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const printXML = cmd.has('print-xml');
  let flags = 0;
  if (cmd.has('prealloc-metadata')) flags |= VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const { pool } = found;
  const name = cmd.string('name')!;
  const capacityStr = cmd.string('capacity')!;
  const capacity = volSize(ctl, capacityStr);
  if (capacity === null) {
    ctl.error(`Malformed size ${capacityStr}`);
    return false;
  }
  const allocationStr = cmd.stringQuiet('allocation');
  let allocation = 0n;
  if (allocationStr !== undefined) {
    const a = volSize(ctl, allocationStr);
    if (a === null) {
      ctl.error(`Malformed size ${allocationStr}`);
      return false;
    }
    allocation = a;
  }
  const format = cmd.string('format');
  const snapshotStrVol = cmd.string('backing-vol');
  const snapshotStrFormat = cmd.string('backing-vol-format');

  const buf = new XmlBuffer();
  buf.add('<volume>\n').adjust(2);
  buf.add(`<name>${name}</name>\n`);
  buf.add(`<capacity>${capacity}</capacity>\n`);
  if (allocationStr !== undefined) buf.add(`<allocation>${allocation}</allocation>\n`);
  if (format !== undefined) {
    buf.add('<target>\n').adjust(2);
    buf.add(`<format type='${format}'/>\n`);
    buf.adjust(-2).add('</target>\n');
  }
  if (snapshotStrVol !== undefined) {
    const conn = connOf(ctl);
    const tries: [string, () => Promise<StorageVol>][] = [
      ['name', () => pool.storageVolLookupByName(snapshotStrVol)],
      ['key', () => conn.storageVolLookupByKey(snapshotStrVol)],
      ['path', () => conn.storageVolLookupByPath(snapshotStrVol)],
    ];
    let snapVol: StorageVol | typeof FAILED = FAILED;
    for (const [how, lookup] of tries) {
      ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: Look up backing store volume '${snapshotStrVol}' as ${how}\n`);
      snapVol = await ctl.call(lookup());
      if (snapVol !== FAILED) {
        ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: Backing store volume found using '${snapshotStrVol}' as ${how}\n`);
        break;
      }
    }
    if (snapVol === FAILED) {
      ctl.error(`failed to get vol '${snapshotStrVol}'`);
      return false;
    }
    const path = await snapVol.getPath();
    buf.add('<backingStore>\n').adjust(2);
    buf.add(`<path>${path}</path>\n`);
    if (snapshotStrFormat !== undefined) buf.add(`<format type='${snapshotStrFormat}'/>\n`);
    buf.adjust(-2).add('</backingStore>\n');
  }
  buf.adjust(-2).add('</volume>\n');
  const xml = buf.toString();

  if (printXML) {
    ctl.print('%s', xml);
    return true;
  }
  if ((await ctl.call(pool.storageVolCreateXML(xml, flags))) === FAILED) {
    ctl.error(`Failed to create vol ${name}`);
    return false;
  }
  ctl.printExtra(`Vol ${name} created\n`);
  return true;
}

async function cmdVolCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('prealloc-metadata')) flags |= VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
  if (cmd.has('validate')) flags |= VIR_STORAGE_VOL_CREATE_VALIDATE;
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const from = cmd.string('file')!;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const vol = await ctl.call(found.pool.storageVolCreateXML(buffer, flags));
  if (vol === FAILED) {
    ctl.error(`Failed to create vol from ${from}`);
    return false;
  }
  ctl.printExtra(`Vol ${vol.getName()} created from ${from}\n`);
  return true;
}

async function cmdVolCreateFrom(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  let flags = 0;
  if (cmd.has('prealloc-metadata')) flags |= VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
  if (cmd.has('reflink')) flags |= VIR_STORAGE_VOL_CREATE_REFLINK;
  if (cmd.has('validate')) flags |= VIR_STORAGE_VOL_CREATE_VALIDATE;
  const from = cmd.string('file')!;
  const input = await optVol(ctl, cmd, 'vol', 'inputpool');
  if (!input) return false;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) {
    ctl.reportError();
    return false;
  }
  const newvol = await ctl.call(found.pool.storageVolCreateXMLFrom(buffer, input.vol, flags));
  if (newvol === FAILED) {
    ctl.error(`Failed to create vol from ${from}`);
    return false;
  }
  ctl.printExtra(`Vol ${newvol.getName()} created from input vol ${input.vol.getName()}\n`);
  return true;
}

async function cmdVolClone(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const origvol = found.vol;
  let flags = 0;
  if (cmd.has('prealloc-metadata')) flags |= VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
  if (cmd.has('reflink')) flags |= VIR_STORAGE_VOL_CREATE_REFLINK;
  const origpool = await ctl.call(origvol.storagePoolLookupByVolume());
  if (origpool === FAILED) {
    ctl.error('failed to get parent pool');
    return false;
  }
  const name = cmd.string('newname')!;
  const origxml = await origvol.getXMLDesc(0);
  // libxml2 reports a bad entity reference in the new name on stderr, as it goes.
  const newxml = makeCloneXML(origxml, name, (m) => ctl.io.stderr(`(volume_definition):-1: error : ${m}`));
  if (newxml === null) {
    ctl.error('Failed to allocate XML buffer');
    return false;
  }
  if (cmd.has('print-xml')) {
    ctl.print('%s', newxml);
    return true;
  }
  const newvol = await ctl.call(origpool.storageVolCreateXMLFrom(newxml, origvol, flags));
  if (newvol === FAILED) {
    ctl.error(`Failed to clone vol from ${origvol.getName()}`);
    return false;
  }
  ctl.printExtra(`Vol ${newvol.getName()} cloned from ${origvol.getName()}\n`);
  return true;
}

/** A system error as virReportSystemError keeps it (for what the stream callbacks do with the file). */
function systemError(ctl: VirshControl, what: string, e: unknown): void {
  ctl.lastError = { message: `${what}: ${strerror(e)}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
}

const CHUNK = 256 * 1024;

/**
 * The data of a descriptor from its current position, as virshStreamSource reads it: a full
 * packet at a time (virStreamSendAll asks for STREAM_CHUNK_MAX bytes; 256 KiB would go as a packet
 * of 262,120 bytes and one of 24), into one buffer read again and again (sendItems sends each
 * chunk before it asks for the next).
 */
function* fdChunks(fd: number): Generator<Uint8Array> {
  const buf = Buffer.allocUnsafeSlow(STREAM_CHUNK_MAX);
  for (;;) {
    const n = readSync(fd, buf, 0, STREAM_CHUNK_MAX, null);
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

/** How vol-upload and vol-download end, as virsh's: the local file closed (when open), then the stream finished. */
async function closeThenFinish(ctl: VirshControl, st: Stream, fd: number, file: string | undefined, name: string): Promise<boolean> {
  if (fd >= 0) {
    try {
      closeSync(fd);
    } catch {
      ctl.error(`cannot close file ${file}`);
      await st.abort().catch(() => undefined);
      return false;
    }
  }
  if ((await ctl.call(st.finish())) === FAILED) {
    ctl.error(`cannot close volume ${name}`);
    return false;
  }
  return true;
}

/** Sends every item to the stream; false with the error kept when the file or the stream fails. */
async function sendItems(ctl: VirshControl, st: Stream, items: Iterable<Uint8Array | StreamHole> | AsyncIterable<Uint8Array | StreamHole>): Promise<boolean> {
  const it = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]()) as AsyncIterator<Uint8Array | StreamHole> | Iterator<Uint8Array | StreamHole>;
  for (;;) {
    let next: IteratorResult<Uint8Array | StreamHole>;
    try {
      next = await it.next();
    } catch (e) {
      systemError(ctl, 'send handler failed', e);
      await st.abort().catch(() => undefined);
      return false;
    }
    if (next.done) return true;
    const item = next.value;
    try {
      if (item instanceof Uint8Array) await st.send(item);
      else await st.sendHole(item.hole);
    } catch (e) {
      ctl.saveError(e);
      await st.abort().catch(() => undefined);
      return false;
    }
  }
}

async function cmdVolUpload(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const offset = cmd.ulonglong('offset') ?? 0n;
  const length = cmd.ulonglong('length', true) ?? 0n;
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const { vol, name } = found;
  const file = cmd.string('file')!;
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY);
  } catch {
    ctl.error(`cannot read ${file}`);
    return false;
  }
  try {
    let stat: Stats;
    try {
      stat = fstatSync(fd);
    } catch {
      ctl.error(`unable to stat ${file}`);
      return false;
    }
    const isBlock = stat.isBlockDevice();
    const sparse = cmd.has('sparse');
    const flags = sparse ? VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0;
    const st = connOf(ctl).newStream(0);
    if ((await ctl.call(vol.upload(st, offset, length, flags))) === FAILED) {
      ctl.error(`cannot upload to volume ${name}`);
      return false;
    }
    if (sparse && (stat.isCharacterDevice() || stat.isFIFO() || stat.isSocket())) {
      // virFileInData cannot find the data of these (SEEK_DATA): a pipe cannot seek at all.
      ctl.error('Unable to get current position in stream');
      ctl.lastError = { message: `send holeHandler failed: ${stat.isCharacterDevice() ? 'Input/output error' : 'Illegal seek'}`, code: VIR_ERR_SYSTEM_ERROR, domain: 0 };
      await st.abort().catch(() => undefined);
      ctl.error(`cannot send data to volume ${name}`);
      return false;
    }
    // A block device is all data; a file's holes are found by readSparseFile.
    const items = sparse && !isBlock ? readSparseFile(file) : fdChunks(fd);
    const bar = startProgress(ctl, 'vol-upload', stat.isFile() ? (length > 0n && length < BigInt(stat.size) ? length : stat.size) : null);
    if (!(await sendItems(ctl, st, bar ? countedItems(items, bar) : items))) {
      ctl.error(`cannot send data to volume ${name}`);
      return false;
    }
    const closing = fd;
    fd = -1;
    if (!(await closeThenFinish(ctl, st, closing, file, name))) return false;
    bar?.finish();
    return true;
  } finally {
    if (fd >= 0) closeSync(fd);
    ctl.progressLine?.clear();
  }
}

/**
 * A stream's data and holes until end of file, without finishing it (virStreamSparseRecvAll).
 * Each chunk is lent (valid until the next item is asked for): the writers below are done with it by then.
 */
async function* streamItems(st: Stream): AsyncGenerator<Uint8Array | StreamHole> {
  for (;;) {
    const chunk = await st.recvFlags(CHUNK, VIR_STREAM_RECV_STOP_AT_HOLE, { reuse: true });
    if (chunk.length) {
      yield chunk;
      continue;
    }
    const hole = await st.recvHole();
    if (hole === 0n) return;
    yield { hole };
  }
}

/** Writes to a block device: holes as zeros, as virshStreamSkip does. */
async function writeToBlockDevice(fd: number, items: AsyncIterable<Uint8Array | StreamHole>): Promise<void> {
  const zeros = Buffer.alloc(1024 * 1024);
  for await (const item of items) {
    if (item instanceof Uint8Array) {
      for (let off = 0; off < item.length; ) off += writeSync(fd, item, off, item.length - off);
    } else {
      for (let left = item.hole; left > 0n; ) left -= BigInt(writeSync(fd, zeros, 0, Number(left < BigInt(zeros.length) ? left : BigInt(zeros.length))));
    }
  }
}

/** The bytes a download will bring, for its progress bar: the volume's physical size from `offset`, at most `length`; null when unknown. */
async function downloadSize(vol: StorageVol, offset: bigint, length: bigint): Promise<bigint | null> {
  const info = await vol.getInfoFlags(VIR_STORAGE_VOL_GET_PHYSICAL).catch(() => null);
  if (!info) return null;
  const left = BigInt(info.allocation) > offset ? BigInt(info.allocation) - offset : 0n;
  return length > 0n && length < left ? length : left;
}

async function cmdVolDownload(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const offset = cmd.ulonglong('offset') ?? 0n;
  const length = cmd.ulonglong('length', true) ?? 0n;
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const { vol, name } = found;
  let created = false;
  let fd = -1;
  let ok = false;
  let file: string | undefined;
  try {
    file = cmd.string('file')!;
    const flags = cmd.has('sparse') ? VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0;
    try {
      fd = openSync(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o666);
      created = true;
    } catch (e) {
      try {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        fd = openSync(file, fsc.O_WRONLY | fsc.O_TRUNC, 0o666);
      } catch {
        ctl.error(`cannot create ${file}`);
        return false;
      }
    }
    let isBlock: boolean;
    try {
      isBlock = fstatSync(fd).isBlockDevice();
    } catch {
      ctl.error(`unable to stat ${file}`);
      return false;
    }
    const st = connOf(ctl).newStream(0);
    if ((await ctl.call(vol.download(st, offset, length, flags))) === FAILED) {
      ctl.error(`cannot download from volume ${name}`);
      return false;
    }
    // Stream errors are the daemon's; file errors are the sink's, as libvirt reports them.
    let streamFailed = false;
    const bar = ctl.io.progress && !ctl.quiet ? startProgress(ctl, 'vol-download', await downloadSize(vol, offset, length)) : null;
    const received = (async function* () {
      try {
        yield* streamItems(st);
      } catch (e) {
        streamFailed = true;
        ctl.saveError(e);
        throw e;
      }
    })();
    const items = bar ? countedItems(received, bar) : received;
    try {
      if (isBlock) await writeToBlockDevice(fd, items);
      else {
        // writeSparseFile writes the file afresh; the descriptor only kept virsh's create/truncate semantics.
        closeSync(fd);
        fd = -1;
        await writeSparseFile(file, items);
      }
    } catch (e) {
      if (!streamFailed) systemError(ctl, 'recv handler failed', e);
      await st.abort().catch(() => undefined);
      ctl.error(`cannot receive data from volume ${name}`);
      return false;
    }
    const closing = fd;
    fd = -1;
    if (!(await closeThenFinish(ctl, st, closing, file, name))) return false;
    bar?.finish();
    ok = true;
    return true;
  } finally {
    ctl.progressLine?.clear();
    if (fd >= 0) closeSync(fd);
    if (!ok && created && file !== undefined) {
      try {
        unlinkSync(file);
      } catch {
        // as virsh, which ignores unlink's result
      }
    }
  }
}

async function cmdVolDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const deleteSnapshots = cmd.has('delete-snapshots');
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const flags = deleteSnapshots ? VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS : 0;
  if ((await ctl.call(found.vol.delete(flags))) === FAILED) {
    ctl.error(`Failed to delete vol ${found.name}`);
    return false;
  }
  ctl.printExtra(`Vol ${found.name} deleted\n`);
  return true;
}

export const WIPE_ALGORITHMS = ['zero', 'nnsa', 'dod', 'bsi', 'gutmann', 'schneier', 'pfitzner7', 'pfitzner33', 'random', 'trim'];

async function cmdVolWipe(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const algorithmStr = cmd.string('algorithm');
  let algorithm = VIR_STORAGE_VOL_WIPE_ALG_ZERO;
  if (algorithmStr !== undefined) {
    algorithm = WIPE_ALGORITHMS.indexOf(algorithmStr);
    if (algorithm < 0) {
      ctl.error(`Unsupported algorithm '${algorithmStr}'`);
      return false;
    }
  }
  let r = await ctl.call(found.vol.wipePattern(algorithm, 0));
  if (r === FAILED && ctl.lastError?.code === VIR_ERR_NO_SUPPORT && algorithm === VIR_STORAGE_VOL_WIPE_ALG_ZERO) r = await ctl.call(found.vol.wipe(0));
  if (r === FAILED) {
    ctl.error(`Failed to wipe vol ${found.name}`);
    return false;
  }
  ctl.printExtra(`Vol ${found.name} wiped\n`);
  return true;
}

async function cmdVolInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const bytes = cmd.has('bytes');
  const physical = cmd.has('physical');
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const { vol } = found;
  const out = new InfoOutput(ctl, cmd);
  out.print('%-15s %s\n', 'Name:', vol.getName());
  const flags = physical ? VIR_STORAGE_VOL_GET_PHYSICAL : 0;
  const info = await ctl.call(flags ? vol.getInfoFlags(flags) : vol.getInfo());
  if (info === FAILED) return false;
  out.print('%-15s %s\n', 'Type:', volTypeToString(info.type));
  const second = physical ? 'Physical:' : 'Allocation:';
  if (bytes) {
    out.print('%-15s %llu %s\n', 'Capacity:', info.capacity, 'bytes');
    out.print('%-15s %llu %s\n', second, info.allocation, 'bytes');
  } else {
    let { value, unit } = prettyCapacity(info.capacity);
    out.print('%-15s %2.2lf %s\n', 'Capacity:', value, unit).as(jsonNumber(info.capacity));
    ({ value, unit } = prettyCapacity(info.allocation));
    out.print('%-15s %2.2lf %s\n', second, value, unit).as(jsonNumber(info.allocation));
  }
  out.end();
  return true;
}

async function cmdVolResize(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let delta = cmd.has('delta');
  let flags = 0;
  if (cmd.has('allocate')) flags |= VIR_STORAGE_VOL_RESIZE_ALLOCATE;
  if (cmd.has('shrink')) flags |= VIR_STORAGE_VOL_RESIZE_SHRINK;
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const { vol } = found;
  // virSkipSpaces: g_ascii_isspace.
  let capacityStr = cmd.string('capacity')!.replace(/^[ \t\n\v\f\r]+/, '');
  if (capacityStr.startsWith('-')) {
    // The API takes a positive value; a negative one is a convenience of --shrink.
    if (cmd.has('shrink')) {
      capacityStr = capacityStr.slice(1);
      delta = true;
    } else {
      ctl.error('negative size requires --shrink');
      return false;
    }
  }
  if (delta) flags |= VIR_STORAGE_VOL_RESIZE_DELTA;
  const capacity = volSize(ctl, capacityStr);
  if (capacity === null) {
    ctl.error(`Malformed size ${capacityStr}`);
    return false;
  }
  if ((await ctl.call(vol.resize(capacity, flags))) === FAILED) {
    ctl.error(cformat(delta ? "Failed to change size of volume '%s' by %s" : "Failed to change size of volume '%s' to %s", vol.getName(), capacityStr));
    return false;
  }
  ctl.printExtra(delta ? "Size of volume '%s' successfully changed by %s\n" : "Size of volume '%s' successfully changed to %s\n", vol.getName(), capacityStr);
  return true;
}

async function cmdVolDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.vol.getXMLDesc(0);
  return dumpXML(ctl, xml, xpath, wrap);
}

/** virshStorageVolListCollect: the pool's volumes sorted by name; null after an error. */
async function collectVolumes(ctl: VirshControl, pool: StoragePool): Promise<StorageVol[] | null> {
  let list = await ctl.call(pool.listAllVolumes(0));
  if (list === FAILED && ctl.lastError?.code === VIR_ERR_NO_SUPPORT) {
    // Daemons before 0.10.2: the names, then each volume by name.
    ctl.resetError();
    const names = await ctl.call(pool.numOfVolumes().then((n) => (n === 0 ? [] : pool.listVolumes(n))));
    if (names === FAILED) {
      ctl.error('Failed to list storage volumes');
      return null;
    }
    list = [];
    for (const name of names) {
      const vol = await ctl.call(pool.storageVolLookupByName(name));
      if (vol !== FAILED) list.push(vol);
    }
  } else if (list === FAILED) {
    ctl.error('Failed to list volumes');
    return null;
  }
  return list.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

async function cmdVolList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const details = cmd.has('details');
  const found = await optPool(ctl, cmd, 'pool');
  if (!found) return false;
  const list = await collectVolumes(ctl, found.pool);
  if (!list) return false;
  const rows: Cell[][] = [];
  for (const vol of list) {
    const path = await ctl.call(vol.getPath());
    const row: Cell[] = [vol.getName(), path === FAILED ? 'unknown' : path];
    if (details) {
      const info = await ctl.call(vol.getInfo());
      if (info === FAILED) row.push('unknown', 'unknown', 'unknown');
      else {
        const cap = prettyCapacity(info.capacity);
        const alloc = prettyCapacity(info.allocation);
        row.push(volTypeToString(info.type), numberCell(cformat('%.2lf %s', cap.value, cap.unit), info.capacity), numberCell(cformat('%.2lf %s', alloc.value, alloc.unit), info.allocation));
      }
    }
    rows.push(row);
  }
  const table = details ? new Table('Name', 'Path', 'Type', 'Capacity', 'Allocation') : new Table('Name', 'Path');
  for (const row of rows) table.add(...row);
  ctl.printTable(cmd, table);
  return true;
}

async function cmdVolName(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVolBy(ctl, cmd, 'vol', null, VIRSH_BYUUID);
  if (!found) return false;
  ctl.print('%s\n', found.vol.getName());
  return true;
}

async function cmdVolPool(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVolBy(ctl, cmd, 'vol', null, VIRSH_BYUUID);
  if (!found) return false;
  const pool = await ctl.call(found.vol.storagePoolLookupByVolume());
  if (pool === FAILED) {
    ctl.error('failed to get parent pool');
    return false;
  }
  ctl.print('%s\n', cmd.has('uuid') ? pool.getUUIDString() : pool.getName());
  return true;
}

async function cmdVolKey(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  ctl.print('%s\n', found.vol.getKey());
  return true;
}

async function cmdVolPath(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optVol(ctl, cmd, 'vol', 'pool');
  if (!found) return false;
  const path = await found.vol.getPath();
  ctl.print('%s\n', path);
  return true;
}

export const volumeHandlers = {
  cmdVolCreateAs,
  cmdVolCreate,
  cmdVolCreateFrom,
  cmdVolClone,
  cmdVolUpload,
  cmdVolDownload,
  cmdVolDelete,
  cmdVolWipe,
  cmdVolInfo,
  cmdVolResize,
  cmdVolDumpXML,
  cmdVolList,
  cmdVolName,
  cmdVolPool,
  cmdVolKey,
  cmdVolPath,
};
