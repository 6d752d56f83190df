import { inspect } from 'node:util';

/**
 * What every object handle shares (Domain, Network, StorageVol, ...): its connection, an identity
 * that equals() compares, and `Kind(part, ...)` as its printed form. The generated method classes
 * extend it; each handle class says what its identity and printed parts are.
 */
export abstract class Handle {
  abstract readonly connection: object;
  /** What identifies the object on its connection (a UUID, a name, a key). */
  protected abstract identityKey(): string;
  /** What toString() shows between the parentheses. */
  protected abstract displayParts(): readonly (string | number)[];

  /** The same object (same class, same identity) on the same connection. */
  equals(other: unknown): boolean {
    return other instanceof Handle && other.constructor === this.constructor && other.connection === this.connection && other.identityKey() === this.identityKey();
  }

  toString(): string {
    return `${this.constructor.name}(${this.displayParts().join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * What generated methods call to return handles: for each class in `classes`, a function from a
 * wire identity to that class's handle on a connection. The functions are built once, on a
 * prototype; each connection gets one small object (`make(conn)`), not a closure per class.
 */
export function handleFactory<C, T extends Record<string, new (conn: C, wire: never) => Handle>>(classes: T): (conn: C) => { readonly [K in keyof T]: (wire: ConstructorParameters<T[K]>[1]) => InstanceType<T[K]> } {
  class Factory {
    constructor(readonly conn: C) {}
  }
  for (const [name, cls] of Object.entries(classes)) {
    Object.defineProperty(Factory.prototype, name, {
      value: function (this: Factory, wire: never): Handle {
        return new cls(this.conn, wire);
      },
    });
  }
  return (conn) => new Factory(conn) as unknown as { readonly [K in keyof T]: (wire: ConstructorParameters<T[K]>[1]) => InstanceType<T[K]> };
}
