// virt-admin.c's commands: the admin server's servers, worker pools, clients, limits, logging
// and the daemon's auto-shutdown timeout.

import { VIR_SERVER_CLIENTS_MAX, VIR_SERVER_CLIENTS_UNAUTH_MAX, VIR_THREADPOOL_WORKERS_MAX, VIR_THREADPOOL_WORKERS_MIN, VIR_THREADPOOL_WORKERS_PRIORITY, type AdminClient, type AdminConnection } from '../../index.js';
import { VshError, type Cmd } from '../vsh/cmd.js';
import { FAILED } from '../vsh/control.js';
import { Table } from '../vsh/table.js';
import { typedParamEntries, typedParamString } from '../vsh/typed-params.js';
import type { AdminControl } from './control.js';
import { VERSION_STRING, versionText } from '../vsh/version.js';

const connOf = (ctl: AdminControl): AdminConnection => {
  if (!ctl.conn) throw new Error('no valid connection');
  return ctl.conn;
};

const TRANSPORTS = ['unix', 'tcp', 'tls'];
const transportString = (t: number) => TRANSPORTS[t] ?? 'unknown';

/** g_date_time_format(then, "%Y-%m-%d %H:%M:%S%z") in local time. */
function localTime(seconds: bigint | number): string {
  const d = new Date(Number(seconds) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = `${off >= 0 ? '+' : '-'}${two(Math.floor(Math.abs(off) / 60))}${two(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${zone}`;
}

const cmdURI = (ctl: AdminControl): Promise<boolean> => ctl.printResult(connOf(ctl).getURI(), 'failed to get URI', '%s\n');

async function cmdVersion(ctl: AdminControl): Promise<boolean> {
  // The library lines describe the virt-admin virt-admin-rpc reproduces (libvirt 9.0.0).
  ctl.print(`Compiled against library: libvirt ${VERSION_STRING}\n`);
  ctl.print(`Using library: libvirt ${VERSION_STRING}\n`);
  const d = await ctl.call(connOf(ctl).getLibVersion());
  if (d === FAILED) ctl.error('failed to get the daemon version');
  else ctl.print(`Running against daemon: ${versionText(d)}\n`);
  return true;
}

async function cmdConnect(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const connected = ctl.conn !== null;
  const name = cmd.string('name');
  if (name !== undefined) ctl.connname = name;
  await ctl.reconnect();
  if (!connected && ctl.conn) ctl.print('Connected to the admin server\n');
  return ctl.conn !== null;
}

async function cmdSrvList(ctl: AdminControl): Promise<boolean> {
  const conn = connOf(ctl);
  const srvs = await ctl.call(conn.listServers(0));
  if (srvs === FAILED) {
    const uri = await conn.getURI().catch(() => null);
    ctl.error(`failed to obtain list of available servers from ${uri ?? '(null)'}`);
    return false;
  }
  const table = new Table('Id', 'Name');
  srvs.forEach((s, i) => table.add(String(i), s.getName()));
  ctl.print(table.toString(!ctl.quiet));
  return true;
}

async function cmdSrvThreadpoolInfo(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  const params = await ctl.call(srv.getThreadPoolParameters(0));
  if (params === FAILED) {
    ctl.error('Unable to get server workerpool parameters');
    return false;
  }
  for (const [field, value] of typedParamEntries(params)) ctl.print('%-15s: %u\n', field, value as number);
  return true;
}

/** The PARSE_CMD_TYPED_PARAM of the *-set commands: uint options into typed parameters. */
function uintParams(cmd: Cmd, fields: [string, string][]): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [opt, field] of fields) {
    let v: number | undefined;
    try {
      v = cmd.uint(opt);
    } catch (e) {
      if (e instanceof VshError) throw new VshError(`${e.message}\nerror: Unable to parse integer parameter '${opt}'`);
      throw e;
    }
    if (v !== undefined) params[field] = v;
  }
  return params;
}

async function cmdSrvThreadpoolSet(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const params = uintParams(cmd, [
    ['max-workers', VIR_THREADPOOL_WORKERS_MAX],
    ['min-workers', VIR_THREADPOOL_WORKERS_MIN],
    ['priority-workers', VIR_THREADPOOL_WORKERS_PRIORITY],
  ]);
  if (!Object.keys(params).length) {
    ctl.error('At least one of options --min-workers, --max-workers, --priority-workers is mandatory ');
    return false;
  }
  const max = params[VIR_THREADPOOL_WORKERS_MAX];
  const min = params[VIR_THREADPOOL_WORKERS_MIN];
  if (max !== undefined && min !== undefined && min > max) {
    ctl.error('--min-workers must be less than or equal to --max-workers');
    return false;
  }
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  if ((await ctl.call(srv.setThreadPoolParameters(params, 0))) === FAILED) {
    ctl.error('Unable to change server workerpool parameters');
    return false;
  }
  return true;
}

