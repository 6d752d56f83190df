// Why a registry: a handle names its Connection (`dom.connection`), a generated method the Domain
// it returns, the session the factory of handles, while the modules defining those classes import
// the handles. Rather than import upward (a cycle of type imports), a lower module names such a
// class through ApiTypes, an interface declared empty here that each defining module completes by
// module augmentation (`declare module './api-types.js' { interface ApiTypes { Connection:
// Connection } }`). Imports then run one way, and a user still sees the full class: `dom.connection`
// is a Connection, not a narrower interface. A lower module writes a local alias marked `@inline`
// (`type Connection = ApiTypes['Connection']`), so the docs show and link the class itself.

/**
 * The classes of src/api (and the internal types its lower modules name) by name, each entry added
 * by the module that defines it.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- completed by module augmentation
export interface ApiTypes {}
