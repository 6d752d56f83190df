// virsh-network.c's net-event: network lifecycle events until one arrives, a timeout or SIGINT
// (vshEventStart / vshEventWait / vshEventCleanup of vsh.c).

import type { Network, NetworkLifecycleEvent } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { optNetwork } from '../network-util.js';
import { connOf } from '../util.js';

/** The event types virsh 9.0 knows (virshNetworkEventCallbacks). */
const EVENT_TYPES = ['lifecycle'];
/** virshNetworkEvent: VIR_NETWORK_EVENT_* as virsh words them. */
const LIFECYCLE_NAMES = ['Defined', 'Undefined', 'Started', 'Stopped'];

type WaitEnd = 'done' | 'timeout' | 'interrupt';

/** vshEventStart's wait: ends on done(), after `timeoutMs` (0: never) or at SIGINT. */
export class EventWait {
  private finish: ((how: WaitEnd) => void) | null = null;
  private readonly ended: Promise<WaitEnd>;
  private readonly timer: NodeJS.Timeout | null;
  private readonly onSigint = () => this.finish?.('interrupt');

  constructor(timeoutMs: number) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.timer = timeoutMs ? setTimeout(() => this.finish?.('timeout'), timeoutMs) : null;
    process.on('SIGINT', this.onSigint);
  }

  /** vshEventDone. */
  done(): void {
    this.finish?.('done');
  }

  /** vshEventWait. */
  wait(): Promise<WaitEnd> {
    return this.ended;
  }

  /** vshEventCleanup. */
  cleanup(): void {
    if (this.timer) clearTimeout(this.timer);
    process.off('SIGINT', this.onSigint);
  }
}

/** virTimeStringNowRaw: UTC with milliseconds. */
function timestampNow(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}+0000`;
}

export async function cmdNetworkEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  if (cmd.has('list')) {
    for (const name of EVENT_TYPES) ctl.print('%s\n', name);
    return true;
  }
  const eventName = cmd.string('event');
  if (eventName === undefined) {
    ctl.error('either --list or --event <type> is required');
    return false;
  }
  const event = EVENT_TYPES.indexOf(eventName);
  if (event < 0) {
    ctl.error(`unknown event type ${eventName}`);
    return false;
  }
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  let count = 0;
  const timeout = cmd.timeoutMs() ?? 0;
  // A network that cannot be found is reported and then ignored: virsh waits for every network.
  let net: Network | null = null;
  if (cmd.has('network')) net = (await optNetwork(ctl, cmd))?.net ?? null;
  const waiter = new EventWait(timeout);
  const conn = connOf(ctl);
  let ret = false;
  let eventId: number | typeof FAILED = FAILED;
  try {
    eventId = await ctl.call(
      conn.networkEventRegisterAny(net, 0, (ev: NetworkLifecycleEvent) => {
        if (!loop && count) return;
        const what = LIFECYCLE_NAMES[ev.event] ?? 'unknown';
        if (timestamp) ctl.print('%s: event \'lifecycle\' for network %s: %s\n', timestampNow(), ev.net.getName(), what);
        else ctl.print("event 'lifecycle' for network %s: %s\n", ev.net.getName(), what);
        count++;
        if (!loop) waiter.done();
      }),
    );
    if (eventId === FAILED) return false;
    const how = await waiter.wait();
    if (how === 'interrupt') ctl.print('%s', 'event loop interrupted\n');
    else if (how === 'timeout') ctl.print('%s', 'event loop timed out\n');
    ctl.print('events received: %d\n', count);
    if (count) ret = true;
  } finally {
    waiter.cleanup();
    if (eventId !== FAILED && (await ctl.call(conn.networkEventDeregisterAny(eventId))) === FAILED) ret = false;
  }
  return ret;
}
