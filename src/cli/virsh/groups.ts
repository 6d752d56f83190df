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

type Handlers = Readonly<Record<string, Handler<VirshControl>>>;

/**
 * The modules of virsh's commands and the handlers each defines, by their C names. A module is
 * loaded when one of its commands first runs, so a start of virsh-rpc compiles only what its
 * command needs (all of them at once were 0.6 MB, 40-60 ms of a one-shot command's 250-300).
 * test/unit/virsh-handlers.test.ts checks the lists against what the modules export.
 */
export const HANDLER_MODULES: readonly (readonly [load: () => Promise<Handlers>, names: readonly string[]])[] = [
  [() => import('./commands/backup.js').then((m) => m.backupHandlers), ['cmdBackupBegin', 'cmdBackupDumpXML']],
  [() => import('./commands/checkpoint.js').then((m) => m.checkpointHandlers), ['cmdCheckpointCreate', 'cmdCheckpointCreateAs', 'cmdCheckpointInfo', 'cmdCheckpointList', 'cmdCheckpointDumpXML', 'cmdCheckpointParent', 'cmdCheckpointDelete']],
  [() => import('./commands/console.js').then((m) => m.consoleHandlers), ['cmdConsole']],
  [() => import('./commands/domain-blockjob-start.js').then((m) => m.domainBlockjobStartHandlers), ['cmdBlockcommit', 'cmdBlockcopy', 'cmdBlockpull']],
  [() => import('./commands/domain-blockjob.js').then((m) => m.domainBlockjobHandlers), ['cmdBlockjob', 'cmdBlockresize', 'cmdBlkdeviotune', 'cmdDomblkthreshold', 'cmdMigrateSetMaxDowntime', 'cmdMigrateGetMaxDowntime', 'cmdMigrateCompCache', 'cmdMigrateSetMaxSpeed', 'cmdMigrateGetMaxSpeed', 'cmdMigratePostCopy']],
  [() => import('./commands/domain-tune.js').then((m) => m.domainTuneHandlers), ['cmdCPUStats', 'cmdDomIftune', 'cmdSetmem', 'cmdSetmaxmem', 'cmdMemtune', 'cmdBlkiotune', 'cmdNumatune', 'cmdPerf', 'cmdDesc', 'cmdMetadata']],
  [() => import('./commands/domain-guest.js').then((m) => m.domainGuestHandlers), ['cmdDomIfSetLink', 'cmdLxcEnterNamespace', 'cmdInjectNMI', 'cmdSendKey', 'cmdSendProcessSignal', 'cmdScreenshot', 'cmdDomrename', 'cmdDomHostname', 'cmdDomjobinfo', 'cmdDomjobabort', 'cmdDomXMLFromNative', 'cmdDomXMLToNative', 'cmdDomDisplay', 'cmdVNCDisplay', 'cmdTTYConsole', 'cmdDomFSTrim', 'cmdDomFSFreeze', 'cmdDomFSThaw', 'cmdDomFSInfo', 'cmdGuestAgentTimeout', 'cmdGuestInfo', 'cmdGetUserSSHKeys', 'cmdSetUserSSHKeys', 'cmdDomDirtyRateCalc']],
  [() => import('./commands/domain-config.js').then((m) => m.domainConfigHandlers), ['cmdUndefine', 'cmdAutostart', 'cmdSave', 'cmdSaveImageDumpxml', 'cmdSaveImageDefine', 'cmdManagedSave', 'cmdManagedSaveRemove', 'cmdManagedSaveDumpxml', 'cmdManagedSaveDefine', 'cmdRestore', 'cmdDump', 'cmdDomPMSuspend', 'cmdDomPMWakeup', 'cmdReset', 'cmdSetLifecycleAction', 'cmdSetUserPassword', 'cmdVcpucount', 'cmdVcpuinfo', 'cmdVcpuPin', 'cmdEmulatorPin', 'cmdSetvcpus', 'cmdGuestvcpus', 'cmdSetvcpu', 'cmdIOThreadInfo', 'cmdIOThreadPin', 'cmdIOThreadAdd', 'cmdIOThreadDel', 'cmdIOThreadSet', 'cmdSchedinfo']],
  [() => import('./commands/domain-devices.js').then((m) => m.domainDevicesHandlers), ['cmdAttachDevice', 'cmdDetachDevice', 'cmdDetachDeviceAlias', 'cmdUpdateDevice', 'cmdAttachDisk', 'cmdAttachInterface', 'cmdDetachInterface', 'cmdDetachDisk', 'cmdChangeMedia', 'cmdUpdateMemoryDevice']],
  [() => import('./commands/domain-monitor.js').then((m) => m.domainMonitorHandlers), ['cmdList', 'cmdDominfo', 'cmdDomstate', 'cmdDomMemStat', 'cmdDomblkinfo', 'cmdDomblklist', 'cmdDomiflist', 'cmdDomIfGetLink', 'cmdDomControl', 'cmdDomblkstat', 'cmdDomIfstat', 'cmdDomBlkError', 'cmdDomTime', 'cmdDomstats', 'cmdDomIfAddr', 'cmdDomLaunchSecInfo', 'cmdDomSetLaunchSecState']],
  [() => import('./commands/domain-qemu.js').then((m) => m.domainQemuHandlers), ['cmdQemuMonitorCommand', 'cmdQemuAgentCommand', 'cmdQemuAttach', 'cmdQemuMonitorEvent']],
  [() => import('./commands/domain.js').then((m) => m.domainHandlers), ['cmdStart', 'cmdDestroy', 'cmdSuspend', 'cmdResume', 'cmdDefine', 'cmdCreate', 'cmdShutdown', 'cmdReboot', 'cmdDumpXML', 'cmdDomid', 'cmdDomname', 'cmdDomuuid']],
  [() => import('./commands/edit.js').then((m) => m.editHandlers), ['cmdEdit', 'cmdSaveImageEdit', 'cmdManagedSaveEdit', 'cmdNetworkEdit', 'cmdPoolEdit', 'cmdNWFilterEdit', 'cmdInterfaceEdit', 'cmdSnapshotEdit', 'cmdCheckpointEdit']],
  [() => import('./commands/events.js').then((m) => m.eventHandlers), ['cmdEvent']],
  [() => import('./commands/host.js').then((m) => m.hostHandlers), ['cmdVersion', 'cmdURI', 'cmdHostname', 'cmdCapabilities', 'cmdSysinfo', 'cmdNodeinfo', 'cmdDomCapabilities', 'cmdFreecell', 'cmdFreepages', 'cmdAllocpages', 'cmdMaxvcpus', 'cmdNodeCpuMap', 'cmdNodeCpuStats', 'cmdNodeMemStats', 'cmdNodeSEVInfo', 'cmdNodeSuspend', 'cmdNodeMemoryTune', 'cmdCPUCompare', 'cmdCPUBaseline', 'cmdCPUModelNames', 'cmdHypervisorCPUCompare', 'cmdHypervisorCPUBaseline']],
  [() => import('./commands/interface.js').then((m) => m.interfaceHandlers), ['cmdInterfaceList', 'cmdInterfaceName', 'cmdInterfaceMAC', 'cmdInterfaceDumpXML', 'cmdInterfaceDefine', 'cmdInterfaceUndefine', 'cmdInterfaceStart', 'cmdInterfaceDestroy', 'cmdInterfaceBegin', 'cmdInterfaceCommit', 'cmdInterfaceRollback', 'cmdInterfaceBridge', 'cmdInterfaceUnbridge']],
  [() => import('./commands/migrate.js').then((m) => m.migrateHandlers), ['cmdMigrate']],
  [() => import('./commands/network.js').then((m) => m.networkHandlers), ['cmdNetworkAutostart', 'cmdNetworkCreate', 'cmdNetworkDefine', 'cmdNetworkDestroy', 'cmdNetworkDumpXML', 'cmdNetworkInfo', 'cmdNetworkList', 'cmdNetworkName', 'cmdNetworkStart', 'cmdNetworkUndefine', 'cmdNetworkUpdate', 'cmdNetworkUuid', 'cmdNetworkEvent', 'cmdNetworkDHCPLeases', 'cmdNetworkPortCreate', 'cmdNetworkPortDumpXML', 'cmdNetworkPortDelete', 'cmdNetworkPortList']],
  [() => import('./commands/nodedev.js').then((m) => m.nodedevHandlers), ['cmdNodeDeviceCreate', 'cmdNodeDeviceDestroy', 'cmdNodeListDevices', 'cmdNodeDeviceDumpXML', 'cmdNodeDeviceDetach', 'cmdNodeDeviceReAttach', 'cmdNodeDeviceReset', 'cmdNodeDeviceEvent', 'cmdNodeDeviceUndefine', 'cmdNodeDeviceDefine', 'cmdNodeDeviceStart', 'cmdNodeDeviceAutostart', 'cmdNodeDeviceInfo']],
  [() => import('./commands/nwfilter.js').then((m) => m.nwfilterHandlers), ['cmdNWFilterDefine', 'cmdNWFilterUndefine', 'cmdNWFilterDumpXML', 'cmdNWFilterList', 'cmdNWFilterBindingCreate', 'cmdNWFilterBindingDelete', 'cmdNWFilterBindingDumpXML', 'cmdNWFilterBindingList']],
  [() => import('./commands/pool-event.js').then((m) => m.poolEventHandlers), ['cmdPoolEvent']],
  [() => import('./commands/pool.js').then((m) => m.poolHandlers), ['cmdPoolAutostart', 'cmdPoolCreate', 'cmdPoolCreateAs', 'cmdPoolDefine', 'cmdPoolDefineAs', 'cmdPoolBuild', 'cmdPoolDestroy', 'cmdPoolDelete', 'cmdPoolRefresh', 'cmdPoolUndefine', 'cmdPoolDumpXML', 'cmdPoolList', 'cmdPoolDiscoverSourcesAs', 'cmdPoolDiscoverSources', 'cmdPoolInfo', 'cmdPoolName', 'cmdPoolStart', 'cmdPoolUuid', 'cmdPoolCapabilities']],
  [() => import('./commands/secret.js').then((m) => m.secretHandlers), ['cmdSecretDefine', 'cmdSecretDumpXML', 'cmdSecretSetValue', 'cmdSecretGetValue', 'cmdSecretUndefine', 'cmdSecretList', 'cmdSecretEvent']],
  [() => import('./commands/snapshot.js').then((m) => m.snapshotHandlers), ['cmdSnapshotCreate', 'cmdSnapshotCreateAs', 'cmdSnapshotCurrent', 'cmdSnapshotInfo', 'cmdSnapshotList', 'cmdSnapshotDumpXML', 'cmdSnapshotParent', 'cmdDomainSnapshotRevert', 'cmdSnapshotDelete']],
  [() => import('./commands/virsh.js').then((m) => m.virshHandlers), ['cmdConnect']],
  [() => import('./commands/volume.js').then((m) => m.volumeHandlers), ['cmdVolCreateAs', 'cmdVolCreate', 'cmdVolCreateFrom', 'cmdVolClone', 'cmdVolUpload', 'cmdVolDownload', 'cmdVolDelete', 'cmdVolWipe', 'cmdVolInfo', 'cmdVolResize', 'cmdVolDumpXML', 'cmdVolList', 'cmdVolName', 'cmdVolPool', 'cmdVolKey', 'cmdVolPath']],
];

export const HANDLERS: Record<string, Handler<VirshControl>> = { ...builtinHandlers };
for (const [load, names] of HANDLER_MODULES) {
  let loaded: Promise<Handlers> | null = null;
  for (const name of names) HANDLERS[name] = async (ctl, cmd) => (await (loaded ??= load()))[name]!(ctl, cmd);
}

export const virshGroups: readonly CmdGroup<VshControl>[] = buildGroups<VirshControl>(GROUPS, HANDLERS, UNSUPPORTED, 'virsh-rpc', HIDDEN_OPTS);
