// virsh-console.c and cmdConsole: the guest's character device on a stream, stdin in raw mode to
// it and its output to stdout byte for byte, until the escape character (-e, default ^]), the end
// of the stream or an error.

import { writeSync } from 'node:fs';
import { VIR_DOMAIN_CONSOLE_FORCE, VIR_DOMAIN_CONSOLE_SAFE, VIR_DOMAIN_SHUTOFF, VIR_ERR_INTERNAL_ERROR, type Domain, type Stream } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED, type SavedError } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { ttyMakeRaw, ttyRestore } from '../tty.js';
import { connOf, domainState, optDomain } from '../util.js';

/** virshGetEscapeChar: "^x" is Ctrl+x. */
export function escapeCharCode(s: string): number {
  if (s[0] === '^') return s.toUpperCase().charCodeAt(1) ^ 0x40;
  return s.charCodeAt(0);
}

/** write(1, ...) of all of `buf`, waiting out EAGAIN. */
function writeOut(buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

const internal = (message: string): SavedError => ({ message: `internal error: ${message}`, code: VIR_ERR_INTERNAL_ERROR, domain: 0 });

/** virshRunConsole: 0 when the console ended without an error (the error kept otherwise). */
export async function runConsole(ctl: VirshControl, dom: Domain, devname: string | null, flags: number): Promise<number> {
  const tty = ttyMakeRaw();
  if (!tty) {
    ctl.error('unable to make terminal raw: console isn\'t a tty');
    return -1;
  }
  const ignore = () => undefined;
  const signals: NodeJS.Signals[] = ['SIGQUIT', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'];
  for (const s of signals) process.on(s, ignore);
  const stdin = ctl.io.stdin;
  let st: Stream | null = null;
  let error: SavedError | null = null;
  let quit!: () => void;
  const done = new Promise<void>((resolve) => (quit = resolve));
  let stopped = false;
  // virConsoleShutdown: finish the stream after the escape or its end, abort it after an error.
  const shutdown = (graceful: boolean, err?: SavedError | null) => {
    if (stopped) return;
    stopped = true;
    if (!error && err) error = err;
    stdin.off('data', onStdin);
    stdin.off('end', onStdinEnd);
    stdin.pause();
    const s = st;
    st = null;
    if (s) void (graceful ? s.finish() : s.abort()).catch(() => undefined).then(quit);
    else quit();
  };
  let sending: Promise<unknown> = Promise.resolve();
  const escape = escapeCharCode(ctl.escapeChar);
  const onStdin = (chunk: Buffer | string) => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!st || data.length === 0) return;
    if (data[0] === escape) return shutdown(true);
    const s = st;
    sending = sending.then(() => s.send(data)).catch((e: unknown) => {
      ctl.saveError(e);
      shutdown(false, ctl.lastError);
    });
  };
  const onStdinEnd = () => shutdown(false, internal('EOF on stdin'));
  try {
    st = connOf(ctl).newStream();
    if ((await ctl.call(dom.openConsole(devname, st, flags))) === FAILED) {
      error = ctl.lastError;
      st = null;
      stopped = true;
      return -1;
    }
    stdin.on('data', onStdin);
    stdin.on('end', onStdinEnd);
    stdin.resume();
    const pump = async () => {
      while (st) {
        const s = st;
        let got: Uint8Array;
        try {
          got = await s.recv(65536);
        } catch (e) {
          ctl.saveError(e);
          return shutdown(false, ctl.lastError);
        }
        if (st !== s) return;
        if (got.length === 0) return shutdown(true);
        try {
          writeOut(got);
        } catch (e) {
          return shutdown(false, { message: `cannot write to stdout: ${(e as Error).message}`, code: VIR_ERR_INTERNAL_ERROR, domain: 0 });
        }
      }
    };
    void pump();
    await done;
    return error ? -1 : 0;
  } finally {
    for (const s of signals) process.off(s, ignore);
    ttyRestore(tty);
    if (error) ctl.lastError = error;
  }
}

/** cmdRunConsole: the checks and the banner, then the console. */
export async function cmdRunConsole(ctl: VirshControl, dom: Domain, name: string | null, flags: number): Promise<boolean> {
  let state: number;
  try {
    state = (await domainState(ctl, dom)).state;
  } catch (e) {
    ctl.saveError(e);
    ctl.error('Unable to get domain status');
    return false;
  }
  if (state === VIR_DOMAIN_SHUTOFF) {
    ctl.error('The domain is not running');
    return false;
  }
  if (!ctl.io.isTTY) {
    ctl.error('Cannot run interactive console without a controlling TTY');
    return false;
  }
  ctl.printExtra("Connected to domain '%s'\n", dom.getName());
  ctl.printExtra('Escape character is %s', ctl.escapeChar);
  if (ctl.escapeChar[0] === '^') ctl.printExtra(' (Ctrl + %c)', ctl.escapeChar[1]!);
  ctl.printExtra('\n');
  return (await runConsole(ctl, dom, name, flags)) === 0;
}

async function cmdConsole(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const force = cmd.has('force');
  const safe = cmd.has('safe');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const name = cmd.string('devname') ?? null;
  let flags = 0;
  if (force) flags |= VIR_DOMAIN_CONSOLE_FORCE;
  if (safe) flags |= VIR_DOMAIN_CONSOLE_SAFE;
  return cmdRunConsole(ctl, found.dom, name, flags);
}

export const consoleHandlers = { cmdConsole };
