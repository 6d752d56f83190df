// What the *-event commands share: --list and --event <type> (virsh's checks and messages), the
// --timestamp prefix, and the wait (vshEventStart/Wait/Done/Cleanup): until the first event (or,
// with --loop, until the timeout or SIGINT), then the count of events received.

import type { Cmd } from '../vsh/cmd.js';
import type { VirshControl } from './control.js';

/**
 * --list prints `names` (then 'listed'); otherwise the index of --event's type, or null after
 * virsh's error for a missing or unknown one. With `all` (the event command), --all instead of an
 * --event is 'all'.
 */
export function eventType(ctl: VirshControl, cmd: Cmd, names: readonly string[]): number | 'listed' | null;
export function eventType(ctl: VirshControl, cmd: Cmd, names: readonly string[], all: true): number | 'all' | 'listed' | null;
export function eventType(ctl: VirshControl, cmd: Cmd, names: readonly string[], all = false): number | 'all' | 'listed' | null {
  if (cmd.has('list')) {
    for (const name of names) ctl.print('%s\n', name);
    return 'listed';
  }
  const eventName = cmd.string('event');
  if (eventName === undefined) {
    if (all && cmd.has('all')) return 'all';
    ctl.error(all ? 'one of --list, --all, or --event <type> is required' : 'either --list or --event <type> is required');
    return null;
  }
  const event = names.indexOf(eventName);
  if (event < 0) {
    ctl.error(`unknown event type ${eventName}`);
    return null;
  }
  return event;
}

/** virTimeStringNowRaw: UTC with milliseconds, as "2024-01-31 12:00:00.123+0000". */
export function eventTimestamp(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(now.getUTCFullYear(), 4)}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds(), 3)}+0000`;
}

/**
 * Registers with `register` (given the function its callback calls to print one event; null when
 * registering failed, its error kept) and waits as virsh waits. `timeoutMs` 0 (or undefined) waits
 * without limit. The registration returns how to deregister, which fails the command by throwing
 * or by returning false (its error kept).
 */
export async function waitForEvents(
  ctl: VirshControl,
  loop: boolean,
  timeoutMs: number | undefined,
  register: (deliver: (print: () => void) => void) => Promise<(() => Promise<unknown>) | null>,
): Promise<boolean> {
  let count = 0;
  let finish: ((how: 'done' | 'timeout' | 'interrupt') => void) | null = null;
  const ended = new Promise<'done' | 'timeout' | 'interrupt'>((resolve) => (finish = resolve));
  const onSigint = () => finish!('interrupt');
  process.on('SIGINT', onSigint);
  const timer = timeoutMs ? setTimeout(() => finish!('timeout'), timeoutMs) : null;
  let deregister: (() => Promise<unknown>) | null = null;
  let ret = false;
  try {
    deregister = await register((print) => {
      // One-shot: events after the first are not printed.
      if (!loop && count) return;
      print();
      count++;
      if (!loop) finish!('done');
    });
    if (!deregister) return false;
    const how = await ended;
    if (how === 'interrupt') ctl.print('%s', 'event loop interrupted\n');
    else if (how === 'timeout') ctl.print('%s', 'event loop timed out\n');
    ctl.print('events received: %d\n', count);
    ret = count > 0;
  } finally {
    process.off('SIGINT', onSigint);
    if (timer) clearTimeout(timer);
    if (deregister) {
      try {
        if ((await deregister()) === false) ret = false;
      } catch (e) {
        ctl.saveError(e);
        ret = false;
      }
    }
  }
  return ret;
}
