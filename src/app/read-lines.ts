/**
 * The longest line passed on, in bytes without the '\n': far above any real record (the corpus's
 * longest line is 56 KB) and far below what would strain memory or V8's string length limit.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export type ReadLinesOptions = {
  /** Lines longer than this (UTF-8 bytes) are dropped as they stream by. Default MAX_LINE_BYTES. */
  maxLineBytes?: number;
  /** Told the 1-based number of each dropped line, before the '' that stands in for it. */
  onOverlong?: (lineNumber: number) => void;
};

const NEWLINE = 0x0a;

/**
 * The lines of a byte or text stream as they arrive, without the '\n' (a '\r' before it stays;
 * JSON treats it as whitespace). A line typed into stdin is yielded as soon as its newline arrives.
 *
 * Linear in the input: the bytes of an unfinished line are kept as a list of chunk slices and
 * decoded once, when its newline arrives; a growing string re-scanned per chunk made a file
 * without newlines quadratic. A line over maxLineBytes stops being kept the moment it crosses
 * the limit and is yielded as '' (so later line numbers stay right) after onOverlong names it:
 * memory stays bounded whatever the file holds. Splitting bytes at '\n' is safe for UTF-8,
 * where 0x0A never occurs inside a multi-byte character.
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<string> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  let pieces: Buffer[] = [];
  let held = 0;
  let overlong = false;
  let lineNumber = 0;

  /** The line made of the held pieces plus bytes[start, end), or '' for an overlong one. */
  const finishLine = (bytes: Buffer, start: number, end: number): string => {
    lineNumber++;
    const tooLong = overlong || held + (end - start) > maxLineBytes;
    const line = tooLong
      ? ''
      : pieces.length === 0
        ? bytes.toString('utf8', start, end)
        : Buffer.concat([...pieces, bytes.subarray(start, end)], held + (end - start)).toString('utf8');
    if (tooLong) options.onOverlong?.(lineNumber);
    pieces = [];
    held = 0;
    overlong = false;
    return line;
  };

  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      yield finishLine(bytes, start, end);
      start = end + 1;
    }
    if (start === bytes.length || overlong) continue;
    held += bytes.length - start;
    if (held > maxLineBytes) {
      overlong = true;
      pieces = [];
    } else {
      pieces.push(bytes.subarray(start));
    }
  }
  if (held > 0 || overlong) yield finishLine(Buffer.alloc(0), 0, 0);
}
