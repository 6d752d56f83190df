/**
 * OpenSSH client configuration (ssh_config(5)), as `ssh` reads it for the `+ssh` transport:
 * ~/.ssh/config, then /etc/ssh/ssh_config, `Host` and `Match` blocks, `Include`, the first value
 * obtained for a keyword wins (IdentityFile accumulates), and the options libvirt passes on the
 * command line (`-p`, `-l`, `-i`, `-o BatchMode=yes`, `-o StrictHostKeyChecking=no`) override both.
 *
 * Only what the transport uses is resolved: HostName, User, Port, IdentityFile, IdentitiesOnly,
 * IdentityAgent, UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking, HashKnownHosts,
 * BatchMode, PreferredAuthentications, Pubkey/Password/KbdInteractiveAuthentication,
 * NumberOfPasswordPrompts, HostKeyAlias, ConnectTimeout, ProxyCommand and ProxyJump. Unknown keywords are
 * ignored (ssh would reject a misspelt one).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname as osHostname, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** One keyword line: the keyword lower-cased, its arguments unquoted. */
export interface ConfigLine {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly file: string;
  readonly line: number;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

/** The settings the ssh transport uses, after every config file and override is applied. */
export interface ResolvedSshConfig {
  /** The host as given (the URI's host): what `Host` patterns match. */
  readonly originalHost: string;
  /** HostName, %h expanded (default: the original host). */
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  /** IdentityFile paths in order, ~ and %-tokens expanded; the defaults when none was given. */
  readonly identityFiles: readonly string[];
  /** True when identityFiles are ssh's defaults (missing ones are skipped silently). */
  readonly defaultIdentityFiles: boolean;
  readonly identitiesOnly: boolean;
  /** IdentityAgent: a socket path, 'SSH_AUTH_SOCK' (the environment's) or 'none'. */
  readonly identityAgent: string;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly strictHostKeyChecking: StrictHostKeyChecking;
  readonly hashKnownHosts: boolean;
  readonly batchMode: boolean;
  readonly preferredAuthentications: readonly string[];
  readonly pubkeyAuthentication: boolean;
  readonly passwordAuthentication: boolean;
  readonly kbdInteractiveAuthentication: boolean;
  readonly numberOfPasswordPrompts: number;
  readonly hostKeyAlias: string | null;
  /** ConnectTimeout in seconds, or null for the system's TCP timeout. */
  readonly connectTimeout: number | null;
  /** ProxyCommand (tokens expanded) or null; 'none' is null. */
  readonly proxyCommand: string | null;
  /** ProxyJump, or null ('none' is null). */
  readonly proxyJump: string | null;
  /** What ssh would warn about on stderr while reading its options (a missing `-i` file). */
  readonly warnings: readonly string[];
}

/** What the command line gives (libvirt's argv for `+ssh`); these win over any config file. */
export interface SshCommandLine {
  host: string;
  port?: number | null;
  user?: string | null;
  identityFile?: string | null;
  /** `-o` options, keyword -> value, e.g. { batchmode: 'yes' } */
  options?: Record<string, string>;
}

export interface ResolveConfigOptions {
  /** The user's home, for ~ and the default paths. Default: $HOME, else the passwd entry. */
  home?: string;
  /** The user config file (default ~/.ssh/config); null reads none. */
  userConfig?: string | null;
  /** The system config file (default /etc/ssh/ssh_config); null reads none. */
  systemConfig?: string | null;
  /** The local user name (%u, the default User). */
  localUser?: string;
  /** Environment for ${VAR} expansion. */
  env?: NodeJS.ProcessEnv;
  /** Reads a file (tests); default fs.readFileSync. */
  readFile?: (path: string) => string | null;
}

/** OpenSSH 9.2's default identities (ssh.c), in order. */
export const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

const MULTI_KEYWORDS = new Set(['identityfile', 'certificatefile', 'localforward', 'remoteforward', 'dynamicforward', 'sendenv', 'setenv']);

/** Splits a config line into words as readconf.c's argv_split does: whitespace, double quotes, `=` after the keyword. */
export function splitConfigLine(text: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < n) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    if (text[i] === '#') break; // comment to end of line
    let word = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
        word += text[i];
        i++;
      }
      if (i >= n) return null; // unterminated quote
      i++;
    } else {
      while (i < n && !isSpace(text[i])) {
        if (words.length === 0 && text[i] === '=') break;
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ' ')) i++;
        word += text[i];
        i++;
      }
    }
    words.push(word);
    // `Keyword=value` / `Keyword = value`: one '=' between keyword and value
    if (words.length === 1) {
      while (i < n && isSpace(text[i])) i++;
      if (text[i] === '=') i++;
    }
  }
  return words;
}

