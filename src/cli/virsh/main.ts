// virsh's main(): the global options (virshParseArgv), the usage and version texts, then one
// command string, one command given as argv words, or the interactive shell.

import { VERSION_STRING } from './version.js';
import { ExitRequest, VSH_ERR_DEBUG, VSH_ERR_ERROR, processIO, type ShellIO } from '../vsh/control.js';
import { getoptLong, type LongOption } from '../vsh/getopt.js';
import { groupCommands } from '../vsh/builtins.js';
import { ArgvSource } from '../vsh/tokenizer.js';
import { strToSigned } from '../vsh/numbers.js';
import { VirshControl } from './control.js';
import { virshGroups } from './groups.js';

const LONG: LongOption[] = [
  { name: 'connect', arg: 'required', val: 'c' },
  { name: 'debug', arg: 'required', val: 'd' },
  { name: 'escape', arg: 'required', val: 'e' },
  { name: 'help', arg: 'none', val: 'h' },
  { name: 'keepalive-interval', arg: 'required', val: 'k' },
  { name: 'keepalive-count', arg: 'required', val: 'K' },
  { name: 'log', arg: 'required', val: 'l' },
  { name: 'quiet', arg: 'none', val: 'q' },
  { name: 'readonly', arg: 'none', val: 'r' },
  { name: 'timing', arg: 'none', val: 't' },
  { name: 'version', arg: 'optional', val: 'v' },
];

function usage(ctl: VirshControl): string {
  const p = ctl.progname;
  let out =
    `\n${p} [options]... [<command_string>]` +
    `\n${p} [options]... <command> [args...]\n\n` +
    '  options:\n' +
    '    -c | --connect=URI      hypervisor connection URI\n' +
    '    -d | --debug=NUM        debug level [0-4]\n' +
    '    -e | --escape <char>    set escape sequence for console\n' +
    '    -h | --help             this help\n' +
    '    -k | --keepalive-interval=NUM\n' +
    '                            keepalive interval in seconds, 0 for disable\n' +
    '    -K | --keepalive-count=NUM\n' +
    '                            number of possible missed keepalive messages\n' +
    '    -l | --log=FILE         output logging to file\n' +
    '    -q | --quiet            quiet mode\n' +
    '    -r | --readonly         connect readonly\n' +
    '    -t | --timing           print timing information\n' +
    '    -v                      short version\n' +
    '    -V                      long version\n' +
    '         --version[=TYPE]   version, TYPE is short or long (default short)\n' +
    '  commands (non interactive mode):\n\n';
  for (const grp of ctl.groups) {
    out += ` ${grp.name} (help keyword '${grp.keyword}')\n`;
    out += groupCommands(grp);
    out += '\n';
  }
  out += '\n  (specify help <group> for details about the commands in the group)\n';
  out += '\n  (specify help <command> for details about the command)\n\n';
  return out;
}

/** virshShowVersion: what Debian's libvirt 9.0 virsh was built with, since we speak to the same daemons. */
function longVersion(): string {
  return (
    `Virsh command line tool of libvirt ${VERSION_STRING}\n` +
    'See web site at https://libvirt.org/\n\n' +
    'Compiled with support for:\n' +
    ' Hypervisors: QEMU/KVM LXC LibXL OpenVZ VMware VirtualBox ESX Test\n' +
    ' Networking: Remote Network Bridging Interface udev Nwfilter\n' +
    ' Storage: Dir Disk Filesystem SCSI Multipath iSCSI iSCSI-direct LVM RBD Gluster ZFS\n' +
    ' Miscellaneous: Daemon Nodedev AppArmor SELinux Secrets Debug DTrace Readline\n'
  );
}

/** virshAllowedEscapeChar: a-z A-Z @ [ \ ] ^ _ */
const allowedEscape = (c: string) => (c >= 'a' && c <= 'z') || (c >= '@' && c <= '_');

type Parsed = { kind: 'exit'; status: number } | { kind: 'run'; argv: string[] };

