import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArxivApiError, parseArxivAtom, parseArxivFeedMeta } from '../../../src/core/parsers/arxiv-atom.js';
import { ImportFormatError } from '../../../src/core/parsers/import-result.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url), 'utf8');
const real = (name: string) => readFileSync(sharedPath('fixtures/arxiv', name), 'utf8');

describe('parseArxivAtom on hand-written entries', () => {
  const { papers, skipped } = parseArxivAtom(fixture('arxiv-api-odd-entries.xml'));

  it('reads an old-style id without its version and keeps affiliations out of the author names', () => {
    expect(papers[0]).toEqual({
      id: 'cond-mat/0102536',
      title: 'Impact of Electron-Electron Cusp on Configuration Interaction Energies',
      abstract:
        'The effect of the electron-electron cusp on the convergence of configuration interaction wave functions is examined.',
      authors: ['David Prendergast', 'M. Nolan'],
      published: '2001-02-28',
      categories: ['cond-mat.str-el'],
      links: { arxiv: 'https://arxiv.org/abs/cond-mat/0102536', pdf: 'https://arxiv.org/pdf/cond-mat/0102536' },
      keywords: [],
      comment: '11 pages, 6 figures, 3 tables, LaTeX209, submitted to The Journal of Chemical Physics',
      sources: ['arxiv'],
    });
  });

  it('puts the primary category first and drops repeated terms', () => {
    expect(papers[1]!.categories).toEqual(['cond-mat.stat-mech', 'physics.comp-ph']);
  });

  it('strips a two-digit version and decodes named and numeric character references', () => {
    expect(papers[1]!.id).toBe('2401.00005');
    expect(papers[1]!.title).toBe('Café & Crème: Entities <decoded>');
  });

  it('leaves published out when the entry has no date', () => {
    expect(papers[1]).not.toHaveProperty('published');
  });

  it('skips entries without id, with a blank title, a junk id or no content, and reads the one after them', () => {
    expect(papers.map((p) => p.id)).toEqual(['cond-mat/0102536', '2401.00005', '2401.00007']);
    expect(skipped).toEqual([
      { where: 'entry 2', reason: 'id missing' },
      { where: 'entry 3', reason: 'title missing' },
      { where: 'entry 4', reason: 'id "http://arxiv.org/abs/not-an-id" is not an arXiv id' },
      { where: 'entry 6', reason: 'empty entry' },
    ]);
  });

  it('reads the paging fields', () => {
    expect(parseArxivFeedMeta(fixture('arxiv-api-odd-entries.xml'))).toEqual({
      totalResults: 7,
      startIndex: 0,
      itemsPerPage: 7,
    });
  });
});

describe('parseArxivAtom on the API error feed', () => {
  it('throws an ArxivApiError carrying arXiv\'s explanation', () => {
    expect(() => parseArxivAtom(fixture('arxiv-api-error.xml'))).toThrow(ArxivApiError);
    expect(() => parseArxivAtom(fixture('arxiv-api-error.xml'))).toThrow(
      'arXiv API error: incorrect id format for 1234.12345',
    );
  });

  it('throws it from parseArxivFeedMeta too, so paging never counts the error entry as a result', () => {
    expect(() => parseArxivFeedMeta(fixture('arxiv-api-error.xml'))).toThrow(ArxivApiError);
  });
});

describe('parseArxivAtom on input that is not an API feed', () => {
  it('rejects a truncated document and says where it ends', () => {
    expect(() => parseArxivAtom(fixture('arxiv-api-truncated.xml'))).toThrow(
      /^not an arXiv API Atom feed: .*ends inside <summary>, truncated\?/,
    );
  });

  it.each([
    ['mismatched tags', '<feed><entry><id>1</id></feed>', /Expected closing tag 'entry'/],
    ['plain text', 'Service Unavailable', /char 'S' is not expected/],
    ['an unescaped ampersand', '<feed><entry><title>a & b</title></entry></feed>', /char '&' is not expected/],
    ['an HTML page', '<html><body>503</body></html>', /root element is <html>/],
    ['an empty body', '  ', /the input is empty/],
  ])('rejects %s', (_, xml, message) => {
    expect(() => parseArxivAtom(xml)).toThrow(ImportFormatError);
    expect(() => parseArxivAtom(xml)).toThrow(message);
  });

  it('accepts a feed with no entries', () => {
    expect(parseArxivAtom('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>')).toEqual({
      papers: [],
      skipped: [],
    });
  });
});

