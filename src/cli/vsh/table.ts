// vshTable (tools/vsh-table.c): a header and rows printed in aligned columns, control characters
// shown as \xNN, wide characters counted as two columns.

export class Table {
  private readonly rows: string[][];

  constructor(...header: string[]) {
    this.rows = [header];
  }

  /** vshTableRowAppend: a row with as many cells as the header. */
  add(...cells: string[]): this {
    if (cells.length !== this.rows[0]!.length) throw new Error('Incorrect number of cells in a table row');
    this.rows.push(cells);
    return this;
  }

  get length(): number {
    return this.rows.length - 1;
  }

  /** vshTablePrintToString: with the header and its dividing line when `header`. */
  toString(header = true): string {
    const ncols = this.rows[0]!.length;
    const encoded = this.rows.map((r) => r.map(safeEncode));
    const max = new Array<number>(ncols).fill(0);
    encoded.forEach((row, i) => {
      if (i === 0 && !header) return;
      row.forEach((c, j) => {
        if (c.width > max[j]!) max[j] = c.width;
      });
    });
    let out = '';
    const printRow = (row: { text: string; width: number }[]) => {
      row.forEach((c, j) => {
        out += ' ' + c.text;
        if (j < row.length - 1) out += ' '.repeat(max[j]! - c.width + 2);
      });
      out += '\n';
    };
    if (header) {
      printRow(encoded[0]!);
      out += max.map((w) => '-'.repeat(w + 3)).join('') + '\n';
    }
    for (let i = 1; i < encoded.length; i++) printRow(encoded[i]!);
    return out;
  }
}

const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;

/** vshTableSafeEncode. */
function safeEncode(s: string): { text: string; width: number } {
  let text = '';
  let width = 0;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if ((ch === '\\' && chars[i + 1] === 'x') || cp < 0x20 || cp === 0x7f) {
      text += hex(cp);
      width += 4;
    } else if (cp >= 0x80 && (cp < 0xa0 || isNonPrintable(cp))) {
      for (const b of Buffer.from(ch, 'utf8')) text += hex(b);
      width += 4 * Buffer.byteLength(ch);
    } else {
      text += ch;
      width += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
    }
  }
  return { text, width };
}

function isNonPrintable(cp: number): boolean {
  return /\p{C}/u.test(String.fromCodePoint(cp)) && !/\p{Cf}/u.test(String.fromCodePoint(cp));
}

function isZeroWidth(cp: number): boolean {
  return /[\p{Mn}\p{Me}\p{Cf}]/u.test(String.fromCodePoint(cp)) || (cp >= 0x1160 && cp < 0x1200);
}

/** g_unichar_iswide: East Asian Wide and Fullwidth. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