function parseArgv(ctl: VirshControl, argv: string[]): Parsed {
  const { events, optind } = getoptLong(argv, '+:c:d:e:hk:K:l:qrtvV', LONG);
  for (const ev of events) {
    if (ev.kind === 'missing') {
      const o = LONG.find((l) => l.val === ev.opt);
      ctl.error(o ? `option '-${ev.opt}'/'--${o.name}' requires an argument` : `option '-${ev.opt}' requires an argument`);
      return { kind: 'exit', status: 1 };
    }
    if (ev.kind === 'unknown') {
      ctl.error(ev.opt ? `unsupported option '-${ev.opt}'. See --help.` : `unsupported option '${ev.word}'. See --help.`);
      return { kind: 'exit', status: 1 };
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
          return { kind: 'exit', status: 1 };
        }
        const d = Number(r.value);
        if (d < VSH_ERR_DEBUG || d > VSH_ERR_ERROR) ctl.error(`ignoring debug level ${d} out of range [${VSH_ERR_DEBUG}-${VSH_ERR_ERROR}]`);
        else {
          ctl.debugLevel = d;
          ctl.debugSet = true;
        }
        break;
      }
      case 'e':
        if ((arg.length === 2 && arg[0] === '^' && allowedEscape(arg[1]!)) || (arg.length === 1 && arg !== '^')) ctl.escapeChar = arg;
        else {
          ctl.error(`Invalid string '${arg}' for escape sequence`);
          return { kind: 'exit', status: 1 };
        }
        break;
      case 'h':
        ctl.print(usage(ctl));
        return { kind: 'exit', status: 0 };
      case 'k':
      case 'K': {
        const name = ev.opt === 'k' ? (ev.long ? '--keepalive-interval' : '-k') : ev.long ? '--keepalive-count' : '-K';
        const r = strToSigned(arg, 32, 0);
        if (!r) {
          ctl.error(`Invalid value for option ${name}`);
          return { kind: 'exit', status: 1 };
        }
        if (r.value < 0n) {
          ctl.error(`option ${name} requires a positive integer argument`);
          return { kind: 'exit', status: 1 };
        }
        if (ev.opt === 'k') ctl.keepaliveInterval = Number(r.value);
        else ctl.keepaliveCount = Number(r.value);
        break;
      }
      case 'l':
        ctl.openLogFile(arg);
        break;
      case 'q':
        ctl.quiet = true;
        break;
      case 't':
        ctl.timing = true;
        break;
      case 'r':
        ctl.readonly = true;
        break;
      case 'v':
        if (ev.arg !== 'long') {
          ctl.print(`${VERSION_STRING}\n`);
          return { kind: 'exit', status: 0 };
        }
        ctl.print(longVersion());
        return { kind: 'exit', status: 0 };
      case 'V':
        ctl.print(longVersion());
        return { kind: 'exit', status: 0 };
    }
  }
  return { kind: 'run', argv: argv.slice(optind) };
}

/** Runs virsh-rpc with `argv` (without node and the script); resolves to the exit status. */
export async function virshMain(argv: string[], io: ShellIO = processIO(), progname = 'virsh'): Promise<number> {
  const ctl = new VirshControl(virshGroups, io, progname);
  try {
    ctl.initDebug();
    const parsed = parseArgv(ctl, argv);
    if (parsed.kind === 'exit') return parsed.status;
    let cmds = null;
    if (parsed.argv.length === 0) ctl.imode = true;
    else {
      ctl.imode = false;
      if (parsed.argv.length === 1) {
        ctl.debug(1, `commands: "${parsed.argv[0]}"\n`);
        cmds = ctl.parseString(parsed.argv[0]!);
      } else cmds = ctl.parse(new ArgvSource(parsed.argv));
      if (!cmds) {
        await ctl.deinit();
        return 1;
      }
    }
    // virshInit: the debug settings again, then a named connection must open now.
    ctl.initDebug();
    if (ctl.connname !== null) {
      if (!(await ctl.reconnect(null, false, false))) {
        ctl.reportError();
        await ctl.deinit();
        return 1;
      }
    }
    if (ctl.connname === null && io.env.VIRSH_DEFAULT_CONNECT_URI) ctl.connname = io.env.VIRSH_DEFAULT_CONNECT_URI;
    let ok = true;
    if (!ctl.imode) ok = await ctl.run(cmds!);
    else {
      if (!ctl.quiet) {
        ctl.print(`Welcome to ${ctl.progname}, the virtualization interactive terminal.\n\n`);
        ctl.print("Type:  'help' for help with commands\n       'quit' to quit\n\n");
      }
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
