// virsh-secret.c: the "Secret" group.

import { writeSync } from 'node:fs';
import {
  type Secret,
  VIR_CONNECT_LIST_SECRETS_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_PRIVATE,
  VIR_CONNECT_LIST_SECRETS_PRIVATE,
  VIR_ERR_NO_SUPPORT,
  VIR_SECRET_DEFINE_VALIDATE,
  VIR_SECRET_EVENT_ID_LIFECYCLE,
  VIR_SECRET_EVENT_ID_VALUE_CHANGED,
} from '../../../index.js';
import { VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import { readPassword } from '../auth.js';
import type { VirshControl } from '../control.js';
import { connOf, dumpXML, listTheOldWay, readFileAll, readFileBytes } from '../util.js';
import { strcasecmp } from './domain-monitor.js';
import { eventTimestamp, eventType, waitForEvents } from '../event-wait.js';

/** virSecretUsageType names. */
const USAGE_TYPES = ['none', 'volume', 'ceph', 'iscsi', 'tls', 'vtpm'];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * g_base64_decode: characters outside the alphabet are skipped, '=' counts as a zero digit that
 * drops its byte, and a trailing partial group is dropped (Node's decoder differs on these).
 */
export function glibBase64Decode(text: Uint8Array): Buffer {
  const out: number[] = [];
  let v = 0;
  let i = 0;
  let last0 = 0;
  let last1 = 0;
  for (const c of text) {
    if (c === 0) break;
    const rank = c === 0x3d ? 0 : BASE64.indexOf(String.fromCharCode(c));
    if (rank < 0) continue;
    last1 = last0;
    last0 = c;
    v = ((v << 6) | rank) & 0xffffff;
    if (++i === 4) {
      out.push(v >> 16);
      if (last1 !== 0x3d) out.push((v >> 8) & 0xff);
      if (last0 !== 0x3d) out.push(v & 0xff);
      i = 0;
    }
  }
  return Buffer.from(out);
}

/** virshCommandOptSecret: the secret of the "secret" option, by UUID; null after an error. */
async function optSecret(ctl: VirshControl, cmd: Cmd): Promise<{ secret: Secret; name: string } | null> {
  const n = cmd.string('secret');
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: found option <secret>: ${n}\n`);
  const secret = await ctl.call(connOf(ctl).secretLookupByUUIDString(n));
  if (secret === FAILED) {
    ctl.error(`failed to get secret '${n}'`);
    return null;
  }
  return { secret, name: n };
}

async function cmdSecretDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_SECRET_DEFINE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const res = await ctl.call(connOf(ctl).secretDefineXML(buffer, flags));
  if (res === FAILED) {
    ctl.error(`Failed to set attributes from ${from}`);
    return false;
  }
  ctl.printExtra('Secret %s created\n', res.getUUIDString());
  return true;
}

async function cmdSecretDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optSecret(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuietReq('xpath');
  const xml = await found.secret.getXMLDesc(0);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdSecretSetValue(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let plain = cmd.has('plain');
  const interactive = cmd.has('interactive');
  cmd.exclusive('file', 'base64');
  cmd.exclusive('plain', 'base64');
  cmd.exclusive('interactive', 'base64');
  cmd.exclusive('interactive', 'plain');
  cmd.exclusive('interactive', 'file');
  const found = await optSecret(ctl, cmd);
  if (!found) return false;
  const base64 = cmd.string('base64');
  const filename = cmd.string('file');
  let value: Buffer;
  if (base64 !== undefined) {
    ctl.error('Passing secret value as command-line argument is insecure!');
    value = Buffer.from(base64);
  } else if (filename !== undefined) {
    const bytes = readFileBytes(ctl, filename, 1024);
    if (bytes === null) return false;
    value = bytes;
  } else if (interactive) {
    ctl.print('%s', 'Enter new value for secret:');
    value = Buffer.from(readPassword(ctl.io));
    plain = true;
  } else {
    ctl.error('Input secret value is missing');
    return false;
  }
  if (!plain) value = glibBase64Decode(value);
  const res = await ctl.call(found.secret.setValue(value, 0));
  value.fill(0);
  if (res === FAILED) {
    ctl.error('Failed to set secret value');
    return false;
  }
  ctl.printExtra('%s', 'Secret value set\n');
  return true;
}

async function cmdSecretGetValue(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const plain = cmd.has('plain');
  const found = await optSecret(ctl, cmd);
  if (!found) return false;
  const value = Buffer.from(await found.secret.getValue(0));
  if (plain) {
    // The bytes as they are (fwrite in virsh), which need not be text.
    try {
      writeSync(1, value);
    } catch {
      value.fill(0);
      ctl.error('failed to write secret');
      return false;
    }
  } else ctl.print('%s', value.toString('base64'));
  value.fill(0);
  return true;
}

async function cmdSecretUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optSecret(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.secret.undefine())) === FAILED) {
    ctl.error(`Failed to delete secret ${found.name}`);
    return false;
  }
  ctl.printExtra('Secret %s deleted\n', found.name);
  return true;
}

/** virshSecretListCollect: the secrets sorted by UUID; null after an error. */
async function secretListCollect(ctl: VirshControl, flags: number): Promise<Secret[] | null> {
  const conn = connOf(ctl);
  let list = await ctl.call(conn.listAllSecrets(flags));
  if (list === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) {
      ctl.error('Failed to list node secrets');
      return null;
    }
    // The old way (0.10.1 and older).
    ctl.resetError();
    if (flags) {
      ctl.error('Filtering is not supported by this libvirt');
      return null;
    }
    const old = await listTheOldWay(
      ctl,
      'secrets',
      () => conn.numOfSecrets(),
      (n) => conn.listSecrets(n),
      (uuid) => conn.secretLookupByUUIDString(uuid),
    );
    if (!old) return null;
    list = old;
  }
  return list.sort((a, b) => strcasecmp(a.getUUIDString(), b.getUUIDString()));
}

async function cmdSecretList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('ephemeral')) flags |= VIR_CONNECT_LIST_SECRETS_EPHEMERAL;
  if (cmd.has('no-ephemeral')) flags |= VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL;
  if (cmd.has('private')) flags |= VIR_CONNECT_LIST_SECRETS_PRIVATE;
  if (cmd.has('no-private')) flags |= VIR_CONNECT_LIST_SECRETS_NO_PRIVATE;
  const list = await secretListCollect(ctl, flags);
  if (!list) return false;
  const table = new Table('UUID', 'Usage');
  for (const sec of list) {
    const usageType = sec.getUsageType();
    if (usageType) table.add(sec.getUUIDString(), `${USAGE_TYPES[usageType] ?? ''} ${sec.getUsageID()}`);
    else table.add(sec.getUUIDString(), 'Unused');
  }
  ctl.printTable(cmd, table);
  return true;
}

export const SECRET_EVENTS = ['lifecycle', 'value-changed'];
const LIFECYCLE = ['Defined', 'Undefined'];

async function cmdSecretEvent(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const event = eventType(ctl, cmd, SECRET_EVENTS);
  if (event === 'listed') return true;
  if (event === null) return false;
  const loop = cmd.has('loop');
  const timestamp = cmd.has('timestamp');
  const timeout = cmd.timeoutMs() ?? 0;
  let secret: Secret | null = null;
  if (cmd.has('secret')) {
    // virsh reports a bad --secret and goes on waiting for the events of every secret.
    try {
      secret = (await optSecret(ctl, cmd))?.secret ?? null;
    } catch (e) {
      if (!(e instanceof VshError)) throw e;
      ctl.error(e.message);
    }
  }
  const conn = connOf(ctl);
  return waitForEvents(ctl, loop, timeout, async (deliver) => {
    const print = (text: string) =>
      deliver(() => {
        if (timestamp) ctl.print('%s: ', eventTimestamp());
        ctl.print('%s', text);
      });
    const id =
      event === VIR_SECRET_EVENT_ID_LIFECYCLE
        ? await ctl.call(conn.secretEventRegisterAny(secret, VIR_SECRET_EVENT_ID_LIFECYCLE, (e) => print(`event 'lifecycle' for secret ${e.secret.getUUIDString()}: ${LIFECYCLE[e.event] ?? 'unknown'}\n`)))
        : await ctl.call(conn.secretEventRegisterAny(secret, VIR_SECRET_EVENT_ID_VALUE_CHANGED, (e) => print(`event 'value-changed' for secret ${e.secret.getUUIDString()}\n`)));
    if (id === FAILED) return null;
    return () => conn.secretEventDeregisterAny(id);
  });
}

export const secretHandlers = { cmdSecretDefine, cmdSecretDumpXML, cmdSecretSetValue, cmdSecretGetValue, cmdSecretUndefine, cmdSecretList, cmdSecretEvent };
