import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/core/parsers/detect-format.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

// What an importer reads before choosing a parser: the first 4 KB, possibly cut mid-record.
const HEAD = 4096;
const headOf = (text: string) => text.slice(0, HEAD);
const fixture = (name: string) => headOf(readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url), 'utf8'));

describe('detectFormat on hand-written files', () => {
  it.each([
    ['hf-daily-papers-small.json', 'hf'],
    ['hf-daily-papers-truncated.json', 'hf'],
    ['arxiv-api-legacy-1706.03762.xml', 'arxiv'],
    ['arxiv-api-newformat-1601.00001.xml', 'arxiv'],
    ['arxiv-api-odd-entries.xml', 'arxiv'],
    ['arxiv-api-error.xml', 'arxiv'],
    ['arxiv-rss-small.xml', 'rss'],
    ['arxiv-listing-atom-small.xml', 'rss'],
    ['daily-papers-page-small.txt', 'page'],
    ['paper-records-small.jsonl', 'jsonl'],
    ['paper-records-array.json', 'jsonl'],
  ])('takes %s for %s', (name, format) => {
    expect(detectFormat(fixture(name))).toBe(format);
  });
});

describe('detectFormat on edge cases', () => {
  it('sees through a BOM and leading whitespace', () => {
    expect(detectFormat('\uFEFF\n  {"id":"2405.17399","title":"x"}')).toBe('jsonl');
  });

  it('does not take an escaped "paper" inside a record\'s text for an HF item', () => {
    expect(detectFormat('[{"id":"2405.17399","title":"a \\"paper\\": {x}"}]')).toBe('jsonl');
  });

  it('reads a page cut before its first authors line by its date block', () => {
    expect(detectFormat('Some Title\n\nAn abstract.\n\n·\nDec 8, 2023\n')).toBe('page');
  });

  it.each([
    ['an empty array', '[]'],
    ['an array of numbers', '[1, 2, 3]'],
    ['an Atom feed from elsewhere', '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id></feed>'],
    ['HTML', '<!doctype html><html><body>Not found</body></html>'],
    ['prose', 'Dear reader,\nthis is not a paper listing.'],
    ['nothing', ''],
  ])('gives up on %s', (_, head) => {
    expect(detectFormat(head)).toBeUndefined();
  });

  it('lets the file name decide only when the content cannot', () => {
    expect(detectFormat('', 'export.jsonl')).toBe('jsonl');
    expect(detectFormat('', 'papers.ndjson')).toBe('jsonl');
    expect(detectFormat('', 'feed.xml')).toBeUndefined();
    expect(detectFormat('<rss version="2.0"><channel/></rss>', 'export.jsonl')).toBe('rss');
  });
});

describeShared('detectFormat on recorded files', () => {
  const real = (...parts: string[]) => headOf(readFileSync(sharedPath(...parts), 'utf8'));

  it.each([
    [['fixtures/hf/daily_papers_2024-10-25.json'], 'hf'],
    [['fixtures/hf/daily_papers_2026-08-21.json'], 'hf'],
    [['fixtures/arxiv/api_idlist_legacy_2020-09-04.xml'], 'arxiv'],
    [['fixtures/arxiv/api_query_newformat_2026-04-05.xml'], 'arxiv'],
    [['fixtures/arxiv/rss_cs.AI_2026-04-27.xml'], 'rss'],
    [['fixtures/arxiv/rss_atom_cs.LG_2026-09-25_trimmed.xml'], 'rss'],
    [['seed/daily-papers-search-page.txt'], 'page'],
    [['corpus/papers.sample-2k.jsonl'], 'jsonl'],
  ])('takes %s for %s', (parts, format) => {
    expect(detectFormat(real(...parts))).toBe(format);
  });
});
