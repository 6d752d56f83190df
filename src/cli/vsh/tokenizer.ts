// The two sources of command words: a command string split as vshCommandStringGetArg does
// (quotes, backslashes, ';' and newlines between commands, '#' comments), and argv as given.

export type Token =
  | { kind: 'arg'; value: string }
  /** ';' or a newline: the end of one command. */
  | { kind: 'end-command' }
  /** The end of the input. */
  | { kind: 'end' }
  | { kind: 'error'; message: string };

export interface ArgSource {
  /** The next word; `report` false when errors are not to be shown (completion of a partial line). */
  next(report: boolean): Token;
  /** Offset in the line (completion needs it); argv sources return -1. */
  readonly pos: number;
  /** The line from offset `from` on (completion: what follows an option still without its value). */
  rest(from: number): string;
}

export class ArgvSource implements ArgSource {
  private i = 0;
  constructor(private readonly argv: readonly string[]) {}
  get pos(): number {
    return -1;
  }
  rest(): string {
    return '';
  }
  next(): Token {
    if (this.i >= this.argv.length) return { kind: 'end' };
    return { kind: 'arg', value: this.argv[this.i++]! };
  }
}

export class StringSource implements ArgSource {
  private p = 0;
  constructor(private readonly line: string) {}
  get pos(): number {
    return this.p;
  }
  rest(from: number): string {
    return this.line.slice(from);
  }

  next(report: boolean): Token {
    const s = this.line;
    let p = this.p;
    while (s[p] === ' ' || s[p] === '\t' || (s[p] === '\\' && s[p + 1] === '\n')) p += s[p] === '\\' ? 2 : 1;
    if (p >= s.length) {
      this.p = p;
      return { kind: 'end' };
    }
    if (s[p] === ';' || s[p] === '\n') {
      this.p = p + 1;
      return { kind: 'end-command' };
    }
    if (s[p] === '#') {
      while (p < s.length && s[p] !== '\n') p++;
      this.p = p < s.length ? p + 1 : p;
      return { kind: 'end-command' };
    }
    let single = false;
    let double = false;
    let out = '';
    while (p < s.length) {
      const c = s[p]!;
      if (!double && !single && (c === ' ' || c === '\t' || c === ';' || c === '\n')) break;
      if (!double && c === "'") {
        single = !single;
        p++;
        continue;
      } else if (!single && c === '\\') {
        // As in a shell: a backslash escapes inside "" but not inside ''.
        p++;
        if (p >= s.length) {
          this.p = p;
          return { kind: 'error', message: 'dangling \\' };
        } else if (s[p] === '\n') {
          p++;
          continue;
        }
      } else if (!single && c === '"') {
        double = !double;
        p++;
        continue;
      }
      out += s[p++];
    }
    // An unclosed single quote is taken as it is (virsh does not check it); an unclosed double
    // quote is an error unless the line is being completed.
    if (double && report) {
      this.p = p;
      return { kind: 'error', message: 'missing "' };
    }
    this.p = p;
    return { kind: 'arg', value: out };
  }
}
