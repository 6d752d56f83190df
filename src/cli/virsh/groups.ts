// virsh's command groups: libvirt's tables (generated) with our handlers, by their C names.

import { buildGroups } from '../vsh/tables.js';
import { builtinHandlers } from '../vsh/builtins.js';
import type { Handler } from '../vsh/cmd.js';
import type { VshControl } from '../vsh/control.js';
import type { CmdGroup } from '../vsh/cmd.js';
import type { VirshControl } from './control.js';
import { GROUPS } from './generated/commands.js';
import { UNSUPPORTED } from './unsupported.js';
import { HIDDEN_OPTS } from './json-commands.js';
import { domainDevicesHandlers } from './commands/domain-devices.js';
import { editHandlers } from './commands/edit.js';
import { consoleHandlers } from './commands/console.js';
import { eventHandlers } from './commands/events.js';
import { domainBlockjobHandlers } from './commands/domain-blockjob.js';
import { domainBlockjobStartHandlers } from './commands/domain-blockjob-start.js';
import { domainQemuHandlers } from './commands/domain-qemu.js';
import { domainMonitorHandlers } from './commands/domain-monitor.js';
import { domainHandlers } from './commands/domain.js';
import { domainConfigHandlers } from './commands/domain-config.js';
import { hostHandlers } from './commands/host.js';
import { interfaceHandlers } from './commands/interface.js';
import { networkHandlers } from './commands/network.js';
import { nwfilterHandlers } from './commands/nwfilter.js';
import { poolHandlers } from './commands/pool.js';
import { volumeHandlers } from './commands/volume.js';
import { virshHandlers } from './commands/virsh.js';
import { snapshotHandlers } from './commands/snapshot.js';
import { checkpointHandlers } from './commands/checkpoint.js';
import { backupHandlers } from './commands/backup.js';
import { secretHandlers } from './commands/secret.js';
import { nodedevHandlers } from './commands/nodedev.js';
import { migrateHandlers } from './commands/migrate.js';

export const HANDLERS: Record<string, Handler<VirshControl>> = {
  ...builtinHandlers,
  ...virshHandlers,
  ...hostHandlers,
  ...domainHandlers,
  ...domainConfigHandlers,
  ...domainMonitorHandlers,
  ...networkHandlers,
  ...interfaceHandlers,
  ...nwfilterHandlers,
  ...snapshotHandlers,
  ...checkpointHandlers,
  ...backupHandlers,
  ...secretHandlers,
  ...nodedevHandlers,
  ...poolHandlers,
  ...volumeHandlers,
  ...domainDevicesHandlers,
  ...editHandlers,
  ...consoleHandlers,
  ...eventHandlers,
  ...domainBlockjobHandlers,
  ...domainBlockjobStartHandlers,
  ...domainQemuHandlers,
  ...migrateHandlers,
};

export const virshGroups: readonly CmdGroup<VshControl>[] = buildGroups<VirshControl>(GROUPS, HANDLERS, UNSUPPORTED, 'virsh-rpc', HIDDEN_OPTS);
