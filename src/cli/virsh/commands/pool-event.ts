// virsh-pool.c's pool-event: waits for storage pool events (vshEventStart / vshEventWait: until
// the first event, or with --loop until the timeout or SIGINT).

import { VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, type StoragePool, type StoragePoolEvent } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { optPool } from '../storage-util.js';
import { connOf } from '../util.js';

const EVENT_NAMES = ['lifecycle', 'refresh'];
const LIFECYCLE_EVENTS = ['Defined', 'Undefined', 'Started', 'Stopped', 'Created', 'Deleted'];

/** virTimeStringNowRaw: "YYYY-MM-DD HH:MM:SS.mmm+0000". */
function timestampNow(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, ' ')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}+0000`;
}

type WaitEnd = 'done' | 'timeout' | 'interrupt';

async function cmdPoolEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  if (cmd.has('list')) {
    for (const name of EVENT_NAMES) ctl.print('%s\n', name);
    return true;
  }
  const eventName = cmd.string('event');
  if (eventName === undefined) {
    ctl.error('either --list or --event <type> is required');
    return false;
  }
  const event = EVENT_NAMES.indexOf(eventName);
  if (event < 0) {
    ctl.error(`unknown event type ${eventName}`);
    return false;
  }
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs() ?? 0;
  // As virsh: a pool that cannot be found is reported, and events of every pool are awaited.
  let pool: StoragePool | null = null;
  if (cmd.has('pool')) pool = (await optPool(ctl, cmd, 'pool'))?.pool ?? null;

  let count = 0;
  let finish: (how: WaitEnd) => void = () => undefined;
  const ended = new Promise<WaitEnd>((resolve) => (finish = resolve));
  const onSigint = () => finish('interrupt');
  process.on('SIGINT', onSigint);
  const timer = timeout ? setTimeout(() => finish('timeout'), timeout) : null;
  const conn = connOf(ctl);
  let ret = false;
  let id: number | typeof FAILED = FAILED;
  try {
    const print = (ev: StoragePoolEvent) => {
      if (!loop && count) return;
      const prefix = timestamp ? `${timestampNow()}: ` : '';
      if (ev.eventID === VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) ctl.print(`${prefix}event 'lifecycle' for storage pool %s: %s\n`, ev.pool.getName(), LIFECYCLE_EVENTS[ev.event] ?? 'unknown');
      else ctl.print(`${prefix}event '%s' for storage pool %s\n`, EVENT_NAMES[event]!, ev.pool.getName());
      count++;
      if (!loop) finish('done');
    };
    id = await ctl.call(conn.storagePoolEventRegisterAny(pool, event, print));
    if (id === FAILED) return false;
    const how = await ended;
    if (how === 'interrupt') ctl.print('%s', 'event loop interrupted\n');
    else if (how === 'timeout') ctl.print('%s', 'event loop timed out\n');
    ctl.print('events received: %d\n', count);
    ret = count > 0;
  } finally {
    process.off('SIGINT', onSigint);
    if (timer) clearTimeout(timer);
    if (id !== FAILED && (await ctl.call(conn.storagePoolEventDeregisterAny(id))) === FAILED) ret = false;
  }
  return ret;
}

export const poolEventHandlers = { cmdPoolEvent };
