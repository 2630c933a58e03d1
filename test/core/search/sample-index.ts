import { readFileSync } from 'node:fs';
import type { Paper } from '../../../src/core/paper.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { sharedPath } from '../../helpers/shared.js';

/** The 2k-paper corpus sample and its index, built once per test file that asks for it. */
export async function sampleIndex(): Promise<{ papers: Paper[]; index: PaperIndex; byId: Map<string, Paper> }> {
  const papers = readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
  const index = await buildPaperIndex(async function* () {
    yield papers;
  });
  return { papers, index, byId: new Map(papers.map((p) => [p.id, p])) };
}
