import { clientError } from '../errors/errors.js';
import { VIR_ERR_INVALID_ARG, VIR_FROM_NONE } from '../apixml/generated/constants.js';

/** virUUIDFormat: 16 bytes as 8-4-4-4-12 lower-case hex. */
export function uuidToString(raw: Uint8Array): string {
  const h = Buffer.from(raw).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** virUUIDParse: accepts hex digits with or without dashes (32 digits), as libvirt does. */
export function uuidFromString(s: string): Uint8Array {
  const hex = s.trim().replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `invalid UUID '${s}'`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * The UUID string of a virXxxLookupByUUIDString call, failing as the C function does: its error
 * domain (VIR_FROM_DOMAIN, VIR_FROM_NETWORK, ...) and its message.
 */
export function lookupUUID(uuidstr: string, fn: string, domain: number): Uint8Array {
  try {
    if (typeof uuidstr !== 'string') throw new TypeError('not a string');
    return uuidFromString(uuidstr);
  } catch {
    // virDomainLookupByUUIDString words it differently from the others (libvirt 9.0).
    const message = fn === 'virDomainLookupByUUIDString' ? 'Invalid UUID' : `uuidstr in ${fn} must be a valid UUID`;
    throw clientError(VIR_ERR_INVALID_ARG, domain, message);
  }
}
