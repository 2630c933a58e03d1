import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArxivListing, splitAuthorList } from '../../../src/core/parsers/arxiv-rss.js';
import { ImportFormatError } from '../../../src/core/parsers/import-result.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url), 'utf8');
const real = (name: string) => readFileSync(sharedPath('fixtures/arxiv', name), 'utf8');

describe('parseArxivListing on a hand-written RSS 2.0 feed', () => {
  const { papers, skipped, announceTypes } = parseArxivListing(fixture('arxiv-rss-small.xml'));

  it('strips the "arXiv:ID Announce Type … Abstract:" prefix and collapses the abstract', () => {
    expect(papers[0]).toEqual({
      id: '2603.01001',
      title: 'Three Authors Joined With And',
      abstract: 'The first line of the abstract continues here.',
      authors: ['Ada Lovelace', 'Charles Babbage', 'Mary Somerville'],
      published: '2026-03-03',
      categories: ['cs.CL', 'cs.AI'],
      links: { arxiv: 'https://arxiv.org/abs/2603.01001', pdf: 'https://arxiv.org/pdf/2603.01001' },
      keywords: [],
      sources: ['rss'],
    });
  });

  it('splits dc:creator at commas and "and" but keeps affiliations and suffixes whole', () => {
    expect(papers[1]!.authors).toEqual([
      'Martin Luther King, Jr.',
      'Grace Hopper (Yale University, New Haven and Harvard)',
      'Alexander Anand',
      'Kurt Gödel',
    ]);
  });

  it('takes the id from the link and the announce type from the prefix when their elements are missing', () => {
    expect(papers[2]!.id).toBe('2501.00003');
    expect(announceTypes.get('2501.00003')).toBe('replace-cross');
  });

  it('uses the channel pubDate (the announcement day) when an item has none', () => {
    expect(papers[1]!.published).toBe('2026-03-03');
    expect(papers[3]!.published).toBe('2026-03-03');
  });

  it('returns the announce type of every paper it read', () => {
    expect([...announceTypes]).toEqual([
      ['2603.01001', 'new'],
      ['2603.01002', 'replace'],
      ['2501.00003', 'replace-cross'],
      ['2602.11111', 'cross'],
    ]);
  });

  it('skips an item without title and one without any arXiv id, and keeps the rest', () => {
    expect(papers.map((p) => p.id)).toEqual(['2603.01001', '2603.01002', '2501.00003', '2602.11111']);
    expect(skipped).toEqual([
      { where: 'item 4', reason: 'title missing' },
      { where: 'item 5', reason: 'id "urn:uuid:1234" is not an arXiv id' },
    ]);
  });
});

describe('parseArxivListing on a hand-written Atom listing', () => {
  const { papers, skipped, announceTypes } = parseArxivListing(fixture('arxiv-listing-atom-small.xml'));

  it('reads authors spread over several dc:creator elements', () => {
    expect(skipped).toEqual([]);
    expect(papers[0]!.authors).toEqual(['Alan Turing', 'Alonzo Church', 'Stephen Kleene']);
    expect(papers[0]!.published).toBe('2026-03-03');
  });

  it('falls back to the alternate link for the id and to the feed date for the day', () => {
    expect(papers[1]).toMatchObject({ id: '2603.02002', published: '2026-03-03', categories: ['cs.LG'] });
    expect(announceTypes.get('2603.02002')).toBe('new');
  });
});

describe('parseArxivListing on input that is not a listing feed', () => {
  it('rejects a truncated feed', () => {
    expect(() => parseArxivListing(fixture('arxiv-rss-truncated.xml'))).toThrow(ImportFormatError);
  });

  it('rejects an API feed with a pointer to the right format', () => {
    expect(() => parseArxivListing(fixture('arxiv-api-legacy-1706.03762.xml'))).toThrow(/import it as "arxiv"/);
  });

  it('rejects a document of another kind', () => {
    expect(() => parseArxivListing('<opml version="2.0"><body/></opml>')).toThrow(
      'not an arXiv RSS/Atom listing feed: expected an RSS <channel> or Atom <feed> from rss.arxiv.org (root element is <opml>)',
    );
  });

  it('accepts a weekend feed with no items', () => {
    const empty = '<rss version="2.0"><channel><title>cs.AI updates on arXiv.org</title></channel></rss>';
    expect(parseArxivListing(empty)).toEqual({ papers: [], skipped: [], announceTypes: new Map() });
  });
});

