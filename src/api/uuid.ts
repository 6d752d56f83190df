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
