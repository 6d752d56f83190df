/**
 * libvirt connection URIs, as libvirt 9.0 reads them.
 *
 * - `parseURI` is virURIParse: libxml2's RFC 3986 parser (xmlParseURI, 2.9.x behaviour, quirks
 *   included), IPv6 brackets stripped from the host, and the query split into %-decoded params.
 * - `resolveTarget` is what virConnectOpen and the remote driver then do with the URI
 *   (virConnectOpenInternal, remoteSplitURIScheme, remoteGetURIDaemonInfo, doRemoteOpen,
 *   remoteGetUNIXSocket, virNetClientSSHHelperCommand): which transport, which host/port/user,
 *   which local or remote UNIX socket, and the name sent in REMOTE_PROC_CONNECT_OPEN.
 * - `defaultURI` / `resolveName` pick the URI when none is given.
 *
 * Strings are handled as libvirt handles C strings: the URI is parsed as its UTF-8 bytes, %-decoding
 * produces bytes (a decoded NUL ends the value, as in C), and decoded values are exposed as UTF-8.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';

import {
  VIR_ERR_CONFIG_UNSUPPORTED,
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_CONNECT,
  VIR_ERR_OPERATION_UNSUPPORTED,
  VIR_FROM_NONE,
  VIR_FROM_REMOTE,
  VIR_FROM_RPC,
  VIR_FROM_URI,
} from '../apixml/generated/constants.js';
import { clientError, type LibvirtError } from '../errors/errors.js';

export type { ConnectTarget, LibvirtURI, ProxyMode, RemoteMode, TransportKind } from '../transport/target.js';
import type { ConnectTarget, LibvirtURI, ProxyMode, RemoteMode, TransportKind } from '../transport/target.js';

export interface ResolveOptions {
  /** VIR_CONNECT_RO: the read-only system socket ('-sock-ro') and `virt-ssh-helper -r`. */
  readOnly?: boolean;
  /** Environment (LIBVIRT_DEFAULT_URI, LIBVIRT_AUTOSTART, XDG_RUNTIME_DIR, XDG_CACHE_HOME, HOME). */
  env?: NodeJS.ProcessEnv;
  /** Effective uid (geteuid()); decides system vs session. */
  uid?: number;
  /** virFileExists, for the `auto` socket mode. */
  exists?: (path: string) => boolean;
  /** libvirt.conf `remote_mode` (used when the URI has no `mode`). */
  remoteMode?: string;
  /** libvirt.conf `remote_proxy` (used when the URI has no `proxy`). */
  remoteProxy?: string;
  /**
   * The build-time `remote_default_mode`: what `auto` falls back to when neither the per-driver
   * nor the libvirtd socket exists. Upstream default 'direct' (Debian/Ubuntu build 'legacy').
   */
  defaultMode?: 'direct' | 'legacy';
  /** The build-time LOCALSTATEDIR (system sockets live in LOCALSTATEDIR/run/libvirt). Default '/var'. */
  localStateDir?: string;
}

// ------------------------------------------------------------------------------------------------
// Errors, formatted as virReportError formats them ("<code text>: <detail>").

const ERROR_FORMATS: Record<number, string> = {
  [VIR_ERR_INTERNAL_ERROR]: 'internal error: %s',
  [VIR_ERR_INVALID_ARG]: 'invalid argument: %s',
  [VIR_ERR_NO_CONNECT]: 'no connection driver available for %s',
  [VIR_ERR_CONFIG_UNSUPPORTED]: 'unsupported configuration: %s',
  [VIR_ERR_OPERATION_UNSUPPORTED]: 'Operation not supported: %s',
};

function error(code: number, domain: number, detail: string): LibvirtError {
  return clientError(code, domain, (ERROR_FORMATS[code] ?? '%s').replace('%s', () => detail));
}

// ------------------------------------------------------------------------------------------------
// Byte strings: JS strings whose char codes are bytes 0..255 (latin1), standing for C strings.

const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const fromBytes = (b: string): string => Buffer.from(b, 'latin1').toString('utf8');
/** A C string ends at its first NUL. */
const cstr = (b: string): string => {
  const nul = b.indexOf('\0');
  return nul < 0 ? b : b.slice(0, nul);
};
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// ------------------------------------------------------------------------------------------------
// libxml2's RFC 3986 parser (uri.c, 2.9.14), over bytes.

