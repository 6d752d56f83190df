// The commands every virsh-like shell has (vsh.c): help, cd, echo, exit, pwd, quit, self-test,
// complete, and the help texts they print.

import { homedir } from 'node:os';
import type { Cmd } from './cmd.js';
import { VshError } from './cmd.js';
import type { VshControl } from './control.js';
import type { CmdDef, CmdGroup } from './cmd.js';

/** vshCmddefHelp: NAME, SYNOPSIS, DESCRIPTION, OPTIONS of one command. */
export function commandHelp(def: CmdDef<never>): string {
  let out = '  NAME\n';
  out += `    ${def.name} - ${def.help}\n`;
  out += '\n  SYNOPSIS\n';
  out += `    ${def.name}`;
  let shortopt = false;
  const opts = (def.opts ?? []).filter((o) => !o.hidden);
  for (const opt of opts) {
    let text: string;
    switch (opt.type) {
      case 'bool':
        text = `[--${opt.name}]`;
        break;
      case 'int':
        text = opt.required ? `<${opt.name}>` : `[--${opt.name} <number>]`;
        if (!opt.requireOpt) shortopt = true;
        break;
      case 'string':
        text = `[--${opt.name} <string>]`;
        if (!opt.requireOpt) shortopt = true;
        break;
      case 'data':
        text = opt.required ? `<${opt.name}>` : `[<${opt.name}>]`;
        if (!opt.requireOpt) shortopt = true;
        break;
      case 'argv':
        if (shortopt) text = opt.required ? `{[--${opt.name}] <string>}...` : `[[--${opt.name}] <string>]...`;
        else text = opt.required ? `<${opt.name}>...` : `[<${opt.name}>]...`;
        break;
      case 'alias':
        continue;
    }
    out += ' ' + text;
  }
  out += '\n';
  if (def.desc) out += `\n  DESCRIPTION\n    ${def.desc}\n`;
  if (opts.length) {
    out += '\n  OPTIONS\n';
    for (const opt of opts) {
      let text: string;
      switch (opt.type) {
        case 'bool':
          text = `--${opt.name}`;
          break;
        case 'int':
          text = opt.required ? `[--${opt.name}] <number>` : `--${opt.name} <number>`;
          break;
        case 'string':
          text = `--${opt.name} <string>`;
          break;
        case 'data':
          text = `[--${opt.name}] <string>`;
          break;
        case 'argv':
          text = shortopt ? `[--${opt.name}] <string>` : `<${opt.name}>`;
          break;
        case 'alias':
          continue;
      }
      out += `    ${text.padEnd(15)}  ${opt.help}\n`;
    }
  }
  return out + '\n';
}

/** The commands of a group as help and the usage list them. */
export function groupCommands(grp: CmdGroup<never>): string {
  let out = '';
  for (const c of grp.commands) {
    if (c.alias || c.hidden) continue;
    out += `    ${c.name.padEnd(30)} ${c.help}\n`;
  }
  return out;
}


function cmdHelp(ctl: VshControl, cmd: Cmd): boolean {
  const name = cmd.stringQuiet('command');
  if (name === undefined) {
    ctl.print('Grouped commands:\n\n');
    for (const grp of ctl.groups) {
      ctl.print(` ${grp.name} (help keyword '${grp.keyword}'):\n`);
      ctl.print(groupCommands(grp));
      ctl.print('\n');
    }
    return true;
  }
  let def = ctl.lookup(name);
  if (def) {
    if (def.alias) def = ctl.lookup(def.alias)!;
    ctl.print(commandHelp(def as CmdDef<never>));
    return true;
  }
  const grp = ctl.groups.find((g) => g.name === name || g.keyword === name);
  if (grp) {
    ctl.print(` ${grp.name} (help keyword '${grp.keyword}'):\n`);
    ctl.print(groupCommands(grp));
    return true;
  }
  ctl.error(`command or command group '${name}' doesn't exist`);
  return false;
}

function cmdCd(ctl: VshControl, cmd: Cmd): boolean {
  if (!ctl.imode) {
    ctl.error('cd: command valid only in interactive mode');
    return false;
  }
  const dir = cmd.stringQuiet('dir') ?? (ctl.io.env.HOME || homedir() || '/');
  try {
    process.chdir(dir);
  } catch (e) {
    ctl.error(`cd: ${strerror(e)}: ${dir}`);
    return false;
  }
  return true;
}

