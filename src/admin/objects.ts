import { AdminClientMethods, AdminServerMethods } from './generated/methods.js';
import { handleFactory } from '../api/handle.js';
import type { AdminTypes } from './admin-types.js';

/** @inline */ type AdminConnection = AdminTypes['AdminConnection'];

/**
 * A server of a daemon (virAdmServerPtr): `libvirtd` and `admin` for libvirtd, the daemon's own
 * name for the modular ones. Constructor, identity and methods come from generated/methods.ts.
 */
export class AdminServer extends AdminServerMethods {}

/** A client connected to a server (virAdmClientPtr): its id, connect time and transport. */
export class AdminClient extends AdminClientMethods {}

const adminHandleClasses = { adminServer: AdminServer, adminClient: AdminClient };
const makeAdminObjects = handleFactory<AdminConnection, typeof adminHandleClasses>(adminHandleClasses);

/** Builds the handle for a wire identity (what the generated methods call). */
export function adminObjectFactory(conn: AdminConnection) {
  return makeAdminObjects(conn);
}
export type AdminObjectFactory = ReturnType<typeof adminObjectFactory>;

declare module './admin-types.js' {
  interface AdminTypes {
    AdminServer: AdminServer;
    AdminClient: AdminClient;
    AdminObjectFactory: AdminObjectFactory;
  }
}