const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const codes = (chars: string): Set<number> => new Set([...chars].map((ch) => ch.charCodeAt(0)));
const SUB_DELIMS = codes("!$&'()*+,;=");
const isUnreserved = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
const isPct = (s: string, i: number): boolean => at(s, i) === 0x25 && isHex(at(s, i + 1)) && isHex(at(s, i + 2));
const isPchar = (s: string, i: number): boolean => {
  const c = at(s, i);
  return isUnreserved(c) || isPct(s, i) || SUB_DELIMS.has(c) || c === 0x3a || c === 0x40;
};
/** NEXT(): skip a char, or a whole %XX. */
const next = (s: string, i: number): number => (at(s, i) === 0x25 ? i + 3 : i + 1);

/**
 * xmlURIUnescapeString(str + start, end - start): %XX decoded (nothing else: '+' stays '+').
 * Quirk kept: a length of 0 means "to the end of the string" in libxml2, so an empty userinfo
 * ("qemu+ssh://@host/") decodes the rest of the URI.
 */
function unescape(s: string, start: number, end: number): string {
  let len = end - start;
  if (len <= 0) len = s.length - start;
  let out = '';
  let i = start;
  while (len > 0) {
    if (len > 2 && at(s, i) === 0x25 && isHex(at(s, i + 1)) && isHex(at(s, i + 2))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
      len -= 3;
    } else {
      out += s[i];
      i++;
      len--;
    }
  }
  return cstr(out);
}

interface XmlURI {
  scheme: string | null;
  user: string | null;
  server: string | null;
  port: number;
  path: string | null;
  queryRaw: string | null;
  fragment: string | null;
}

const blankURI = (): XmlURI => ({ scheme: null, user: null, server: null, port: 0, path: null, queryRaw: null, fragment: null });

/** One attempt (absolute URI or relative reference); methods return the new index or -1 on failure. */
class XmlParser {
  readonly u = blankURI();
  constructor(private readonly s: string) {}

  scheme(i: number): number {
    const s = this.s;
    if (!isAlpha(at(s, i))) return -1;
    let j = i + 1;
    while (isAlpha(at(s, j)) || isDigit(at(s, j)) || at(s, j) === 0x2b || at(s, j) === 0x2d || at(s, j) === 0x2e) j++;
    this.u.scheme = s.slice(i, j);
    return j;
  }

  authority(i: number): number {
    const s = this.s;
    // userinfo "@"
    let j = i;
    while (isUnreserved(at(s, j)) || isPct(s, j) || SUB_DELIMS.has(at(s, j)) || at(s, j) === 0x3a) j = next(s, j);
    if (at(s, j) === 0x40) {
      this.u.user = unescape(s, i, j);
      i = j + 1;
    }
    // host: "[" ... "]" or reg-name (libxml2's IPv4 branch can never complete, so dotted quads
    // are read as reg-names, with the same result)
    const host = i;
    if (at(s, i) === 0x5b) {
      i++;
      while (at(s, i) !== 0x5d && at(s, i) !== 0) i++;
      if (at(s, i) !== 0x5d) return -1;
      i++;
    } else {
      while (isUnreserved(at(s, i)) || isPct(s, i) || SUB_DELIMS.has(at(s, i))) i = next(s, i);
    }
    this.u.server = i !== host ? unescape(s, host, i) : null;
    // ":" port
    if (at(s, i) === 0x3a) {
      i++;
      if (!isDigit(at(s, i))) return -1;
      let port = 0;
      while (isDigit(at(s, i))) {
        port = port * 10 + (at(s, i) - 0x30);
        if (port > 0x7fffffff) return -1;
        i++;
      }
      this.u.port = port;
    }
    return i;
  }

  /** segment / segment-nz (empty=false) / segment-nz-nc (forbid=':'). */
  segment(i: number, forbid: number, empty: boolean): number {
    const s = this.s;
    if (!isPchar(s, i)) return empty ? i : -1;
    while (isPchar(s, i) && at(s, i) !== forbid) i = next(s, i);
    return i;
  }

  setPath(start: number, end: number): void {
    this.u.path = end !== start ? unescape(this.s, start, end) : null;
  }

