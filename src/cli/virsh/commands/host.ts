// virsh-host.c: the "Host and Hypervisor" group.

import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { connOf } from '../util.js';
import { VERSION_STRING, versionText } from '../../vsh/version.js';

async function cmdVersion(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const hvType = await ctl.call(conn.getType());
  if (hvType === FAILED) {
    ctl.error('failed to get hypervisor type');
    return false;
  }
  // The library and API lines describe the virsh this client reproduces (libvirt 9.0.0).
  ctl.print(`Compiled against library: libvirt ${VERSION_STRING}\n`);
  ctl.print(`Using library: libvirt ${VERSION_STRING}\n`);
  ctl.print(`Using API: ${hvType} ${VERSION_STRING}\n`);
  const hv = await ctl.call(conn.getVersion());
  if (hv === FAILED) {
    ctl.error('failed to get the hypervisor version');
    return false;
  }
  if (BigInt(hv) === 0n) ctl.print(`Cannot extract running ${hvType} hypervisor version\n`);
  else ctl.print(`Running hypervisor: ${hvType} ${versionText(hv)}\n`);
  if (cmd.has('daemon')) {
    const d = await ctl.call(conn.getLibVersion());
    if (d === FAILED) ctl.error('failed to get the daemon version');
    else ctl.print(`Running against daemon: ${versionText(d)}\n`);
  }
  return true;
}

const cmdURI = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getURI(), 'failed to get URI', '%s\n');

const cmdHostname = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getHostname(), 'failed to get hostname', '%s\n');

const cmdCapabilities = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getCapabilities(), 'failed to get capabilities', '%s\n');

const cmdSysinfo = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getSysinfo(0), 'failed to get sysinfo', '%s');

async function cmdNodeinfo(ctl: VirshControl): Promise<boolean> {
  const info = await ctl.call(connOf(ctl).nodeGetInfo());
  if (info === FAILED) {
    ctl.error('failed to get node information');
    return false;
  }
  ctl.print('%-20s %s\n', 'CPU model:', info.model);
  ctl.print('%-20s %d\n', 'CPU(s):', info.cpus);
  if (info.mhz) ctl.print('%-20s %d MHz\n', 'CPU frequency:', info.mhz);
  ctl.print('%-20s %d\n', 'CPU socket(s):', info.sockets);
  ctl.print('%-20s %d\n', 'Core(s) per socket:', info.cores);
  ctl.print('%-20s %d\n', 'Thread(s) per core:', info.threads);
  ctl.print('%-20s %d\n', 'NUMA cell(s):', info.nodes);
  ctl.print('%-20s %lu KiB\n', 'Memory size:', info.memory);
  return true;
}

export const hostHandlers = { cmdVersion, cmdURI, cmdHostname, cmdCapabilities, cmdSysinfo, cmdNodeinfo };
