import type { remote_nonnull_domain } from '../protocol/generated/remote.js';
import type { Connection } from './connection.js';
import { uuidToString } from './uuid.js';

/** A domain (virDomainPtr): its connection and identity. */
export class Domain {
  private constructor(
    readonly connection: Connection,
    readonly name: string,
    readonly uuid: string,
    readonly id: number,
    /** The identity as the protocol carries it (for calls). */
    readonly wire: remote_nonnull_domain,
  ) {}

  static fromWire(conn: Connection, d: remote_nonnull_domain): Domain {
    return new Domain(conn, d.name, uuidToString(d.uuid), d.id, d);
  }

  toString(): string {
    return `Domain(${this.name}, ${this.uuid}, id=${this.id})`;
  }
}
