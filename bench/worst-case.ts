import { performance } from 'node:perf_hooks';
import { UserFacingError } from '../src/core/errors.js';
import type { PaperIndex, SearchWork } from '../src/core/search/paper-index.js';
import type { WorstCaseQuery } from './query-set.js';

/** Timed runs per worst-case query, after one untimed run. */
const RUNS = 5;

export type WorstCaseResult = {
  name: string;
  maxMs: number;
  medianMs: number;
  hits: number;
  /** The search's own account of its work (undefined for autocomplete and refused queries). */
  work?: SearchWork;
  /** Refused with a UserFacingError, and whether that was expected. */
  refused: boolean;
  expected: boolean;
};

/** Each worst-case query RUNS times on the loaded index; wall time per call, as a user waits. */
export function runWorstCases(index: PaperIndex, queries: readonly WorstCaseQuery[]): WorstCaseResult[] {
  return queries.map((query) => {
    const once = () => {
      try {
        if (query.suggest) return { hits: index.suggest(query.text, 25).length, refused: false };
        const page = index.search(query.text, { limit: 10, ...query.options });
        return { hits: page.hits.length, work: page.work, refused: false };
      } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        return { hits: 0, refused: true };
      }
    };
    once();
    const times: number[] = [];
    let last = once();
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      last = once();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      name: query.name,
      maxMs: times.at(-1)!,
      medianMs: times[Math.floor(times.length / 2)]!,
      hits: last.hits,
      ...(last.work ? { work: last.work } : {}),
      refused: last.refused,
      expected: last.refused === (query.refused ?? false),
    };
  });
}

export function formatWorstCases(results: readonly WorstCaseResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const work = r.work
      ? `postings ${r.work.postingsVisited}, probes ${r.work.probes}, scanned ${r.work.papersScanned}, candidates ${r.work.candidates}, sorted ${r.work.candidatesSorted}`
      : r.refused
        ? 'refused'
        : `${r.hits} suggestions`;
    const flag = r.expected ? '' : r.refused ? '  UNEXPECTEDLY REFUSED' : '  NOT REFUSED';
    return `${r.name.padEnd(nameWidth)}  max ${r.maxMs.toFixed(1).padStart(7)} ms  median ${r.medianMs.toFixed(1).padStart(7)} ms  ${work}${flag}`;
  });
  const worst = Math.max(...results.map((r) => r.maxMs));
  return [...lines, `worst of all: ${worst.toFixed(1)} ms`].join('\n');
}
