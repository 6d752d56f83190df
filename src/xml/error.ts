/** Malformed XML (with where it is), or a document that cannot be read as the kind asked for. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  /** 1-based line and column of the problem in the input text; 0 when not about a position. */
  readonly line: number;
  readonly column: number;

  constructor(message: string, line = 0, column = 0) {
    super(line > 0 ? `${message} at line ${line}, column ${column}` : message);
    this.line = line;
    this.column = column;
  }
}

/** 1-based line and column of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
