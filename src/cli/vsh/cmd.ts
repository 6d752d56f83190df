// What a command of a virsh-like shell is (tools/vsh.h: option and command definitions, groups),
// a parsed command, and the typed reading of its options (vshCommandOpt*): numbers read as virsh
// reads them, with virsh's error messages.

import { INT_MAX, ScaleError, scaleInteger, strToSigned, strToUnsigned, strtou } from './numbers.js';

/** vshCmdOptType. */
export type OptType =
  /** an optional switch, --name */
  | 'bool'
  /** --name <string>, or positional unless `requireOpt` */
  | 'string'
  /** --name <number>, or positional unless `requireOpt` */
  | 'int'
  /** a positional string (also --name <string>) */
  | 'data'
  /** every remaining argument */
  | 'argv'
  /** another spelling of a later option: `help` names it ("name" or "name=value" for a switch) */
  | 'alias';

export interface OptDef {
  name: string;
  type: OptType;
  /** VSH_OFLAG_REQ: the command requires it. */
  required?: boolean;
  /** VSH_OFLAG_EMPTY_OK: an empty string is a value. */
  emptyOk?: boolean;
  /** VSH_OFLAG_REQ_OPT: only as --name value, never positional. */
  requireOpt?: boolean;
  /** The help text; for an alias, the option it stands for. */
  help: string;
  /** The completer of the option's values, by its C name (virshDomainNameCompleter...). */
  completer?: string;
  /** The completer's flags, by their C names (VIR_CONNECT_LIST_DOMAINS_ACTIVE...). */
  completerFlags?: readonly string[];
  /** Ours, not virsh's (as --json): accepted, but neither shown by help nor offered for completion. */
  hidden?: boolean;
}

/** The handler of a command: true when it succeeded (virsh's bool). */
export type Handler<C> = (ctl: C, cmd: Cmd) => boolean | Promise<boolean>;

export interface CmdDef<C> {
  name: string;
  /** info "help": the one-line summary. */
  help: string;
  /** info "desc": the longer description ('' for none). */
  desc: string;
  opts?: readonly OptDef[];
  /** VSH_CMD_FLAG_NOCONNECT: runs without a connection. */
  noConnect?: boolean;
  /** VSH_CMD_FLAG_HIDDEN: not listed by help. */
  hidden?: boolean;
  /** VSH_CMD_FLAG_ALIAS: another name of the command named here. */
  alias?: string;
  // A method, so that a table of one shell's commands is a table of the base shell's (bivariance).
  handler?(ctl: C, cmd: Cmd): boolean | Promise<boolean>;
  /**
   * Why this client cannot run the command (file descriptor passing over the remote protocol, an
   * API the remote driver lacks). The command is parsed and listed as virsh does, and says so.
   */
  unsupported?: string;
}

export interface CmdGroup<C> {
  /** The group's title, as "Domain Management". */
  name: string;
  /** The help keyword, as "domain". */
  keyword: string;
  commands: readonly CmdDef<C>[];
}

/** The implicit --help option every command takes. */
export const HELP_OPT: OptDef = { name: 'help', type: 'bool', help: 'print help for this function' };

/**
 * A mistake in a command's options found while the command runs (vshError then return false in
 * virsh). The shell prints `error: <message>`, then `libvirtError` if set, as vshReportError does.
 */
export class VshError extends Error {
  readonly libvirtError?: string;
  /** The command fails without a message of its own (virsh's bare `return false`). */
  readonly silent: boolean;
  constructor(message: string, options: { libvirtError?: string; silent?: boolean } = {}) {
    super(message);
    this.name = 'VshError';
    this.libvirtError = options.libvirtError;
    this.silent = options.silent ?? false;
  }
}

export interface CmdOpt {
  def: OptDef;
  /** The value; null for a switch. */
  data: string | null;
}

const malformed = (data: string, name: string): VshError => new VshError(`Numeric value '${data}' for <${name}> option is malformed or out of range`);

