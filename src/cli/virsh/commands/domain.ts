// virsh-domain.c: the "Domain Management" group.

import {
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_DESTROY_GRACEFUL,
  VIR_DOMAIN_DESTROY_REMOVE_LOGS,
  VIR_DOMAIN_REBOOT_ACPI_POWER_BTN,
  VIR_DOMAIN_REBOOT_GUEST_AGENT,
  VIR_DOMAIN_REBOOT_INITCTL,
  VIR_DOMAIN_REBOOT_PARAVIRT,
  VIR_DOMAIN_REBOOT_SIGNAL,
  VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
  VIR_DOMAIN_SHUTDOWN_GUEST_AGENT,
  VIR_DOMAIN_SHUTDOWN_INITCTL,
  VIR_DOMAIN_SHUTDOWN_PARAVIRT,
  VIR_DOMAIN_SHUTDOWN_SIGNAL,
  VIR_DOMAIN_START_AUTODESTROY,
  VIR_DOMAIN_START_BYPASS_CACHE,
  VIR_DOMAIN_START_FORCE_BOOT,
  VIR_DOMAIN_START_PAUSED,
  VIR_DOMAIN_START_RESET_NVRAM,
  VIR_DOMAIN_START_VALIDATE,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_MIGRATABLE,
  VIR_DOMAIN_XML_SECURE,
  VIR_DOMAIN_XML_UPDATE_CPU,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
} from '../../../index.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { cmdRunConsole } from './console.js';
import { connOf, dumpXML, idString, optDomain, readFileAll, VIRSH_BYID, VIRSH_BYNAME, VIRSH_BYUUID } from '../util.js';

/** --pass-fds: descriptors cannot be passed over this client's connections. */
function refusePassFds(cmd: Cmd): void {
  if (cmd.stringQuiet('pass-fds') !== undefined) throw new VshError('--pass-fds: passing file descriptors to the daemon is not supported by virsh-rpc');
}

async function cmdStart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd, VIRSH_BYNAME | VIRSH_BYUUID);
  if (!found) return false;
  const { dom } = found;
  if (idString(dom) !== '-') {
    ctl.error('Domain is already active');
    return false;
  }
  refusePassFds(cmd);
  let flags = 0;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_START_PAUSED;
  if (cmd.has('autodestroy')) flags |= VIR_DOMAIN_START_AUTODESTROY;
  if (cmd.has('bypass-cache')) flags |= VIR_DOMAIN_START_BYPASS_CACHE;
  if (cmd.has('force-boot')) flags |= VIR_DOMAIN_START_FORCE_BOOT;
  if (cmd.has('reset-nvram')) flags |= VIR_DOMAIN_START_RESET_NVRAM;
  let started = false;
  if (flags & VIR_DOMAIN_START_FORCE_BOOT) {
    // Force boot can be emulated on daemons that reject it.
    if ((await ctl.call(dom.createWithFlags(flags))) !== FAILED) started = true;
    else {
      const code = ctl.lastError?.code;
      if (code !== VIR_ERR_NO_SUPPORT && code !== VIR_ERR_INVALID_ARG) {
        ctl.reportError();
        return false;
      }
      ctl.resetError();
      const has = await dom.hasManagedSaveImage(0).catch(() => null);
      if (has) await dom.managedSaveRemove(0);
      flags &= ~VIR_DOMAIN_START_FORCE_BOOT;
    }
  }
  if (!started) {
    const r = await ctl.call(flags !== 0 ? dom.createWithFlags(flags) : dom.create());
    if (r === FAILED) {
      ctl.error(`Failed to start domain '${dom.getName()}'`);
      return false;
    }
  }
  ctl.printExtra(`Domain '${dom.getName()}' started\n`);
  if (cmd.has('console') && !(await cmdRunConsole(ctl, dom, null, 0))) return false;
  return true;
}

async function cmdDestroy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  let flags = 0;
  if (cmd.has('graceful')) flags |= VIR_DOMAIN_DESTROY_GRACEFUL;
  if (cmd.has('remove-logs')) flags |= VIR_DOMAIN_DESTROY_REMOVE_LOGS;
  const r = await ctl.call(flags ? found.dom.destroyFlags(flags) : found.dom.destroy());
  if (r === FAILED) {
    ctl.error(`Failed to destroy domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' destroyed\n`);
  return true;
}

async function cmdSuspend(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.suspend())) === FAILED) {
    ctl.error(`Failed to suspend domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' suspended\n`);
  return true;
}

