// vshControl: what a virsh-like shell keeps between commands and how it runs them. Output as
// vshPrint/vshPrintExtra/vshError/vshDebug write it (and the -l log file), the command table, the
// run loop with timing and the blank line after each command, the report of the error a command
// failed with, and the interactive shell (prompt, line editing and history on a TTY).

import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync, constants as fsc } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { LibvirtError, VIR_ERR_INVALID_CONN, VIR_ERR_NO_CONNECT, VIR_ERR_OK, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR, VIR_FROM_REMOTE } from '../../index.js';
import { cformat, type CArg } from './cformat.js';
import { Cmd, VshError } from './cmd.js';
import { type Completers, type CompletionSource, completeLine, completionWord } from './completion.js';
import type { CmdDef, CmdGroup } from './cmd.js';
import { toJson } from './json.js';
import { parseCommands, parsePartial } from './parser.js';
import type { Table } from './table.js';
import { type ArgSource, StringSource } from './tokenizer.js';

export const VSH_ERR_DEBUG = 0;
export const VSH_ERR_INFO = 1;
export const VSH_ERR_NOTICE = 2;
export const VSH_ERR_WARNING = 3;
export const VSH_ERR_ERROR = 4;
const LEVEL_NAMES = ['DEBUG', 'INFO', 'INFO', 'WARNING', 'ERROR'];

/** Where a shell reads and writes: the process's by default, buffers in tests. */
export interface ShellIO {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadableStream;
  /** stdin is a terminal (virsh's ctl->istty). */
  isTTY: boolean;
  /** Where progress bars go (ours, not virsh's): stderr when it is a terminal, else none. */
  progress?: { write(text: string): void; columns: number } | null;
  env: NodeJS.ProcessEnv;
}

export function processIO(): ShellIO {
  return {
    stdout: (s) => writeAll(1, s),
    stderr: (s) => writeAll(2, s),
    stdin: process.stdin,
    isTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    progress: process.stderr.isTTY ? { write: (s) => writeAll(2, s), columns: process.stderr.columns || 80 } : null,
  };
}

/** Writes all of `s` to a descriptor, waiting out EAGAIN on a non-blocking pipe. */
function writeAll(fd: number, s: string): void {
  let buf = Buffer.from(s);
  while (buf.length) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw e;
    }
  }
}

/** The error a command failed with, as virsh keeps it (last_error). */
export interface SavedError {
  message: string;
  code: number;
  domain: number;
}

export abstract class VshControl {
  /** The program's fixed name ("virsh"): the history directory and the log lines use it. */
  abstract readonly name: string;
  /** Prefix of the environment variables (VIRSH_DEBUG, VIRSH_LOG_FILE, VIRSH_HISTSIZE). */
  abstract readonly envPrefix: string;
  progname: string;
  quiet = false;
  timing = false;
  debugLevel = VSH_ERR_ERROR;
  debugSet = false;
  logfile: string | null = null;
  private logFd = -1;
  imode = false;
  /** Set by a failed command whose error says the connection is gone; the next one reconnects. */
  disconnected = 0;
  lastError: SavedError | null = null;
  /** The progress bar being drawn (progress.ts), cleared before an error is printed. */
  progressLine: { clear(): void } | null = null;
  readonly io: ShellIO;
  private readonly commands = new Map<string, CmdDef<this>>();

  constructor(
    readonly groups: readonly CmdGroup<VshControl>[],
    io: ShellIO,
    progname: string,
    /** The completers of option values, by their C names (virshDomainNameCompleter...). */
    private readonly completers: Completers<VshControl> = {},
  ) {
    this.io = io;
    this.progname = progname;
    for (const g of groups) for (const c of g.commands) this.commands.set(c.name, c as CmdDef<this>);
  }

  /** The hook virsh calls before a command that needs a connection; false when there is none. */
  protected abstract connHandler(): Promise<boolean>;

  lookup(name: string): CmdDef<this> | undefined {
    return this.commands.get(name);
  }

  /** vshPrint with a C format. */
  print(fmt: string, ...args: CArg[]): void {
    this.io.stdout(args.length ? cformat(fmt, ...args) : fmt);
  }

  /** A command's table: virsh's columns (no header with -q), or its rows as JSON with --json. */
  printTable(cmd: Cmd, table: Table): void {
    this.io.stdout(cmd.has('json') ? toJson(table.toJsonValue()) : table.toString(!this.quiet));
  }

