// The generated command tables (libvirt's) joined with our handlers into the shell's groups.

import type { CmdDef, CmdGroup, Handler, OptDef } from './cmd.js';
import type { GeneratedGroup, GeneratedOpt } from './generated-types.js';

function opt(o: GeneratedOpt): OptDef {
  const d: OptDef = { name: o.name, type: o.type, help: o.help };
  if (o.flags?.includes('REQ')) d.required = true;
  if (o.flags?.includes('EMPTY_OK')) d.emptyOk = true;
  if (o.flags?.includes('REQ_OPT')) d.requireOpt = true;
  if (o.completer) d.completer = o.completer;
  if (o.completerFlags) d.completerFlags = o.completerFlags;
  return d;
}

/** `opts` with `extra` added (hidden), before a trailing argv option, which must stay last. */
function withHidden(opts: OptDef[], extra: readonly OptDef[] | undefined): OptDef[] {
  if (!extra?.length) return opts;
  const hidden = extra.map((o) => ({ ...o, hidden: true }));
  const at = opts.length && opts[opts.length - 1]!.type === 'argv' ? opts.length - 1 : opts.length;
  return [...opts.slice(0, at), ...hidden, ...opts.slice(at)];
}

/**
 * Groups from the tables: each command gets the handler of its C name from `handlers`; one
 * without says `unsupported[name]`, or that virsh-rpc does not have it yet. `hiddenOpts` adds
 * options of our own to the commands it names (as --json), hidden from help and completion.
 */
export function buildGroups<C>(
  tables: readonly GeneratedGroup[],
  handlers: Readonly<Record<string, Handler<C>>>,
  unsupported: Readonly<Record<string, string>> = {},
  program = 'virsh-rpc',
  hiddenOpts: Readonly<Record<string, readonly OptDef[]>> = {},
): CmdGroup<C>[] {
  return tables.map((g) => ({
    name: g.name,
    keyword: g.keyword,
    commands: g.commands.map((c) => {
      const def: CmdDef<C> = { name: c.name, help: c.help, desc: c.desc, opts: withHidden((c.opts ?? []).map(opt), Object.hasOwn(hiddenOpts, c.name) ? hiddenOpts[c.name] : undefined) };
      if (c.flags?.includes('NOCONNECT')) def.noConnect = true;
      if (c.flags?.includes('HIDDEN')) def.hidden = true;
      if (c.flags?.includes('ALIAS')) def.alias = c.alias;
      if (def.alias) return def;
      const h = c.handler ? handlers[c.handler] : undefined;
      if (unsupported[c.name] !== undefined) def.unsupported = unsupported[c.name];
      else if (h) def.handler = h;
      else def.unsupported = `command '${c.name}' is not implemented by ${program} yet`;
      return def;
    }),
  }));
}

/** The C names of the handlers a table names that `handlers` lacks. */
export function missingHandlers<C>(tables: readonly GeneratedGroup[], handlers: Readonly<Record<string, Handler<C>>>): string[] {
  return tables.flatMap((g) => g.commands.filter((c) => c.handler && !handlers[c.handler]).map((c) => c.name));
}
