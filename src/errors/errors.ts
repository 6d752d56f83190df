import { enumNames } from '../util/enum-names.js';
import { getLogger, outputsConfigured } from '../util/log.js';
import {
  VIR_ERR_ERROR,
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_WARNING,
  VIR_FROM_NONE,
  virErrorDomain,
  virErrorLevel,
  virErrorNumber,
} from '../apixml/generated/constants.js';

/** The fields of libvirt's virError. */
export interface VirErrorFields {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
}

const CODE_NAMES = enumNames(virErrorNumber);
const DOMAIN_NAMES = enumNames(virErrorDomain);
const LEVEL_NAMES = enumNames(virErrorLevel);

/**
 * A libvirt failure, from the daemon or raised on the client side, with every virError field and
 * their symbolic names (`codeName` VIR_ERR_NO_DOMAIN, `domainName` VIR_FROM_QEMU, ...).
 */
export class LibvirtError extends Error implements VirErrorFields {
  override readonly name: string = 'LibvirtError';
  readonly code: number;
  readonly domain: number;
  readonly level: number;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;

  constructor(fields: Partial<VirErrorFields> & { code: number; domain?: number; message: string | null }, options?: { cause?: unknown }) {
    super(fields.message ?? `${CODE_NAMES.get(fields.code) ?? 'unknown error'} (${fields.code})`, options);
    this.code = fields.code;
    this.domain = fields.domain ?? VIR_FROM_NONE;
    this.level = fields.level ?? VIR_ERR_ERROR;
    this.str1 = fields.str1 ?? null;
    this.str2 = fields.str2 ?? null;
    this.str3 = fields.str3 ?? null;
    this.int1 = fields.int1 ?? 0;
    this.int2 = fields.int2 ?? 0;
  }

  get codeName(): string {
    return CODE_NAMES.get(this.code) ?? `VIR_ERR_${this.code}`;
  }

  get domainName(): string {
    return DOMAIN_NAMES.get(this.domain) ?? `VIR_FROM_${this.domain}`;
  }

  get levelName(): string {
    return LEVEL_NAMES.get(this.level) ?? `VIR_ERR_LEVEL_${this.level}`;
  }

  /** The virError fields as a plain object (what virCopyLastError fills in). */
  toJSON(): VirErrorFields & { codeName: string; domainName: string; levelName: string } {
    return {
      code: this.code,
      domain: this.domain,
      message: this.message,
      level: this.level,
      str1: this.str1,
      str2: this.str2,
      str3: this.str3,
      int1: this.int1,
      int2: this.int2,
      codeName: this.codeName,
      domainName: this.domainName,
      levelName: this.levelName,
    };
  }
}

/** An error raised on the client side, with libvirt's own code and domain for the same failure. */
export function clientError(code: number, domain: number, message: string, cause?: unknown): LibvirtError {
  return new LibvirtError({ code, domain, message, level: VIR_ERR_ERROR }, cause === undefined ? undefined : { cause });
}

/** Any thrown value as a LibvirtError (a non-libvirt exception becomes VIR_ERR_INTERNAL_ERROR). */
export function asLibvirtError(e: unknown, domain: number = VIR_FROM_NONE): LibvirtError {
  if (e instanceof LibvirtError) return e;
  return clientError(VIR_ERR_INTERNAL_ERROR, domain, e instanceof Error ? e.message : String(e), e);
}

/** virErrorFunc: called with every error a public call raises. */
export type ErrorHandler = (err: LibvirtError, userData: unknown) => void;

/** Where errors are recorded and handled: libvirt's per-connection state (conn->err, conn->handler). */
export class ErrorScope {
  lastError: LibvirtError | null = null;
  handler: ErrorHandler | null = null;
  userData: unknown = undefined;
}

const globalScope = new ErrorScope();
/** libvirt's category for raised errors (virerror.c's VIR_LOG_INIT("util.error")). */
const errorLog = getLogger('util.error');

/** virSetErrorFunc: the process-wide handler, used when a connection has none. null restores the default. */
export function setErrorFunc(handler: ErrorHandler | null, userData?: unknown): void {
  globalScope.handler = handler;
  globalScope.userData = userData;
}

/** virGetLastError: the last error raised by any call in this process, or null. */
export function getLastError(): LibvirtError | null {
  return globalScope.lastError;
}

/** virCopyLastError: a copy of the last error's fields, or null. */
export function copyLastError(): VirErrorFields | null {
  return globalScope.lastError ? globalScope.lastError.toJSON() : null;
}

/**
 * virSaveLastError: a copy of the last error raised in this process (null if none), which later
 * calls do not change.
 */
export function saveLastError(): LibvirtError | null {
  const e = globalScope.lastError;
  return e ? new LibvirtError(e.toJSON(), e.cause === undefined ? undefined : { cause: e.cause }) : null;
}

/** virResetLastError */
export function resetLastError(): void {
  globalScope.lastError = null;
}

/**
 * The default handler (no handler set anywhere). libvirt's C default prints every error to stderr;
 * like libvirt-python we stay quiet, since the error already reaches the caller as a rejection.
 * Install `printErrorFunc` to get the C behaviour.
 */
export function printErrorFunc(err: LibvirtError): void {
  const dom = err.domainName.replace(/^VIR_FROM_/, '').toLowerCase();
  process.stderr.write(`libvirt: ${dom} error : ${err.message}\n`);
}

/**
 * virDispatchError: record the error as the last one (globally and on the connection) and call
 * the connection's handler, else the global handler, else the default. A throwing handler is
 * ignored, as a C handler cannot unwind libvirt.
 */
export function dispatchError(err: LibvirtError, scope?: ErrorScope): void {
  globalScope.lastError = err;
  if (scope) scope.lastError = err;
  // As virRaiseErrorLog: to the log outputs when some are configured (the C client's
  // `error : ... : Domain not found` lines), never to the stderr fallback.
  if (outputsConfigured()) {
    if (err.level === VIR_ERR_WARNING) errorLog.warn(err.message);
    else errorLog.error(err.message);
  }
  const h = scope?.handler ? scope : globalScope.handler ? globalScope : null;
  if (!h || !h.handler) return;
  try {
    h.handler(err, h.userData);
  } catch {
    // ignored: see above
  }
}
