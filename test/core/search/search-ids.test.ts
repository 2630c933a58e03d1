import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

/**
 * Ids and links as people paste them (issue 8, items 1 and 5), and a stopword typed alone
 * (item 7): parsed here, then searched on the 2k-paper corpus sample.
 */

const ARITHMETIC = '2405.17399'; // Transformers Can Do Arithmetic with the Right Embeddings
const MMMS = '2509.12963'; // MMMS: Multi-Modal Multi-Surface Interactive Segmentation

describe('parseQuery: ids anywhere in the text', () => {
  it.each([
    ['2405.17399,', [ARITHMETIC]],
    ['(2509.12963)', [MMMS]],
    [' 2606.24248?', ['2606.24248']],
    ['2509.11253;', ['2509.11253']],
    ['"arXiv:2405.17399v3"', [ARITHMETIC]],
    ['[2405.17399]', [ARITHMETIC]],
    ['arXiv 2405.17399', [ARITHMETIC]],
    ['2405.17399, 2509.12963', [ARITHMETIC, MMMS]],
    ['2405.17399;2509.12963', [ARITHMETIC, MMMS]],
    ['2509.12963\t2405.17399', [MMMS, ARITHMETIC]],
    ['https://arxiv.org/abs/2405.17399,', [ARITHMETIC]],
    ['<https://arxiv.org/pdf/2405.17399v2.pdf>', [ARITHMETIC]],
    ['https://export.arxiv.org/abs/2405.17399?context=cs.LG#x', [ARITHMETIC]],
    ['https://www.alphaxiv.org/abs/2509.11253', ['2509.11253']],
    ['https://www.alphaxiv.org/overview/2509.11253v1.', ['2509.11253']],
    ['https://huggingface.co/papers/2405.17399)', [ARITHMETIC]],
    ['https://doi.org/10.48550/arXiv.2405.17399', [ARITHMETIC]],
    ['https://papers.cool/arxiv/2405.17399', [ARITHMETIC]],
    ['hep-th/9901001.', ['hep-th/9901001']],
  ])('given %j, names %j and leaves no word to search', (input, ids) => {
    const q = parseQuery(input);
    expect(q.ids).toEqual(ids);
    expect(q.words).toEqual([]);
    expect(q.text).toBe('');
  });

  it('given an id between words, searches the words around it and not the id', () => {
    const q = parseQuery('digit embeddings (2405.17399), arithmetic');
    expect(q.ids).toEqual([ARITHMETIC]);
    expect(q.words.map((w) => w.word)).toEqual(['digit', 'embeddings', 'arithmetic']);
    expect(q.text).toBe('digit embeddings arithmetic');
  });

  it('given a title: id (an autocomplete value), names that paper', () => {
    expect(parseQuery('title:0123456789AB').ids).toEqual(['title:0123456789ab']);
  });

  it('given a link that names no paper, searches its words', () => {
    expect(parseQuery('https://github.com/mcleish7/arithmetic').ids).toEqual([]);
  });

  it('given an id at the end, does not complete the word before it', () => {
    expect(parseQuery('arithmetic 2405.17399,').lastWordIsPrefix).toBe(false);
    expect(parseQuery('arithmetic https://arxiv.org/abs/2405.17399').lastWordIsPrefix).toBe(false);
  });
});

describe('parseQuery: a stopword is a whole word', () => {
  it.each(['the', 'a', 'of', 'graph of', 'transformers the'])('given %j, does not complete the last word as a prefix', (input) => {
    expect(parseQuery(input).lastWordIsPrefix).toBe(false);
  });

  it('still completes a word being typed that is not a stopword', () => {
    expect(parseQuery('graph th').lastWordIsPrefix).toBe(true);
    expect(parseQuery('theo').lastWordIsPrefix).toBe(true);
  });
});

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

describeShared('search by ids and links on the 2k-paper corpus sample', () => {
  let sample: Paper[];
  let index: PaperIndex;
  beforeAll(async () => {
    sample = readSample();
    index = await buildPaperIndex(async function* () {
      yield sample;
    });
  });
  const ids = (query: string, prefix = false) => index.search(query, { limit: 10, prefix }).hits.map((h) => h.id);

  it.each([
    '2405.17399,',
    '(2405.17399)',
    '"2405.17399"',
    'arXiv:2405.17399v2.',
    'https://arxiv.org/abs/2405.17399,',
    'https://arxiv.org/pdf/2405.17399v1',
    'https://www.alphaxiv.org/abs/2405.17399?',
    'hf.co/papers/2405.17399',
  ])('given %j alone, returns exactly that paper, while typing too', (query) => {
    expect(ids(query)).toEqual([ARITHMETIC]);
    expect(ids(query, true)).toEqual([ARITHMETIC]);
  });

  it('given a list of ids, returns every listed paper in the order given', () => {
    expect(ids('2405.17399, 2509.12963')).toEqual([ARITHMETIC, MMMS]);
    expect(ids('2509.12963 2405.17399')).toEqual([MMMS, ARITHMETIC]);
    expect(ids('(2405.17399), (2509.12963).')).toEqual([ARITHMETIC, MMMS]);
  });

  it('given the first 10 papers of the sample by id and link, lands every one first', () => {
    for (const p of sample.slice(0, 10)) {
      for (const query of [`${p.id},`, ` ${p.id}?`, `https://www.alphaxiv.org/overview/${p.id}`, `https://arxiv.org/abs/${p.id};`]) {
        expect(ids(query)[0], query).toBe(p.id);
      }
    }
  });

  it('given an id and words, puts the id’s paper first and the word results after it', () => {
    const found = ids('multi surface interactive segmentation 2405.17399');
    expect(found[0]).toBe(ARITHMETIC);
    expect(found[1]).toBe(MMMS);
    // The id's paper is listed once, even when the words find it too.
    const both = ids('2405.17399 arithmetic embeddings digit');
    expect(both[0]).toBe(ARITHMETIC);
    expect(both.filter((id) => id === ARITHMETIC)).toHaveLength(1);
  });

  it('given an id the library does not hold, returns no paper for it and lets the caller tell (index.has)', () => {
    const page = index.search('2405.99999');
    expect(page.hits).toEqual([]);
    expect(page.query.ids).toEqual(['2405.99999']);
    expect(index.has('2405.99999')).toBe(false);
    // With words, the word results still come.
    expect(index.search('2405.99999 arithmetic embeddings').hits[0]?.id).toBe(ARITHMETIC);
  });

  it('given a stopword alone, returns nothing rather than every title starting with "the…"', () => {
    for (const word of ['the', 'a', 'of', 'The']) {
      expect(ids(word)).toEqual([]);
      expect(ids(word, true)).toEqual([]);
      expect(index.suggest(word)).toEqual([]);
    }
    // A word being typed is still completed: "theo" reaches "Theory".
    expect(index.suggest('theo').some((s) => /\btheor/i.test(s.title))).toBe(true);
  });
});
