// virt-admin's option completer (tools/virt-admin-completer.c): the daemon's server names.

import type { Completer } from '../vsh/completion.js';
import type { AdminControl } from './control.js';

export const adminCompleters: Readonly<Record<string, Completer<AdminControl>>> = {
  vshAdmServerCompleter: async (ctl) => {
    const conn = ctl.conn;
    if (!conn || !(await conn.isAlive().catch(() => false))) return null;
    return (await conn.listServers(0)).map((s) => s.getName());
  },
};
