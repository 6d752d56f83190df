// The 41 commands that take virsh-rpc's --json (not virsh's; hidden from help and completion so
// that both stay virsh's): listings print their table's rows, info commands their fields (vcpuinfo
// an array of its per-vCPU records). A setter among them (vcpupin or emulatorpin with a cpulist,
// domtime --now/--sync/--time) takes --json and, as without it, prints nothing.

import type { OptDef } from '../vsh/cmd.js';
import { JSON_OPT } from '../vsh/json.js';

const JSON_COMMANDS = [
  // vshTable listings
  'list',
  'net-list',
  'net-dhcp-leases',
  'pool-list',
  'vol-list',
  'iface-list',
  'nwfilter-list',
  'nwfilter-binding-list',
  'nodedev-list',
  'secret-list',
  'snapshot-list',
  'checkpoint-list',
  'domblklist',
  'domiflist',
  'domfsinfo',
  'vcpupin',
  'iothreadinfo',
  'net-port-list',
  'domstats',
  // info commands
  'dominfo',
  'domstate',
  'domblkinfo',
  'dommemstat',
  'domblkstat',
  'domifstat',
  'domcontrol',
  'domtime',
  'version',
  'uri',
  'hostname',
  'nodeinfo',
  'nodecpustats',
  'nodememstats',
  'pool-info',
  'vol-info',
  'net-info',
  'snapshot-info',
  'checkpoint-info',
  'vcpuinfo',
  'domjobinfo',
  'emulatorpin',
] as const;

/** The hidden options of each command, for buildGroups. */
export const HIDDEN_OPTS: Readonly<Record<string, readonly OptDef[]>> = Object.fromEntries(JSON_COMMANDS.map((c) => [c, [JSON_OPT]]));
