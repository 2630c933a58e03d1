import { parentPort } from 'node:worker_threads';
import type { Paper } from '../core/paper.js';
import { ArxivApiError } from '../core/parsers/arxiv-atom.js';
import { ImportFormatError, type ImportSkip, type ParseResult } from '../core/parsers/import-result.js';
import { BODY_PARSERS, type BodyFormat } from './body-parsers.js';

/**
 * The parse worker's side of parse-body.ts. The result goes back in chunks, each sent when the
 * main thread asks for the next: copying 15,000 papers in at once costs the main thread 100–250 ms
 * (and Node hands it every queued message in one go), a chunk of CHUNK costs a few ms.
 */

export type ParseRequest = { id: number; format: BodyFormat; body: string } | { id: number; next: true };
export type ParseReply =
  | { id: number; papers: Paper[]; skipped: ImportSkip[] }
  // The fields besides papers and skipped (the RSS listing's announce types), once all chunks are out.
  | { id: number; done: Record<string, unknown> }
  // `expected`: the body is not of its format (ImportFormatError, the arXiv error feed), not a bug.
  | { id: number; error: { name: string; message: string; expected: boolean } };

const CHUNK = 500;

const inProgress = new Map<number, ParseResult>();

function sendNext(id: number): void {
  const result = inProgress.get(id);
  if (!result) return;
  if (result.papers.length === 0 && result.skipped.length === 0) {
    inProgress.delete(id);
    const { papers: _papers, skipped: _skipped, ...rest } = result;
    parentPort?.postMessage({ id, done: rest } satisfies ParseReply);
    return;
  }
  const papers = result.papers.splice(0, CHUNK);
  const skipped = result.skipped.splice(0, CHUNK);
  parentPort?.postMessage({ id, papers, skipped } satisfies ParseReply);
}

parentPort?.on('message', (request: ParseRequest) => {
  if ('next' in request) return sendNext(request.id);
  try {
    inProgress.set(request.id, BODY_PARSERS[request.format](request.body));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const expected = e instanceof ImportFormatError || e instanceof ArxivApiError;
    parentPort?.postMessage({ id: request.id, error: { name: e.name, message: e.message, expected } } satisfies ParseReply);
    return;
  }
  sendNext(request.id);
});
