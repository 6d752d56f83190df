import type { Duplex } from 'node:stream';

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
