// The admin layer's classes by name, for the modules below the one that defines each: as
// src/api/api-types.ts, whose comment says why this is a registry completed by module augmentation.

/**
 * The classes of src/admin by name, each entry added by the module that defines it.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- completed by module augmentation
export interface AdminTypes {}
