import type { Duplex } from 'node:stream';
import type { LibvirtError } from '../errors/errors.js';

/**
 * A byte stream to libvirtd. Every transport (unix, tcp, tls, ssh, ext, replay) gives the same
 * thing: a Duplex carrying the protocol's bytes, and what libvirt's client knows about it.
 */
export interface Transport {
  readonly stream: Duplex;
  /** e.g. `unix:/run/libvirt/libvirt-sock`, `tcp:127.0.0.1:16509` */
  readonly description: string;
  /** virNetClientIsEncrypted: TLS (or a SASL security layer). */
  readonly encrypted: boolean;
  /** The remote driver's is_secure: unix sockets, TLS and SSH. */
  readonly secure: boolean;
}

/**
 * What a transport's stream fails with when it ends with libvirt's own account of why (a remote
 * command's stderr and exit code at end of file): the connection then closes with reason EOF and
 * `error` is what pending calls reject with.
 */
export class TransportEndOfFile extends Error {
  constructor(readonly error: LibvirtError) {
    super(error.message, { cause: error });
  }
}
