// virsh-network.c's net-event: network lifecycle events until one arrives, a timeout or SIGINT
// (vshEventStart / vshEventWait / vshEventCleanup of vsh.c).

import type { Network, NetworkLifecycleEvent } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { optNetwork } from '../network-util.js';
import { connOf } from '../util.js';
import { eventTimestamp, eventType, waitForEvents } from '../event-wait.js';

/** The event types virsh 9.0 knows (virshNetworkEventCallbacks). */
export const EVENT_TYPES = ['lifecycle'];
/** virshNetworkEvent: VIR_NETWORK_EVENT_* as virsh words them. */
const LIFECYCLE_NAMES = ['Defined', 'Undefined', 'Started', 'Stopped'];

export async function cmdNetworkEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const event = eventType(ctl, cmd, EVENT_TYPES);
  if (event === 'listed') return true;
  if (event === null) return false;
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs() ?? 0;
  // A network that cannot be found is reported and then ignored: virsh waits for every network.
  let net: Network | null = null;
  if (cmd.has('network')) net = (await optNetwork(ctl, cmd))?.net ?? null;
  const conn = connOf(ctl);
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const id = await ctl.call(
      conn.networkEventRegisterAny(net, 0, (ev: NetworkLifecycleEvent) =>
        deliver(() => {
          const what = LIFECYCLE_NAMES[ev.event] ?? 'unknown';
          if (timestamp) ctl.print("%s: event 'lifecycle' for network %s: %s\n", eventTimestamp(), ev.net.getName(), what);
          else ctl.print("event 'lifecycle' for network %s: %s\n", ev.net.getName(), what);
        }),
      ),
    );
    if (id === FAILED) return null;
    return () => conn.networkEventDeregisterAny(id);
  });
}
