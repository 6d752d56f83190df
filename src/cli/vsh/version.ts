// The libvirt release whose virsh and virt-admin these programs reproduce (Debian bookworm's):
// their commands, options, output, and what `version` says of the library.
export const VERSION_STRING = '9.0.0';

/** libvirt's version number as text: 9000000 -> "9.0.0". */
export function versionText(v: bigint | number): string {
  const n = Number(v);
  return `${Math.floor(n / 1000000)}.${Math.floor((n % 1000000) / 1000)}.${n % 1000}`;
}
