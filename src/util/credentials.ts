/**
 * The credentials callback (libvirt's virConnectAuth) as the ssh transports use it, and the
 * auth.conf lookup (virAuthGetCredential) libvirt's own ssh client does for passwords.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { readable } from './fs.js';
import { VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT, VIR_CRED_PASSPHRASE } from '../apixml/generated/constants.js';

/** virConnectCredential: one question for the callback; the callback sets `result`. */
export interface ConnectCredential {
  /** VIR_CRED_* */
  readonly type: number;
  readonly prompt: string;
  readonly challenge: string | null;
  readonly defresult: string | null;
  /** The answer (null: none given). */
  result: string | null;
}

/**
 * virConnectAuth: the credential types the callback can answer, and the callback. The callback
 * fills in each credential's `result` and returns (or resolves to) 0 or nothing on success; a
 * negative number, `false`, or a throw means it failed.
 */
export interface ConnectAuth {
  readonly credtype: readonly number[];
  readonly cb: (creds: ConnectCredential[]) => number | boolean | void | Promise<number | boolean | void>;
}


/** Host keys the caller accepts beyond what known_hosts and the URI allow. */
export type HostKeyPolicy =
  /** As the URI and the files say (the default). */
  | 'verify'
  /** Also accept, and record in known_hosts, the key of a host that has none recorded. */
  | 'accept-new'
  /** Accept any key, even one that differs from the recorded key (insecure: no man-in-the-middle protection). */
  | 'accept-any';

/** Thrown when the callback itself fails (returns < 0 / false / throws). */
export class CredentialCallbackError extends Error {}

/**
 * Asks the callback one question; null when the callback cannot take any of `types` (or there is
 * no callback). Throws CredentialCallbackError when the callback fails.
 */
export async function askCredential(
  auth: ConnectAuth | undefined,
  types: readonly number[],
  prompt: string,
  challenge: string | null = null,
): Promise<{ asked: true; result: string | null } | { asked: false }> {
  if (!auth) return { asked: false };
  const type = auth.credtype.find((t) => types.includes(t));
  if (type === undefined) return { asked: false };
  const cred: ConnectCredential = { type, prompt, challenge, defresult: null, result: null };
  let r: number | boolean | void;
  try {
    r = await auth.cb([cred]);
  } catch (e) {
    throw new CredentialCallbackError(e instanceof Error ? e.message : String(e));
  }
  if (r === false || (typeof r === 'number' && r < 0)) throw new CredentialCallbackError('callback failed');
  return { asked: true, result: cred.result };
}

/** Credential types for a prompt: echo -> ECHOPROMPT; no echo -> PASSPHRASE or NOECHOPROMPT (virCredTypeForPrompt). */
export const credTypesFor = (echo: boolean): readonly number[] => (echo ? [VIR_CRED_ECHOPROMPT] : [VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT]);

// ------------------------------------------------------------------------------------------------
// auth.conf

/** GKeyFile-style groups: [group] key=value, '#' comments. */
export function parseKeyFile(text: string): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const g = /^\[([^\]]+)\]$/.exec(t);
    if (g) {
      cur = groups.get(g[1]!) ?? new Map<string, string>();
      groups.set(g[1]!, cur);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !cur) throw new Error(`invalid line '${t}'`);
    cur.set(line.slice(0, eq).trim(), unescapeKeyFileValue(line.slice(eq + 1).replace(/^[ \t]+/, '')));
  }
  return groups;
}

function unescapeKeyFileValue(v: string): string {
  return v.replace(/\\([sntr\\])/g, (_m, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

/**
 * virAuthGetConfigFilePathURI: $LIBVIRT_AUTH_FILE, else the URI's `authfile` param, else
 * $XDG_CONFIG_HOME/libvirt/auth.conf, else /etc/libvirt/auth.conf, when readable.
 */
export function authConfigPath(env: NodeJS.ProcessEnv, authfileParam: string | undefined, sysconfdir = '/etc'): string | null {
  if (env.LIBVIRT_AUTH_FILE) return env.LIBVIRT_AUTH_FILE;
  if (authfileParam !== undefined) return authfileParam;
  const home = env.HOME || userInfo().homedir;
  const user = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'libvirt/auth.conf');
  if (readable(user)) return user;
  const sys = join(sysconfdir, 'libvirt/auth.conf');
  if (readable(sys)) return sys;
  return null;
}

/**
 * virAuthConfigLookup: [auth-SERVICE-HOST] (else [auth-SERVICE-default]) names its credentials
 * group; the value of `credname` there, or null.
 */
export function authConfigLookup(path: string | null, service: string, hostname: string | null, credname: string): string | null {
  if (path === null) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const groups = parseKeyFile(text);
  const auth = groups.get(`auth-${service}-${hostname ?? 'localhost'}`) ?? groups.get(`auth-${service}-default`);
  if (!auth) return null;
  const credentials = auth.get('credentials');
  if (credentials === undefined) throw new Error(`Missing item 'credentials' in group 'auth-${service}-${hostname ?? 'localhost'}' in '${path}'`);
  const group = groups.get(`credentials-${credentials}`);
  if (!group) throw new Error(`Missing group 'credentials-${credentials}' referenced from group 'auth-${service}-${hostname ?? 'localhost'}' in '${path}'`);
  return group.get(credname) ?? null;
}
