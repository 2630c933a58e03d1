import MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import { describe, expect, it } from 'vitest';
import { normalizePaper } from '../../../src/core/paper.js';
import {
  documentFrequency,
  fieldFrequency,
  internals,
  postingCount,
} from '../../../src/core/search/minisearch-internals.js';
import { createPaperIndex } from '../../../src/core/search/paper-index.js';
import { tokenize } from '../../../src/core/search/tokenize.js';

/*
 * The paper index reads MiniSearch 7.2's private state. These tests pin the shape of that
 * state on a tiny index, so a MiniSearch upgrade that changes it fails here first.
 */

type Doc = { id: string; title: string; body: string };

const docs: Doc[] = [
  { id: 'a', title: 'cat dog', body: 'fish' },
  { id: 'b', title: 'cat', body: 'cat cat bird' },
  { id: 'c', title: 'bird', body: 'dog' },
];

function tinyIndex(): MiniSearch<Doc> {
  const ms = new MiniSearch<Doc>({ fields: ['title', 'body'], storeFields: ['title'] });
  ms.addAll(docs);
  return ms;
}

const TITLE = 0;
const BODY = 1;
const hitsIn = (ms: MiniSearch<Doc>, term: string, fields?: string[]) =>
  ms.search(term, fields ? { fields } : {}).map((r) => r.id as string).sort();

describe('MiniSearch internals on a tiny index', () => {
  it('keeps postings per term as fieldId → (shortId → term frequency)', () => {
    const state = internals(tinyIndex());
    const cat = state._index.get('cat');
    expect(cat).toBeInstanceOf(Map);
    expect([...cat!.keys()].sort()).toEqual([TITLE, BODY]);
    expect(cat!.get(TITLE)).toEqual(new Map([[0, 1], [1, 1]]));
    expect(cat!.get(BODY)).toEqual(new Map([[1, 2]]));
    expect(state._index.get('nothing')).toBeUndefined();
  });

  it('keeps its vocabulary in a SearchableMap that can be walked by prefix', () => {
    const index = internals(tinyIndex())._index;
    expect(index.constructor.name).toBe('SearchableMap');
    expect(index.size).toBe(4);
    expect([...index.atPrefix('b')].map(([term]) => term)).toEqual(['bird']);
    expect([...index.keys()].sort()).toEqual(['bird', 'cat', 'dog', 'fish']);
  });

  it('maps short ids to document ids and back', () => {
    const state = internals(tinyIndex());
    expect(state._documentIds).toEqual(new Map([[0, 'a'], [1, 'b'], [2, 'c']]));
    expect(state._idToShortId).toEqual(new Map([['a', 0], ['b', 1], ['c', 2]]));
    expect(state._nextId).toBe(3);
    expect(state._documentCount).toBe(3);
    expect(state._dirtCount).toBe(0);
  });

  it('numbers fields in the order given', () => {
    expect(internals(tinyIndex())._fieldIds).toEqual({ title: TITLE, body: BODY });
  });

  it('keeps field lengths (distinct terms) per short id as an array indexed by field id, and their averages', () => {
    const state = internals(tinyIndex());
    // b's body "cat cat bird" has length 2: MiniSearch counts distinct terms.
    expect(state._fieldLength).toEqual(new Map([[0, [2, 1]], [1, [1, 2]], [2, [1, 1]]]));
    expect(state._avgFieldLength).toHaveLength(2);
    expect(state._avgFieldLength[TITLE]).toBeCloseTo(4 / 3, 10);
    expect(state._avgFieldLength[BODY]).toBeCloseTo(4 / 3, 10);
  });

  it('keeps stored fields per short id', () => {
    const state = internals(tinyIndex());
    expect(state._storedFields).toEqual(
      new Map([[0, { title: 'cat dog' }], [1, { title: 'cat' }], [2, { title: 'bird' }]]),
    );
  });

  it('forgets a discarded document at once but keeps its postings until vacuumed', async () => {
    const ms = tinyIndex();
    const state = internals(ms);
    ms.discard('b');
    expect(state._documentIds.has(1)).toBe(false);
    expect(state._idToShortId.has('b')).toBe(false);
    expect(state._fieldLength.has(1)).toBe(false);
    expect(state._storedFields.has(1)).toBe(false);
    expect(state._documentCount).toBe(2);
    expect(state._dirtCount).toBe(1);
    expect(fieldFrequency(ms, 'cat', TITLE)).toBe(2);

    await ms.vacuum();
    expect(fieldFrequency(ms, 'cat', TITLE)).toBe(1);
    expect(state._dirtCount).toBe(0);
  });

  it('never reuses a short id', () => {
    const ms = tinyIndex();
    ms.discard('b');
    ms.add({ id: 'b', title: 'owl', body: '' });
    const state = internals(ms);
    expect(state._idToShortId.get('b')).toBe(3);
    expect(state._nextId).toBe(4);
  });
});

