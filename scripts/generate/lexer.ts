/** Tokens of the XDR language (RFC 4506 section 6) plus rpcgen's `%` passthrough lines. */
export type TokenKind = 'ident' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  col: number;
  /** Text of the comments between the previous token and this one (annotations live there). */
  comment: string;
}

export class XdrSyntaxError extends Error {
  constructor(file: string, line: number, col: number, message: string) {
    super(`${file}:${line}:${col}: ${message}`);
    this.name = 'XdrSyntaxError';
  }
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', ':', '=', '*']);

export function tokenize(file: string, src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  let comment = '';
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      advance(1);
      continue;
    }
    if (c === '%' && (col === 1 || /^[ \t]*$/.test(src.slice(src.lastIndexOf('\n', i - 1) + 1, i)))) {
      // rpcgen passthrough line: copied verbatim to C output; nothing for TypeScript.
      const end = src.indexOf('\n', i);
      advance((end < 0 ? src.length : end) - i);
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new XdrSyntaxError(file, line, col, 'unterminated comment');
      comment += src.slice(i, end + 2) + '\n';
      advance(end + 2 - i);
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      comment += src.slice(i, end < 0 ? src.length : end) + '\n';
      advance((end < 0 ? src.length : end) - i);
      continue;
    }
    const startLine = line;
    const startCol = col;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), line: startLine, col: startCol, comment });
      comment = '';
      advance(j - i);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      if (c === '0' && (src[j] === 'x' || src[j] === 'X')) {
        j++;
        while (j < src.length && /[0-9A-Fa-f]/.test(src[j]!)) j++;
      } else {
        while (j < src.length && /[0-9A-Fa-fxX]/.test(src[j]!)) j++;
      }
      const text = src.slice(i, j);
      if (!/^-?(0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) {
        throw new XdrSyntaxError(file, startLine, startCol, `malformed number '${text}'`);
      }
      tokens.push({ kind: 'number', text, line: startLine, col: startCol, comment });
      comment = '';
      advance(j - i);
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line: startLine, col: startCol, comment });
      comment = '';
      advance(1);
      continue;
    }
    throw new XdrSyntaxError(file, line, col, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', line, col, comment });
  return tokens;
}

export function parseNumber(text: string): number {
  const neg = text.startsWith('-');
  const t = neg ? text.slice(1) : text;
  let v: number;
  if (/^0[xX]/.test(t)) v = parseInt(t.slice(2), 16);
  else if (t.length > 1 && t.startsWith('0')) v = parseInt(t, 8);
  else v = parseInt(t, 10);
  return neg ? -v : v;
}