  /** path-abempty = *( "/" segment ) */
  pathAbEmpty(i: number): number {
    const start = i;
    i = this.slashSegments(i);
    if (i < 0) return -1;
    this.setPath(start, i);
    return i;
  }

  /** *( "/" segment ): the end, or -1. */
  private slashSegments(i: number): number {
    while (at(this.s, i) === 0x2f) {
      i = this.segment(i + 1, 0, true);
      if (i < 0) return -1;
    }
    return i;
  }

  /** path-absolute = "/" [ segment-nz *( "/" segment ) ] */
  pathAbsolute(i: number): number {
    const start = i;
    if (at(this.s, i) !== 0x2f) return -1;
    i++;
    const j = this.segment(i, 0, false);
    if (j >= 0) {
      i = this.slashSegments(j);
      if (i < 0) return -1;
    }
    this.setPath(start, i);
    return i;
  }

  /** path-rootless (forbid 0) / path-noscheme (forbid ':') */
  pathRootless(i: number, forbid: number): number {
    const start = i;
    i = this.segment(i, forbid, false);
    if (i >= 0) i = this.slashSegments(i);
    if (i < 0) return -1;
    this.setPath(start, i);
    return i;
  }

  /** [ "?" query ] [ "#" fragment ] end */
  tail(i: number): boolean {
    const s = this.s;
    if (at(s, i) === 0x3f) {
      const start = ++i;
      while (isPchar(s, i) || at(s, i) === 0x2f || at(s, i) === 0x3f) i = next(s, i);
      this.u.queryRaw = s.slice(start, i);
    }
    if (at(s, i) === 0x23) {
      const start = ++i;
      while (isPchar(s, i) || at(s, i) === 0x2f || at(s, i) === 0x3f || at(s, i) === 0x5b || at(s, i) === 0x5d) i = next(s, i);
      this.u.fragment = unescape(s, start, i);
    }
    return i === s.length;
  }

  /** scheme ":" hier-part [ "?" query ] [ "#" fragment ] */
  absolute(): boolean {
    const s = this.s;
    let i = this.scheme(0);
    if (i < 0 || at(s, i) !== 0x3a) return false;
    i++;
    if (at(s, i) === 0x2f && at(s, i + 1) === 0x2f) {
      i = this.authority(i + 2);
      if (i < 0) return false;
      if (this.u.server === null) this.u.port = -1;
      i = this.pathAbEmpty(i);
    } else if (at(s, i) === 0x2f) {
      i = this.pathAbsolute(i);
    } else if (isPchar(s, i)) {
      i = this.pathRootless(i, 0);
    }
    return i >= 0 && this.tail(i);
  }

  /** relative-ref = relative-part [ "?" query ] [ "#" fragment ] */
  relative(): boolean {
    const s = this.s;
    let i = 0;
    if (at(s, 0) === 0x2f && at(s, 1) === 0x2f) {
      i = this.authority(2);
      if (i >= 0) i = this.pathAbEmpty(i);
    } else if (at(s, 0) === 0x2f) {
      i = this.pathAbsolute(0);
    } else if (isPchar(s, 0)) {
      i = this.pathRootless(0, 0x3a);
    }
    return i >= 0 && this.tail(i);
  }
}

/** xmlParseURI: an absolute URI, else a relative reference; null when neither parses. */
function xmlParseURI(bytes: string): XmlURI | null {
  const abs = new XmlParser(bytes);
  if (abs.absolute()) return abs.u;
  const rel = new XmlParser(bytes);
  if (rel.relative()) return rel.u;
  return null;
}

// ------------------------------------------------------------------------------------------------
// virURIParse

const TRANSPORTS: readonly TransportKind[] = ['tls', 'unix', 'ssh', 'libssh2', 'ext', 'tcp', 'libssh'];

/** What parseURI keeps as bytes, so that serverURI re-encodes exactly what was decoded. */
interface URIBytes {
  path: string | null;
  fragment: string | null;
  params: Array<[string, string]>;
}
const uriBytes = new WeakMap<LibvirtURI, URIBytes>();

