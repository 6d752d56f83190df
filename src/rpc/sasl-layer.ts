/**
 * Where a SASL security layer goes: between the RPC engine and the transport's bytes. After an
 * exchange that negotiated one (DIGEST-MD5 auth-int/auth-conf over plain TCP), every byte in both
 * directions is framed by it, starting right after the daemon's final SASL reply (libvirtd sends
 * that reply in the clear, then switches).
 *
 * `SaslTransport` wraps a transport before the engine is built on it: for a transport that is
 * already secure (unix, TLS, SSH) it hands the same stream through untouched (libvirt negotiates no
 * layer there); otherwise its stream is a `SaslLayerStream`, which passes bytes through until a
 * layer is installed. It also reports what libvirt's client reports once SASL has run:
 * isEncrypted is true with any SASL session (virNetClientIsEncrypted), isSecure once the layer's
 * SSF is at least 56.
 */
import { Duplex } from 'node:stream';
import { clientError } from '../errors/errors.js';
import type { SecurityLayer } from './sasl-digest.js';
import { VIR_ERR_AUTH_FAILED, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import type { Transport } from '../transport/transport.js';

/** A Duplex over another one that applies a SASL security layer once one is installed. */
export class SaslLayerStream extends Duplex {
  private layer: SecurityLayer | null = null;

  constructor(readonly inner: Duplex) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => {
      let out: Buffer[];
      try {
        out = this.layer ? this.layer.decode(chunk) : [chunk];
      } catch (e) {
        this.destroy(clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_RPC, `failed to decode SASL data: ${(e as Error).message}`, e));
        return;
      }
      let more = true;
      for (const b of out) if (b.length) more = this.push(b) && more;
      if (!more) inner.pause();
    });
    inner.once('end', () => this.push(null));
    inner.once('error', (e: Error) => this.destroy(e));
    inner.once('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** Frames every byte from now on (both directions). */
  install(layer: SecurityLayer): void {
    this.layer = layer;
  }

  get installed(): boolean {
    return this.layer !== null;
  }

  override _read(): void {
    this.inner.resume();
  }

  private send(data: Buffer, cb: (e?: Error | null) => void): void {
    let wire: Buffer;
    try {
      wire = this.layer ? this.layer.encode(data) : data;
    } catch (e) {
      cb(e as Error);
      return;
    }
    // Acknowledge at once unless the socket wants to drain: waiting for each write's completion
    // would serialize pipelined calls.
    if (this.inner.write(wire)) cb();
    else this.inner.once('drain', () => cb());
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.send(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.inner.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.inner.destroy();
    cb(err);
  }
}

/** What a finished SASL exchange left on a transport. */
export interface SaslSessionInfo {
  readonly mechanism: string;
  /** The layer's SSF (0: no layer). */
  readonly ssf: number;
}

/** A transport ready for SASL (see the module comment); build the RPC engine on its stream. */
export class SaslTransport implements Transport {
  readonly stream: Duplex;
  private sessionInfo: SaslSessionInfo | null = null;

  constructor(readonly inner: Transport) {
    this.stream = inner.secure ? inner.stream : new SaslLayerStream(inner.stream);
  }

  get description(): string {
    return this.inner.description;
  }

  /** virNetClientIsEncrypted: the transport encrypts, or a SASL session is set. */
  get encrypted(): boolean {
    return this.inner.encrypted || this.sessionInfo !== null;
  }

  /** The remote driver's is_secure: the transport is, or SASL negotiated an SSF of 56 or more. */
  get secure(): boolean {
    return this.inner.secure || (this.sessionInfo?.ssf ?? 0) >= 56;
  }

  /** The SASL session (null before authentication or without SASL). */
  get sasl(): SaslSessionInfo | null {
    return this.sessionInfo;
  }

  /** Whether a security layer could be installed (the transport is not secure and was wrapped). */
  get canLayer(): boolean {
    return this.stream instanceof SaslLayerStream;
  }

  /**
   * @internal called by authenticateSasl once the exchange is complete (`layer` null when there is
   * none or it was installed elsewhere, e.g. in the RPC engine).
   */
  _setSession(info: SaslSessionInfo, layer: SecurityLayer | null): void {
    if (layer) {
      if (!(this.stream instanceof SaslLayerStream)) throw new Error('no place for a SASL security layer on this transport');
      this.stream.install(layer);
    }
    this.sessionInfo = info;
  }
}
