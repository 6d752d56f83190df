/**
 * Raised for any XDR input or value that does not fit its declared type: truncated bytes, a length
 * over its bound or over what is left, an unknown union discriminant, an out-of-range enum or a
 * JavaScript value of the wrong shape. `where` names the type and field (`remote_nonnull_domain.name`).
 */
export class XdrError extends Error {
  override readonly name = 'XdrError';
  constructor(
    readonly where: string,
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`XDR ${where}: ${detail} (at byte ${offset})`);
  }
}