async function cmdResume(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.resume())) === FAILED) {
    ctl.error(`Failed to resume domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' resumed\n`);
  return true;
}

async function cmdDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_DOMAIN_DEFINE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const conn = connOf(ctl);
  const dom = await ctl.call(flags ? conn.domainDefineXMLFlags(buffer, flags) : conn.domainDefineXML(buffer));
  if (dom === FAILED) {
    ctl.error(`Failed to define domain from ${from}`);
    return false;
  }
  ctl.printExtra(`Domain '${dom.getName()}' defined from ${from}\n`);
  return true;
}

async function cmdCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  refusePassFds(cmd);
  let flags = 0;
  if (cmd.has('paused')) flags |= VIR_DOMAIN_START_PAUSED;
  if (cmd.has('autodestroy')) flags |= VIR_DOMAIN_START_AUTODESTROY;
  if (cmd.has('validate')) flags |= VIR_DOMAIN_START_VALIDATE;
  if (cmd.has('reset-nvram')) flags |= VIR_DOMAIN_START_RESET_NVRAM;
  const dom = await ctl.call(connOf(ctl).domainCreateXML(buffer, flags));
  if (dom === FAILED) {
    ctl.error(`Failed to create domain from ${from}`);
    return false;
  }
  ctl.printExtra(`Domain '${dom.getName()}' created from ${from}\n`);
  if (cmd.has('console')) await cmdRunConsole(ctl, dom, null, 0);
  return true;
}

/** The --mode list of shutdown and reboot. */
function modeFlags(mode: string | undefined, table: Record<string, number>): number {
  let flags = 0;
  if (mode === undefined) return 0;
  for (const m of mode.split(',')) {
    const f = table[m];
    if (f === undefined) throw new VshError(`Unknown mode ${m} value, expecting 'acpi', 'agent', 'initctl', 'signal', or 'paravirt'`);
    flags |= f;
  }
  return flags;
}

async function cmdShutdown(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = modeFlags(cmd.string('mode'), {
    acpi: VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
    agent: VIR_DOMAIN_SHUTDOWN_GUEST_AGENT,
    initctl: VIR_DOMAIN_SHUTDOWN_INITCTL,
    signal: VIR_DOMAIN_SHUTDOWN_SIGNAL,
    paravirt: VIR_DOMAIN_SHUTDOWN_PARAVIRT,
  });
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(flags ? found.dom.shutdownFlags(flags) : found.dom.shutdown())) === FAILED) {
    ctl.error(`Failed to shutdown domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' is being shutdown\n`);
  return true;
}

async function cmdReboot(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = modeFlags(cmd.string('mode'), {
    acpi: VIR_DOMAIN_REBOOT_ACPI_POWER_BTN,
    agent: VIR_DOMAIN_REBOOT_GUEST_AGENT,
    initctl: VIR_DOMAIN_REBOOT_INITCTL,
    signal: VIR_DOMAIN_REBOOT_SIGNAL,
    paravirt: VIR_DOMAIN_REBOOT_PARAVIRT,
  });
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.reboot(flags))) === FAILED) {
    ctl.error(`Failed to reboot domain '${found.name}'`);
    return false;
  }
  ctl.printExtra(`Domain '${found.name}' is being rebooted\n`);
  return true;
}

async function cmdDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('inactive')) flags |= VIR_DOMAIN_XML_INACTIVE;
  if (cmd.has('security-info')) flags |= VIR_DOMAIN_XML_SECURE;
  if (cmd.has('update-cpu')) flags |= VIR_DOMAIN_XML_UPDATE_CPU;
  if (cmd.has('migratable')) flags |= VIR_DOMAIN_XML_MIGRATABLE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuietReq('xpath');
  const xml = await found.dom.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, cmd.has('wrap'));
}

async function cmdDomid(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd, VIRSH_BYNAME | VIRSH_BYUUID);
  if (!found) return false;
  ctl.print('%s\n', idString(found.dom));
  return true;
}

async function cmdDomname(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd, VIRSH_BYID | VIRSH_BYUUID);
  if (!found) return false;
  ctl.print('%s\n', found.dom.getName());
  return true;
}

async function cmdDomuuid(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd, VIRSH_BYNAME | VIRSH_BYID);
  if (!found) return false;
  ctl.print('%s\n', found.dom.getUUIDString());
  return true;
}

export const domainHandlers = { cmdStart, cmdDestroy, cmdSuspend, cmdResume, cmdDefine, cmdCreate, cmdShutdown, cmdReboot, cmdDumpXML, cmdDomid, cmdDomname, cmdDomuuid };
