// glibc's getopt_long as virsh and virt-admin call it ("+:..." : stop at the first word that is
// not an option, report a missing argument as ':'), with long options abbreviated to any unique
// prefix, --opt=value and --opt value, clustered short options and -cVALUE.

export interface LongOption {
  name: string;
  /** 'none', 'required' or 'optional' (optional only as --name=value). */
  arg: 'none' | 'required' | 'optional';
  /** The short option it stands for. */
  val: string;
}

export type GetoptEvent =
  | { kind: 'option'; opt: string; arg: string | null; long: boolean }
  /** A required argument is missing: `opt` the short letter. */
  | { kind: 'missing'; opt: string; long: boolean }
  /** Unknown or ambiguous option: `opt` the short letter ('' for a long option, `word` then says which). */
  | { kind: 'unknown'; opt: string; word: string };

/** Parses the options at the front of `argv` (no program name); returns them and where the rest starts. */
export function getoptLong(argv: readonly string[], shortopts: string, longopts: readonly LongOption[]): { events: GetoptEvent[]; optind: number } {
  const spec = new Map<string, 'none' | 'required'>();
  const s = shortopts.replace(/^[+:-]+/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (s[i + 1] === ':') {
      spec.set(c, 'required');
      i++;
    } else spec.set(c, 'none');
  }
  const events: GetoptEvent[] = [];
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    i++;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq >= 0 ? eq : undefined);
      const value = eq >= 0 ? word.slice(eq + 1) : null;
      const exact = longopts.find((o) => o.name === name);
      const candidates = exact ? [exact] : longopts.filter((o) => o.name.startsWith(name));
      if (candidates.length !== 1) {
        events.push({ kind: 'unknown', opt: '', word });
        continue;
      }
      const o = candidates[0]!;
      if (o.arg === 'none') {
        if (value !== null) events.push({ kind: 'unknown', opt: o.val, word });
        else events.push({ kind: 'option', opt: o.val, arg: null, long: true });
      } else if (o.arg === 'optional') {
        events.push({ kind: 'option', opt: o.val, arg: value, long: true });
      } else if (value !== null) {
        events.push({ kind: 'option', opt: o.val, arg: value, long: true });
      } else if (i < argv.length) {
        events.push({ kind: 'option', opt: o.val, arg: argv[i++]!, long: true });
      } else {
        events.push({ kind: 'missing', opt: o.val, long: true });
      }
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      const kind = spec.get(c);
      if (kind === undefined) {
        events.push({ kind: 'unknown', opt: c, word });
        continue;
      }
      if (kind === 'none') {
        events.push({ kind: 'option', opt: c, arg: null, long: false });
        continue;
      }
      if (j + 1 < word.length) events.push({ kind: 'option', opt: c, arg: word.slice(j + 1), long: false });
      else if (i < argv.length) events.push({ kind: 'option', opt: c, arg: argv[i++]!, long: false });
      else events.push({ kind: 'missing', opt: c, long: false });
      break;
    }
  }
  return { events, optind: i };
}