describe('documentFrequency, fieldFrequency and postingCount', () => {
  const ms = tinyIndex();

  it('count a field\'s documents as MiniSearch search does', () => {
    for (const term of ['cat', 'dog', 'bird', 'fish']) {
      expect(fieldFrequency(ms, term, TITLE), term).toBe(hitsIn(ms, term, ['title']).length);
      expect(fieldFrequency(ms, term, BODY), term).toBe(hitsIn(ms, term, ['body']).length);
    }
  });

  it('count the documents holding a term as MiniSearch search does when one field holds it', () => {
    expect(documentFrequency(ms, 'fish')).toBe(hitsIn(ms, 'fish').length);
    expect(documentFrequency(ms, 'cat')).toBe(hitsIn(ms, 'cat').length);
    expect(documentFrequency(ms, 'cat')).toBe(2);
  });

  it('count a term spread over fields of different documents at least as often as its commonest field', () => {
    // "dog" is a title word of a and a body word of c: the function takes the larger field count.
    const fields = [fieldFrequency(ms, 'dog', TITLE), fieldFrequency(ms, 'dog', BODY)];
    expect(documentFrequency(ms, 'dog')).toBeGreaterThanOrEqual(Math.max(...fields));
    expect(documentFrequency(ms, 'dog')).toBeLessThanOrEqual(hitsIn(ms, 'dog').length);
  });

  it('count every posting across fields', () => {
    for (const term of ['cat', 'dog', 'bird', 'fish']) {
      expect(postingCount(ms, term), term).toBe(hitsIn(ms, term, ['title']).length + hitsIn(ms, term, ['body']).length);
    }
    expect(postingCount(ms, 'cat')).toBe(3);
  });

  it('return 0 for a term the index does not hold', () => {
    expect(documentFrequency(ms, 'zebra')).toBe(0);
    expect(fieldFrequency(ms, 'zebra', TITLE)).toBe(0);
    expect(fieldFrequency(ms, 'cat', 7)).toBe(0);
    expect(postingCount(ms, 'zebra')).toBe(0);
  });
});

describe('SearchableMap as the paper index uses it', () => {
  const vocabulary = new SearchableMap<number>();
  vocabulary.set('transformer', 3);
  vocabulary.set('transport', 5);
  vocabulary.set('diffusion', 2);

  it('answers fuzzyGet with term → [value, edit distance]', () => {
    expect(vocabulary.fuzzyGet('transfromer', 2)).toEqual(new Map([['transformer', [3, 2]]]));
    expect(vocabulary.fuzzyGet('difusion', 1)).toEqual(new Map([['diffusion', [2, 1]]]));
  });

  it('walks terms by prefix as [term, value] pairs', () => {
    expect([...vocabulary.atPrefix('trans')].sort()).toEqual([
      ['transformer', 3],
      ['transport', 5],
    ]);
  });
});

describe('the paper index options on MiniSearch', () => {
  it('gives each paper a field length per field, the title counted in distinct tokenize terms', () => {
    const index = createPaperIndex();
    const title = 'HiFi-SR: High-Fidelity Speech Super-Resolution for Speech';
    index.addAll([
      normalizePaper({ id: '2501.10045', title, abstract: '', authors: ['Bin Ma'], categories: ['eess.AS', 'cs.SD'], sources: ['arxiv'] }),
    ]);
    const state = internals(index.miniSearch);
    const lengths = state._fieldLength.get(state._idToShortId.get('2501.10045')!);
    expect(lengths).toEqual([new Set(tokenize(title)).size, 0, 1, 2, 0]);
    expect(lengths![0]).toBe(11); // …, hifisr, fisr (a run of HiFi-SR's pieces), high, …
    expect(state._storedFields.get(0)).toEqual({ title, date: 0, upvotes: 0, categories: 'eess.as cs.sd', code: 0 });
  });
});
