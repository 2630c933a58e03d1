import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a byte or text stream as they arrive, without the '\n' (a '\r' before it stays;
 * JSON treats it as whitespace). Only one partial line is held at a time, so a 200 MB file never
 * becomes one string, and a line typed into stdin is yielded as soon as its newline arrives.
 */
export async function* readLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of chunks) {
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.slice(start, end);
      start = end + 1;
    }
    partial = text.slice(start);
  }
  partial += decoder.end();
  if (partial !== '') yield partial;
}
