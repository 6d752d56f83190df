// vshCommandParse: words to commands. Options by name (--opt value, --opt=value, aliases, --
// ending options), positional arguments into the first options that still need one, in declared
// order, required options checked, --help turned into `help <command>`; virsh's messages for
// every mistake. A mistake anywhere drops the whole line, as virsh does. For completion, the
// partial mode of vshCommandParse: no messages, the last command of a line as far as it goes, and
// the option under the cursor marked.

import { Cmd, type CmdOpt } from './cmd.js';
import { HELP_OPT, type CmdDef, type OptDef } from './cmd.js';
import type { ArgSource } from './tokenizer.js';

export interface ParseHost {
  /** vshCmddefSearch: a command by name (aliases included), or undefined. */
  lookup(name: string): CmdDef<never> | undefined;
  /** vshError (the "error: " prefix is the host's). */
  error(message: string): void;
  /** vshDebug at VSH_ERR_INFO. */
  debugInfo(message: string): void;
}

class ParseFailure extends Error {}

/** An option of a partly typed command: `completeThis` marks the one the cursor is on. */
export interface PartialOpt extends CmdOpt {
  completeThis: boolean;
}

/** The last command of a line being typed, as far as it parses (vshCommandStringParse's partial). */
export interface PartialCmd {
  def: CmdDef<never> | undefined;
  opts: PartialOpt[];
}

/**
 * The partial parse of `line` up to `point` for completion: the last command (none when the line
 * has no command yet), with the option under the cursor marked. Only a word that cannot be read
 * (an unclosed double quote) is reported, as virsh does.
 */
export function parsePartial(host: Pick<ParseHost, 'lookup' | 'error'>, source: ArgSource, point: number): PartialCmd {
  const quiet: ParseHost = { lookup: host.lookup, error: host.error, debugInfo: () => {} };
  const fail = (message: string): never => {
    throw new ParseFailure(message);
  };
  let last: PartialCmd = { def: undefined, opts: [] };
  for (;;) {
    const state: PartialCmd = { def: undefined, opts: [] };
    try {
      const { cmd, ended } = parseOne(quiet, source, fail, { point, state });
      last = cmd ? { def: cmd.def as CmdDef<never>, opts: cmd.opts as PartialOpt[] } : { def: undefined, opts: [] };
      if (ended) return last;
    } catch (e) {
      if (e instanceof ParseFailure) return state;
      throw e;
    }
  }
}

/** The commands of one line or argv; null after a mistake (already reported). */
export function parseCommands(host: ParseHost, source: ArgSource): Cmd[] | null {
  const out: Cmd[] = [];
  const fail = (message: string): never => {
    host.error(message);
    throw new ParseFailure(message);
  };
  try {
    for (;;) {
      const { cmd, ended } = parseOne(host, source, fail);
      if (cmd) out.push(cmd);
      if (ended) break;
    }
  } catch (e) {
    if (e instanceof ParseFailure) return null;
    throw e;
  }
  return out;
}

/**
 * One command. With `partial`, the parse for completion: each option records whether the cursor
 * (`point`) is at its end, and `state` holds the command so far when a mistake ends the parse.
 */