describeShared('parseArxivAtom on recorded responses', () => {
  it('reads the legacy id_list response for 1601.00001', () => {
    const { papers, skipped } = parseArxivAtom(real('api_idlist_legacy_2020-09-04.xml'));
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(1);
    const p = papers[0]!;
    expect(p.id).toBe('1601.00001');
    expect(p.title).toBe('Inelastic effects in molecular transport junctions: The probe technique at high bias');
    expect(p.abstract).toMatch(/^We extend the Landauer-B\\"uttiker probe formalism for conductances to the high bias regime,/);
    expect(p.abstract).toMatch(/far-from-equilibrium\.$/);
    expect(p.authors).toEqual(['Michael Kilgour', 'Dvira Segal']);
    expect(p.published).toBe('2015-12-26');
    expect(p.categories).toEqual(['cond-mat.mes-hall']);
  });

  it('reads the legacy query with a wrapped title, a wrapped comment and six categories', () => {
    const { papers } = parseArxivAtom(real('api_query_legacy_2025-10-17.xml'));
    expect(papers.map((p) => p.id)).toEqual(['2510.14968', '2510.14827']);
    const rdd = papers[0]!;
    expect(rdd.title).toBe('RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks');
    expect(rdd.comment).toBe(
      '39th Conference on Neural Information Processing Systems (NeurIPS 2025); Project Website: rdd-neurips.github.io',
    );
    expect(rdd.categories).toEqual(['cs.RO', 'cs.AI', 'cs.CV', 'cs.LG', 'cs.SY', 'eess.SY']);
    expect(rdd.authors).toHaveLength(4);
    expect(papers[1]!.authors).toHaveLength(6);
    expect(papers[1]).not.toHaveProperty('comment');
  });

  it('reads the 2026 layout for 1706.03762 with versionless https links', () => {
    const [p] = parseArxivAtom(real('api_idlist_newformat_2026-04-05.xml')).papers;
    expect(p).toMatchObject({
      id: '1706.03762',
      title: 'Attention Is All You Need',
      published: '2017-06-12',
      categories: ['cs.CL', 'cs.LG'],
      comment: '15 pages, 5 figures',
      links: { arxiv: 'https://arxiv.org/abs/1706.03762', pdf: 'https://arxiv.org/pdf/1706.03762' },
    });
    expect(p!.authors).toHaveLength(8);
    expect(p!.authors.at(-1)).toBe('Illia Polosukhin');
  });

  it('reads the 2026 query', () => {
    const { papers, skipped } = parseArxivAtom(real('api_query_newformat_2026-04-05.xml'));
    expect(skipped).toEqual([]);
    expect(papers.map((p) => [p.id, p.published, p.authors.length])).toEqual([
      ['2201.00978', '2022-01-04', 4],
      ['2104.11502', '2021-04-23', 7],
      ['2404.05657', '2024-04-08', 7],
    ]);
    expect(papers[0]!.comment).toBe('Tech Report. An extension of "Transformer in Transformer" (arXiv:2103.00112)');
  });

  it('gives the same Paper for the legacy and the 2026 layout of one entry', () => {
    const legacy1706 = parseArxivAtom(fixture('arxiv-api-legacy-1706.03762.xml')).papers;
    const new1706 = parseArxivAtom(real('api_idlist_newformat_2026-04-05.xml')).papers;
    expect(legacy1706).toEqual(new1706);

    const legacy1601 = parseArxivAtom(real('api_idlist_legacy_2020-09-04.xml')).papers;
    const new1601 = parseArxivAtom(fixture('arxiv-api-newformat-1601.00001.xml')).papers;
    expect(new1601).toEqual(legacy1601);
  });

  it('reads the paging fields of both layouts', () => {
    expect(parseArxivFeedMeta(real('api_query_legacy_2025-10-17.xml'))).toEqual({
      totalResults: 5619,
      startIndex: 0,
      itemsPerPage: 2,
    });
    expect(parseArxivFeedMeta(real('api_query_newformat_2026-04-05.xml'))).toEqual({
      totalResults: 173566,
      startIndex: 0,
      itemsPerPage: 3,
    });
  });

  it('rejects a listing feed with a pointer to the right format', () => {
    expect(() => parseArxivAtom(real('rss_atom_cs.LG_2026-09-25_trimmed.xml'))).toThrow(/import it as "rss"/);
  });

  it('rejects a recorded response cut short', () => {
    const whole = real('api_query_legacy_2025-10-17.xml');
    expect(() => parseArxivAtom(whole.slice(0, whole.length / 2))).toThrow(ImportFormatError);
  });
});
