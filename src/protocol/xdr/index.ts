export { XdrError } from './error.js';
export { XdrReader } from './reader.js';
export { XdrWriter } from './writer.js';

/** A specialized encode/decode pair for one XDR type; the generator emits one per type. */
export interface Codec<T> {
  readonly name: string;
  encode(w: import('./writer.js').XdrWriter, v: T): void;
  decode(r: import('./reader.js').XdrReader): T;
}
