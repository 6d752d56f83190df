// virsh-domain.c, the QEMU-specific commands: qemu-monitor-command, qemu-monitor-event,
// qemu-agent-command, qemu-attach.
// (lxc-enter-namespace needs the namespaces' file descriptors: see unsupported.ts.)

import {
  VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE,
  VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX,
  VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK,
  VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT,
  VIR_DOMAIN_QEMU_AGENT_COMMAND_NOWAIT,
  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP,
  type Domain,
} from '../../../index.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { connOf, optDomain } from '../util.js';
import { eventTimestamp, waitForEvents } from '../event-wait.js';

/** virJSONValueFromString: the value, or undefined when the text is not JSON. */
function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** virJSONValueToString: compact, or yajl's beautified form (two spaces, "key": value, empty containers on three lines). */
function jsonToString(v: unknown, pretty: boolean): string {
  if (!pretty) return JSON.stringify(v);
  const fmt = (x: unknown, depth: number): string => {
    const pad = '  '.repeat(depth);
    const inner = '  '.repeat(depth + 1);
    if (Array.isArray(x)) {
      if (x.length === 0) return `[\n\n${pad}]`;
      return `[\n${x.map((e) => inner + fmt(e, depth + 1)).join(',\n')}\n${pad}]`;
    }
    if (isObject(x)) {
      const keys = Object.keys(x);
      if (keys.length === 0) return `{\n\n${pad}}`;
      return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${fmt(x[k], depth + 1)}`).join(',\n')}\n${pad}}`;
    }
    return JSON.stringify(x);
  };
  return fmt(v, 0) + '\n';
}

/** cmdQemuMonitorCommandQMPWrap: a JSON object as given, else {"execute": argv[0], "arguments": the rest}. */
function qmpWrap(ctl: VirshControl, argv: string[]): string | null {
  const fullcmd = argv.join(' ');
  if (isObject(parseJSON(fullcmd))) return fullcmd;
  const commandname = argv[0];
  const rest = argv.slice(1);
  const fullargs = rest.length ? rest.join(' ') : null;
  let args: unknown;
  if (fullargs === null) args = undefined;
  else {
    const parsed = parseJSON(fullargs);
    if (isObject(parsed)) args = parsed;
    else {
      args = parseJSON(`{${rest.join(',')}}`);
      if (args === undefined) {
        ctl.error(`failed to wrap arguments '${fullargs}' into a QMP command wrapper`);
        return null;
      }
    }
  }
  const command: Record<string, unknown> = { execute: commandname };
  if (args !== undefined) command.arguments = args;
  return jsonToString(command, false);
}

async function cmdQemuMonitorCommand(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const pretty = cmd.has('pretty');
  const returnval = cmd.has('return-value');
  cmd.exclusive('hmp', 'pretty');
  cmd.exclusive('hmp', 'return-value');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  let flags = 0;
  let monitorCmd: string | null;
  if (cmd.has('hmp')) {
    flags |= VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP;
    monitorCmd = cmd.argv().join(' ');
  } else monitorCmd = qmpWrap(ctl, cmd.argv());
  if (monitorCmd === null) return false;
  if (cmd.stringQuiet('pass-fds') !== undefined) throw new VshError('--pass-fds: passing file descriptors to the daemon is not supported by virsh-rpc');
  const result = await ctl.call(found.dom.qemuMonitorCommand(monitorCmd, flags));
  if (result === FAILED) return false;
  let resultjson: unknown;
  if (returnval || pretty) {
    resultjson = parseJSON(result);
    if (returnval && resultjson === undefined) {
      ctl.error('failed to parse JSON returned by qemu');
      return false;
    }
  }
  if (resultjson === undefined) {
    ctl.print('%s\n', result);
    return true;
  }
  let formatjson: unknown = resultjson;
  if (returnval) {
    if (!isObject(resultjson) || !('return' in resultjson)) {
      ctl.error("'return' member missing");
      return false;
    }
    formatjson = resultjson.return;
  }
  ctl.print('%s', jsonToString(formatjson, pretty).trim());
  return true;
}

async function cmdQemuAgentCommand(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const guestAgentCmd = cmd.argv().join(' ');
  let timeout = VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT;
  const t = cmd.int('timeout');
  let judge = 0;
  if (t !== undefined) {
    timeout = t;
    judge = 1;
  }
  if (judge && timeout < 1) {
    ctl.error('timeout must be positive');
    return false;
  }
  if (cmd.has('async')) {
    timeout = VIR_DOMAIN_QEMU_AGENT_COMMAND_NOWAIT;
    judge++;
  }
  if (cmd.has('block')) {
    timeout = VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK;
    judge++;
  }
  if (judge > 1) {
    ctl.error('timeout, async and block options are exclusive');
    return false;
  }
  let result = await ctl.call(found.dom.qemuAgentCommand(guestAgentCmd, timeout, 0));
  if (result === FAILED) return false;
  if (cmd.has('pretty') && result !== null) {
    const v = parseJSON(result);
    if (v !== undefined) result = jsonToString(v, true);
  }
  ctl.print('%s\n', result);
  return true;
}

async function cmdQemuAttach(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const pid = cmd.uint('pid');
  if (pid === undefined) return false;
  const dom = await ctl.call(connOf(ctl).domainQemuAttach(pid, 0));
  if (dom === FAILED) {
    ctl.error(`Failed to attach to pid ${pid}`);
    return false;
  }
  ctl.printExtra("Domain '%s' attached to pid %u\n", dom.getName(), pid);
  return true;
}

async function cmdQemuMonitorEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('regex')) flags |= VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX;
  if (cmd.has('no-case')) flags |= VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE;
  const loop = cmd.has('loop');
  const pretty = cmd.has('pretty');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs();
  const event = cmd.string('event') ?? null;
  let dom: Domain | null = null;
  if (cmd.has('domain')) {
    const found = await optDomain(ctl, cmd);
    if (!found) return false;
    dom = found.dom;
  }
  const conn = connOf(ctl);
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const id = await ctl.call(
      conn.domainQemuMonitorEventRegister(
        dom,
        event,
        (e) =>
          deliver(() => {
            let details = e.details;
            if (pretty && details !== null) {
              const v = parseJSON(details);
              if (v !== undefined) details = jsonToString(v, true);
            }
            if (timestamp) ctl.print("%s: event %s for domain '%s': %s\n", eventTimestamp(), e.event, e.dom.getName(), details ?? '<null>');
            else ctl.print("event %s at %lld.%06u for domain '%s': %s\n", e.event, e.seconds, e.micros, e.dom.getName(), details ?? '<null>');
          }),
        undefined,
        undefined,
        flags,
      ),
    );
    if (id === FAILED) return null;
    return async () => (await ctl.call(conn.domainQemuMonitorEventDeregister(id))) !== FAILED;
  });
}

export const domainQemuHandlers = { cmdQemuMonitorCommand, cmdQemuAgentCommand, cmdQemuAttach, cmdQemuMonitorEvent };