export class Cmd {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly def: CmdDef<any>,
    readonly opts: CmdOpt[],
  ) {}

  get name(): string {
    return this.def.name;
  }

  /** vshCommandOpt: the option as given, or undefined. */
  private find(name: string): CmdOpt | undefined {
    return this.opts.find((o) => o.def.name === name);
  }

  /** vshCommandOptBool: whether the option (of any type) was given. */
  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** The OR of the flags whose option is given: the `if (vshCommandOptBool(cmd, "x")) flags |= X;` runs of virsh. */
  flags(table: readonly (readonly [option: string, flag: number])[]): number {
    let flags = 0;
    for (const [option, flag] of table) if (this.has(option)) flags |= flag;
    return flags;
  }

  /** vshCommandOptStringReq: the string, undefined when absent; an empty one is an error unless allowed. */
  string(name: string): string | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    if (o.data === '' && !o.def.emptyOk) throw new VshError(`Failed to get option '${name}': Option argument is empty`);
    return o.data ?? undefined;
  }

  /**
   * vshCommandOptStringQuiet where virsh's caller gives up on its -1: the string, undefined when
   * absent; an empty string (not allowed empty) fails the command without a message.
   */
  stringQuietReq(name: string): string | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    if (o.data === '' && !o.def.emptyOk) throw new VshError('', { silent: true });
    return o.data ?? undefined;
  }

  /** vshCommandOptStringQuiet: the string, or undefined when absent or empty (and not allowed empty). */
  stringQuiet(name: string): string | undefined {
    const o = this.find(name);
    if (!o || (o.data === '' && !o.def.emptyOk)) return undefined;
    return o.data ?? undefined;
  }

  /** vshCommandOptInt. */
  int(name: string): number | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    const r = strToSigned(o.data!, 32);
    if (!r) throw malformed(o.data!, name);
    return Number(r.value);
  }

  /** vshCommandOptUInt (wrap false: a negative number is an error) / vshCommandOptUIntWrap. */
  uint(name: string, wrap = false): number | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    const r = strToUnsigned(o.data!, 32, wrap);
    if (!r) throw malformed(o.data!, name);
    return Number(r.value);
  }

  /** vshCommandOptUL / vshCommandOptULWrap (unsigned long: 64 bits here). */
  ulong(name: string, wrap = false): bigint | undefined {
    return this.ulonglong(name, wrap);
  }

  /** vshCommandOptLongLong. */
  longlong(name: string): bigint | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    const r = strToSigned(o.data!, 64);
    if (!r) throw malformed(o.data!, name);
    return r.value;
  }

  /** vshCommandOptULongLong / vshCommandOptULongLongWrap. */
  ulonglong(name: string, wrap = false): bigint | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    const r = strToUnsigned(o.data!, 64, wrap);
    if (!r) throw malformed(o.data!, name);
    return r.value;
  }

  /** vshCommandOptScaledInt: a number with an optional unit suffix, `scale` when it has none. */
  scaled(name: string, scale: bigint | number, max: bigint): bigint | undefined {
    const o = this.find(name);
    if (!o) return undefined;
    return scaledValue(o.data!, `<${name}>`, BigInt(scale), max);
  }

  /** vshCommandOptArgv: every value of the argv option, in order. */
  argv(): string[] {
    return this.opts.filter((o) => o.def.type === 'argv').map((o) => o.data!);
  }

  /** vshCommandOptTimeoutToMs: --timeout in seconds, as milliseconds. */
  timeoutMs(): number | undefined {
    const t = this.uint('timeout');
    if (t === undefined) return undefined;
    if (t === 0 || BigInt(t) > INT_MAX / 1000n) throw malformed(String(t), 'timeout');
    return t * 1000;
  }

  /** VSH_EXCLUSIVE_OPTIONS(a, b). */
  exclusive(a: string, b: string): void {
    exclusive(a, this.has(a), b, this.has(b));
  }

  /** --json (ours) prints a command's table or fields: not with the options that print something else. */
  jsonExcludes(...names: string[]): void {
    for (const n of names) this.exclusive('json', n);
  }

  /** VSH_REQUIRE_OPTION(a, b): b is required by a. */
  requires(a: string, b: string): void {
    requires(a, this.has(a), b, this.has(b));
  }

  /** VSH_ALTERNATIVE_OPTIONS(a, b): exactly one of them. */
  alternative(a: string, b: string): void {
    alternative(a, this.has(a), b, this.has(b));
  }
}

/** A scaled number as vshCommandOptScaledInt reads it; `what` names the option in the message. */
export function scaledValue(data: string, what: string, scale: bigint, max: bigint): bigint {
  const fail = (libvirtError?: string) => new VshError(`Scaled numeric value '${data}' for ${what} option is malformed or out of range`, { libvirtError });
  const r = strtou(data, 10);
  if (r.end === 0 || r.negative || r.overflow) throw fail();
  try {
    return scaleInteger(r.value, data.slice(r.end), scale, max);
  } catch (e) {
    if (e instanceof ScaleError) throw fail(e.message);
    throw e;
  }
}

/** VSH_EXCLUSIVE_OPTIONS_EXPR. */
export function exclusive(a: string, ea: unknown, b: string, eb: unknown): void {
  if (ea && eb) throw new VshError(`Options --${a} and --${b} are mutually exclusive`);
}

/** VSH_REQUIRE_OPTION_EXPR. */
export function requires(a: string, ea: unknown, b: string, eb: unknown): void {
  if (ea && !eb) throw new VshError(`Option --${b} is required by option --${a}`);
}

/** VSH_ALTERNATIVE_OPTIONS_EXPR. */
export function alternative(a: string, ea: unknown, b: string, eb: unknown): void {
  exclusive(a, ea, b, eb);
  if (!ea && !eb) throw new VshError(`Either --${a} or --${b} must be provided`);
}
