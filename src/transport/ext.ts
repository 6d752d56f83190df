/**
 * The `ext` transport (`qemu+ext:///system?command=/path/to/cmd`): a local command whose stdin and
 * stdout carry the protocol, started as libvirt's virNetSocketNewConnectExternal starts it: argv is
 * the command alone, the environment is cut down to virCommandAddEnvPassCommon's variables, and its
 * stderr is kept for the error when the connection ends. Also used for `+ssh` with `?command=`
 * (libvirt then runs that binary with ssh's arguments).
 *
 * Like libvirt, an ext connection is neither secure nor encrypted: nothing is known about the command.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { clientError, type LibvirtError } from '../errors/errors.js';
import type { ConnectTarget } from './target.js';
import { VIR_ERR_INVALID_ARG, VIR_ERR_SYSTEM_ERROR, VIR_FROM_NONE, VIR_FROM_REMOTE, VIR_FROM_RPC } from '../apixml/generated/constants.js';
import { CommandStream, type EofInfo } from './ssh-stream.js';
import type { Transport } from './transport.js';
import { strerror } from '../util/errno.js';

export interface ExtOptions {
  /** The environment the command's (filtered) environment is taken from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Variables virCommandAddEnvPassCommon passes on (plus LC_ALL=C). */
const COMMON_ENV = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'DYLD_FORCE_FLAT_NAMESPACE', 'PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR'];

/** virCommandAddEnvPassCommon + virCommandAddEnvPass(extra...): the child's whole environment. */
export function commandEnv(env: NodeJS.ProcessEnv, extra: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  for (const k of [...COMMON_ENV, ...extra]) if (env[k] !== undefined) out[k] = env[k];
  return out;
}

const isExecutableFile = (p: string): boolean => {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** virFindFileInPath: a name with a '/' must itself be executable; otherwise the first executable in $PATH. */
export function findInPath(file: string, path: string | undefined): string | null {
  if (file.includes('/')) return isExecutableFile(file) ? resolve(file) : null;
  for (const dir of (path ?? '/bin:/usr/bin').split(delimiter)) {
    const p = join(dir === '' ? '.' : dir, file);
    if (isExecutableFile(p)) return resolve(p);
  }
  return null;
}

/**
 * libvirt's error when the command's stream ends, from the first 1 KiB of its stderr: when the
 * command read our data and answered (or closed cleanly), "End of file while reading data"; when it
 * went away without ever answering, the unread request makes the socket reset ("Cannot recv data:
 * ... Connection reset by peer").
 */
export function commandEofError({ errout, received }: EofInfo): LibvirtError | null {
  if (received) return errout ? clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, `End of file while reading data: ${errout}: Input/output error`) : null;
  return clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, errout ? `Cannot recv data: ${errout}: Connection reset by peer` : 'Cannot recv data: Connection reset by peer');
}

export interface CommandTransportOptions {
  env: NodeJS.ProcessEnv;
  description: string;
  secure: boolean;
  /** The errors at EOF (default commandEofError). */
  eofError?: (info: EofInfo) => LibvirtError | null;
}

/** Starts argv (resolved as virExec does) with its stdin/stdout as the transport. */
export async function openCommand(argv: readonly string[], options: CommandTransportOptions): Promise<Transport> {
  const [cmd, ...args] = argv;
  if (cmd === undefined || cmd === '') throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, 'invalid argument: empty command');
  let binary = cmd;
  if (!isAbsolute(cmd)) {
    const found = findInPath(cmd, options.env.PATH);
    if (!found) throw clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_NONE, `Cannot find '${cmd}' in path: No such file or directory`);
    binary = found;
  }
  const child = spawn(binary, args, { argv0: cmd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolveSpawn, reject) => {
    child.once('spawn', () => resolveSpawn());
    child.once('error', (e: NodeJS.ErrnoException) => {
      // libvirt's child reports the failed execve on its stderr and exits: the parent then reads
      // that at the end of the (unanswered) stream.
      const why = strerror(e.code) ?? e.message;
      reject(clientError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, `Cannot recv data: libvirt:  error : cannot execute binary ${binary}: ${why}: Connection reset by peer`, e));
    });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const stream = new CommandStream({
    stdout: child.stdout,
    stdin: child.stdin,
    stderr: child.stderr,
    exited,
    eofError: options.eofError ?? commandEofError,
    dispose: () => {
      // virNetSocketDispose -> virProcessAbort: the command does not outlive the connection.
      if (running) child.kill('SIGTERM');
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
    },
  });
  return { stream, description: options.description, encrypted: false, secure: options.secure };
}

/** Opens an `ext` transport: target.argv is [command] (libvirt passes the command alone, no shell). */
export async function openExt(target: ConnectTarget, options: ExtOptions = {}): Promise<Transport> {
  if (target.transport !== 'ext' || !target.argv || target.command === null) {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "remote_open: for 'ext' transport, command is required");
  }
  return openCommand(target.argv, { env: commandEnv(options.env ?? process.env), description: `ext:${target.command}`, secure: false });
}