  /** vshPrintExtra: nothing in quiet mode. */
  printExtra(fmt: string, ...args: CArg[]): void {
    if (!this.quiet) this.print(fmt, ...args);
  }

  /** vshError: "error: " and the message on stderr (and in the log file). */
  error(message: string): void {
    this.progressLine?.clear();
    this.log(VSH_ERR_ERROR, message);
    this.io.stderr(`error: ${message}\n`);
  }

  /** vshDebug: to stdout (and the log) at or above the -d level. */
  debug(level: number, message: string): void {
    if (level < this.debugLevel) return;
    this.log(level, message);
    this.io.stdout(message);
  }

  /** vshOpenLogFile; exits as virsh does when it cannot. */
  openLogFile(path: string): void {
    this.closeLogFile();
    this.logfile = path;
    try {
      this.logFd = openSync(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | fsc.O_SYNC, 0o666);
    } catch {
      this.error('failed to open the log file. check the log file path');
      throw new ExitRequest(1);
    }
  }

  closeLogFile(): void {
    if (this.logFd >= 0) closeSync(this.logFd);
    this.logFd = -1;
    this.logfile = null;
  }

  private log(level: number, message: string): void {
    if (this.logFd < 0) return;
    const d = new Date();
    const two = (n: number) => String(n).padStart(2, '0');
    const now = `${d.getFullYear()}.${two(d.getMonth() + 1)}.${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    const line = `[${now} ${this.progname} ${process.pid}] ${LEVEL_NAMES[level] ?? 'DEBUG'} ${message.replace(/\n+$/, '')}\n`;
    try {
      writeSync(this.logFd, line);
    } catch {
      this.closeLogFile();
      this.error('failed to write the log file');
    }
  }

  /** vshInitDebug: VIRSH_DEBUG and VIRSH_LOG_FILE when -d and -l were not given. */
  initDebug(): void {
    const env = this.io.env;
    if (!this.debugSet) {
      const v = env[`${this.envPrefix}_DEBUG`];
      if (v !== undefined) {
        const n = /^\s*[+-]?\d+$/.test(v) ? Number(v) : NaN;
        if (!Number.isInteger(n) || n < VSH_ERR_DEBUG || n > VSH_ERR_ERROR) this.error(`${this.envPrefix}_DEBUG not set with a valid numeric value`);
        else this.debugLevel = n;
      }
    }
    if (this.logfile === null) {
      const f = env[`${this.envPrefix}_LOG_FILE`];
      if (f) this.openLogFile(f);
    }
  }

  /** Keeps an API error as the command's error (vshErrorHandler / vshSaveLibvirtError). */
  saveError(e: unknown): void {
    if (e instanceof LibvirtError) this.lastError = { message: e.message, code: e.code, domain: e.domain };
    else if (e instanceof Error) this.lastError = { message: e.message, code: -1, domain: 0 };
  }

  resetError(): void {
    this.lastError = null;
  }

  /** vshReportError: the kept error, once. */
  reportError(): void {
    const err = this.lastError;
    this.lastError = null;
    if (!err || err.code === VIR_ERR_OK) return;
    this.error(err.message);
  }

  /**
   * Runs an API call whose failure the command reports itself: resolves to the value, or to
   * FAILED with the error kept for the report after the command (virsh's NULL/-1 check).
   */
  async call<T>(p: Promise<T>): Promise<T | typeof FAILED> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof ExitRequest) throw e;
      this.saveError(e);
      return FAILED;
    }
  }

  /**
   * The common shape of a query command: print what `p` gives with `fmt`, or `failure` as the
   * error; with `jsonKey` (--json), an object of that one key.
   */
  async printResult(p: Promise<string>, failure: string, fmt: string, jsonKey?: string): Promise<boolean> {
    const v = await this.call(p);
    if (v === FAILED) {
      this.error(failure);
      return false;
    }
    if (jsonKey !== undefined) this.print(toJson({ [jsonKey]: v }));
    else this.print(fmt, v);
    return true;
  }

  /** Parses a command string (one-shot argument or a shell line). */
  parseString(line: string): Cmd[] | null {
    return this.parse(new StringSource(line));
  }

  parse(source: ArgSource): Cmd[] | null {
    return parseCommands(
      {
        lookup: (n) => this.lookup(n) as CmdDef<never> | undefined,
        error: (m) => this.error(m),
        debugInfo: (m) => this.debug(VSH_ERR_INFO, m),
      },
      source,
    );
  }

  /** vshCommandRun: the commands in order; the status of the last. */
  async run(cmds: Cmd[]): Promise<boolean> {
    let ret = true;
    for (const cmd of cmds) {
      const timing = this.timing;
      const before = process.hrtime.bigint();
      ret = await this.runOne(cmd);
      const after = process.hrtime.bigint();
      const err = this.lastError;
      if (
        !ret &&
        err &&
        ((err.code === VIR_ERR_SYSTEM_ERROR && err.domain === VIR_FROM_REMOTE) || err.code === VIR_ERR_RPC || err.code === VIR_ERR_NO_CONNECT || err.code === VIR_ERR_INVALID_CONN)
      )
        this.disconnected++;
      if (!ret) this.reportError();
      if (cmd.name === 'quit' || cmd.name === 'exit') return ret;
      if (timing) this.print('\n(Time: %.3f ms)\n\n', Number(after - before) / 1e6);
      else this.printExtra('\n');
    }
    return ret;
  }

  private async runOne(cmd: Cmd): Promise<boolean> {
    const def = cmd.def as CmdDef<this>;
    try {
      if (!def.noConnect && !(await this.connHandler())) return false;
      if (def.unsupported !== undefined) {
        this.error(def.unsupported);
        return false;
      }
      return await def.handler!(this, cmd);
    } catch (e) {
      if (e instanceof ExitRequest) throw e;
      if (e instanceof VshError) {
        if (!e.silent) this.error(e.message);
        if (e.libvirtError) this.lastError = { message: e.libvirtError, code: -1, domain: 0 };
        return false;
      }
      if (e instanceof LibvirtError) {
        this.saveError(e);
        return false;
      }
      this.error(e instanceof Error ? e.message : String(e));
      return false;
    }
  }

  /** The prompt of the interactive shell. */
  protected abstract prompt(): string;

  /** The interactive shell: a line at a time until EOF or `quit`. */
  async interactive(): Promise<void> {
    const history = this.loadHistory();
    if (this.io.isTTY) {
      const rl = createInterface({ input: this.io.stdin, output: process.stdout, terminal: true, history: history.lines.slice().reverse(), historySize: history.size, removeHistoryDuplicates: false, completer: (line: string, done: (err: Error | null, result: [string[], string]) => void) => {
          this.readlineComplete(line).then((r) => done(null, r), (e: Error) => done(e, [[], line]));
        } });
      // Lines typed while a command runs wait for the next prompt, as a terminal buffers them for readline.
      const typed: string[] = [];
      let closed = false;
      let wake: (() => void) | null = null;
      rl.on('line', (line) => {
        typed.push(line);
        wake?.();
      });
      rl.on('close', () => {
        closed = true;
        wake?.();
      });
      rl.on('SIGINT', () => {
        rl.write('\n');
        rl.prompt();
      });
      const lines: string[] = [];
      try {
        while (this.imode) {
          rl.setPrompt(this.prompt());
          if (!typed.length) rl.prompt();
          while (!typed.length && !closed) await new Promise<void>((r) => (wake = r));
          wake = null;
          const line = typed.shift();
          if (line === undefined) break;
          if (line) {
            lines.push(line);
            const cmds = this.parseString(line);
            if (cmds) await this.run(cmds);
          }
        }
      } finally {
        rl.close();
      }
      this.saveHistory(history, lines);
      this.io.stdout('\n');
      return;
    }
    // Not a terminal: GNU readline echoes the prompt and the line it read.
    const reader = lineReader(this.io.stdin);
    // virsh prints a line break when the loop ends, after `quit` as at EOF.
    while (this.imode) {
      const prompt = this.prompt();
      this.io.stdout(prompt);
      const line = await reader.next();
      if (line === null) break;
      this.io.stdout(line + '\n');
      if (line) {
        const cmds = this.parseString(line);
        if (cmds) await this.run(cmds);
      }
    }
    this.io.stdout('\n');
  }

  /** The command hook's connection, for `complete` (it runs without one, then connects itself). */
  async ensureConnection(): Promise<boolean> {
    return this.connHandler();
  }

  /**
   * What completes `text`, the word at the end of `line` (vshReadlineParse): command names, a
   * command's options, or an option's values from its completer; null when nothing does.
   */
  async complete(line: string, text: string, quoted = false): Promise<string[] | null> {
    const commandNames = () => [...this.commands.values()].filter((c) => !c.hidden && !c.alias).map((c) => c.name);
    const src: CompletionSource<VshControl> = {
      commandNames,
      parsePartial: (l) => parsePartial({ lookup: (n) => this.lookup(n) as CmdDef<never> | undefined, error: (m) => this.error(m) }, new StringSource(l), l.length),
      completers: { vshCompleteHelpCommand: commandNames, ...(typeof this.completers === 'function' ? await this.completers() : this.completers) },
      partialCmd: (p) => new Cmd(p.def!, p.opts),
      failed: (e) => {
        if (e instanceof LibvirtError) this.saveError(e);
      },
    };
    return completeLine(this, src, line, text, quoted);
  }

  /** readline's Tab: the matches and the word they replace; file names when nothing matches. */
  private async readlineComplete(line: string): Promise<[string[], string]> {
    const { text, quote } = completionWord(line);
    const matches = await this.complete(line, text, quote !== null);
    // What a completer's calls failed with is not the next command's error.
    this.resetError();
    return [matches ?? fileNames(text), text];
  }

  private historyPath(): string {
    const cache = this.io.env.XDG_CACHE_HOME || join(this.io.env.HOME || homedir(), '.cache');
    // virGetUserCacheDirectory is $XDG_CACHE_HOME/libvirt.
    return join(cache, 'libvirt', this.name, 'history');
  }

  private loadHistory(): { lines: string[]; size: number } {
    let size = 500;
    const v = this.io.env[`${this.envPrefix}_HISTSIZE`];
    if (v !== undefined) {
      const n = /^\s*[+-]?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n)) this.error(`Bad $${this.envPrefix}_HISTSIZE value.`);
      else if (n > 1000000 || n < 0) this.error(`$${this.envPrefix}_HISTSIZE value should be between 0 and 1000000`);
      else size = n;
    }
    let lines: string[] = [];
    try {
      lines = readFileSync(this.historyPath(), 'utf8').split('\n').filter(Boolean);
    } catch {
      // no history yet
    }
    return { lines: lines.slice(-size), size };
  }

  private saveHistory(history: { lines: string[]; size: number }, added: string[]): void {
    if (!this.io.isTTY) return;
    const path = this.historyPath();
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      const all = [...history.lines, ...added].slice(-history.size);
      writeFileSync(path, all.length ? all.join('\n') + '\n' : '');
    } catch (e) {
      this.error(`Failed to create '${dirname(path)}': ${(e as Error).message}`);
    }
  }
}

/** What a failed API call resolves to in VshControl.call. */
export const FAILED: unique symbol = Symbol('failed');

/** Thrown to leave the program with a status (virsh's exit() in the middle of parsing). */
export class ExitRequest extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/** Lines of a non-terminal stdin, one at a time (without the newline); null at the end. */
function lineReader(input: NodeJS.ReadableStream): { next(): Promise<string | null> } {
  let buffer = '';
  let ended = false;
  let wake: (() => void) | null = null;
  input.setEncoding?.('utf8');
  input.on('data', (chunk: string) => {
    buffer += chunk;
    wake?.();
  });
  input.on('end', () => {
    ended = true;
    wake?.();
  });
  input.on('error', () => {
    ended = true;
    wake?.();
  });
  return {
    async next() {
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          return line;
        }
        if (ended) {
          if (buffer) {
            const line = buffer;
            buffer = '';
            return line;
          }
          return null;
        }
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
  };
}

/**
 * readline's own completion, which it falls back to when vsh offers nothing: the names in the
 * word's directory that begin with its last part, hidden ones too (readline's match-hidden-files),
 * directories with a slash.
 */
function fileNames(word: string): string[] {
  const slash = word.lastIndexOf('/');
  const dir = slash >= 0 ? word.slice(0, slash + 1) : '';
  const base = word.slice(slash + 1);
  try {
    return readdirSync(dir || '.', { withFileTypes: true })
      .filter((e) => e.name.startsWith(base))
      .map((e) => dir + e.name + (e.isDirectory() ? '/' : ''))
      .sort();
  } catch {
    return [];
  }
}
