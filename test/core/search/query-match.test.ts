import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { normalizeTitleKey } from '../../../src/core/paper-id.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { explainMismatch, filterSubjectOf } from '../../../src/core/search/query-filter.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { searchWithRecords } from '../../../src/core/search/search-records.js';
import { compileTopicQuery, paperTerms } from '../../../src/core/topics.js';

/**
 * Exclusions, OR groups and scopes against 40 real records of the corpus sample (diffusion papers
 * with and without audio, flow matching, cs.CV and others), written into a fixture so the test
 * does not need ../shared. The expected sets come from plain regular expressions over the records,
 * not from the matcher's own tokenizer.
 */
const papers: Paper[] = readFileSync(new URL('../../fixtures/search/corpus-query-sample.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => parsePaperRecord(JSON.parse(line)));

const text = (p: Paper, where: 'title' | 'abstract' | 'both' = 'both') => (where === 'both' ? `${p.title} ${p.abstract}` : p[where]);
const has = (p: Paper, word: RegExp, where: 'title' | 'abstract' | 'both' = 'both') => word.test(text(p, where));
const inCategory = (p: Paper, cat: string) => p.categories.some((c) => c === cat || c.startsWith(`${cat}.`));
const ids = (list: readonly Paper[]) => list.map((p) => p.id).sort();

const topicMatches = (query: string) => {
  const matcher = compileTopicQuery(query);
  return ids(papers.filter((p) => matcher(paperTerms(p))));
};

describe('the query matcher on real corpus records', () => {
  let index: PaperIndex;
  beforeAll(async () => {
    index = await buildPaperIndex(async function* () {
      yield papers;
    });
  });

  it('given (diffusion OR flow) -audio cat:cs.CV, a topic takes the cs.CV papers on diffusion or flows that never say audio', () => {
    const expected = ids(
      papers.filter((p) => inCategory(p, 'cs.CV') && (has(p, /\bdiffusion\b/i) || has(p, /\bflows?\b/i)) && !has(p, /\baudio\b/i)),
    );
    expect(expected.length).toBeGreaterThan(8);
    // Audio-driven talking heads are out, flow matching in cs.LG only is out, flow matching in cs.CV is in.
    expect(expected).not.toContain('2507.12804');
    expect(expected).not.toContain('2602.04734');
    expect(expected).toContain('2603.27040');
    expect(topicMatches('(diffusion OR flow) -audio cat:cs.CV')).toEqual(expected);
  });

  it('given the same query, search ranks the OR words and leaves the excluded word and other categories out', () => {
    const query = '(diffusion OR flow) -audio cat:cs.CV';
    const found = index.search(query, { limit: 100 }).hits.map((h) => h.id);
    const topic = topicMatches(query);
    // Every paper the topic takes is found; anything more is a typo-tolerant reading of the OR words.
    for (const id of topic) expect(found).toContain(id);
    for (const id of found) {
      const paper = papers.find((p) => p.id === id)!;
      expect(has(paper, /\baudio\b/i), id).toBe(false);
      expect(inCategory(paper, 'cs.CV'), id).toBe(true);
    }
  });

  it('given an OR, takes papers with either word, and without the OR, papers with both', () => {
    const either = ids(papers.filter((p) => has(p, /\bdiffusion\b/i) || has(p, /\bmatching\b/i)));
    const both = ids(papers.filter((p) => has(p, /\bdiffusion\b/i) && has(p, /\bmatching\b/i)));
    expect(either.length).toBeGreaterThan(both.length);
    expect(topicMatches('diffusion OR matching')).toEqual(either);
    expect(topicMatches('diffusion matching')).toEqual(both);
  });

  it('given title: and abstract:, looks only there', () => {
    const inTitle = ids(papers.filter((p) => has(p, /\bdiffusion\b/i, 'title')));
    const anywhere = ids(papers.filter((p) => has(p, /\bdiffusion\b/i)));
    expect(anywhere.length).toBeGreaterThan(inTitle.length);
    expect(topicMatches('title:diffusion')).toEqual(inTitle);
    const phrase = ids(papers.filter((p) => normalizeTitleKey(p.abstract).includes('flow matching') && !has(p, /\bdiffusion\b/i)));
    expect(phrase.length).toBeGreaterThan(2);
    expect(topicMatches('abstract:"flow matching" -diffusion')).toEqual(phrase);
  });

  it('given -"phrase", leaves out only the papers with the phrase, not those with its words apart', () => {
    const withWords = papers.filter((p) => has(p, /\bimages?\b/i) && has(p, /\bgenerations?\b/i));
    const withPhrase = withWords.filter((p) => normalizeTitleKey(`${p.title} ${p.abstract}`).includes('image generation'));
    expect(withPhrase.length).toBeGreaterThan(0);
    expect(withPhrase.length).toBeLessThan(withWords.length);
    expect(topicMatches('image -"image generation"')).toEqual(ids(papers.filter((p) => has(p, /\bimages?\b/i) && !withPhrase.includes(p))));
  });

  it('makes the same decision through search and through a topic when no free word is left to ranking', async () => {
    // Search as /paper search runs it: phrases the index cannot decide are checked on the records.
    const byId = new Map(papers.map((p) => [p.id, p]));
    const records = async (list: string[]) => list.map((id) => byId.get(id));
    for (const query of [
      'title:diffusion -audio',
      'title:diffusion -cat:cs.CV',
      '(cat:cs.LG OR cat:cs.CL) title:model',
      'cat:cs.CV -(audio OR speech OR diffusion)',
      'title:"flow matching"',
      'title:diffusion (abstract:video OR abstract:image)',
      // Excluded phrases: the abstract has "language" and "models" apart (2503.15808, 2504.00860),
      // or "ChatGPT" and a "4" elsewhere; only the phrase itself leaves a paper out.
      'cat:cs.CL -"language models"',
      'cat:cs.CL -"gpt-4"',
      '-"gpt-4"',
      // Words under two exclusions narrow what is left out; they never rank.
      'cat:cs.CV -(title:diffusion -image)',
    ]) {
      const topic = topicMatches(query);
      expect(topic.length, query).toBeGreaterThan(0);
      const found = await searchWithRecords(index, records, query, { limit: 100 });
      expect(found.hits.map((h) => h.id).sort(), query).toEqual(topic);
    }
    expect(topicMatches('cat:cs.CL -"language models"')).toEqual(['2503.15808', '2504.00860']);
  });

  it('explains which item a paper fails and what the paper has instead', () => {
    const q = parseQuery('(diffusion OR flow) -audio cat:cs.CV');
    const talkingHead = papers.find((p) => p.id === '2507.12804')!;
    expect(explainMismatch(filterSubjectOf(talkingHead), q)).toEqual([{ item: '-audio', reason: 'excluded, and the title has it' }]);
    const materials = papers.find((p) => p.id === '2602.04734')!;
    expect(explainMismatch(filterSubjectOf(materials), q)).toEqual([{ item: 'cat:cs.CV', reason: 'its categories are cs.lg, cond-mat.mtrl-sci' }]);
    const arithmetic = papers.find((p) => p.id === '2405.17399')!;
    expect(explainMismatch(filterSubjectOf(arithmetic), q).map((f) => `${f.item}: ${f.reason}`)).toEqual([
      '(diffusion OR flow): none of them holds',
      'cat:cs.CV: no categories are known (Hugging Face lists none)',
    ]);
    expect(explainMismatch(filterSubjectOf(papers.find((p) => p.id === '2603.27040')!), q)).toEqual([]);
  });
});