function parseOne(
  host: ParseHost,
  source: ArgSource,
  fail: (m: string) => never,
  partial?: { point: number; state: PartialCmd },
): { cmd: Cmd | null; ended: boolean } {
  let def: CmdDef<never> | undefined;
  let opts: readonly OptDef[] = [];
  const given: PartialOpt[] = partial ? partial.state.opts : [];
  // The positions of options still waiting for a positional value, and of those seen.
  let needArg: number[] = [];
  const required: number[] = [];
  const seen = new Set<number>();
  let dataOnly = false;

  const lookupOption = (name: string, optstr: { value: string | null }): { opt: OptDef; index: number } | null => {
    if (name === HELP_OPT.name) return { opt: HELP_OPT, index: -1 };
    for (let i = 0; i < opts.length; i++) {
      const opt = opts[i]!;
      if (opt.name !== name) continue;
      if (opt.type === 'alias') {
        const eq = opt.help.indexOf('=');
        if (eq >= 0) {
          if (optstr.value !== null) fail(`invalid '=' after option --${opt.name}`);
          optstr.value = opt.help.slice(eq + 1);
          name = opt.help.slice(0, eq);
        } else name = opt.help;
        continue;
      }
      if (seen.has(i) && opt.type !== 'argv') fail(`option --${name} already seen`);
      seen.add(i);
      return { opt, index: i };
    }
    if (def!.name !== 'help') fail(`command '${def!.name}' doesn't support option --${name}`);
    return null;
  };

  let ended = false;
  for (;;) {
    const tk = source.next(true);
    if (tk.kind === 'error') {
      // vshCommandParse reads each word with errors reported, in partial mode too (missing ").
      if (partial) host.error(tk.message);
      fail(tk.message);
    }
    if (tk.kind !== 'arg') {
      ended = tk.kind === 'end';
      break;
    }
    let word = tk.value;
    let opt: OptDef | null = null;
    let data: string | null = null;

    if (!def) {
      if (word.startsWith('#')) {
        // A comment: the rest of this command's words.
        for (;;) {
          const t = source.next(false);
          if (t.kind !== 'arg') {
            ended = t.kind === 'end';
            break;
          }
        }
        break;
      }
      def = host.lookup(word);
      if (!def) fail(`unknown command: '${word}'`);
      if (def!.alias) def = host.lookup(def!.alias);
      if (partial) partial.state.def = def;
      opts = def!.opts ?? [];
      opts.forEach((o, i) => {
        if (o.type === 'bool' || o.type === 'alias') return;
        if (!o.requireOpt) needArg.push(i);
        if (o.required) required.push(i);
      });
      continue;
    }
    if (!dataOnly && word.startsWith('--') && /^[A-Za-z0-9]/.test(word.slice(2))) {
      const eq = word.indexOf('=', 2);
      const optstr = { value: eq >= 0 ? word.slice(eq + 1) : null };
      if (eq >= 0) word = word.slice(0, eq);
      const found = lookupOption(word.slice(2), optstr);
      if (!found) continue; // `help` ignores options it does not know
      opt = found.opt;
      if (opt.type !== 'bool') {
        if (optstr.value !== null) data = optstr.value;
        else {
          const at = source.pos;
          const t = source.next(!partial);
          if (t.kind === 'error') fail(t.message);
          if (t.kind !== 'arg') {
            // The value is still to be typed: what follows the option (its blanks) stands for it,
            // as in vshCommandParse, and the cursor right after the option's blank is on it.
            if (partial) given.push({ def: opt, data: source.rest(at), completeThis: at === partial.point - 1 });
            fail(`expected syntax: --${opt.name} <${opt.type === 'int' ? 'number' : 'string'}>`);
          }
          data = (t as { value: string }).value;
        }
        if (opt.type !== 'argv') needArg = needArg.filter((i) => i !== found.index);
      } else if (optstr.value !== null) {
        fail(`invalid '=' after option --${opt.name}`);
      }
    } else if (!dataOnly && word === '--') {
      dataOnly = true;
      continue;
    } else {
      const index = needArg[0];
      if (index === undefined) {
        if (def.name !== 'help') fail(`unexpected data '${word}'`);
        continue;
      }
      opt = opts[index]!;
      if (opt.type !== 'argv') needArg = needArg.slice(1);
      seen.add(index);
      data = word;
    }
    given.push({ def: opt, data, completeThis: partial !== undefined && source.pos === partial.point });
    host.debugInfo(`${def.name}: ${opt.name}(${opt.type !== 'bool' ? 'optdata' : 'bool'}): ${opt.type !== 'bool' ? data : '(none)'}\n`);
  }

  if (!def) return { cmd: null, ended };
  if (given.some((o) => o.def === HELP_OPT)) {
    const help = host.lookup('help')!;
    const opt: PartialOpt = { def: help.opts![0]!, data: def.name, completeThis: false };
    return { cmd: new Cmd(help, [opt]), ended };
  }
  const cmd = new Cmd(def, given);
  if (partial) return { cmd, ended };
  const missing = required.filter((i) => !seen.has(i));
  if (missing.length) {
    // virsh reports each missing option, then drops the line.
    for (const i of missing) {
      const o = opts[i]!;
      host.error(o.type === 'data' || o.type === 'argv' ? `command '${def.name}' requires <${o.name}> option` : `command '${def.name}' requires --${o.name} option`);
    }
    throw new ParseFailure('missing options');
  }
  return { cmd, ended };
}
