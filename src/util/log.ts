/**
 * Logging that follows libvirt's own variables (see libvirt's src/util/virlog.c and
 * https://libvirt.org/logging.html):
 *
 * - `LIBVIRT_DEBUG`: the default priority, `1`/`debug`, `2`/`info`, `3`/`warning` (also `warn`,
 *   the spelling of libvirt's documentation), `4`/`error`. Unset or empty: `3` (warnings and
 *   errors), libvirt's VIR_LOG_DEFAULT.
 * - `LIBVIRT_LOG_FILTERS`: space separated `x:name` items. `name` matches when it is a substring
 *   of the logger's category (libvirt matches the glob `*name*`, so `*` and `?` work as
 *   wildcards). The first matching filter sets the category's priority, in both directions
 *   (a filter may enable debug below a default of `4`, or silence a category entirely above a
 *   default of `1`); a category that no filter matches uses the default priority. A leading `+`
 *   on the name (`1:+rpc`), libvirt's old "with stack trace" marker, is accepted and ignored.
 * - `LIBVIRT_LOG_OUTPUTS`: space separated `x:stderr`, `x:file:/path`, `x:syslog:ident`,
 *   `x:journald`; `x` is the output's own minimal priority. A later duplicate (same destination
 *   and, for files, same path) replaces an earlier one, as in libvirt. `syslog` and `journald`
 *   cannot be reached from pure Node: each is reported once per process on stderr and dropped.
 *   Files are opened lazily in append mode (created 0600, like libvirt) and written
 *   synchronously, so no line is lost when the process exits. With no outputs (variable unset,
 *   empty or invalid), messages that pass the filters go to stderr, as libvirt's client library
 *   does.
 *
 * With nothing set this means: warnings and errors go to stderr, nothing else is written. That is
 * exactly what libvirt's client library (libvirt.so, used by virsh and libvirt-python) does, so
 * callers must reserve `warn` and `error` for conditions a user should see.
 *
 * An invalid value makes libvirt's virInitialize fail; a library should not refuse to work
 * because of a typo in a debugging variable, so we do what libvirt's documentation promises
 * instead: the whole variable is ignored with one warning on stderr (each variable independently;
 * the items of a variable are all-or-nothing, like virLogParseFilters/virLogParseOutputs).
 *
 * The configuration is read from `process.env` on the first use of any logger, or whenever
 * `configureLogging()` is called; loggers already handed out follow the new configuration.
 *
 * Line format (virLogOutputToFd + virLogFormatString, with our category in the place of libvirt's
 * `function:line`, and the process id in the place of libvirt's thread id):
 *
 *     2026-11-21 09:11:27.123+0000: 4242: debug : rpc.engine : message text
 *
 * SECRETS: nothing logged here is ever filtered. Callers must never put a password, key,
 * passphrase, token, secret value or credential into a message except through `redact()`, which
 * replaces it with a fixed placeholder (and reveals nothing about it, not even its length).
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

/** libvirt's virLogPriority values. A message is written when its priority is >= the threshold. */
export const LogPriority = { DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 } as const;
export type LogPriority = (typeof LogPriority)[keyof typeof LogPriority];

