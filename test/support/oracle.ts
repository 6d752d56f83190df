import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

export interface OracleCall {
  call: string;
  target?: string;
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
}

export interface OracleError {
  code: number;
  domain: number;
  message: string;
  level: number;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
}

export type OracleResult = { ok: unknown } | { error: OracleError };

/**
 * Runs calls through libvirt's own C client (python3-libvirt, Debian's /usr/bin/python3) on one
 * connection, in order. Big integers are parsed as bigint so they compare with ours exactly.
 */
export function oracle(uri: string, calls: OracleCall[], options: { readOnly?: boolean } = {}): OracleResult[] {
  const out = execFileSync('/usr/bin/python3', [join(root, 'test/support/oracle.py'), ...(options.readOnly ? ['--readonly'] : []), uri], {
    input: JSON.stringify(calls),
    encoding: 'utf8',
    timeout: 120_000,
  });
  // Integers beyond 2^53 must not lose precision: quote every integer literal, then revive as bigint where needed.
  return JSON.parse(out.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2n"'), (_k, v: unknown) =>
    typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as OracleResult[];
}

export function ok(r: OracleResult | undefined): unknown {
  if (!r || !('ok' in r)) throw new Error(`oracle call failed: ${JSON.stringify(r)}`);
  return r.ok;
}

/**
 * Destroys and undefines domains through the C client (undefineFlags with `undefineFlags`, then a
 * plain undefine), ignoring every error: what the integration suites' `after` hooks leave behind.
 */
export function cleanupDomains(uri: string, names: Iterable<string>, undefineFlags: number): void {
  const calls: OracleCall[] = [];
  for (const name of names) {
    calls.push({ target: 'domain', name, call: 'destroy' }, { target: 'domain', name, call: 'undefineFlags', args: [undefineFlags] }, { target: 'domain', name, call: 'undefine' });
  }
  try {
    if (calls.length) oracle(uri, calls);
  } catch {
    // the daemon is gone (restarted by someone else): nothing left to clean
  }
}
