// virsh-domain-event.c: the event command (--list, one event type or --all, --loop, --timeout,
// --timestamp), each event printed as virsh prints it.

import type { Domain, DomainEvent, DomainEventMap } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { connOf, optDomain } from '../util.js';
import { eventTimestamp, eventType, waitForEvents } from '../event-wait.js';

const name = (table: readonly string[], i: number, unknown = 'unknown'): string => table[i] ?? unknown;
const UNSUPPORTED = 'unsupported value';

const EVENTS = ['Defined', 'Undefined', 'Started', 'Suspended', 'Resumed', 'Stopped', 'Shutdown', 'PMSuspended', 'Crashed'];
const DETAILS: readonly (readonly string[])[] = [
  ['Added', 'Updated', 'Renamed', 'Snapshot'],
  ['Removed', 'Renamed'],
  ['Booted', 'Migrated', 'Restored', 'Snapshot', 'Event wakeup'],
  ['Paused', 'Migrated', 'I/O Error', 'Watchdog', 'Restored', 'Snapshot', 'API error', 'Post-copy', 'Post-copy Error'],
  ['Unpaused', 'Migrated', 'Snapshot', 'Post-copy', 'Post-copy Error'],
  ['Shutdown', 'Destroyed', 'Crashed', 'Migrated', 'Saved', 'Failed', 'Snapshot'],
  ['Finished', 'Finished after guest request', 'Finished after host request'],
  ['Memory', 'Disk'],
  ['Panicked', 'Crashloaded'],
];
const WATCHDOG = ['none', 'pause', 'reset', 'poweroff', 'shutdown', 'debug', 'inject-nmi'];
const IO_ERROR = ['none', 'pause', 'report'];
const GRAPHICS_PHASE = ['connect', 'initialize', 'disconnect'];
const GRAPHICS_ADDRESS = ['IPv4', 'IPv6', 'unix'];
const BLOCK_JOB_STATUS = ['completed', 'failed', 'canceled', 'ready'];
/** virshDomainBlockJob (virsh-util.c). */
const BLOCK_JOB_TYPE = ['Unknown job', 'Block Pull', 'Block Copy', 'Block Commit', 'Active Block Commit', 'Backup'];
const DISK_CHANGE = ['changed', 'dropped'];
const TRAY_CHANGE = ['opened', 'closed'];
const AGENT_STATE = ['unknown', 'connected', 'disconnected'];
const AGENT_REASON = ['unknown', 'domain started', 'channel event'];
const METADATA = ['description', 'title', 'element'];
const MEMORY_FAILURE_RECIPIENT = ['hypervisor', 'guest'];
const MEMORY_FAILURE_ACTION = ['ignore', 'inject', 'fatal', 'reset'];

/** virTypedParameterToString, from the value as the library decoded it. */
function paramToString(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(6);
  return String(v);
}

function paramLines(params: Record<string, unknown>): string {
  let s = '';
  for (const [field, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) s += `\t${field}: ${paramToString(v)}\n`;
  }
  return s;
}

const nullstr = (s: string | null | undefined): string => s ?? '<null>';

/** The text virsh prints for an event, by its callback's name. */
type Printer = (e: never, dom: string, cbName: string) => string;

const generic: Printer = (_e, dom, cb) => `event '${cb}' for domain '${dom}'\n`;
const blockJob = (e: DomainEventMap[8], dom: string, cb: string) => `event '${cb}' for domain '${dom}': ${name(BLOCK_JOB_TYPE, e.type, 'Unknown job')} for ${e.disk} ${name(BLOCK_JOB_STATUS, e.status)}\n`;

