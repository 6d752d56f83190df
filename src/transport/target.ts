/**
 * What a transport is told to reach: a libvirt URI already parsed and resolved (src/uri does that)
 * into the transport, host, port, user, sockets and the remote driver's own URI options.
 */

export type TransportKind = 'unix' | 'tcp' | 'tls' | 'ssh' | 'libssh' | 'libssh2' | 'ext';
export type RemoteMode = 'auto' | 'legacy' | 'direct';
export type ProxyMode = 'auto' | 'netcat' | 'native';

/** A parsed URI, faithful to the text (virURIParse). */
export interface LibvirtURI {
  /** The text that was parsed. */
  readonly raw: string;
  /** The whole scheme, e.g. 'qemu+ssh'. */
  readonly scheme: string;
  /** The scheme up to the first '+', e.g. 'qemu' (remoteSplitURIScheme's driver). */
  readonly driver: string;
  /** The transport after the '+', lower-cased as libvirt does; null when the scheme has none. */
  readonly transport: TransportKind | null;
  /** The %-decoded userinfo before '@' (including any ':password'), or null. */
  readonly user: string | null;
  /** The %-decoded host, without the brackets of an IPv6 literal; null when empty or absent. */
  readonly host: string | null;
  /** The port; null when absent, 0, or when there is no host (libvirt ignores it then). */
  readonly port: number | null;
  /** The %-decoded path, '' when there is none (libvirt turns a NULL path into ""). */
  readonly path: string;
  /** The query exactly as written (no '?'), or null when there is no '?'. */
  readonly query: string | null;
  /** The %-decoded fragment (after '#'), or null. */
  readonly fragment: string | null;
  /** The query params, %-decoded ('+' stays '+'), in order, duplicates kept. */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /**
   * virURIGetParam: the value of the *first* param with exactly this name (case-sensitive), or
   * undefined. Note the remote driver reads its own params differently: names compared ignoring
   * case and the last occurrence wins (see ConnectTarget.options).
   */
  param(name: string): string | undefined;
}

/** What the remote driver connects to for a URI, and what it asks the daemon to open. */
export interface ConnectTarget {
  readonly uri: LibvirtURI;
  /** Effective transport: as written, else tls when there is a host, else unix. */
  readonly transport: TransportKind;
  /**
   * The name sent in REMOTE_PROC_CONNECT_OPEN: `?name=` when given; '' for the 'remote' /
   * 'remote+...' schemes (the daemon then picks its default, as libvirt sends ""); otherwise
   * `driver://` + path + the params the client did not consume + fragment (user, host and port dropped).
   */
  readonly serverURI: string;
  /**
   * unix: the local socket. ssh/libssh/libssh2: the socket on the remote host that the netcat
   * fallback connects to; null when the proxy is 'native' (virt-ssh-helper finds the socket itself).
   * tcp/tls/ext: null.
   */
  readonly socketPath: string | null;
  /** For tcp/tls/ssh/libssh/libssh2, the host (default 'localhost'); null for unix/ext. */
  readonly host: string | null;
  /** tcp 16509 and tls 16514 by default, libssh/libssh2 22; ssh: the URI's port or null (use ssh config); null for unix/ext. */
  readonly port: number | null;
  /** The URI's user; libssh/libssh2 default to 'root' as libvirt does. */
  readonly user: string | null;
  readonly readOnly: boolean;
  /**
   * The socket mode after `auto` is resolved (direct or legacy) for transports that use a default
   * socket; as requested (default 'auto') when `?socket=` is given or the transport has no socket.
   */
  readonly mode: RemoteMode;
  /**
   * libvirt's REMOTE_DRIVER_OPEN_USER: the per-user (session) daemon, used for a '/session' path
   * or a 'test+...' scheme, and only when not running as root.
   */
  readonly session: boolean;
  /** The params the remote driver consumes (names lower-cased; the last occurrence wins), raw values. */
  readonly options: Readonly<Record<string, string>>;

  // Additions beyond the brief's contract.
  /** For ssh/libssh/libssh2: how the remote end reaches the daemon (auto: virt-ssh-helper, else netcat). */
  readonly proxy: ProxyMode;
  /** REMOTE_DRIVER_OPEN_AUTOSTART: libvirt would spawn the session daemon if its socket is missing. */
  readonly autostart: boolean;
  /** The daemon whose default socket was chosen ('libvirtd', 'virtqemud', ...); null when ?socket= or no socket. */
  readonly daemon: string | null;
  /** `no_verify`: tls skips server certificate checks; ssh adds StrictHostKeyChecking=no. */
  readonly noVerify: boolean;
  /** `no_tty`: ssh runs with BatchMode=yes. */
  readonly noTTY: boolean;
  /** `no_sanity`: tls skips the sanity checks of the local certificates. */
  readonly noSanity: boolean;
  /** ssh: the ssh binary (`command`, default 'ssh'); ext: the command; otherwise null. */
  readonly command: string | null;
  /** ssh/libssh/libssh2: the shell command run on the remote host (virNetClientSSHHelperCommand). */
  readonly remoteCommand: string | null;
  /** ssh: the full argv libvirt spawns (virNetSocketNewConnectSSH); ext: [command]; otherwise null. */
  readonly argv: readonly string[] | null;
}