/** virURIParseParams: split on '&' (or, when the rest has no '&', on ';'), %-decode names and values. */
function parseParams(query: string | null): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  if (query === null || query === '') return params;
  let pos = 0;
  while (pos < query.length) {
    // The separator is the next '&'; only when no '&' is left is ';' a separator.
    let end = query.indexOf('&', pos);
    if (end < 0) end = query.indexOf(';', pos);
    if (end < 0) end = query.length;
    let eq = query.indexOf('=', pos);
    if (eq >= end) eq = -1;
    if (end === pos) {
      // empty section ("&&")
    } else if (eq < 0) {
      params.push([unescape(query, pos, end), '']); // "name" alone: value ""
    } else if (eq + 1 === end) {
      params.push([unescape(query, pos, eq), '']); // "name="
    } else if (eq === pos) {
      // "=value": ignored
    } else {
      params.push([unescape(query, pos, eq), unescape(query, eq + 1, end)]);
    }
    pos = end;
    if (pos < query.length) pos++;
  }
  return params;
}

class ParsedURI implements LibvirtURI {
  constructor(
    readonly raw: string,
    readonly scheme: string,
    readonly driver: string,
    readonly transport: TransportKind | null,
    readonly user: string | null,
    readonly host: string | null,
    readonly port: number | null,
    readonly path: string,
    readonly query: string | null,
    readonly fragment: string | null,
    readonly params: ReadonlyArray<readonly [string, string]>,
  ) {}

  param(name: string): string | undefined {
    return this.params.find(([n]) => n === name)?.[1];
  }

  toString(): string {
    return this.raw;
  }
}

/**
 * virURIParse, plus the two checks libvirt makes on every parsed URI before using it: a URI with
 * no scheme is VIR_ERR_NO_CONNECT ("URI '...' does not include a driver name"), and a transport
 * after '+' that the remote driver does not know is VIR_ERR_INVALID_ARG (VIR_FROM_REMOTE).
 * Text libxml2 cannot parse is VIR_ERR_INTERNAL_ERROR (VIR_FROM_URI) "Unable to parse URI ...".
 */
export function parseURI(uri: string): LibvirtURI {
  const known = parsedURIs.get(uri);
  if (known) return known;
  const parsed = parseURIUncached(uri);
  // The result is frozen and a function of the string alone: a program opening the same URI
  // again (a pool of connections, a reconnect) skips the byte-level parse.
  if (parsedURIs.size >= PARSED_URIS_MAX) parsedURIs.delete(parsedURIs.keys().next().value!);
  parsedURIs.set(uri, parsed);
  return parsed;
}

const PARSED_URIS_MAX = 32;
const parsedURIs = new Map<string, LibvirtURI>();

function parseURIUncached(uri: string): LibvirtURI {
  const bytes = cstr(toBytes(uri));
  const x = xmlParseURI(bytes);
  if (!x) throw error(VIR_ERR_INTERNAL_ERROR, VIR_FROM_URI, `Unable to parse URI ${uri}`);
  if (x.scheme === null) throw error(VIR_ERR_NO_CONNECT, VIR_FROM_NONE, `URI '${uri}' does not include a driver name`);

  let server = x.server;
  // virStringStripIPv6Brackets
  if (server !== null && server.length >= 2 && server.startsWith('[') && server.endsWith(']') && server.includes(':')) {
    server = server.slice(1, -1);
  }
  // libxml2's port is meaningless without a server; libvirt uses 0 ("none") then.
  const port = server === null || server === '' ? 0 : x.port;

  const plus = x.scheme.indexOf('+');
  const driver = plus < 0 ? x.scheme : x.scheme.slice(0, plus);
  let transport: TransportKind | null = null;
  if (plus >= 0) {
    const t = asciiLower(x.scheme.slice(plus + 1));
    if (!(TRANSPORTS as readonly string[]).includes(t)) {
      throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, 'remote_open: transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)');
    }
    transport = t as TransportKind;
  }

  const params = parseParams(x.queryRaw);
  const parsed = new ParsedURI(
    uri,
    x.scheme,
    driver,
    transport,
    x.user === null ? null : fromBytes(x.user),
    server === null ? null : fromBytes(server),
    port === 0 ? null : port,
    x.path === null ? '' : fromBytes(x.path),
    x.queryRaw,
    x.fragment === null ? null : fromBytes(x.fragment),
    Object.freeze(params.map(([n, v]) => Object.freeze([fromBytes(n), fromBytes(v)] as const))),
  );
  uriBytes.set(parsed, { path: x.path, fragment: x.fragment, params });
  return Object.freeze(parsed);
}

