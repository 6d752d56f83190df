// The "Virsh itself" group's own command: connect.

import type { Cmd } from '../../vsh/cmd.js';
import type { VirshControl } from '../control.js';

async function cmdConnect(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const ro = cmd.has('readonly');
  const name = cmd.string('name');
  return ctl.reconnect(name ?? null, ro, true);
}

export const virshHandlers = { cmdConnect };