async function cmdSrvClientsList(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  const clients = await ctl.call(srv.listClients(0));
  if (clients === FAILED) {
    ctl.error(`failed to obtain list of connected clients from server '${srv.getName()}'`);
    return false;
  }
  const table = new Table('Id', 'Transport', 'Connected since');
  for (const c of clients) table.add(String(c.getID()), transportString(c.getTransport()), localTime(c.getTimestamp()));
  ctl.print(table.toString(!ctl.quiet));
  return true;
}

async function cmdClientInfo(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const id = cmd.ulonglong('client')!;
  const srvname = cmd.string('server')!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  const clnt: AdminClient = await srv.lookupClient(id, 0);
  const params = await ctl.call(clnt.getInfo(0));
  if (params === FAILED) {
    ctl.error(`failed to retrieve client identity information for client '${id}' connected to server '${srv.getName()}'`);
    return false;
  }
  ctl.print('%-15s: %llu\n', 'id', clnt.getID());
  ctl.print('%-15s: %s\n', 'connection_time', localTime(clnt.getTimestamp()));
  ctl.print('%-15s: %s\n', 'transport', transportString(clnt.getTransport()));
  for (const [field, value] of typedParamEntries(params)) ctl.print('%-15s: %s\n', field, typedParamString(params, field, value));
  return true;
}

async function cmdClientDisconnect(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const id = cmd.ulonglong('client', true)!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  const client = await srv.lookupClient(id, 0);
  if ((await ctl.call(client.close(0))) === FAILED) {
    ctl.error(`Failed to disconnect client '${id}' from server ${srv.getName()}`);
    return false;
  }
  ctl.print(`Client '${id}' disconnected`);
  return true;
}

async function cmdSrvClientsInfo(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  const params = await ctl.call(srv.getClientLimits(0));
  if (params === FAILED) {
    ctl.error("Unable to retrieve client limits from server's configuration");
    return false;
  }
  for (const [field, value] of typedParamEntries(params)) ctl.print('%-20s: %u\n', field, value as number);
  return true;
}

async function cmdSrvClientsSet(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const params = uintParams(cmd, [
    ['max-clients', VIR_SERVER_CLIENTS_MAX],
    ['max-unauth-clients', VIR_SERVER_CLIENTS_UNAUTH_MAX],
  ]);
  if (!Object.keys(params).length) {
    ctl.error('At least one of options --max-clients, --max-unauth-clients is mandatory');
    return false;
  }
  const max = params[VIR_SERVER_CLIENTS_MAX];
  const unauth = params[VIR_SERVER_CLIENTS_UNAUTH_MAX];
  if (max !== undefined && unauth !== undefined && unauth > max) {
    ctl.error('--max-unauth-clients must be less than or equal to --max-clients');
    return false;
  }
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  if ((await ctl.call(srv.setClientLimits(params, 0))) === FAILED) {
    ctl.error("Unable to change server's client-related configuration limits");
    return false;
  }
  return true;
}

async function cmdSrvUpdateTlsFiles(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const srvname = cmd.string('server')!;
  const srv = await connOf(ctl).lookupServer(srvname, 0);
  if ((await ctl.call(srv.updateTlsFiles(0))) === FAILED) {
    ctl.error("Unable to update server's tls related files.");
    return false;
  }
  ctl.print('update tls related files succeed\n');
  return true;
}

/** daemon-log-filters and daemon-log-outputs: set with the option, else print. */
function logSetting(option: 'filters' | 'outputs', label: string) {
  return async (ctl: AdminControl, cmd: Cmd): Promise<boolean> => {
    const conn = connOf(ctl);
    if (cmd.has(option)) {
      let value: string | undefined;
      try {
        value = cmd.string(option);
      } catch {
        value = undefined;
      }
      const r = value === undefined ? FAILED : await ctl.call(option === 'filters' ? conn.setLoggingFilters(value, 0) : conn.setLoggingOutputs(value, 0));
      if (r === FAILED) {
        ctl.error('Unable to change daemon logging settings');
        return false;
      }
      return true;
    }
    const v = await ctl.call(option === 'filters' ? conn.getLoggingFilters(0) : conn.getLoggingOutputs(0));
    if (v === FAILED) {
      ctl.error(`Unable to get daemon logging ${option} information`);
      return false;
    }
    ctl.printExtra(' %-15s', label);
    ctl.print('%s\n', v ?? '');
    return true;
  };
}

async function cmdDaemonTimeout(ctl: AdminControl, cmd: Cmd): Promise<boolean> {
  const timeout = cmd.uint('timeout') ?? 0;
  await connOf(ctl).setDaemonTimeout(timeout, 0);
  return true;
}

export const adminHandlers = {
  cmdURI,
  cmdVersion,
  cmdConnect,
  cmdSrvList,
  cmdSrvThreadpoolInfo,
  cmdSrvThreadpoolSet,
  cmdSrvClientsList,
  cmdClientInfo,
  cmdClientDisconnect,
  cmdSrvClientsInfo,
  cmdSrvClientsSet,
  cmdSrvUpdateTlsFiles,
  cmdDaemonLogFilters: logSetting('filters', 'Logging filters: '),
  cmdDaemonLogOutputs: logSetting('outputs', 'Logging outputs: '),
  cmdDaemonTimeout,
};
