import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import { parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { buildPaperIndex, createPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

function readSample(): Paper[] {
  return readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parsePaperRecord(JSON.parse(line)));
}

describeShared('typos people make, on the 2k-paper sample', () => {
  let index: PaperIndex;
  beforeAll(async () => {
    const sample = readSample();
    index = await buildPaperIndex(async function* () {
      yield sample;
    });
  });
  const rankOf = (query: string, id: string) => index.search(query, { limit: 10 }).hits.findIndex((h) => h.id === id) + 1;

  // Each misspelt word occurs in this one title of the sample: typo correction used to reach
  // only words of two or more titles.
  it.each([
    ['romanain headlines', '2504.07612'],
    ['satire detecton romanain', '2504.07612'],
    ['mycelim of thought', '2603.24065'],
    ['hysterisis ferroelectric', '2511.09976'],
    ['widebnad satellite uplink', '2604.20702'],
    ['promptomatrix', '2507.14241'],
    ['onbaord cloud segmentation', '2511.00357'],
  ])('given %j, with a typo in a word of one title only, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['satiredetection romanian', '2504.07612'],
    ['acceleratedpreprocessing crism', '2505.02046'],
    ['liveoi bench', '2510.09595'],
    ['deeperdiffusion models amplify', '2505.17560'],
  ])('given two words run together, %j, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['pre processing crism hyper spectral', '2505.02046'],
    ['wide band satellite up link', '2604.20702'],
    ['drive flow rectified', '2511.18713'],
  ])('given a word split in two, %j, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it.each([
    ['theattenton strucutred manifols', '2506.10959'],
    ['bridgign attenton kernal methds', '2506.10959'],
    ['deeepr difusion modles amplfy bais', '2505.17560'],
    ['eletcric feild hysterisis', '2511.09976'],
  ])('given a typo in every word, %j, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  // Each of these was ranked 4th to 6th (or not at all) before the title was read letter by letter.
  it.each([
    ['generative clasifeir', '2504.02272'], // two swaps in one word: 2 edits, one past what the vocabulary search allowed
    ['gausian mxitrue', '2504.05304'], // 7 letters with 2 edits
    ['remotesensng imagery', '2504.04988'], // two words run together, a letter dropped in one of them
    ['MitigatngHallucination', '2504.04099'], // run together with their capitals, one misspelt
  ])('given misspelt words the vocabulary search cannot place alone, %j, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  // Queries the bench's generator made on this sample (hard typos: 1–2 edits in most words, the
  // first letter included, then words run together or split). Each was ranked 2nd–10th or not
  // found before titles were also read by their letters (title-grams.ts).
  it.each([
    ['rwardfrebdack', '2601.16933'],
    ['finherp rdint ecogjition', '2506.01806'],
    ['feauterfeaample', '2506.03928'],
    ['condiiitioncomposityioon for', '2603.05898'],
    ['multikmodalstruccturdd', '2406.11403'],
    ['photorealisyihari', '2602.11117'],
    ['to assdmb ly ode', '2511.01183'],
    ['diveres sh apss', '2506.12467'],
    ['Wzl rus Alogrihm', '2506.13092'],
    ['coquereovlutionariy', '2510.20205'],
    ['Despnose in Frero cene Asssistrd', '2509.02264'],
    ['fulkenigneering workflow', '2505.17399'],
  ])('given hard typos and words run together or split, %j, then that paper is first', (query, id) => {
    expect(rankOf(query, id)).toBe(1);
  });

  it('given nonsense of the same length, then no title is offered for sharing a few letters with it', () => {
    expect(index.search('qzxvkwjpfhqzxv', { limit: 10 }).hits).toEqual([]);
    expect(index.search('xkcdwqzp vvjjqq', { limit: 10 }).hits).toEqual([]);
  });

  // Review: stopwords are in most titles' letters; counted as typed words they carried nonsense
  // past the letter-match floor (30 random titles for each of these).
  it.each(['qqqq for the', 'zzqx on the of in', 'xqzwv of the and for with', 'zxcv in'])(
    'given nonsense with stopwords, %j, then no title is offered',
    (query) => {
      expect(index.search(query, { limit: 10 }).hits).toEqual([]);
      expect(index.suggest(query)).toEqual([]);
      expect(index.search(query, { limit: 10, sort: 'newest' }).total).toBe(0);
    },
  );

  it('given a Cyrillic word, then a title does not match it by its digits (each UTF-16 unit is its own letter)', () => {
    const local = createPaperIndex();
    const paper = (id: string, title: string) => normalizePaper({ id, title, abstract: '', authors: ['A B'], categories: ['cs.CV'], sources: ['arxiv'] });
    local.addAll([paper('2601.00001', 'Results for 2845 benchmarks'), paper('2601.00002', 'Results for new benchmarks')]);
    const hits = local.search('виде benchmarsk', { limit: 10 }).hits;
    expect(hits[0]?.score).toBeCloseTo(hits[1]?.score ?? 0, 0);
  });

  it('given a hard typo with an exclusion, then the letter search\'s checks count against the filter budget and show in its work', () => {
    const page = index.search('rwardfrebdack -zebra', { limit: 10 });
    expect(page.hits[0]?.id).toBe('2601.16933');
    expect(page.work.filterChecks).toBeGreaterThan(0);
    expect(page.work.postingsVisited).toBeGreaterThan(0);
  });

  it('given a hard typo with a filter, then letters find only papers that pass it', () => {
    // Reward-Forcing (2601.16933) is cs.CV and cs.LG.
    expect(index.search('rwardfrebdack cat:math.NT', { limit: 10 }).hits.map((h) => h.id)).not.toContain('2601.16933');
    expect(index.search('rwardfrebdack cat:cs.CV', { limit: 10 }).hits[0]?.id).toBe('2601.16933');
  });

  it('given a piece of a name inside a name, "rohead" of SaRoHead, then that paper is first', () => {
    expect(rankOf('rohead', '2504.07612')).toBe(1);
  });
});

describe('a misspelt word among many papers holding the other word', () => {
  it('given 150 short titles with "identification" and one longer title with Identification and Answers, then "identifcation asnwres" (two swaps: no vocabulary search reaches Answers) finds the longer one first', () => {
    // BM25 puts the long title below the 150 short ones for "identification"; only re-ranking a deeper pool,
    // reading each title letter by letter, sees that its "Answers" is the misspelt "znswerx".
    const papers = Array.from({ length: 150 }, (_, i) =>
      normalizePaper({ id: `2601.${String(i).padStart(5, '0')}`, title: `Identification ${i}`, abstract: '', authors: ['A B'], categories: ['cs.CL'], sources: ['arxiv'] }),
    );
    const target = normalizePaper({
      id: '2504.04473',
      title: 'Directed Graph-alignment Approach for Identification of Gaps in Short Answers',
      abstract: '',
      authors: ['A B'],
      categories: ['cs.CL'],
      sources: ['arxiv'],
    });
    const index = createPaperIndex();
    index.addAll([...papers, target]);
    expect(index.search('identifcation asnwres', { limit: 10 }).hits[0]?.id).toBe('2504.04473');
  });
});
