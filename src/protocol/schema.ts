/**
 * A data description of every generated XDR type (src/protocol/generated/schema.ts). The codecs do
 * not use it (they are straight-line code); tests use it to build random values for every type and
 * the same types in an independent XDR implementation.
 */
export type SchemaPrim = 'int' | 'uint' | 'hyper' | 'uhyper' | 'float' | 'double' | 'bool' | 'char' | 'uchar' | 'short' | 'ushort';

export type SchemaShape = (
  | { k: 'prim'; prim: SchemaPrim }
  | { k: 'string'; max: number }
  | { k: 'fopaque'; n: number }
  | { k: 'vopaque'; max: number }
  | { k: 'farray'; n: number; of: SchemaShape }
  | { k: 'varray'; max: number; of: SchemaShape }
  | { k: 'optional'; of: SchemaShape }
  | { k: 'struct' | 'union' | 'enum'; name: string }
  | { k: 'void' }
) & { alias?: string };

export type SchemaType =
  | { kind: 'enum'; module: string; members: readonly (readonly [string, number])[] }
  | { kind: 'typedef'; module: string; shape: SchemaShape }
  | { kind: 'struct'; module: string; fields: readonly { name: string; shape: SchemaShape }[] }
  | {
      kind: 'union';
      module: string;
      disc: { name: string; shape: SchemaShape };
      arms: readonly { cases: readonly number[]; name: string | null; shape: SchemaShape }[];
      default: { name: string | null; shape: SchemaShape } | null;
    };