// ------------------------------------------------------------------------------------------------
// Default URI

function currentUid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : 1;
}

/**
 * The URI used when none is given: `LIBVIRT_DEFAULT_URI` when set and non-empty (as libvirt).
 * libvirt would next read `uri_default` from libvirt.conf and then probe its drivers; we do not
 * read libvirt.conf and instead fall back to what the daemon-side probe picks on a QEMU host:
 * 'qemu:///system' for root, 'qemu:///session' for anyone else.
 */
export function defaultURI(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string {
  const v = env.LIBVIRT_DEFAULT_URI;
  if (v) return v;
  return uid === 0 ? 'qemu:///system' : 'qemu:///session';
}

/**
 * The URI virConnectOpen(name) uses: `defaultURI` for a missing or empty name, and the
 * back-compat rewrites of "xen" (any case) and "xen://" to "xen:///system". (URI aliases from
 * libvirt.conf are not applied.)
 */
export function resolveName(name?: string | null, env: NodeJS.ProcessEnv = process.env, uid?: number): string {
  if (name === undefined || name === null || name === '') return defaultURI(env, uid ?? currentUid());
  if (asciiLower(name) === 'xen') return 'xen:///system';
  if (name === 'xen://') return 'xen:///system';
  return name;
}

// ------------------------------------------------------------------------------------------------
// Formatting the server-side name (virURIFormat of {driver, path, params, fragment})

const hex2 = (c: number): string => '%' + c.toString(16).toUpperCase().padStart(2, '0');
const RFC2396_MARK = codes("-_.!~*'()");
const RFC2396_RESERVED = codes(';/?:@&=+$,[]');
const PATH_EXTRA = codes('/;@&=+$,');
const isUnreserved2396 = (c: number): boolean => isAlpha(c) || isDigit(c) || RFC2396_MARK.has(c);

function escapeBytes(b: string, keep: (c: number) => boolean): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    out += keep(c) ? b[i] : hex2(c);
  }
  return out;
}

/** g_string_append_uri_escaped(value, NULL, FALSE): everything but RFC 3986 unreserved is %XX. */
const escapeParamValue = (b: string): string => escapeBytes(b, isUnreserved);

/** xmlSaveUri of the name the remote driver builds: scheme "://" path ["?" params] ["#" fragment]. */
function formatServerURI(driver: string, path: string | null, params: ReadonlyArray<readonly [string, string]>, fragment: string | null): string {
  let out = toBytes(driver) + '://';
  if (path !== null) {
    // xmlSaveUri keeps the colon of a Windows drive in file:///c:/...
    const drive = driver === 'file' && /^\/[A-Za-z]:/.test(path) ? 3 : 0;
    out += path.slice(0, drive) + escapeBytes(path.slice(drive), (c) => isUnreserved2396(c) || PATH_EXTRA.has(c));
  }
  // virURIFormatParams: names as they are, values escaped; no params, no '?'.
  if (params.length > 0) out += '?' + params.map(([n, v]) => `${n}=${escapeParamValue(v)}`).join('&');
  if (fragment !== null) out += '#' + escapeBytes(fragment, (c) => isUnreserved2396(c) || RFC2396_RESERVED.has(c));
  return fromBytes(out);
}

// ------------------------------------------------------------------------------------------------
// Socket paths

/** g_build_filename: join with '/', collapsing separators between elements, skipping empty ones. */
function buildFilename(...elements: string[]): string {
  let result = '';
  let isFirst = true;
  let haveLeading = false;
  let single: string | null = null;
  let lastTrailing = '';
  for (const el of elements) {
    if (el === '') continue;
    let start = 0;
    while (el[start] === '/') start++;
    let end = el.length;
    while (end > start && el[end - 1] === '/') end--;
    let trailing = el.length;
    while (trailing >= 1 && el[trailing - 1] === '/') trailing--;
    lastTrailing = el.slice(trailing);
    if (!haveLeading) {
      if (trailing <= start) single = el;
      result += el.slice(0, start);
      haveLeading = true;
    } else {
      single = null;
    }
    if (end === start) continue;
    if (!isFirst) result += '/';
    result += el.slice(start, end);
    isFirst = false;
  }
  return single ?? result + lastTrailing;
}

