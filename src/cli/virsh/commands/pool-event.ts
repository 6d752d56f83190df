// virsh-pool.c's pool-event: waits for storage pool events (vshEventStart / vshEventWait: until
// the first event, or with --loop until the timeout or SIGINT).

import { VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, type StoragePool, type StoragePoolEvent } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { optPool } from '../storage-util.js';
import { connOf } from '../util.js';
import { eventTimestamp, eventType, waitForEvents } from '../event-wait.js';

export const EVENT_NAMES = ['lifecycle', 'refresh'];
const LIFECYCLE_EVENTS = ['Defined', 'Undefined', 'Started', 'Stopped', 'Created', 'Deleted'];

async function cmdPoolEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const event = eventType(ctl, cmd, EVENT_NAMES);
  if (event === 'listed') return true;
  if (event === null) return false;
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs() ?? 0;
  // As virsh: a pool that cannot be found is reported, and events of every pool are awaited.
  let pool: StoragePool | null = null;
  if (cmd.has('pool')) pool = (await optPool(ctl, cmd, 'pool'))?.pool ?? null;

  const conn = connOf(ctl);
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const id = await ctl.call(
      conn.storagePoolEventRegisterAny(pool, event, (ev: StoragePoolEvent) =>
        deliver(() => {
          const prefix = timestamp ? `${eventTimestamp()}: ` : '';
          if (ev.eventID === VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) ctl.print(`${prefix}event 'lifecycle' for storage pool %s: %s\n`, ev.pool.getName(), LIFECYCLE_EVENTS[ev.event] ?? 'unknown');
          else ctl.print(`${prefix}event '%s' for storage pool %s\n`, EVENT_NAMES[event]!, ev.pool.getName());
        }),
      ),
    );
    if (id === FAILED) return null;
    return () => conn.storagePoolEventDeregisterAny(id);
  });
}

export const poolEventHandlers = { cmdPoolEvent };