export interface Logger {
  /** The category filters are matched against, e.g. `rpc.engine`. */
  readonly category: string;
  /** Whether a message of this priority would be written anywhere; cheap, for guarding costly formatting. */
  enabled(priority: number): boolean;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** The placeholder that stands for a secret in any message. */
const REDACTED = '<redacted>';

/**
 * Stands in for a secret (password, key, token, secret value) in a log message. Every secret
 * that might end up in a message must go through this; the result reveals nothing about it.
 */
export function redact(value: string): string {
  void value;
  return REDACTED;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** libvirt's VIR_LOG_DEFAULT. */
const DEFAULT_PRIORITY = LogPriority.WARN;
/** A threshold no message reaches. */
const NOTHING = 5;
/** Marks a logger whose threshold has not been computed since the configuration was last read. */
const UNRESOLVED = 0;

const PRIORITY_NAMES: Record<number, string> = {
  [LogPriority.DEBUG]: 'debug',
  [LogPriority.INFO]: 'info',
  [LogPriority.WARN]: 'warning',
  [LogPriority.ERROR]: 'error',
};

interface Filter {
  readonly priority: number;
  readonly pattern: RegExp;
}

interface Output {
  readonly kind: 'stderr' | 'file';
  readonly priority: number;
  /** Set once the output cannot be written to. */
  disabled: boolean;
  write(line: string): void;
  close(): void;
}

interface Config {
  readonly defaultPriority: number;
  readonly filters: readonly Filter[];
  readonly outputs: readonly Output[];
  /** False when no output was defined: messages then go to stderr. */
  readonly outputsDefined: boolean;
}

class ConfigError extends Error {}

function parsePriority(text: string): number | undefined {
  // virStrToLong_uip: strtoul base 10, optional '+', nothing after the digits.
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= LogPriority.DEBUG && n <= LogPriority.ERROR ? n : undefined;
}

/** virLogParseDefaultPriority. */
function parseDefaultPriority(text: string): number {
  switch (text) {
    case '1': case 'debug': return LogPriority.DEBUG;
    case '2': case 'info': return LogPriority.INFO;
    case '3': case 'warning': case 'warn': return LogPriority.WARN;
    case '4': case 'error': return LogPriority.ERROR;
  }
  throw new ConfigError(`Failed to set logging priority, argument '${text}' is invalid`);
}

function globToRegExp(match: string): RegExp {
  // virLogFilterNew turns 'foo' into the glob '*foo*' (g_pattern_match_simple: '*' and '?').
  let source = '';
  for (const ch of match) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^.*${source}.*$`, 's');
}

/** virLogParseFilters + virLogParseFilter. */
function parseFilters(text: string): Filter[] {
  const filters: Filter[] = [];
  for (const item of text.split(' ')) {
    if (item === '') continue;
    const tokens = item.split(':');
    if (tokens.length < 2) throw new ConfigError(`Malformed format for filter '${item}'`);
    const priority = parsePriority(tokens[0]);
    if (priority === undefined) {
      throw new ConfigError(`Invalid priority '${tokens[0]}' for filter '${item}'`);
    }
    // libvirt ignores anything after a second ':'.
    const match = tokens[1].startsWith('+') ? tokens[1].slice(1) : tokens[1];
    if (match === '') throw new ConfigError(`Invalid match string '${tokens[1]}'`);
    filters.push({ priority, pattern: globToRegExp(match) });
  }
  return filters;
}

interface OutputSpec {
  readonly dest: 'stderr' | 'file' | 'syslog' | 'journald';
  readonly priority: number;
  /** The absolute path of a file, the ident of syslog. */
  readonly name?: string;
}

/** virLogParseOutputs + virLogParseOutput. */
function parseOutputs(text: string): OutputSpec[] {
  const specs: OutputSpec[] = [];
  for (const item of text.split(' ')) {
    if (item === '') continue;
    const tokens = item.split(':');
    if (tokens.length < 2) throw new ConfigError(`Malformed format for log output '${item}'`);
    const priority = parsePriority(tokens[0]);
    if (priority === undefined) {
      throw new ConfigError(`Invalid log priority '${tokens[0]}' for log output '${item}'`);
    }
    const dest = tokens[1];
    if (dest !== 'stderr' && dest !== 'file' && dest !== 'syslog' && dest !== 'journald') {
      throw new ConfigError(`Invalid log destination '${dest}' for log output '${item}'`);
    }
    const wanted = dest === 'file' || dest === 'syslog' ? 3 : 2;
    if (tokens.length !== wanted || (wanted === 3 && tokens[2] === '')) {
      throw new ConfigError(
        `Log output '${item}' does not meet the format requirements for destination type '${dest}'`,
      );
    }
    const name = dest === 'file' ? resolvePath(tokens[2]) : dest === 'syslog' ? tokens[2] : undefined;
    // A duplicate (same destination, same name) is replaced by its last occurrence.
    const at = specs.findIndex((s) => s.dest === dest && s.name === name);
    if (at >= 0) specs.splice(at, 1);
    specs.push({ dest, priority, name });
  }
  return specs;
}

function timestamp(): string {
  // virTimeStringNowRaw: "%4d-%02d-%02d %02d:%02d:%02d.%03d+0000", always UTC.
  const iso = new Date().toISOString(); // 2026-11-21T09:11:27.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}+0000`;
}

function formatLine(priority: number, category: string, msg: string): string {
  return `${timestamp()}: ${process.pid}: ${PRIORITY_NAMES[priority] ?? 'unknown'} : ${category} : ${msg}\n`;
}

function writeStderr(line: string): void {
  try {
    process.stderr.write(line);
  } catch {
    // Logging never throws.
  }
}

/** A problem with the logging setup itself: always on stderr, whatever the configuration. */
function reportProblem(msg: string): void {
  writeStderr(formatLine(LogPriority.WARN, 'util.log', msg));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function stderrOutput(priority: number): Output {
  return {
    kind: 'stderr',
    priority,
    disabled: false,
    write: writeStderr,
    close() {},
  };
}

function fileOutput(priority: number, path: string): Output {
  let fd: number | undefined;
  const output: Output = {
    kind: 'file',
    priority,
    disabled: false,
    write(line: string): void {
      if (output.disabled) return;
      try {
        // virLogNewOutputToFile: O_CREAT | O_APPEND | O_WRONLY, S_IRUSR | S_IWUSR.
        fd ??= openSync(path, 'a', 0o600);
        const buf = Buffer.from(line, 'utf8');
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      } catch (err) {
        output.disabled = true;
        reportProblem(`failed to write log output '${path}', disabling it: ${errorText(err)}`);
        recomputeLevels();
      }
    },
    close(): void {
      if (fd === undefined) return;
      try {
        closeSync(fd);
      } catch {
        // Nothing useful to do.
      }
      fd = undefined;
    },
  };
  return output;
}

/** Destinations reported as unsupported so far; each is reported once per process. */
const reportedUnsupported = new Set<string>();

const DEFAULT_CONFIG: Config = {
  defaultPriority: DEFAULT_PRIORITY,
  filters: [],
  outputs: [],
  outputsDefined: false,
};

let config: Config | undefined;

/**
 * (Re)reads `LIBVIRT_DEBUG`, `LIBVIRT_LOG_FILTERS` and `LIBVIRT_LOG_OUTPUTS` from `env`
 * (default `process.env`) and applies them to every logger, including those already handed out.
 * Called with `process.env` on the first use of any logger when not called before.
 */
export function configureLogging(env: Record<string, string | undefined> = process.env): void {
  /** The variable `name` parsed, or undefined when it is unset, empty or wrong (which is reported). */
  const setting = <T>(name: string, parse: (text: string) => T): T | undefined => {
    const text = env[name];
    if (!text) return undefined;
    try {
      return parse(text);
    } catch (err) {
      reportProblem(`ignoring ${name}: ${errorText(err)}`);
      return undefined;
    }
  };
  const defaultPriority: number = setting('LIBVIRT_DEBUG', parseDefaultPriority) ?? DEFAULT_PRIORITY;
  const filters: Filter[] = setting('LIBVIRT_LOG_FILTERS', parseFilters) ?? [];
  const specs: OutputSpec[] | undefined = setting('LIBVIRT_LOG_OUTPUTS', parseOutputs);

  const outputs: Output[] = [];
  for (const spec of specs ?? []) {
    if (spec.dest === 'stderr') {
      outputs.push(stderrOutput(spec.priority));
    } else if (spec.dest === 'file') {
      outputs.push(fileOutput(spec.priority, spec.name as string));
    } else if (!reportedUnsupported.has(spec.dest)) {
      reportedUnsupported.add(spec.dest);
      reportProblem(`log output '${spec.dest}' is not supported by libvirt-rpc, ignoring it`);
    }
  }

  const previous = config;
  // An outputs variable that only named unsupported destinations still counts as defined:
  // its messages are dropped rather than sent to stderr.
  config = { defaultPriority, filters, outputs, outputsDefined: specs !== undefined && specs.length > 0 };
  for (const output of previous?.outputs ?? []) output.close();
  recomputeLevels();
}

function ensureConfigured(): Config {
  if (config === undefined) configureLogging(process.env);
  return config ?? DEFAULT_CONFIG;
}

/** The lowest priority any output accepts (NOTHING when no output can take anything). */
function outputFloor(cfg: Config): number {
  if (!cfg.outputsDefined) return LogPriority.DEBUG; // The stderr fallback takes everything.
  let floor = NOTHING;
  for (const output of cfg.outputs) {
    if (!output.disabled && output.priority < floor) floor = output.priority;
  }
  return floor;
}

/** The threshold of a category: virLogSourceUpdate (first matching filter, else the default),
 *  raised to what the outputs can take at all. */
function levelFor(cfg: Config, category: string): number {
  let priority = cfg.defaultPriority;
  for (const filter of cfg.filters) {
    if (filter.pattern.test(category)) {
      priority = filter.priority;
      break;
    }
  }
  return Math.max(priority, outputFloor(cfg));
}

function emit(priority: number, category: string, msg: string): void {
  const cfg = ensureConfigured();
  const line = formatLine(priority, category, msg);
  if (!cfg.outputsDefined) {
    writeStderr(line);
    return;
  }
  for (const output of cfg.outputs) {
    if (!output.disabled && priority >= output.priority) output.write(line);
  }
}

// ---------------------------------------------------------------------------------------------
// Loggers

class CategoryLogger implements Logger {
  /** Messages of this priority or above are written; UNRESOLVED until the configuration is read. */
  level: number = UNRESOLVED;

  constructor(readonly category: string) {}

  enabled(priority: number): boolean {
    const level = this.level;
    return level !== UNRESOLVED ? priority >= level : priority >= this.resolve();
  }

  debug(msg: string): void {
    if (this.enabled(LogPriority.DEBUG)) emit(LogPriority.DEBUG, this.category, msg);
  }

  info(msg: string): void {
    if (this.enabled(LogPriority.INFO)) emit(LogPriority.INFO, this.category, msg);
  }

  warn(msg: string): void {
    if (this.enabled(LogPriority.WARN)) emit(LogPriority.WARN, this.category, msg);
  }

  error(msg: string): void {
    if (this.enabled(LogPriority.ERROR)) emit(LogPriority.ERROR, this.category, msg);
  }

  private resolve(): number {
    this.level = levelFor(ensureConfigured(), this.category);
    return this.level;
  }
}

const loggers = new Map<string, CategoryLogger>();

function recomputeLevels(): void {
  const cfg = config;
  for (const logger of loggers.values()) {
    logger.level = cfg === undefined ? UNRESOLVED : levelFor(cfg, logger.category);
  }
}

/**
 * Whether LIBVIRT_LOG_OUTPUTS named an output. libvirt sends every error it raises to the
 * logging outputs only then ("we don't want to pollute stderr", virRaiseErrorLog).
 */
export function outputsConfigured(): boolean {
  return ensureConfigured().outputsDefined;
}

/** The logger of a category (e.g. `rpc.engine`), one per category. */
export function getLogger(category: string): Logger {
  let logger = loggers.get(category);
  if (logger === undefined) {
    logger = new CategoryLogger(category);
    if (config !== undefined) logger.level = levelFor(config, category);
    loggers.set(category, logger);
  }
  return logger;
}