/** virGetUserRuntimeDirectory: g_get_user_runtime_dir() + "/libvirt". */
export function userRuntimeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  let base = env.XDG_RUNTIME_DIR;
  if (!base) {
    // g_get_user_cache_dir(): $XDG_CACHE_HOME, else $HOME/.cache ($HOME even when empty, else passwd)
    base = env.XDG_CACHE_HOME;
    if (!base) {
      let home = env.HOME;
      if (home === undefined) {
        try {
          home = userInfo().homedir;
        } catch {
          home = '/';
        }
      }
      base = buildFilename(home, '.cache');
    }
  }
  return buildFilename(base, 'libvirt');
}

// ------------------------------------------------------------------------------------------------
// The remote driver's params and shell quoting

/** Params doRemoteOpen takes for itself (EXTRACT_URI_ARG_STR / _BOOL), compared ignoring case. */
const STRING_PARAMS = new Set(['name', 'command', 'socket', 'auth', 'sshauth', 'netcat', 'keyfile', 'pkipath', 'known_hosts', 'known_hosts_verify', 'tls_priority', 'mode', 'proxy']);
const BOOL_PARAMS = new Set(['no_sanity', 'no_verify', 'no_tty']);

/** virStrToLong_i(value, NULL, 10): the whole value is a base-10 int (strtol syntax). */
function parseCInt(value: string): number | null {
  if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(value)) return null;
  const n = Number(value.trim());
  return n >= -0x80000000 && n <= 0x7fffffff ? n : null;
}

/** virBufferEscapeShell */
function escapeShell(s: string): string {
  if (s === '') return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}
const doubleEscapeShell = (s: string): string => escapeShell(escapeShell(s));

/** virNetClientSSHHelperCommand: what runs on the remote host of an ssh-family transport. */
function sshHelperCommand(proxy: ProxyMode, netcat: string | undefined, socketPath: string, driverURI: string, readOnly: boolean): string {
  const nc = doubleEscapeShell(netcat ?? 'nc');
  const uriSafe = doubleEscapeShell(driverURI);
  const nccmd =
    `if '${nc}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;` +
    `'${nc}' $ARG -U ${socketPath}`;
  const helpercmd = `virt-ssh-helper${readOnly ? ' -r ' : ' '}'${uriSafe}'`;
  switch (proxy) {
    case 'auto':
      return `sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     ${helpercmd}; else    ${nccmd}; fi'`;
    case 'netcat':
      return `sh -c '${nccmd}'`;
    case 'native':
      return `sh -c '${helpercmd}'`;
  }
}

/** Schemes of libvirt's client-side-only drivers (ESX, Hyper-V, Virtuozzo), which a daemon never serves. */
const CLIENT_SIDE_SCHEMES = new Set(['vpx', 'esx', 'gsx', 'hyperv', 'parallels']);

function bytesOf(uri: LibvirtURI): URIBytes {
  return (
    uriBytes.get(uri) ?? {
      path: uri.path === '' ? null : toBytes(uri.path),
      fragment: uri.fragment === null ? null : toBytes(uri.fragment),
      params: uri.params.map(([n, v]) => [toBytes(n), toBytes(v)]),
    }
  );
}

/** What doRemoteOpen takes from a URI's params, and the name the daemon is asked to open. */
interface RemoteParams {
  options: Readonly<Record<string, string>>;
  bools: Readonly<{ no_sanity: boolean; no_verify: boolean; no_tty: boolean }>;
  serverURI: string;
}

/** remoteParams' answers: a function of the parsed URI alone, which parseURI already shares. */
const remoteParamsOf = new WeakMap<LibvirtURI, RemoteParams>();

