import type { Codec } from './xdr/index.js';

/** One remote procedure, as the generator reads it from a .x file and its annotations. */
export interface ProcedureInfo<A = unknown, R = unknown, M = unknown> {
  readonly program: number;
  readonly version: number;
  readonly proc: number;
  /** e.g. REMOTE_PROC_CONNECT_GET_LIB_VERSION */
  readonly name: string;
  /** Arguments of a call, or null when it takes none. */
  readonly args: Codec<A> | null;
  /** Body of a successful reply, or null when it is empty. */
  readonly ret: Codec<R> | null;
  /** Body of a server-sent MESSAGE (events), or null. */
  readonly message: Codec<M> | null;
  /** `@readstream: n`: the call opens a stream the server writes into (n is the C parameter index). */
  readonly readStream: number | null;
  /** `@writestream: n`: the call opens a stream the client writes into. */
  readonly writeStream: number | null;
  /** `@sparseflag`: the flag that makes the stream carry holes. */
  readonly sparseFlag: string | null;
  readonly priority: 'high' | 'low';
  /** `@generate`: which of libvirt's own dispatch stubs are generated (none means hand-written in C). */
  readonly generate: 'both' | 'client' | 'server' | 'none' | null;
  readonly acl: readonly string[];
}

/** A program: its number, version, and procedures by name and by number. */
export interface ProgramInfo<P extends Record<string, ProcedureInfo> = Record<string, ProcedureInfo>> {
  readonly name: string;
  readonly program: number;
  readonly version: number;
  readonly procedures: P;
  readonly byNumber: ReadonlyMap<number, ProcedureInfo>;
}

export function program<P extends Record<string, ProcedureInfo>>(name: string, prog: number, version: number, procedures: P): ProgramInfo<P> {
  const byNumber = new Map<number, ProcedureInfo>();
  for (const p of Object.values(procedures)) byNumber.set(p.proc, p);
  return { name, program: prog, version, procedures, byNumber };
}
