// The shape of the command tables scripts/generate-virsh reads from libvirt's tools/*.c.

export interface GeneratedOpt {
  name: string;
  /** VSH_OT_* without the prefix, in lower case: bool, string, int, data, argv, alias. */
  type: 'bool' | 'string' | 'int' | 'data' | 'argv' | 'alias';
  /** VSH_OFLAG_* without the prefix: REQ, EMPTY_OK, REQ_OPT. */
  flags?: readonly ('REQ' | 'EMPTY_OK' | 'REQ_OPT')[];
  help: string;
  /** The C completer's name (virshDomainNameCompleter...). */
  completer?: string;
  /** Its .completer_flags, as the C constants or-ed together (VIR_CONNECT_LIST_DOMAINS_ACTIVE...). */
  completerFlags?: readonly string[];
}

export interface GeneratedCmd {
  name: string;
  /** The C handler's name (cmdList...); none for an alias. */
  handler?: string;
  help: string;
  desc: string;
  /** VSH_CMD_FLAG_* without the prefix: NOCONNECT, ALIAS, HIDDEN. */
  flags?: readonly ('NOCONNECT' | 'ALIAS' | 'HIDDEN')[];
  alias?: string;
  opts?: readonly GeneratedOpt[];
}

export interface GeneratedGroup {
  name: string;
  keyword: string;
  commands: readonly GeneratedCmd[];
}
