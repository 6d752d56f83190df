import { VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import { type lxc_procedure_name, type lxc_procedure_types, lxc_procedures } from '../protocol/generated/lxc.js';
import { type qemu_procedure_name, type qemu_procedure_types, qemu_procedures } from '../protocol/generated/qemu.js';
import { type remote_procedure_name, type remote_procedure_types, remote_procedures } from '../protocol/generated/remote.js';
import type { ProcedureInfo } from '../protocol/procedure.js';
import type { CallOptions, RpcEngine } from '../rpc/engine.js';
import { ErrorScope, LibvirtError, asLibvirtError, clientError, dispatchError } from '../errors/errors.js';
import type { ApiTypes } from './api-types.js';
import type { Stream } from './stream.js';

/** The arguments of a call for a procedure whose args type is P: the args (none when P is undefined), then the call options. */
export type CallArgs<P> = P extends undefined ? [args?: undefined, options?: CallOptions] : [args: P, options?: CallOptions];
/** The arguments of `conn.call(name, ...)` for a remote procedure. */
export type RemoteArgs<K extends remote_procedure_name> = CallArgs<remote_procedure_types[K]['args']>;
/** The reply of a remote procedure. */
export type RemoteRet<K extends remote_procedure_name> = remote_procedure_types[K]['ret'];

export type ProcedureTable = Readonly<Record<string, ProcedureInfo | undefined>>;

/** A procedure of `table` by name; an unknown name is the caller's mistake, VIR_ERR_INVALID_ARG. */
export function procedure<R>(table: ProcedureTable, name: string): ProcedureInfo<unknown, R> {
  const proc = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!proc) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, `unknown procedure ${JSON.stringify(name)}`);
  return proc as ProcedureInfo<unknown, R>;
}

/** Every session by its connection (the owner), filled in by the CallSession constructor. */
const sessions = new WeakMap<object, CallSession>();

/**
 * What every connection's methods call through, whatever its program (the main API's or the admin
 * API's): the engine, the connection's error scope (virConnSetErrorFunc, the last error), and
 * calls by procedure name whose failures are dispatched as virDispatchError does.
 */
export class CallSession {
  readonly errors = new ErrorScope();

  constructor(
    /** The connection this session belongs to (findSession(owner) finds it from now on). */
    readonly owner: object,
    readonly engine: RpcEngine,
  ) {
    sessions.set(owner, this);
  }

  /** Calls procedure `name` of `table`; failures are returned, not dispatched. */
  protected send<R>(table: ProcedureTable, name: string, args: unknown, options: CallOptions | undefined): Promise<R> {
    let proc: ProcedureInfo<unknown, R>;
    try {
      proc = procedure<R>(table, name);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.engine.call(proc, args, options);
  }

  /** send(), its failure recorded and handed to the handlers. */
  protected dispatched<R>(table: ProcedureTable, name: string, args: unknown, options: CallOptions | undefined): Promise<R> {
    return this.send<R>(table, name, args, options).catch((e: unknown) => {
      throw this.dispatch(e);
    });
  }

  /** Records and hands an error to the handlers; returns it for rethrowing. */
  dispatch(e: unknown): LibvirtError {
    const err = asLibvirtError(e);
    dispatchError(err, this.errors);
    return err;
  }

  /** Runs a client-side check or conversion as a public method would: its failure is dispatched too. */
  async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw this.dispatch(e);
    }
  }
}

/**
 * What a connection's methods and its object handles call through: a CallSession for the remote,
 * QEMU and LXC programs, with the factory of handles for wire identities and the event
 * registrations. Not part of the public API: `sessionOf(conn)` reaches it.
 */
export class Session extends CallSession {
  /** Set by the connection once it exists (handles hold the connection). */
  wrap!: ApiTypes['ObjectFactory'];
  events!: ApiTypes['EventRegistry'];

  /** Calls a remote procedure with its exact wire types; failures are returned, not dispatched. */
  call<K extends remote_procedure_name>(name: K, ...[args, options]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    return this.send(remote_procedures, name, args, options);
  }

  callQemu<K extends qemu_procedure_name>(name: K, ...[args, options]: CallArgs<qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    return this.send(qemu_procedures, name, args, options);
  }

  callLxc<K extends lxc_procedure_name>(name: K, ...[args, options]: CallArgs<lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    return this.send(lxc_procedures, name, args, options);
  }

  /** A call made on behalf of a public method: its failure is recorded and handled as virDispatchError does. */
  invoke<K extends remote_procedure_name>(name: K, ...[args, options]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    return this.dispatched(remote_procedures, name, args, options);
  }

  /** invoke() for the QEMU program. */
  invokeQemu<K extends qemu_procedure_name>(name: K, ...[args, options]: CallArgs<qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    return this.dispatched(qemu_procedures, name, args, options);
  }

  /** invoke() for the LXC program. */
  invokeLxc<K extends lxc_procedure_name>(name: K, ...[args, options]: CallArgs<lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    return this.dispatched(lxc_procedures, name, args, options);
  }

  /** invoke() for a procedure that opens `stream` (its data then flows through the Stream). */
  async invokeStream<K extends remote_procedure_name>(name: K, stream: Stream, ...[args, options]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    try {
      const proc = procedure<RemoteRet<K>>(remote_procedures, name);
      return await this.engine.callWithStream(proc, args, stream, (channel) => stream._bind(channel), options);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

}

/**
 * The session of type S that `conn` owns; anything else (an object no open function made) is
 * VIR_ERR_INTERNAL_ERROR of domain `from`, with `message`.
 */
export function findSession<S extends CallSession>(conn: object, type: abstract new (...args: never[]) => S, from: number, message: string): S {
  const s = sessions.get(conn);
  if (!(s instanceof type)) throw clientError(VIR_ERR_INTERNAL_ERROR, from, message);
  return s;
}

/** The session of a connection. */
export function sessionOf(conn: object): Session {
  return findSession(conn, Session, VIR_FROM_RPC, 'not a connection made by connect()');
}