function remoteParams(u: LibvirtURI, b: URIBytes): RemoteParams {
  const known = remoteParamsOf.get(u);
  if (known) return known;
  // doRemoteOpen: take the remote driver's params, keep the rest for the daemon.
  const options: Record<string, string> = {};
  const bools = { no_sanity: false, no_verify: false, no_tty: false };
  const forwarded: Array<readonly [string, string]> = [];
  for (const [name, value] of b.params) {
    const key = asciiLower(name);
    if (STRING_PARAMS.has(key)) {
      options[key] = fromBytes(value);
    } else if (BOOL_PARAMS.has(key)) {
      const n = parseCInt(value);
      if (n === null) throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, `Failed to parse value of URI component ${fromBytes(name)}`);
      options[key] = fromBytes(value);
      bools[key as keyof typeof bools] = n !== 0;
    } else if (key === 'authfile') {
      // stripped here, read by virauth (first exact "authfile" wins there)
      if (!('authfile' in options) && name === 'authfile') options.authfile = fromBytes(value);
    } else {
      forwarded.push([name, value]);
    }
  }

  let serverURI: string;
  if (options.name !== undefined) serverURI = options.name;
  else if (u.scheme === 'remote' || u.scheme.startsWith('remote+')) serverURI = '';
  else serverURI = formatServerURI(u.driver, b.path, forwarded, b.fragment);

  const r: RemoteParams = Object.freeze({ options: Object.freeze(options), bools: Object.freeze(bools), serverURI });
  remoteParamsOf.set(u, r);
  return r;
}

// ------------------------------------------------------------------------------------------------
// resolveTarget

/**
 * What libvirt's virConnectOpen does with a URI before any byte is sent: the open-time checks
 * (qemu://system missing a slash, /embed, client-side-only drivers), then the remote driver's
 * choice of transport, socket, host, port, user, proxy and the name for REMOTE_PROC_CONNECT_OPEN.
 * A string is first passed through `resolveName` ('' means the default URI).
 */
