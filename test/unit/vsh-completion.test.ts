// Completion without a daemon: the partial parse (which option the cursor is on, what a value
// still to be typed stands for), readline's word, the options offered, and that every completer
// the command tables name exists (the comparisons with virsh are in test/integration).
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { completionWord } from '../../src/cli/vsh/completion.js';
import { parsePartial } from '../../src/cli/vsh/parser.js';
import { StringSource } from '../../src/cli/vsh/tokenizer.js';
import type { Cmd, CmdDef } from '../../src/cli/vsh/cmd.js';
import { VirshControl } from '../../src/cli/virsh/control.js';
import { virshCompleters } from '../../src/cli/virsh/completers.js';
import { virshGroups } from '../../src/cli/virsh/groups.js';
import { GROUPS } from '../../src/cli/virsh/generated/commands.js';
import { adminCompleters } from '../../src/cli/virt-admin/completers.js';
import { GROUPS as ADMIN_GROUPS } from '../../src/cli/virt-admin/generated/commands.js';

function shell(completers = {}) {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s), stdin: new PassThrough(), isTTY: false, env: {} };
  return { ctl: new VirshControl(virshGroups, io, 'virsh', completers), out };
}

const partial = (ctl: VirshControl, line: string) => parsePartial({ lookup: (n) => ctl.lookup(n) as CmdDef<never> | undefined, error: () => {} }, new StringSource(line), line.length);

describe('vsh completion', () => {
  it('marks the option the cursor is on, positional or named', () => {
    const { ctl } = shell();
    const on = (line: string) => {
      const p = partial(ctl, line);
      return { cmd: p.def?.name, opts: p.opts.map((o) => [o.def.name, o.data, o.completeThis]) };
    };
    expect(on('dominfo t')).to.deep.equal({ cmd: 'dominfo', opts: [['domain', 't', true]] });
    expect(on('dominfo t ')).to.deep.equal({ cmd: 'dominfo', opts: [['domain', 't', false]] });
    // A value still to be typed: the blank after the option stands for it.
    expect(on('shutdown test --mode ')).to.deep.equal({ cmd: 'shutdown', opts: [['domain', 'test', false], ['mode', ' ', true]] });
    expect(on('shutdown test --mode  ')).to.deep.equal({ cmd: 'shutdown', opts: [['domain', 'test', false], ['mode', '  ', false]] });
    expect(on('shutdown --mode=acpi,ag')).to.deep.equal({ cmd: 'shutdown', opts: [['mode', 'acpi,ag', true]] });
    // The last command of the line; a mistake keeps what came before it.
    expect(on('list; dominfo --domain te')).to.deep.equal({ cmd: 'dominfo', opts: [['domain', 'te', true]] });
    expect(on('list;')).to.deep.equal({ cmd: undefined, opts: [] });
    expect(on('dump test f x --format ')).to.deep.equal({ cmd: 'dump', opts: [['domain', 'test', false], ['file', 'f', false], ['format', 'x', false]] });
    expect(on('nosuch x')).to.deep.equal({ cmd: undefined, opts: [] });
  });

  it('completes the word readline would: after a break character or an opening quote', () => {
    expect(completionWord('dominfo te')).to.deep.equal({ text: 'te', quote: null });
    expect(completionWord('dominfo --domain=te')).to.deep.equal({ text: 'te', quote: null });
    expect(completionWord('dominfo "my do')).to.deep.equal({ text: 'my do', quote: '"' });
    expect(completionWord("dominfo 'a' b")).to.deep.equal({ text: 'b', quote: null });
    expect(completionWord('dominfo my\\ do')).to.deep.equal({ text: 'my\\ do', quote: null });
  });

  it('offers commands, options not given yet, and a completer’s values filtered and escaped', async () => {
    const seen: string[] = [];
    const { ctl } = shell({
      virshDomainNameCompleter: (_c: unknown, cmd: Cmd, flags: readonly string[]) => {
        seen.push(`${cmd.name} ${flags.join('|')}`);
        return ['test', 'two words', 'other'];
      },
    });
    expect(await ctl.complete('dump', 'dump')).to.deep.equal(['dump', 'dumpxml']);
    expect(await ctl.complete('list --all --ti', '--ti')).to.deep.equal(['--title']);
    expect(await ctl.complete('list --all --al', '--al')).to.equal(null);
    expect(await ctl.complete('start ', '')).to.deep.equal(['--domain', '--console', '--paused', '--autodestroy', '--bypass-cache', '--force-boot', '--pass-fds', '--reset-nvram']);
    expect(await ctl.complete('start t', 't')).to.deep.equal(['test', 'two\\ words']);
    // An open single quote: nothing escaped (an open double quote is an error to vsh's parser).
    expect(await ctl.complete("start 't", 't', true)).to.deep.equal(['test', 'two words']);
    expect(seen).to.deep.equal(['start VIR_CONNECT_LIST_DOMAINS_SHUTOFF', 'start VIR_CONNECT_LIST_DOMAINS_SHUTOFF']);
    const { ctl: quiet, out } = shell({ virshDomainNameCompleter: () => ['x'] });
    expect(await quiet.complete('start "t', 't', true)).to.equal(null);
    expect(out.stderr).to.equal('error: missing "\n');
  });

  it('has a completer for every one the command tables name', () => {
    const named = (groups: typeof GROUPS) => new Set(groups.flatMap((g) => g.commands.flatMap((c) => (c.opts ?? []).flatMap((o) => (o.completer ? [o.completer] : [])))));
    const generic = ['vshCompleteHelpCommand'];
    expect([...named(GROUPS)].filter((n) => !(n in virshCompleters) && !generic.includes(n))).to.deep.equal([]);
    expect([...named(ADMIN_GROUPS)].filter((n) => !(n in adminCompleters) && !generic.includes(n))).to.deep.equal([]);
    expect(named(GROUPS).size).to.equal(68);
  });
});
