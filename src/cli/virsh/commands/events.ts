// virsh-domain-event.c: the event command (--list, one event type or --all, --loop, --timeout,
// --timestamp), each event printed as virsh prints it.

import type { Domain, DomainEvent, DomainEventMap } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { connOf, optDomain } from '../util.js';

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
const CALLBACKS: readonly [string, Printer][] = [
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

/** virTimeStringNowRaw: "YYYY-MM-DD HH:MM:SS.mmm+0000" in UTC. */
export function timestampNow(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}+0000`;
}

export type EventWaitResult = 'done' | 'timeout' | 'interrupt';

/** vshEventStart / vshEventWait / vshEventDone: until done(), the timeout, or ^C. */
export function eventWaiter(timeoutMs: number | undefined): { done(): void; wait(): Promise<EventWaitResult>; cleanup(): void } {
  let finish!: (r: EventWaitResult) => void;
  const result = new Promise<EventWaitResult>((resolve) => (finish = resolve));
  const onInt = () => finish('interrupt');
  process.on('SIGINT', onInt);
  const timer = timeoutMs ? setTimeout(() => finish('timeout'), timeoutMs) : null;
  return {
    done: () => finish('done'),
    wait: () => result,
    cleanup: () => {
      process.off('SIGINT', onInt);
      if (timer) clearTimeout(timer);
    },
  };
}

async function cmdEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const all = cmd.has('all');
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  cmd.exclusive('all', 'event');
  cmd.exclusive('list', 'all');
  cmd.exclusive('list', 'event');
  if (cmd.has('list')) {
    for (const [n] of CALLBACKS) ctl.print('%s\n', n);
    return true;
  }
  const eventName = cmd.string('event');
  if (eventName === undefined && !all) {
    ctl.error('one of --list, --all, or --event <type> is required');
    return false;
  }
  const chosen = CALLBACKS.map((c, id) => ({ id, name: c[0], print: c[1] })).filter((c) => eventName === undefined || c.name === eventName);
  if (chosen.length === 0) {
    ctl.error(`unknown event type ${eventName}`);
    return false;
  }
  const conn = connOf(ctl);
  const timeout = cmd.timeoutMs();
  let dom: Domain | null = null;
  if (cmd.has('domain')) {
    const found = await optDomain(ctl, cmd);
    if (!found) return false;
    dom = found.dom;
  }
  let count = 0;
  const waiter = eventWaiter(timeout);
  const ids: number[] = [];
  let ret = false;
  let failed = false;
  try {
    for (let i = 0; i < chosen.length; i++) {
      const c = chosen[i]!;
      const onEvent = (e: DomainEvent) => {
        const msg = c.print(e as never, e.dom.getName(), c.name);
        if (!loop && count) return;
        if (timestamp) ctl.print('%s: %s', timestampNow(), msg);
        else ctl.print('%s', msg);
        count++;
        if (!loop) waiter.done();
      };
      const id = await ctl.call(conn.domainEventRegisterAny(dom, c.id, onEvent));
      if (id !== FAILED) ids.push(id);
      else if (i) ctl.resetError();
      else {
        failed = true;
        break;
      }
    }
    if (failed) return false;
    const r = await waiter.wait();
    if (r === 'interrupt') ctl.print('%s', 'event loop interrupted\n');
    else if (r === 'timeout') ctl.print('%s', 'event loop timed out\n');
    ctl.print('events received: %d\n', count);
    ret = count > 0;
  } finally {
    waiter.cleanup();
    for (const id of ids) if ((await ctl.call(conn.domainEventDeregisterAny(id))) === FAILED) ret = false;
  }
  return ret;
}

export const eventHandlers = { cmdEvent };