/** virshDomainEventCallbacks, in VIR_DOMAIN_EVENT_ID order (libvirt 9.0 has 27). */
export const CALLBACKS: readonly [string, Printer][] = [
  ['lifecycle', ((e: DomainEventMap[0], dom: string) => `event 'lifecycle' for domain '${dom}': ${name(EVENTS, e.event)} ${name(DETAILS[e.event] ?? [], e.detail)}\n`) as Printer],
  ['reboot', generic],
  ['rtc-change', ((e: DomainEventMap[2], dom: string) => `event 'rtc-change' for domain '${dom}': ${e.utcoffset}\n`) as Printer],
  ['watchdog', ((e: DomainEventMap[3], dom: string) => `event 'watchdog' for domain '${dom}': ${name(WATCHDOG, e.action)}\n`) as Printer],
  ['io-error', ((e: DomainEventMap[4], dom: string) => `event 'io-error' for domain '${dom}': ${e.srcPath} (${e.devAlias}) ${name(IO_ERROR, e.action)}\n`) as Printer],
  [
    'graphics',
    ((e: DomainEventMap[5], dom: string) =>
      `event 'graphics' for domain '${dom}': ${name(GRAPHICS_PHASE, e.phase)} local[${name(GRAPHICS_ADDRESS, e.local.family)} ${e.local.node} ${e.local.service}] remote[${name(GRAPHICS_ADDRESS, e.remote.family)} ${e.remote.node} ${e.remote.service}] ${e.authScheme}\n` +
      e.subject.map((s) => `\t${s.type}=${s.name}\n`).join('')) as Printer,
  ],
  ['io-error-reason', ((e: DomainEventMap[6], dom: string) => `event 'io-error-reason' for domain '${dom}': ${e.srcPath} (${e.devAlias}) ${name(IO_ERROR, e.action)} due to ${e.reason}\n`) as Printer],
  ['control-error', generic],
  ['block-job', blockJob as Printer],
  ['disk-change', ((e: DomainEventMap[9], dom: string) => `event 'disk-change' for domain '${dom}' disk ${e.devAlias}: ${nullstr(e.oldSrcPath)} -> ${nullstr(e.newSrcPath)}: ${name(DISK_CHANGE, e.reason)}\n`) as Printer],
  ['tray-change', ((e: DomainEventMap[10], dom: string) => `event 'tray-change' for domain '${dom}' disk ${e.devAlias}: ${name(TRAY_CHANGE, e.reason)}\n`) as Printer],
  ['pm-wakeup', generic],
  ['pm-suspend', generic],
  ['balloon-change', ((e: DomainEventMap[13], dom: string) => `event 'balloon-change' for domain '${dom}': ${e.actual}KiB\n`) as Printer],
  ['pm-suspend-disk', generic],
  ['device-removed', ((e: DomainEventMap[15], dom: string) => `event 'device-removed' for domain '${dom}': ${e.devAlias}\n`) as Printer],
  ['block-job-2', blockJob as Printer],
  ['tunable', ((e: DomainEventMap[17], dom: string) => `event 'tunable' for domain '${dom}':\n${paramLines(e.params)}`) as Printer],
  ['agent-lifecycle', ((e: DomainEventMap[18], dom: string) => `event 'agent-lifecycle' for domain '${dom}': state: '${name(AGENT_STATE, e.state, UNSUPPORTED)}' reason: '${name(AGENT_REASON, e.reason, UNSUPPORTED)}'\n`) as Printer],
  ['device-added', ((e: DomainEventMap[19], dom: string) => `event 'device-added' for domain '${dom}': ${e.devAlias}\n`) as Printer],
  ['migration-iteration', ((e: DomainEventMap[20], dom: string) => `event 'migration-iteration' for domain '${dom}': iteration: '${e.iteration}'\n`) as Printer],
  ['job-completed', ((e: DomainEventMap[21], dom: string) => `event 'job-completed' for domain '${dom}':\n${paramLines(e.params)}`) as Printer],
  ['device-removal-failed', ((e: DomainEventMap[22], dom: string) => `event 'device-removal-failed' for domain '${dom}': ${e.devAlias}\n`) as Printer],
  ['metadata-change', ((e: DomainEventMap[23], dom: string) => `event 'metadata-change' for domain '${dom}': type ${name(METADATA, e.type, UNSUPPORTED)}, uri ${nullstr(e.nsuri)}\n`) as Printer],
  ['block-threshold', ((e: DomainEventMap[24], dom: string) => `event 'block-threshold' for domain '${dom}': dev: ${e.dev}(${nullstr(e.path)}) ${e.threshold} ${e.excess}\n`) as Printer],
  [
    'memory-failure',
    ((e: DomainEventMap[25], dom: string) =>
      `event 'memory-failure' for domain '${dom}':\nrecipient: ${name(MEMORY_FAILURE_RECIPIENT, e.recipient, UNSUPPORTED)}\naction: ${name(MEMORY_FAILURE_ACTION, e.action, UNSUPPORTED)}\n` +
      `flags:\n\taction required: ${e.flags & 1 ? 1 : 0}\n\trecursive: ${e.flags & 2 ? 1 : 0}\n`) as Printer,
  ],
  ['memory-device-size-change', ((e: DomainEventMap[26], dom: string) => `event 'memory-device-size-change' for domain '${dom}':\nalias: ${e.alias}\nsize: ${e.size}\n`) as Printer],
];

async function cmdEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  cmd.exclusive('all', 'event');
  cmd.exclusive('list', 'all');
  cmd.exclusive('list', 'event');
  const event = eventType(
    ctl,
    cmd,
    CALLBACKS.map(([name]) => name),
    true,
  );
  if (event === 'listed') return true;
  if (event === null) return false;
  const chosen = CALLBACKS.map((c, id) => ({ id, name: c[0], print: c[1] })).filter((c) => event === 'all' || c.id === event);
  const conn = connOf(ctl);
  const timeout = cmd.timeoutMs();
  let dom: Domain | null = null;
  if (cmd.has('domain')) {
    const found = await optDomain(ctl, cmd);
    if (!found) return false;
    dom = found.dom;
  }
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const ids: number[] = [];
    for (let i = 0; i < chosen.length; i++) {
      const c = chosen[i]!;
      const onEvent = (e: DomainEvent) =>
        deliver(() => {
          const msg = c.print(e as never, e.dom.getName(), c.name);
          if (timestamp) ctl.print('%s: %s', eventTimestamp(), msg);
          else ctl.print('%s', msg);
        });
      const id = await ctl.call(conn.domainEventRegisterAny(dom, c.id, onEvent));
      if (id !== FAILED) ids.push(id);
      // With --all, a type the daemon does not know is skipped; the first must register.
      else if (i) ctl.resetError();
      else return null;
    }
    return async () => {
      let ok = true;
      for (const id of ids) if ((await ctl.call(conn.domainEventDeregisterAny(id))) === FAILED) ok = false;
      return ok;
    };
  });
}

export const eventHandlers = { cmdEvent };
