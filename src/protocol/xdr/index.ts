export { XdrError } from './error.js';
export { XdrReader } from './reader.js';
export { XdrWriter } from './writer.js';

/** A specialized encode/decode pair for one XDR type; the generator emits one per type. */
export interface Codec<T> {
  readonly name: string;
  encode(w: import('./writer.js').XdrWriter, v: T): void;
  decode(r: import('./reader.js').XdrReader): T;
  /**
   * The same decoding as a generator that yields between batches of array elements (every 256),
   * so a large value can be decoded a slice at a time. Present on types that hold arrays.
   */
  decodeSliced?(r: import('./reader.js').XdrReader): Generator<void, T, void>;
}
