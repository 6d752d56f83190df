// The event families, in one table: which handle class a family's objects are, the identity
// per-object filters compare, and how a wire value becomes a handle. Registration (connection.ts),
// decoding (event-decode.ts) and the reconnecting helper (reconnect.ts) all read it.
import type {
  remote_nonnull_domain,
  remote_nonnull_network,
  remote_nonnull_node_device,
  remote_nonnull_secret,
  remote_nonnull_storage_pool,
} from '../../protocol/generated/remote.js';
import { Domain, Network, NodeDevice, type ObjectFactory, Secret, StoragePool } from '../objects.js';
import { uuidToString } from '../uuid.js';
import type { EventFamily, EventObject } from './stream-methods.js';


interface Family<H extends EventObject, W> {
  /** The handle class of the family's objects. */
  readonly handle: abstract new (...args: never[]) => H;
  /** The identity a per-object filter compares, read from the wire value. */
  readonly key: (wire: W) => string;
  /** The handle of a wire value on a connection. */
  readonly wrap: (w: ObjectFactory, wire: W) => H;
}

const domain: Family<Domain, remote_nonnull_domain> = { handle: Domain, key: (d) => uuidToString(d.uuid), wrap: (w, d) => w.domain(d) };

export const FAMILIES: {
  readonly domain: Family<Domain, remote_nonnull_domain>;
  readonly qemu: Family<Domain, remote_nonnull_domain>;
  readonly network: Family<Network, remote_nonnull_network>;
  readonly storagePool: Family<StoragePool, remote_nonnull_storage_pool>;
  readonly nodeDevice: Family<NodeDevice, remote_nonnull_node_device>;
  readonly secret: Family<Secret, remote_nonnull_secret>;
} = {
  domain,
  qemu: domain,
  network: { handle: Network, key: (n) => uuidToString(n.uuid), wrap: (w, n) => w.network(n) },
  storagePool: { handle: StoragePool, key: (p) => uuidToString(p.uuid), wrap: (w, p) => w.storagePool(p) },
  nodeDevice: { handle: NodeDevice, key: (d) => d.name, wrap: (w, d) => w.nodeDevice(d) },
  secret: { handle: Secret, key: (s) => uuidToString(s.uuid), wrap: (w, s) => w.secret(s) },
};

/** The family's view of an object: its wire value and filter key; null when it is not of the family's class. */
export function familyObject(family: EventFamily, obj: EventObject): { wire: EventObject['wire']; key: string } | null {
  const f = FAMILIES[family] as Family<EventObject, EventObject['wire']>;
  if (!(obj instanceof f.handle)) return null;
  return { wire: obj.wire, key: f.key(obj.wire) };
}

/** The same object as a handle of another connection (its object factory). */
export function rewrapObject(family: EventFamily, w: ObjectFactory, obj: EventObject): EventObject | null {
  const f = FAMILIES[family] as Family<EventObject, EventObject['wire']>;
  return obj instanceof f.handle ? f.wrap(w, obj.wire) : null;
}
