import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { DomainsOracleCall } from './domains-oracle.js';
import type { OracleResult } from './oracle.js';

const root = new URL('../../..', import.meta.url).pathname;

export interface MoreOracleCall extends DomainsOracleCall {
  /** libvirt-python returns None instead of raising for this call: report virGetLastError() then */
  errorOnNone?: boolean;
  /** for target "networkPort": the network holding the port named (by UUID) by `name` */
  network?: string;
}

/**
 * domainsOracle() (test/support/domains-oracle.ts) with the additions of
 * test/support/more-oracle.py: the targets "checkpoint" (`domain` + `name`), "lxc" (libvirt_lxc
 * functions on the domain `name`) and "qemuConn" (libvirt_qemu functions on the connection), the argument markers
 * `{ $tuple: [...] }`, `{ $intdict: [[key, value], ...] }` and `{ $stream: flags }`, and `errorOnNone`. Big integers are parsed as
 * bigint, as oracle() does.
 */
export function moreOracle(uri: string, calls: MoreOracleCall[]): OracleResult[] {
  const out = execFileSync('/usr/bin/python3', [join(root, 'test/support/more-oracle.py'), uri], {
    input: JSON.stringify(calls),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2n"'), (_k, v: unknown) =>
    typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as OracleResult[];
}
