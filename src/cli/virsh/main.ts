// virsh's main(): its global options beyond the shared ones (-e -k -K -r -t), usage and version.

import { processIO, type ShellIO } from '../vsh/control.js';
import type { LongOption } from '../vsh/getopt.js';
import { strToSigned } from '../vsh/numbers.js';
import { runProgram, type ProgramSpec } from '../vsh/program.js';
import { VirshControl } from './control.js';
import { virshGroups } from './groups.js';
import { VERSION_STRING } from '../vsh/version.js';

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

/** virshAllowedEscapeChar: a-z A-Z @ [ \ ] ^ _ */
const allowedEscape = (c: string) => (c >= 'a' && c <= 'z') || (c >= '@' && c <= '_');

export const VIRSH: ProgramSpec<VirshControl> = {
  shortopts: '+:c:d:e:hk:K:l:qrtvV',
  longopts: LONG,
  usageOptions:
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
    '         --version[=TYPE]   version, TYPE is short or long (default short)\n',
  // virshShowVersion as Debian's libvirt 9.0 virsh prints it: the virsh virsh-rpc reproduces.
  longVersion:
    `Virsh command line tool of libvirt ${VERSION_STRING}\n` +
    'See web site at https://libvirt.org/\n\n' +
    'Compiled with support for:\n' +
    ' Hypervisors: QEMU/KVM LXC LibXL OpenVZ VMware VirtualBox ESX Test\n' +
    ' Networking: Remote Network Bridging Interface udev Nwfilter\n' +
    ' Storage: Dir Disk Filesystem SCSI Multipath iSCSI iSCSI-direct LVM RBD Gluster ZFS\n' +
    ' Miscellaneous: Daemon Nodedev AppArmor SELinux Secrets Debug DTrace Readline\n',
  version: `${VERSION_STRING}\n`,
  welcome: (p) => `Welcome to ${p}, the virtualization interactive terminal.\n\n`,
  option(ctl, opt, arg, long) {
    switch (opt) {
      case 'e':
        if ((arg.length === 2 && arg[0] === '^' && allowedEscape(arg[1]!)) || (arg.length === 1 && arg !== '^')) ctl.escapeChar = arg;
        else {
          ctl.error(`Invalid string '${arg}' for escape sequence`);
          return 1;
        }
        return undefined;
      case 'k':
      case 'K': {
        const name = opt === 'k' ? (long ? '--keepalive-interval' : '-k') : long ? '--keepalive-count' : '-K';
        const r = strToSigned(arg, 32, 0);
        if (!r) {
          ctl.error(`Invalid value for option ${name}`);
          return 1;
        }
        if (r.value < 0n) {
          ctl.error(`option ${name} requires a positive integer argument`);
          return 1;
        }
        if (opt === 'k') ctl.keepaliveInterval = Number(r.value);
        else ctl.keepaliveCount = Number(r.value);
        return undefined;
      }
      case 'r':
        ctl.readonly = true;
        return undefined;
      case 't':
        ctl.timing = true;
        return undefined;
    }
    return undefined;
  },
  afterInit(ctl) {
    if (ctl.connname === null && ctl.io.env.VIRSH_DEFAULT_CONNECT_URI) ctl.connname = ctl.io.env.VIRSH_DEFAULT_CONNECT_URI;
  },
};

/** Runs virsh-rpc with `argv` (without node and the script); resolves to the exit status. */
export function virshMain(argv: string[], io: ShellIO = processIO(), progname = 'virsh'): Promise<number> {
  return runProgram(new VirshControl(virshGroups, io, progname, async () => (await import('./completers.js')).virshCompleters), VIRSH, argv);
}
