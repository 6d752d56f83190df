import { VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import { type LibvirtError, asLibvirtError, clientError, dispatchError } from '../errors/errors.js';
import { abortError } from '../rpc/engine.js';

/**
 * The end of the open sequence's patience: `timeout` ms (VIR_ERR_OPERATION_TIMEOUT) or the abort
 * of `signal` (VIR_ERR_OPERATION_ABORTED, `cause` = its reason), whichever comes first.
 */
export function openDeadline(uri: string, timeout: number, signal: AbortSignal | undefined) {
  let fail: (err: LibvirtError) => void = () => undefined;
  let error: LibvirtError | null = null;
  const listeners: ((err: LibvirtError) => void)[] = [];
  const failed = new Promise<never>((_resolve, reject) => {
    fail = (err) => {
      if (error) return;
      error = err;
      reject(err);
      for (const l of listeners) l(err);
    };
  });
  failed.catch(() => undefined);
  const started = performance.now();
  let timer: NodeJS.Timeout | null = null;
  const onAbort = (): void => fail(abortError(`opening ${uri}`, signal!));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    failed,
    get error(): LibvirtError | null {
      return error;
    },
    /**
     * Starts counting `timeout` (from the start of connect()). The transports that connect with a
     * timeout of their own (and a clearer message) are given the first part of it.
     */
    arm(): void {
      if (timer || error || !(timeout > 0 && Number.isFinite(timeout))) return;
      const left = Math.max(0, timeout - (performance.now() - started));
      timer = setTimeout(() => fail(clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `opening ${uri} timed out after ${timeout} ms`)), left);
    },
    /** The transport being opened, or the deadline's error first; one that arrives late is closed at once. */
    race<T extends { stream: { destroy(): void } }>(opening: Promise<T>): Promise<T> {
      opening.then((t) => error && t.stream.destroy(), () => undefined);
      return Promise.race([opening, failed]);
    },
    onFail(l: (err: LibvirtError) => void): void {
      if (error) l(error);
      else listeners.push(l);
    },
    clear(): void {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * How an open sequence (connect(), connectAdmin()) fails: `e` as a LibvirtError (of domain `from`
 * when it is not one yet), handed to the global error handler as virDispatchError does, and
 * returned for throwing.
 */
export function openFailure(e: unknown, from: number): LibvirtError {
  const err = asLibvirtError(e, from);
  dispatchError(err);
  return err;
}