/** Parses config text into keyword lines (no block structure applied). */
export function parseSshConfig(text: string, file = '<config>'): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx]!;
    const words = splitConfigLine(raw);
    if (words === null) throw new Error(`${file} line ${idx + 1}: invalid quotes`);
    if (words.length === 0 || words[0] === '') continue;
    out.push({ keyword: words[0]!.toLowerCase(), args: words.slice(1), file, line: idx + 1 });
  }
  return out;
}

/**
 * OpenSSH's match_pattern: '*' any run, '?' any one character, case-sensitive here; callers lower-case
 * host names (ssh lower-cases the host before matching).
 */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/**
 * match_pattern_list: comma-separated patterns, '!' negates; a negated match rejects, otherwise
 * any positive match accepts. Returns 1 (match), 0 (no match) or -1 (negated match).
 */
export function matchPatternList(s: string, list: string, lowerCase = true): 1 | 0 | -1 {
  const subject = lowerCase ? s.toLowerCase() : s;
  let got: 1 | 0 = 0;
  for (const raw of list.split(',')) {
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    let p = negated ? raw.slice(1) : raw;
    if (lowerCase) p = p.toLowerCase();
    if (matchPattern(subject, p)) {
      if (negated) return -1;
      got = 1;
    }
  }
  return got;
}

/** Host line: the host matches when any pattern matches and no negated one does (patterns are separate words). */
function hostLineMatches(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    const r = matchPatternList(host, p);
    if (r === -1) return false;
    if (r === 1) matched = true;
  }
  return matched;
}

interface MatchContext {
  originalHost: string;
  hostname: () => string;
  user: () => string;
  localUser: string;
}

/** Match criteria (readconf.c match_cfg_line). `exec`, `localnetwork`, `canonical` and `tagged` never match here. */
function matchLineMatches(args: readonly string[], ctx: MatchContext, where: string): boolean {
  if (args.length === 0) throw new Error(`${where}: Match: missing criteria`);
  let result = true;
  for (let i = 0; i < args.length; i++) {
    let attr = args[i]!.toLowerCase();
    if (attr === 'all' || attr === '!all') {
      if (args.length !== 1 && !(i === args.length - 1 && args.length === 2 && args[0]!.toLowerCase() === 'final')) {
        throw new Error(`${where}: 'all' cannot be combined with other Match attributes`);
      }
      if (attr === '!all') result = false;
      continue;
    }
    const negate = attr.startsWith('!');
    if (negate) attr = attr.slice(1);
    if (attr === 'canonical' || attr === 'final') {
      // One pass without canonicalisation: ssh's final pass is this pass.
      const r = attr === 'final';
      if (r === negate) result = false;
      continue;
    }
    const arg = args[++i];
    if (arg === undefined) throw new Error(`${where}: Match: missing argument for '${attr}'`);
    let r: boolean;
    switch (attr) {
      case 'host':
        r = matchPatternList(ctx.hostname(), arg) === 1;
        break;
      case 'originalhost':
        r = matchPatternList(ctx.originalHost, arg) === 1;
        break;
      case 'user':
        r = matchPatternList(ctx.user(), arg, false) === 1;
        break;
      case 'localuser':
        r = matchPatternList(ctx.localUser, arg, false) === 1;
        break;
      case 'exec':
      case 'localnetwork':
      case 'tagged':
        r = false;
        break;
      default:
        throw new Error(`${where}: unsupported Match attribute '${attr}'`);
    }
    if (r === negate) result = false;
  }
  return result;
}

/** Expands a leading ~ or ~/ to home (ssh also knows ~user; that form is kept as is). */
export function tildeExpand(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** Percent-tokens (ssh.c's percent_expand) and ${ENV} (8.4+). An unknown token is an error, as in ssh. */
export function expandTokens(s: string, tokens: Record<string, string>, env?: NodeJS.ProcessEnv): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const t = s[++i];
      if (t === '%') out += '%';
      else if (t !== undefined && t in tokens) out += tokens[t];
      else throw new Error(`unknown key %${t ?? ''} in '${s}'`);
    } else if (env && c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i);
      if (end < 0) throw new Error(`unterminated environment variable in '${s}'`);
      const name = s.slice(i + 2, end);
      const v = env[name];
      if (v === undefined) throw new Error(`environment variable '${name}' is not set`);
      out += v;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** A tiny glob for Include: '*', '?' in any path component; results sorted as glob(3) does. */
function globPaths(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [pattern.startsWith('/') ? '/' : '.'];
  for (let k = pattern.startsWith('/') ? 1 : 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        const p = join(base, part);
        if (existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (matchPattern(name, part)) next.push(join(base, name));
      }
    }
    bases = next;
  }
  return bases;
}