/** g_strerror of a Node system error. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOTDIR: 'Not a directory',
    EISDIR: 'Is a directory',
    EEXIST: 'File exists',
    EPERM: 'Operation not permitted',
    ENOSPC: 'No space left on device',
    EINVAL: 'Invalid argument',
    EBADF: 'Bad file descriptor',
    EOVERFLOW: 'Value too large for defined data type',
  };
  return (code && texts[code]) || (e as Error).message;
}

/** virBufferEscapeShell. */
export function escapeShell(s: string): string {
  if (s === '') return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** virBufferEscapeString's XML escaping. */
export function escapeXML(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '&') out += '&amp;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) continue;
    else out += ch;
  }
  return out;
}

/** vshStringToArray: split on ',' with ',,' as an escaped comma. */
export function splitCommas(s: string): string[] {
  const parts = s.split(',');
  const out = [parts[0]!];
  let concat = false;
  for (const p of parts.slice(1)) {
    if (concat) {
      out[out.length - 1] += ',' + p;
      concat = false;
      continue;
    }
    if (p === '') concat = true;
    else out.push(p);
  }
  if (concat) out.push('');
  return out;
}

function cmdEcho(ctl: VshControl, cmd: Cmd): boolean {
  const shell = cmd.has('shell');
  const xml = cmd.has('xml');
  const err = cmd.has('err');
  const split = cmd.has('split');
  if (shell && xml) throw new VshError('Options --shell and --xml are mutually exclusive');
  if (shell && split) throw new VshError('Options --shell and --split are mutually exclusive');
  if (xml && split) throw new VshError('Options --xml and --split are mutually exclusive');
  let buf = '';
  for (const arg of cmd.argv()) {
    if (xml) buf += escapeXML(arg);
    else if (shell) buf += escapeShell(arg);
    else if (split) for (const p of splitCommas(arg)) buf += p + '\n';
    else buf += arg;
    buf += ' ';
  }
  buf = buf.replace(/ +$/, '');
  if (buf) {
    if (err) ctl.error(buf);
    else ctl.print(buf);
  }
  return true;
}

function cmdPwd(ctl: VshControl): boolean {
  ctl.print(`${process.cwd()}\n`);
  return true;
}

function cmdQuit(ctl: VshControl): boolean {
  ctl.imode = false;
  return true;
}

/** vshCmddefCheckInternals over every command: the tables are what the parser expects. */
export function checkCommandTables(groups: readonly CmdGroup<never>[]): string[] {
  const problems: string[] = [];
  const all = new Map<string, CmdDef<never>>();
  for (const g of groups) for (const c of g.commands) all.set(c.name, c);
  for (const c of all.values()) {
    if (c.alias) {
      const target = all.get(c.alias);
      if (!target) problems.push(`command '${c.name}' has missing alias option`);
      else if (target.alias) problems.push(`command '${c.name}' has an alias to an alias`);
      continue;
    }
    if (!c.help) problems.push(`command '${c.name}' lacks help`);
    if (!c.handler && c.unsupported === undefined) problems.push(`command '${c.name}' has no handler`);
    const opts = c.opts ?? [];
    if (opts.length > 64) problems.push(`command '${c.name}' has too many options`);
    const names = new Set<string>();
    opts.forEach((o, i) => {
      if (names.has(o.name)) problems.push(`command '${c.name}' has duplicate option '${o.name}'`);
      names.add(o.name);
      if (o.type === 'argv' && i !== opts.length - 1) problems.push(`command '${c.name}' has option '${o.name}' of type argv not last`);
      if (o.type === 'alias') {
        const target = o.help.split('=')[0]!;
        const t = opts.findIndex((x) => x.name === target);
        if (t < 0 || t < i) problems.push(`command '${c.name}' has alias option '${o.name}' to a missing or earlier option`);
      }
      if (o.type === 'bool' && o.required) problems.push(`command '${c.name}' has required bool option '${o.name}'`);
    });
  }
  return problems;
}

function cmdSelfTest(ctl: VshControl): boolean {
  const problems = checkCommandTables(ctl.groups);
  for (const p of problems) ctl.error(p);
  return problems.length === 0;
}

/**
 * vsh's cmdComplete: the completions of the line its arguments make, one per line, as readline
 * would offer them for the last argument. It connects first, as virsh does, so that completers
 * can ask the daemon.
 */
async function cmdComplete(ctl: VshControl, cmd: Cmd): Promise<boolean> {
  if (cmd.stringQuiet('string') === undefined) return false;
  if (!(await ctl.ensureConnection())) return false;
  const words = cmd.argv();
  const matches = await ctl.complete(words.join(' '), words.at(-1) ?? '');
  if (!matches) return false;
  for (const m of matches) ctl.print(`${m}\n`);
  return true;
}

/** The handlers of the generic commands, by their C names. */
export const builtinHandlers = {
  cmdHelp,
  cmdCd,
  cmdEcho,
  cmdPwd,
  cmdQuit,
  cmdSelfTest,
  cmdComplete,
};
