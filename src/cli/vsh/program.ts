// What virsh's and virt-admin's main() share: the global options both have (-c -d -h -l -q -v -V)
// with their messages, then one command string, argv words, or the interactive shell.

import { ExitRequest, VSH_ERR_DEBUG, VSH_ERR_ERROR, VSH_ERR_INFO, type VshControl } from './control.js';
import { getoptLong, type LongOption } from './getopt.js';
import { groupCommands } from './builtins.js';
import { strToSigned } from './numbers.js';
import { ArgvSource } from './tokenizer.js';
import type { Cmd } from './cmd.js';

/** A shell with a connection name and a connection to open at start when one is named. */
export interface ProgramControl extends VshControl {
  connname: string | null;
  /** Opens the named connection (virshInit/vshAdmInit); false after reporting why not. */
  openAtStart(): Promise<boolean>;
  deinit(): Promise<void>;
}

export interface ProgramSpec<C extends ProgramControl> {
  shortopts: string;
  longopts: LongOption[];
  /** The option lines of the usage text (after "  options:\n"). */
  usageOptions: string;
  /** -V's text. */
  longVersion: string;
  /** -v's text. */
  version: string;
  /** The interactive banner's first line. */
  welcome: (progname: string) => string;
  /** Options of this program only; returns an exit status to stop, undefined to go on. */
  option?: (ctl: C, opt: string, arg: string, long: boolean) => number | undefined;
  /** After the options, before the connection opens (virsh reads VIRSH_DEFAULT_CONNECT_URI later). */
  afterInit?: (ctl: C) => void;
}

function usage(ctl: VshControl, spec: ProgramSpec<ProgramControl>): string {
  const p = ctl.progname;
  let out = `\n${p} [options]... [<command_string>]\n${p} [options]... <command> [args...]\n\n  options:\n${spec.usageOptions}  commands (non interactive mode):\n\n`;
  for (const grp of ctl.groups) out += ` ${grp.name} (help keyword '${grp.keyword}')\n${groupCommands(grp)}\n`;
  out += '\n  (specify help <group> for details about the commands in the group)\n';
  out += '\n  (specify help <command> for details about the command)\n\n';
  return out;
}

/** Reads the global options; an exit status when the program is to stop. */
function parseOptions<C extends ProgramControl>(ctl: C, spec: ProgramSpec<C>, argv: string[]): number | string[] {
  const { events, optind } = getoptLong(argv, spec.shortopts, spec.longopts);
  for (const ev of events) {
    if (ev.kind === 'missing') {
      const o = spec.longopts.find((l) => l.val === ev.opt);
      ctl.error(o ? `option '-${ev.opt}'/'--${o.name}' requires an argument` : `option '-${ev.opt}' requires an argument`);
      return 1;
    }
    if (ev.kind === 'unknown') {
      ctl.error(ev.opt ? `unsupported option '-${ev.opt}'. See --help.` : `unsupported option '${ev.word}'. See --help.`);
      return 1;
    }
    const arg = ev.arg ?? '';
    switch (ev.opt) {
      case 'c':
        ctl.connname = arg;
        break;
      case 'd': {
        const r = strToSigned(arg, 32);
        if (!r) {
          ctl.error(`option ${ev.long ? '--debug' : '-d'} takes a numeric argument`);
          return 1;
        }
        const d = Number(r.value);
        if (d < VSH_ERR_DEBUG || d > VSH_ERR_ERROR) ctl.error(`ignoring debug level ${d} out of range [${VSH_ERR_DEBUG}-${VSH_ERR_ERROR}]`);
        else {
          ctl.debugLevel = d;
          ctl.debugSet = true;
        }
        break;
      }
      case 'h':
        ctl.print(usage(ctl, spec as unknown as ProgramSpec<ProgramControl>));
        return 0;
      case 'l':
        ctl.openLogFile(arg);
        break;
      case 'q':
        ctl.quiet = true;
        break;
      case 'v':
        ctl.print(ev.arg !== 'long' ? spec.version : spec.longVersion);
        return 0;
      case 'V':
        ctl.print(spec.longVersion);
        return 0;
      default: {
        const status = spec.option?.(ctl, ev.opt, arg, ev.long);
        if (status !== undefined) return status;
      }
    }
  }
  return argv.slice(optind);
}

/** main(): resolves to the exit status. */
export async function runProgram<C extends ProgramControl>(ctl: C, spec: ProgramSpec<C>, argv: string[]): Promise<number> {
  try {
    ctl.initDebug();
    const rest = parseOptions(ctl, spec, argv);
    if (typeof rest === 'number') return rest;
    let cmds: Cmd[] | null = null;
    ctl.imode = rest.length === 0;
    if (!ctl.imode) {
      if (rest.length === 1) {
        ctl.debug(VSH_ERR_INFO, `commands: "${rest[0]}"\n`);
        cmds = ctl.parseString(rest[0]!);
      } else cmds = ctl.parse(new ArgvSource(rest));
      if (!cmds) {
        await ctl.deinit();
        return 1;
      }
    }
    ctl.initDebug();
    if (ctl.connname !== null && !(await ctl.openAtStart())) {
      await ctl.deinit();
      return 1;
    }
    spec.afterInit?.(ctl);
    let ok = true;
    if (!ctl.imode) ok = await ctl.run(cmds!);
    else {
      if (!ctl.quiet) ctl.print(spec.welcome(ctl.progname) + "Type:  'help' for help with commands\n       'quit' to quit\n\n");
      await ctl.interactive();
    }
    await ctl.deinit();
    return ok ? 0 : 1;
  } catch (e) {
    if (e instanceof ExitRequest) {
      await ctl.deinit();
      return e.status;
    }
    throw e;
  }
}
