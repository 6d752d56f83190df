// virsh-backup.c: the "Backup" group.

import { VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import type { VirshControl } from '../control.js';
import { dumpXML, optDomain, readFileAll } from '../util.js';

async function cmdBackupBegin(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('reuse-external')) flags |= VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const backupFrom = cmd.string('backupxml');
  let backupBuffer: string | null = '<domainbackup/>';
  if (backupFrom !== undefined) {
    backupBuffer = readFileAll(ctl, backupFrom);
    if (backupBuffer === null) return false;
  }
  const checkFrom = cmd.string('checkpointxml');
  let checkBuffer: string | null = null;
  if (checkFrom !== undefined) {
    checkBuffer = readFileAll(ctl, checkFrom);
    if (checkBuffer === null) return false;
  }
  await found.dom.backupBegin(backupBuffer, checkBuffer, flags);
  ctl.print('Backup started\n');
  return true;
}

async function cmdBackupDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuietReq('xpath');
  const xml = await found.dom.backupGetXMLDesc(0);
  return dumpXML(ctl, xml, xpath, wrap);
}

export const backupHandlers = { cmdBackupBegin, cmdBackupDumpXML };