describe('splitAuthorList', () => {
  it.each([
    ['Fabien Polly', ['Fabien Polly']],
    ['A. One, B. Two', ['A. One', 'B. Two']],
    ['A. One and B. Two', ['A. One', 'B. Two']],
    ['A. One, B. Two, and C. Three', ['A. One', 'B. Two', 'C. Three']],
    ['Anand Sandhu, Brandon Andrews', ['Anand Sandhu', 'Brandon Andrews']],
    ['  Spaced\n  Name ,  Other  ', ['Spaced Name', 'Other']],
    ['Sammy Davis Jr., Another Person', ['Sammy Davis Jr.', 'Another Person']],
    ['Henry Ford, III, Ada Lovelace', ['Henry Ford, III', 'Ada Lovelace']],
    ['X (Lab A, Lab B), Y', ['X (Lab A, Lab B)', 'Y']],
    ['', []],
  ])('splits %j', (text, names) => {
    expect(splitAuthorList(text)).toEqual(names);
  });
});

describeShared('parseArxivListing on recorded feeds', () => {
  it('reads the cs.AI RSS feed', () => {
    const { papers, skipped, announceTypes } = parseArxivListing(real('rss_cs.AI_2026-04-27.xml'));
    expect(skipped).toEqual([]);
    expect(papers.map((p) => p.id)).toEqual(['2604.21935', '2604.21936', '2604.21937']);
    const first = papers[0]!;
    expect(first.title).toBe('Math Takes Two: A test for emergent mathematical reasoning in communication');
    expect(first.abstract).toMatch(/^Although language models demonstrate remarkable proficiency/);
    expect(first.authors).toEqual(['Michael Cooper', 'Samuel Cooper']);
    expect(first.categories).toEqual(['cs.AI', 'cs.LG']);
    expect(first.published).toBe('2026-04-27');
    expect(papers[1]!.authors).toHaveLength(18);
    expect(papers[2]!.authors).toHaveLength(17);
    expect([...announceTypes.values()]).toEqual(['new', 'new', 'new']);
  });

  it('reads the multi-category feed with new, cross and replace items and strips versions', () => {
    const { papers, announceTypes } = parseArxivListing(real('rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed.xml'));
    expect([...announceTypes]).toEqual([
      ['2609.26811', 'new'],
      ['2609.26820', 'new'],
      ['2205.06398', 'cross'],
      ['2009.13987', 'replace'],
    ]);
    const cross = papers[2]!;
    expect(cross.categories).toEqual(['stat.ME', 'stat.AP', 'stat.ML']);
    expect(cross.authors).toEqual(['Pritam Dey', 'Zhengwu Zhang', 'David B. Dunson']);
    expect(cross.abstract).toMatch(/^It has become routine in neuroscience studies/);
    for (const p of papers) {
      expect(p.published).toBe('2026-09-24');
      expect(p.abstract).not.toMatch(/Announce Type|^arXiv:/);
    }
  });

  it('reads the Atom flavour', () => {
    const { papers, skipped, announceTypes } = parseArxivListing(real('rss_atom_cs.LG_2026-09-25_trimmed.xml'));
    expect(skipped).toEqual([]);
    expect(papers.map((p) => p.id)).toEqual(['2609.28553', '2402.10149', '2401.08875']);
    expect(papers[0]!.abstract).toBe(
      'Drug toxicity prediction is critical for reducing late-stage attrition in drug discovery, yet remains challenging due to severe class imbalance, scaffold-based generalization, and the clinical need for interpretable predictions.',
    );
    expect(papers[0]!.authors).toHaveLength(6);
    expect(papers[1]!.categories).toEqual(['hep-ph', 'cs.LG', 'hep-ex']);
    expect(papers.every((p) => p.published === '2026-09-25')).toBe(true);
    expect([...announceTypes.values()]).toEqual(['new', 'cross', 'replace']);
  });

  it('rejects an API feed', () => {
    expect(() => parseArxivListing(real('api_query_newformat_2026-04-05.xml'))).toThrow(ImportFormatError);
  });
});