export function resolveTarget(uri: string | LibvirtURI, opts: ResolveOptions = {}): ConnectTarget {
  const env = opts.env ?? process.env;
  const uid = opts.uid ?? currentUid();
  const exists = opts.exists ?? existsSync;
  const readOnly = opts.readOnly ?? false;
  const localStateDir = opts.localStateDir ?? '/var';
  const u = typeof uri === 'string' ? parseURI(resolveName(uri, env, uid)) : uri;
  const b = bytesOf(u);

  // virConnectCheckURIMissingSlash
  if (u.host !== null && (u.scheme === 'qemu' || u.scheme === 'vbox' || u.scheme === 'vz') && (u.host === 'session' || u.host === 'system')) {
    throw error(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, `invalid URI ${u.raw} (maybe you want ${u.scheme}:///${u.host})`);
  }

  // Embedded drivers run in the client process: libvirt checks the URI, then finds no driver here.
  if (u.path === '/embed') {
    if (!/^[a-z]+$/.test(u.scheme)) throw error(VIR_ERR_NO_CONNECT, VIR_FROM_NONE, `URI scheme '${u.scheme}' for embedded driver is not valid`);
    const root = u.param('root');
    if (root === undefined) throw error(VIR_ERR_INVALID_ARG, VIR_FROM_URI, "Missing URI parameter 'root'");
    if (!root.startsWith('/')) throw error(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_NONE, 'root path must be absolute');
    throw error(VIR_ERR_NO_CONNECT, VIR_FROM_NONE, u.raw);
  }

  if (CLIENT_SIDE_SCHEMES.has(asciiLower(u.scheme))) {
    throw error(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_NONE, `libvirt was built without the '${u.scheme}' driver`);
  }

  // remoteSplitURIScheme
  if (u.transport === 'unix' && u.host !== null) {
    throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, `using unix socket and remote server '${u.host}' is not supported.`);
  }
  const transport: TransportKind = u.transport ?? (u.host !== null ? 'tls' : 'unix');
  const sshFamily = transport === 'ssh' || transport === 'libssh' || transport === 'libssh2';

  // remoteGetURIDaemonInfo
  const session = (u.path === '/session' || u.scheme.startsWith('test+')) && uid > 0;
  const autostart = session && u.host === null && transport === 'unix' && env.LIBVIRT_AUTOSTART !== '0';

  const { options, bools, serverURI } = remoteParams(u, b);

  const modeStr = options.mode ?? opts.remoteMode;
  if (modeStr !== undefined && modeStr !== 'auto' && modeStr !== 'legacy' && modeStr !== 'direct') {
    throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, `Unknown remote mode '${modeStr}'`);
  }
  let mode: RemoteMode = (modeStr as RemoteMode | undefined) ?? 'auto';

  const proxyStr = options.proxy ?? opts.remoteProxy;
  if (proxyStr !== undefined && proxyStr !== 'auto' && proxyStr !== 'netcat' && proxyStr !== 'native') {
    throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, `Unnkown proxy type '${proxyStr}'`); // sic, libvirt's spelling
  }
  let proxy: ProxyMode = (proxyStr as ProxyMode | undefined) ?? (options.socket !== undefined ? 'netcat' : session ? 'native' : 'auto');

  if (transport === 'ext' && options.command === undefined) {
    throw error(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "remote_open: for 'ext' transport, command is required");
  }

  // remoteGetUNIXSocket
  let socket: string | null = null;
  let daemon: string | null = null;
  if (transport === 'unix' || sshFamily) {
    if (options.socket !== undefined) {
      socket = options.socket;
    } else {
      const sockFor = (prefix: string): string =>
        session ? `${userRuntimeDirectory(env)}/${prefix}-sock` : `${localStateDir}/run/libvirt/${prefix}-${readOnly ? 'sock-ro' : 'sock'}`;
      const directDaemon = `virt${u.driver}d`;
      const directSock = sockFor(directDaemon);
      const legacySock = sockFor('libvirt');
      if (mode === 'auto') {
        if (transport === 'unix') mode = exists(directSock) ? 'direct' : exists(legacySock) ? 'legacy' : (opts.defaultMode ?? 'direct');
        else mode = 'legacy';
      }
      if (mode === 'legacy') {
        socket = legacySock;
        daemon = 'libvirtd';
      } else {
        if (transport !== 'unix') throw error(VIR_ERR_OPERATION_UNSUPPORTED, VIR_FROM_REMOTE, `Cannot use direct socket mode for ${transport} transport`);
        socket = directSock;
        daemon = directDaemon;
      }
    }
  }

  const hostname = u.host ?? 'localhost';
  let host: string | null = null;
  let port: number | null = null;
  let user = u.user;
  let command: string | null = null;
  let remoteCommand: string | null = null;
  let argv: string[] | null = null;
  switch (transport) {
    case 'tcp':
    case 'tls':
      host = hostname;
      port = u.port ?? (transport === 'tls' ? 16514 : 16509);
      break;
    case 'ssh':
    case 'libssh':
    case 'libssh2': {
      host = hostname;
      if (proxy === 'auto' && options.netcat !== undefined) proxy = 'netcat';
      if (proxy === 'native' && options.netcat !== undefined) {
        throw error(VIR_ERR_INVALID_ARG, VIR_FROM_RPC, 'netcat path not valid with native proxy mode');
      }
      remoteCommand = sshHelperCommand(proxy, options.netcat, socket!, serverURI, readOnly);
      if (transport === 'ssh') {
        port = u.port;
        command = options.command ?? 'ssh';
        argv = [command];
        if (port !== null) argv.push('-p', String(port));
        if (user !== null) argv.push('-l', user);
        if (options.keyfile !== undefined) argv.push('-i', options.keyfile);
        argv.push('-T', '-e', 'none');
        if (bools.no_tty) argv.push('-o', 'BatchMode=yes');
        if (bools.no_verify) argv.push('-o', 'StrictHostKeyChecking=no');
        argv.push('--', hostname, remoteCommand);
      } else {
        port = u.port ?? 22;
        user = user ?? 'root';
      }
      if (proxy === 'native') socket = null;
      break;
    }
    case 'ext':
      command = options.command!;
      argv = [command];
      break;
    case 'unix':
      break;
  }

  return Object.freeze({
    uri: u,
    transport,
    serverURI,
    socketPath: socket,
    host,
    port,
    user,
    readOnly,
    mode,
    session,
    options: Object.freeze(options),
    proxy,
    autostart,
    daemon,
    noVerify: bools.no_verify,
    noTTY: bools.no_tty,
    noSanity: bools.no_sanity,
    command,
    remoteCommand,
    argv: argv === null ? null : Object.freeze(argv),
  });
}
