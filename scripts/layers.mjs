// The layers of src/, bottom first: a folder imports only from its own layer and the ones below
// (eslint.config.js turns this into a rule; scripts/check-imports.mjs finds cycles).
// src/index.ts, the package's entry, may import any of them.
export const LAYERS = [
  ['apixml', "what libvirt's API XML declares, generated: every constant, the typed-parameter field types, the C documentation"],
  ['util', 'small helpers every layer may use: logging as libvirt logs, strerror texts, enum names, file checks, the credentials callback and auth.conf'],
  ['errors', 'LibvirtError, client-side errors with libvirt codes, the error handlers and last-error scopes'],
  ['protocol', 'bytes <-> typed messages, no I/O: the XDR reader/writer, the generated codecs and procedure tables, packet framing'],
  ['transport', 'byte streams to libvirtd from plain options (unix, tcp, tls, ssh, ext), and the recorder and replayer of conversations'],
  ['rpc', 'one conversation over one byte stream: the call engine, keepalive, the close callback slot, SASL and its security layer'],
  ['uri', 'libvirt URIs, parsed as libvirt parses them, resolved to what a transport is told to reach'],
  ['api', 'connect(), Connection and the object handles with their generated methods, typed parameters, streams, migration, events'],
  ['admin', "connectAdmin(), AdminConnection, AdminServer and AdminClient with their generated methods: libvirt's admin program on a daemon's admin socket"],
];
/** Folders outside the stack: they import nothing else from src/. */
export const STANDALONE = ['xml'];
/**
 * The command-line programs (virsh-rpc, virt-admin-rpc): built on the package's public entry
 * points only (those package.json exports: src/index.ts, src/xml/index.ts, src/xml/tree.ts), as any
 * user of the library would be.
 */
export const PROGRAMS = ['cli'];
