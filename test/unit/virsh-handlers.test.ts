// virsh-rpc's handlers are loaded by module when a command first runs (src/cli/virsh/groups.ts):
// its index of which module defines which handler must be what the modules export.
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { builtinHandlers } from '../../src/cli/vsh/builtins.js';
import { GROUPS } from '../../src/cli/virsh/generated/commands.js';
import { HANDLER_MODULES, HANDLERS, virshGroups } from '../../src/cli/virsh/groups.js';
import { UNSUPPORTED } from '../../src/cli/virsh/unsupported.js';

const commandsDir = new URL('../../src/cli/virsh/commands/', import.meta.url);

describe('virsh-rpc handlers loaded by module', () => {
  it('each module of the index has the handlers it is listed with, and every handler the modules export is listed once', async () => {
    const listed = HANDLER_MODULES.flatMap(([, names]) => names);
    expect(new Set(listed).size, 'a handler listed twice').to.equal(listed.length);
    for (const [load, names] of HANDLER_MODULES) {
      const handlers = await load();
      for (const name of names) expect(handlers[name], name).to.be.a('function');
    }
    // What the command modules export (some spread another's into theirs), all of it listed.
    const exported = new Set<string>();
    for (const file of readdirSync(commandsDir).filter((f) => f.endsWith('.js'))) {
      const m = (await import(new URL(file, commandsDir).href)) as Record<string, unknown>;
      for (const [key, value] of Object.entries(m)) if (key.endsWith('Handlers')) for (const name of Object.keys(value as object)) exported.add(name);
    }
    expect([...exported].filter((n) => !listed.includes(n)), 'exported by a module, missing from the index').to.deep.equal([]);
    expect(listed.filter((n) => !exported.has(n))).to.deep.equal([]);
  });

  it('every command of the tables has a handler or says why not, and no handler is for a command the tables lack', () => {
    const named = new Set(GROUPS.flatMap((g) => g.commands.map((c) => c.handler).filter((h): h is string => !!h)));
    const missing = GROUPS.flatMap((g) => g.commands).filter((c) => c.handler && !HANDLERS[c.handler] && UNSUPPORTED[c.name] === undefined);
    expect(missing.map((c) => c.name)).to.deep.equal([]);
    expect(Object.keys(HANDLERS).filter((h) => !named.has(h) && !(h in builtinHandlers))).to.deep.equal([]);
  });

  it('a handler loads its module the first time it runs and calls the module\'s function with its arguments', async () => {
    const dominfo = virshGroups.flatMap((g) => g.commands).find((c) => c.name === 'dominfo')!;
    expect(dominfo.handler).to.be.a('function');
    const { domainMonitorHandlers } = await import('../../src/cli/virsh/commands/domain-monitor.js');
    // The wrapper is not the module's function, but calls it (the same arguments reach it).
    expect(dominfo.handler).to.not.equal(domainMonitorHandlers.cmdDominfo);
    const seen: unknown[] = [];
    const ctl = {} as never;
    const cmd = {} as never;
    const original = domainMonitorHandlers.cmdDominfo;
    (domainMonitorHandlers as Record<string, unknown>).cmdDominfo = (c: unknown, d: unknown) => (seen.push(c, d), true);
    try {
      expect(await dominfo.handler!(ctl, cmd)).to.equal(true);
    } finally {
      (domainMonitorHandlers as Record<string, unknown>).cmdDominfo = original;
    }
    expect(seen).to.deep.equal([ctl, cmd]);
  });
});