function yesNo(v: string | undefined, where: string): boolean {
  switch (v?.toLowerCase()) {
    case 'yes':
    case 'true':
      return true;
    case 'no':
    case 'false':
      return false;
    default:
      throw new Error(`${where}: unsupported option "${v ?? ''}"`);
  }
}

/** Reads the user's and the system's configs and resolves the settings for a host. */
export function resolveSshConfig(cmd: SshCommandLine, opts: ResolveConfigOptions = {}): ResolvedSshConfig {
  const env = opts.env ?? process.env;
  const home = opts.home ?? (env.HOME || userInfo().homedir);
  const localUser = opts.localUser ?? userInfo().username;
  const readFile =
    opts.readFile ??
    ((p: string): string | null => {
      try {
        if (!statSync(p).isFile()) return null;
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    });
  const userConfig = opts.userConfig === undefined ? join(home, '.ssh/config') : opts.userConfig;
  const systemConfig = opts.systemConfig === undefined ? '/etc/ssh/ssh_config' : opts.systemConfig;

  // First value obtained wins: command-line options first.
  const values = new Map<string, string[]>();
  const multi = new Map<string, string[]>();
  const set = (keyword: string, args: readonly string[]): void => {
    if (MULTI_KEYWORDS.has(keyword)) {
      const list = multi.get(keyword) ?? [];
      list.push(...(keyword === 'identityfile' ? args.slice(0, 1) : args));
      multi.set(keyword, list);
    } else if (!values.has(keyword)) {
      values.set(keyword, [...args]);
    }
  };
  for (const [k, v] of Object.entries(cmd.options ?? {})) set(k.toLowerCase(), [v]);
  if (cmd.port !== undefined && cmd.port !== null) set('port', [String(cmd.port)]);
  if (cmd.user !== undefined && cmd.user !== null) set('user', [cmd.user]);
  const warnings: string[] = [];
  if (cmd.identityFile !== undefined && cmd.identityFile !== null) {
    // ssh.c: an -i file that is not there is dropped with a warning (and the defaults apply then).
    const p = tildeExpand(cmd.identityFile, home);
    if (existsSync(p)) set('identityfile', [cmd.identityFile]);
    else warnings.push(`Warning: Identity file ${cmd.identityFile} not accessible: No such file or directory.`);
  }

  const originalHost = cmd.host.toLowerCase();
  const ctx: MatchContext = {
    originalHost,
    hostname: () => (values.get('hostname')?.[0] !== undefined ? expandTokens(values.get('hostname')![0]!, { h: originalHost }).toLowerCase() : originalHost),
    user: () => values.get('user')?.[0] ?? localUser,
    localUser,
  };

  const readConfig = (file: string, userLevel: boolean, depth: number): void => {
    if (depth > 16) throw new Error(`${file}: Include nested too deeply`);
    const text = readFile(file);
    if (text === null) return;
    let active = true;
    for (const l of parseSshConfig(text, file)) {
      const where = `${l.file} line ${l.line}`;
      if (l.keyword === 'host') {
        active = hostLineMatches(originalHost, l.args);
        continue;
      }
      if (l.keyword === 'match') {
        active = matchLineMatches(l.args, ctx, where);
        continue;
      }
      if (!active) continue;
      if (l.keyword === 'include') {
        for (const arg of l.args) {
          let pattern = tildeExpand(arg, home);
          if (!isAbsolute(pattern)) pattern = userLevel ? join(home, '.ssh', pattern) : join(dirname(systemConfig ?? '/etc/ssh/ssh_config'), pattern);
          for (const p of globPaths(pattern)) readConfig(p, userLevel, depth + 1);
        }
        continue;
      }
      if (l.args.length === 0) throw new Error(`${where}: ${l.keyword}: missing argument`);
      set(l.keyword, l.args);
    }
  };
  if (userConfig !== null) readConfig(userConfig, true, 0);
  if (systemConfig !== null) readConfig(systemConfig, false, 0);

  const first = (k: string): string | undefined => values.get(k)?.[0];
  const where = (k: string): string => `ssh config ${k}`;

  const hostname = first('hostname') !== undefined ? expandTokens(first('hostname')!, { h: cmd.host }) : cmd.host;
  const portStr = first('port');
  const port = portStr === undefined ? 22 : Number(portStr);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Bad port '${portStr}'`);
  const user = first('user') ?? localUser;
  const hostKeyAlias = first('hostkeyalias') ?? null;

  const lhost = osHostname();
  const tokens: Record<string, string> = {
    d: home,
    h: hostname,
    p: String(port),
    r: user,
    u: localUser,
    n: cmd.host,
    l: lhost,
    L: lhost.split('.')[0]!,
    i: String(typeof process.getuid === 'function' ? process.getuid() : 0),
    k: hostKeyAlias ?? cmd.host,
    j: first('proxyjump') ?? '',
  };
  tokens.C = createHash('sha1').update(`${tokens.l}${tokens.h}${tokens.p}${tokens.r}${tokens.j}`).digest('hex');
  const path = (p: string): string => tildeExpand(expandTokens(tildeExpand(p, home), tokens, env), home);

  const configured = multi.get('identityfile') ?? [];
  const defaultIdentityFiles = configured.length === 0;
  const identityFiles = defaultIdentityFiles ? DEFAULT_IDENTITY_FILES.map((f) => join(home, '.ssh', f)) : configured.map(path);

  const knownHosts = (k: string, dflt: string[]): string[] => {
    const v = values.get(k);
    if (!v) return dflt;
    if (v.length === 1 && v[0]!.toLowerCase() === 'none') return [];
    return v.map(path);
  };

  const strictRaw = (first('stricthostkeychecking') ?? 'ask').toLowerCase();
  let strictHostKeyChecking: StrictHostKeyChecking;
  switch (strictRaw) {
    case 'yes':
    case 'true':
      strictHostKeyChecking = 'yes';
      break;
    case 'no':
    case 'false':
    case 'off':
      strictHostKeyChecking = 'no';
      break;
    case 'ask':
      strictHostKeyChecking = 'ask';
      break;
    case 'accept-new':
      strictHostKeyChecking = 'accept-new';
      break;
    default:
      throw new Error(`${where('StrictHostKeyChecking')}: unsupported option "${strictRaw}"`);
  }

  const bool = (k: string, dflt: boolean): boolean => (first(k) === undefined ? dflt : yesNo(first(k), where(k)));
  const agentRaw = first('identityagent') ?? 'SSH_AUTH_SOCK';
  const identityAgent = agentRaw === 'none' || agentRaw === 'SSH_AUTH_SOCK' ? agentRaw : agentRaw.startsWith('$') ? (env[agentRaw.slice(1)] ?? 'none') : path(agentRaw);
  const prompts = Number(first('numberofpasswordprompts') ?? '3');
  const timeout = first('connecttimeout');
  const proxyCommand = first('proxycommand');
  const proxyJump = first('proxyjump');

  return {
    originalHost: cmd.host,
    hostname,
    port,
    user,
    identityFiles,
    defaultIdentityFiles,
    identitiesOnly: bool('identitiesonly', false),
    identityAgent,
    userKnownHostsFiles: knownHosts('userknownhostsfile', [join(home, '.ssh/known_hosts'), join(home, '.ssh/known_hosts2')]),
    globalKnownHostsFiles: knownHosts('globalknownhostsfile', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']),
    strictHostKeyChecking,
    hashKnownHosts: bool('hashknownhosts', false),
    batchMode: bool('batchmode', false),
    preferredAuthentications: (first('preferredauthentications') ?? 'gssapi-with-mic,hostbased,publickey,keyboard-interactive,password').split(','),
    pubkeyAuthentication: bool('pubkeyauthentication', true),
    passwordAuthentication: bool('passwordauthentication', true),
    kbdInteractiveAuthentication: bool('kbdinteractiveauthentication', bool('challengeresponseauthentication', true)),
    numberOfPasswordPrompts: Number.isInteger(prompts) && prompts >= 0 ? prompts : 3,
    hostKeyAlias,
    connectTimeout: timeout === undefined || timeout === 'none' ? null : Number(timeout),
    proxyCommand: proxyCommand === undefined || proxyCommand.toLowerCase() === 'none' ? null : expandTokens(values.get('proxycommand')!.join(' '), { ...tokens, n: cmd.host }),
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? null : proxyJump,
    warnings,
  };
}
