// Completion as vsh does it (vshReadlineParse): the line is parsed in partial mode; with no
// command yet the command names are offered, on a switch or between options the options not given
// yet, on an option's value what the option's completer returns (the daemon's domain names...).
// Spaces in what is offered are escaped unless the word was opened with a quote, and only what
// starts with the word is kept.

import type { Cmd, CmdDef } from './cmd.js';
import type { PartialCmd } from './parser.js';

/**
 * A completer (virsh's `.completer` callbacks): every value the option could take, given the
 * command as typed so far; null when there is nothing to offer (no connection, a failed call).
 * `flags` are the option's `.completer_flags`, by their C names.
 */
export type Completer<C> = {
  // A method, so that one shell's completers are the base shell's (bivariance), as handlers are.
  complete(ctl: C, cmd: Cmd, flags: readonly string[]): Promise<readonly string[] | null> | readonly string[] | null;
}['complete'];

/**
 * A shell's completers by their C names, or what loads them the first time a line is completed
 * (virsh's read the command modules' tables of values: no start should compile them).
 */
export type Completers<C> = Readonly<Record<string, Completer<C>>> | (() => Promise<Readonly<Record<string, Completer<C>>>>);

/** The word readline completes at the end of `line`, and the quote it was opened with. */
export function completionWord(line: string): { text: string; quote: string | null } {
  // vshReadlineInit's rl_basic_word_break_characters and rl_completer_quote_characters.
  const breaks = ' \t\n`@$><=;|&{(';
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      start = i + 1;
    } else if (breaks.includes(c)) start = i + 1;
  }
  return { text: line.slice(start), quote };
}

export interface CompletionSource<C> {
  /** The command names vshReadlineCommandGenerator lists (neither aliases nor hidden ones). */
  commandNames(): string[];
  /** The partial parse of the line (vshCommandStringParse with `partial`). */
  parsePartial(line: string): PartialCmd;
  completers: Readonly<Record<string, Completer<C>>>;
  /** The command as far as it is typed, for a completer to read its options (skipChecks). */
  partialCmd(p: PartialCmd): Cmd;
  /** What a completer failed with (an API error is reported after `complete` as virsh does). */
  failed(e: unknown): void;
}

/**
 * What completes `text`, the word at the end of `line` (vshReadlineParse): null when nothing
 * does. `quoted` when the word was opened with a quote (nothing is escaped then).
 */
export async function completeLine<C>(ctl: C, src: CompletionSource<C>, line: string, text: string, quoted: boolean): Promise<string[] | null> {
  const partial = line === '' ? { def: undefined, opts: [] } : src.parsePartial(line);
  // `dump<Tab>` completes the command (dump, dumpxml); `dump <Tab>` its options.
  const def: CmdDef<never> | undefined = partial.def && partial.def.name !== text ? partial.def : undefined;
  const opt = partial.opts.find((o) => o.completeThis)?.def;
  let list: readonly string[] | null = null;
  if (!def) list = src.commandNames();
  else if (!opt || opt.type === 'bool') list = optionNames(def, partial);
  else if (opt.completer) {
    const completer = src.completers[opt.completer];
    // A completer that fails offers nothing, as virsh's return NULL; the error is kept.
    if (completer)
      list = await Promise.resolve(completer(ctl, src.partialCmd({ def, opts: partial.opts }), opt.completerFlags ?? [])).catch((e: unknown) => {
        src.failed(e);
        return null;
      });
  }
  if (!list) return null;
  const escaped = quoted ? list : list.map((s) => s.replaceAll(' ', '\\ '));
  const matches = escaped.filter((s) => s.startsWith(text));
  return matches.length ? matches : null;
}

/** vshReadlineOptionsGenerator: the options of `def` not given yet (argv ones may repeat). */
function optionNames(def: CmdDef<never>, partial: PartialCmd): string[] {
  return (def.opts ?? [])
    .filter((o) => o.type !== 'alias' && !o.hidden && !partial.opts.some((g) => g.def.name === o.name && g.def.type !== 'argv'))
    .map((o) => `--${o.name}`);
}
