import { Worker } from 'node:worker_threads';
import type { Paper } from '../core/paper.js';
import type { ImportSkip } from '../core/parsers/import-result.js';
import { BODY_PARSERS, type BodyFormat, type BodyParseResult } from './body-parsers.js';
import type { ParseReply, ParseRequest } from './parse-worker.js';

/**
 * Parse source bodies without blocking the event loop, which discord.js heartbeats on (the design
 * allows ~100 ms at a time). fast-xml-parser takes ~100 ms per MB of Atom or RSS on a busy
 * 2-core machine, so a body at FEED_MAX_BYTES (10 MB) would hold the loop for over a second.
 * Bodies from `inlineBelowBytes` up go to one worker thread, started on first use and unref'd
 * while idle); the main thread pays only for copying the papers back, a chunk per event-loop turn
 * (see parse-worker.ts). Smaller bodies, nearly every real answer, parse inline at once.
 */

export type BodyParser = {
  parse<F extends BodyFormat>(format: F, body: string): Promise<BodyParseResult<F>>;
  /** Stop the worker, if one was started; later calls start a new one. */
  close(): Promise<void>;
};

/** The body is not of its format: the parser's own message (ImportFormatError, ArxivApiError). */
export class BodyFormatError extends Error {
  override name = 'BodyFormatError';
}

// Fast enough inline: ~25 ms of XML, ~3 ms of JSON.
const DEFAULT_INLINE_BELOW_BYTES = 256 * 1024;

const WORKER_ENTRY = new URL('./parse-worker-entry.mjs', import.meta.url);

type Pending = { papers: Paper[]; skipped: ImportSkip[]; resolve(value: unknown): void; reject(error: Error): void };

export function createBodyParser({ inlineBelowBytes = DEFAULT_INLINE_BELOW_BYTES }: { inlineBelowBytes?: number } = {}): BodyParser {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  function failAll(error: Error): void {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    worker = undefined;
  }

  function started(): Worker {
    if (worker) return worker;
    const w = new Worker(WORKER_ENTRY);
    w.unref();
    w.on('message', (reply: ParseReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      if ('papers' in reply) {
        waiting.papers.push(...reply.papers);
        waiting.skipped.push(...reply.skipped);
        // Asked from a fresh event-loop turn, so other work runs between chunks.
        setImmediate(() => worker?.postMessage({ id: reply.id, next: true } satisfies ParseRequest));
        return;
      }
      pending.delete(reply.id);
      if ('done' in reply) waiting.resolve({ ...reply.done, papers: waiting.papers, skipped: waiting.skipped });
      else waiting.reject(replyError(reply.error));
    });
    w.on('error', (error) => failAll(new Error(`body parse worker failed: ${error.message}`)));
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`body parse worker exited (code ${code})`));
    });
    worker = w;
    return w;
  }

  return {
    parse<F extends BodyFormat>(format: F, body: string): Promise<BodyParseResult<F>> {
      if (body.length < inlineBelowBytes) {
        try {
          return Promise.resolve(BODY_PARSERS[format](body) as BodyParseResult<F>);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      const w = started();
      const id = nextId++;
      return new Promise<BodyParseResult<F>>((resolve, reject) => {
        pending.set(id, { papers: [], skipped: [], resolve: resolve as (value: unknown) => void, reject });
        // While a parse is under way the worker must keep the process up, like any pending I/O.
        w.ref();
        w.postMessage({ id, format, body } satisfies ParseRequest);
      }).finally(() => {
        if (pending.size === 0) w.unref();
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

function replyError(error: { name: string; message: string; expected: boolean }): Error {
  if (error.expected) return new BodyFormatError(error.message);
  const unexpected = new Error(error.message);
  unexpected.name = error.name;
  return unexpected;
}
