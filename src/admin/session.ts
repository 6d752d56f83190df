import { VIR_FROM_ADMIN } from '../apixml/generated/constants.js';
import { type admin_procedure_name, type admin_procedure_types, admin_procedures } from '../protocol/generated/admin.js';
import { type CallArgs, CallSession, findSession } from '../api/session.js';
import type { AdminTypes } from './admin-types.js';

/** The arguments of an admin procedure: its args (none when it has none), then the call options. */
export type AdminArgs<K extends admin_procedure_name> = CallArgs<admin_procedure_types[K]['args']>;
/** The reply of an admin procedure. */
export type AdminRet<K extends admin_procedure_name> = admin_procedure_types[K]['ret'];

/** What an admin connection's methods and its server and client handles call through. */
export class AdminSession extends CallSession {
  /** Set by the connection once it exists. */
  wrap!: AdminTypes['AdminObjectFactory'];

  /** Calls an admin procedure with its exact wire types; failures are returned, not dispatched. */
  call<K extends admin_procedure_name>(name: K, ...[args, options]: AdminArgs<K>): Promise<AdminRet<K>> {
    return this.send(admin_procedures, name, args, options);
  }

  /** A call made on behalf of a public method: its failure is dispatched to the handlers. */
  invoke<K extends admin_procedure_name>(name: K, ...[args, options]: AdminArgs<K>): Promise<AdminRet<K>> {
    return this.dispatched(admin_procedures, name, args, options);
  }
}

/** The session of an admin connection. */
export function sessionOf(conn: object): AdminSession {
  return findSession(conn, AdminSession, VIR_FROM_ADMIN, 'not an admin connection made by connectAdmin()');
}
