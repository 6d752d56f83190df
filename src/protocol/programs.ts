import { admin_program } from './generated/admin.js';
import { keepalive_program } from './generated/keepalive.js';
import { lxc_program } from './generated/lxc.js';
import { qemu_program } from './generated/qemu.js';
import { remote_program } from './generated/remote.js';
import { dec_virNetMessageError } from './generated/virnet.js';
import { VIR_NET_CALL, VIR_NET_ERROR, VIR_NET_MESSAGE, VIR_NET_REPLY, decodePacket, type Packet } from './framing.js';
import type { ProcedureInfo, ProgramInfo } from './procedure.js';
import { XdrReader } from './xdr/index.js';

export { admin_program, keepalive_program, lxc_program, qemu_program, remote_program };

/** Every program libvirt speaks, by program number. */
export const PROGRAMS: ReadonlyMap<number, ProgramInfo> = new Map<number, ProgramInfo>(
  [remote_program, qemu_program, lxc_program, admin_program, keepalive_program].map((p) => [p.program, p as ProgramInfo]),
);

export function findProcedure(prog: number, proc: number): ProcedureInfo | undefined {
  return PROGRAMS.get(prog)?.byNumber.get(proc);
}

const TYPE_NAMES = ['CALL', 'REPLY', 'MESSAGE', 'STREAM', 'CALL_WITH_FDS', 'REPLY_WITH_FDS', 'STREAM_HOLE'];
const STATUS_NAMES = ['OK', 'ERROR', 'CONTINUE'];

/** One line a human can read: `CALL remote REMOTE_PROC_DOMAIN_GET_INFO serial=7 status=OK (44 bytes)`. */
export function describePacket(raw: Buffer): string {
  let p: Packet;
  try {
    p = decodePacket(raw);
  } catch (e) {
    return `undecodable packet (${raw.length} bytes): ${(e as Error).message}`;
  }
  const h = p.header;
  const prog = PROGRAMS.get(h.prog);
  const proc = prog?.byNumber.get(h.proc);
  return `${TYPE_NAMES[h.type] ?? `type ${h.type}`} ${prog?.name ?? `prog 0x${h.prog.toString(16)}`} ${proc?.name ?? `proc ${h.proc}`} serial=${h.serial} status=${STATUS_NAMES[h.status] ?? h.status} (${raw.length} bytes)`;
}

/** The body of a packet decoded with its procedure's codec, or undefined when that is not possible. */
export function decodeBody(raw: Buffer): unknown {
  try {
    const p = decodePacket(raw);
    const h = p.header;
    const proc = findProcedure(h.prog, h.proc);
    if (!proc) return undefined;
    const r = new XdrReader(p.body);
    if (h.type === VIR_NET_REPLY && h.status === VIR_NET_ERROR) return dec_virNetMessageError(r);
    const codec = h.type === VIR_NET_CALL ? proc.args : h.type === VIR_NET_REPLY ? proc.ret : h.type === VIR_NET_MESSAGE ? proc.message : null;
    return codec ? codec.decode(r) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON with bigint and bytes made readable (for fixtures and diffs). */
export function readableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `bytes:${Buffer.from(x).toString('hex')}` : x));
}
