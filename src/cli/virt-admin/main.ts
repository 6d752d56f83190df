// virt-admin's main(): its global options, usage and version; the rest is the shared program.

import { processIO, type ShellIO, type VshControl } from '../vsh/control.js';
import { builtinHandlers } from '../vsh/builtins.js';
import type { CmdGroup, Handler } from '../vsh/cmd.js';
import { runProgram, type ProgramSpec } from '../vsh/program.js';
import { buildGroups } from '../vsh/tables.js';
import { VERSION_STRING } from '../vsh/version.js';
import { adminHandlers } from './commands.js';
import { adminCompleters } from './completers.js';
import { AdminControl } from './control.js';
import { GROUPS } from './generated/commands.js';

const HANDLERS: Record<string, Handler<AdminControl>> = { ...builtinHandlers, ...adminHandlers };
export const adminGroups: readonly CmdGroup<VshControl>[] = buildGroups<AdminControl>(GROUPS, HANDLERS, {}, 'virt-admin-rpc');

export const VIRT_ADMIN: ProgramSpec<AdminControl> = {
  shortopts: '+:c:d:hl:qvV',
  longopts: [
    { name: 'connect', arg: 'required', val: 'c' },
    { name: 'debug', arg: 'required', val: 'd' },
    { name: 'help', arg: 'none', val: 'h' },
    { name: 'log', arg: 'required', val: 'l' },
    { name: 'quiet', arg: 'none', val: 'q' },
    { name: 'version', arg: 'optional', val: 'v' },
  ],
  usageOptions:
    '    -c | --connect=URI      daemon admin connection URI\n' +
    '    -d | --debug=NUM        debug level [0-4]\n' +
    '    -h | --help             this help\n' +
    '    -l | --log=FILE         output logging to file\n' +
    '    -q | --quiet            quiet mode\n' +
    '    -v                      short version\n' +
    '    -V                      long version\n' +
    '         --version[=TYPE]   version, TYPE is short or long (default short)\n',
  longVersion: `Virt-admin command line tool of libvirt ${VERSION_STRING}\nSee web site at https://libvirt.org/\n\nCompiled with support for: Daemon Debug Readline\n`,
  version: `${VERSION_STRING}\n`,
  welcome: (p) => `Welcome to ${p}, the administrating virtualization interactive terminal.\n\n`,
};

/** Runs virt-admin-rpc with `argv`; resolves to the exit status. */
export function virtAdminMain(argv: string[], io: ShellIO = processIO(), progname = 'virt-admin'): Promise<number> {
  return runProgram(new AdminControl(adminGroups, io, progname, adminCompleters), VIRT_ADMIN, argv);
}
