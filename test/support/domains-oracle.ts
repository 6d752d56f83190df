import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { OracleCall, OracleResult } from './oracle.js';

const root = new URL('../../..', import.meta.url).pathname;

export interface DomainsOracleCall extends OracleCall {
  /** for target "snapshot": the domain holding the snapshot named by `name` */
  domain?: string;
}

/**
 * oracle() (test/support/oracle.ts) with the extra targets of test/support/domains-oracle.py:
 * "snapshot" (a domain snapshot: `domain` + `name`) and "qemu" (libvirt_qemu functions on the
 * domain `name`). Big integers are parsed as bigint, as oracle() does.
 */
export function domainsOracle(uri: string, calls: DomainsOracleCall[]): OracleResult[] {
  const out = execFileSync('/usr/bin/python3', [join(root, 'test/support/domains-oracle.py'), uri], {
    input: JSON.stringify(calls),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2n"'), (_k, v: unknown) =>
    typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as OracleResult[];
}
