// REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: the driver features (libvirt_internal.h's
// VIR_DRV_FEATURE_*) the client asks the daemon about, and the one way the answer is read.
import { VIR_ERR_NO_SUPPORT } from '../apixml/generated/constants.js';
import { LibvirtError } from '../errors/errors.js';

/** Migration protocol versions 1, 2 and 3 (virDomainMigratePerform..., the old argument lists). */
export const VIR_DRV_FEATURE_MIGRATION_V1 = 1;
export const VIR_DRV_FEATURE_MIGRATION_V2 = 3;
export const VIR_DRV_FEATURE_MIGRATION_V3 = 6;
/** The source daemon can migrate by itself to another daemon (VIR_MIGRATE_PEER2PEER). */
export const VIR_DRV_FEATURE_MIGRATION_P2P = 4;
/** The source hypervisor can migrate to the destination hypervisor with no daemon there. */
export const VIR_DRV_FEATURE_MIGRATION_DIRECT = 5;
/** The migration protocol can ask the source to protect the domain (VIR_MIGRATE_CHANGE_PROTECTION). */
export const VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION = 7;
/** A domain that is not running can be migrated (VIR_MIGRATE_OFFLINE). */
export const VIR_DRV_FEATURE_MIGRATION_OFFLINE = 12;
/** Migration protocol 3 with typed parameters (the ..._PARAMS procedures). */
export const VIR_DRV_FEATURE_MIGRATION_PARAMS = 13;
/** The daemon takes part in keepalive; asking also starts the daemon's keepalive for this client. */
export const VIR_DRV_FEATURE_PROGRAM_KEEPALIVE = 10;
/** Event registrations carry callback IDs and per-object filters (libvirt >= 1.2.1). */
export const VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK = 14;
/** The daemon tells the client why it closes the connection (REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED). */
export const VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK = 15;

/**
 * The answer to REMOTE_PROC_CONNECT_SUPPORTS_FEATURE as a boolean. A daemon too old to know the
 * procedure (VIR_ERR_NO_SUPPORT) supports none of these features; any other failure is the caller's.
 */
export async function featureSupported(reply: Promise<{ supported: number }>): Promise<boolean> {
  try {
    return (await reply).supported !== 0;
  } catch (e) {
    if (e instanceof LibvirtError && e.code === VIR_ERR_NO_SUPPORT) return false;
    throw e;
  }
}
