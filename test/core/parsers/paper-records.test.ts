import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { PaperError, type Paper } from '../../../src/core/paper.js';
import { parseArxivAtom } from '../../../src/core/parsers/arxiv-atom.js';
import { parseArxivListing } from '../../../src/core/parsers/arxiv-rss.js';
import { parseDailyPapersPage } from '../../../src/core/parsers/daily-papers-page.js';
import { parseHfDailyPapers } from '../../../src/core/parsers/hf-daily-papers.js';
import { describeSkip, ImportFormatError, type ImportSkip } from '../../../src/core/parsers/import-result.js';
import { parseJsonLines, parseJsonRecords, parsePaperRecord } from '../../../src/core/parsers/paper-records.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const fixtureUrl = (name: string) => new URL(`../../fixtures/sources/${name}`, import.meta.url);
const fixture = (name: string) => readFileSync(fixtureUrl(name), 'utf8');

async function* linesOf(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}

async function collect(lines: AsyncIterable<string>) {
  const papers: Paper[] = [];
  const skipped: ImportSkip[] = [];
  for await (const { paper, skip } of parseJsonLines(lines)) {
    if (paper) papers.push(paper);
    if (skip) skipped.push(skip);
  }
  return { papers, skipped };
}

function reasonOf(value: unknown): string {
  try {
    parsePaperRecord(value);
  } catch (error) {
    expect(error).toBeInstanceOf(PaperError);
    return (error as Error).message;
  }
  throw new Error('expected parsePaperRecord to throw');
}

describe('parseJsonLines on a hand-written file', () => {
  it('reads the good lines and says why each bad line was skipped', async () => {
    const { papers, skipped } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers.map((p) => p.id)).toEqual(['2405.17399', '1706.03762', '2410.17243', 'title:69c8ca043199', '2405.18054']);
    expect(skipped.map(describeSkip)).toEqual([
      'line 3: not valid JSON',
      'line 4: title missing',
      'line 7: id "not-an-id" is not an arXiv id',
      'line 8: authors: expected an array',
      'line 9: expected a JSON object',
      'line 10: published: expected a YYYY-MM-DD date',
      'line 14: upvotes: expected a number',
    ]);
  });

  it('reads a corpus record', async () => {
    const { papers } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers[0]).toEqual({
      id: '2405.17399',
      title: 'Transformers Can Do Arithmetic with the Right Embeddings',
      abstract:
        'The poor performance of transformers on arithmetic tasks seems to stem in large part from their inability to keep track of the exact position of each digit.',
      authors: ['Sean McLeish', 'Arpit Bansal'],
      published: '2024-05-27',
      categories: [],
      links: { arxiv: 'https://arxiv.org/abs/2405.17399', pdf: 'https://arxiv.org/pdf/2405.17399' },
      keywords: [],
      sources: ['jsonl'],
    });
  });

  it('reads our own Paper shape with every optional field and keeps its sources', async () => {
    const { papers } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers[1]).toEqual({
      id: '1706.03762',
      title: 'Attention Is All You Need',
      abstract: 'The dominant sequence transduction models are based on complex recurrent networks.',
      authors: ['Ashish Vaswani', 'Noam Shazeer'],
      published: '2017-06-12',
      categories: ['cs.CL', 'cs.LG'],
      upvotes: 120,
      links: {
        arxiv: 'https://arxiv.org/abs/1706.03762',
        pdf: 'https://arxiv.org/pdf/1706.03762',
        huggingface: 'https://huggingface.co/papers/1706.03762',
        code: 'https://github.com/tensorflow/tensor2tensor',
      },
      thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/1706.03762.png',
      aiSummary: 'Transformers replace recurrence with attention.',
      keywords: ['attention', 'Transformer'],
      comment: '15 pages, 5 figures',
      githubStars: 16000,
      sources: ['hf', 'arxiv'],
    });
  });

  it('accepts summary for abstract, {name} authors, a prefixed versioned id and an ISO timestamp', async () => {
    const { papers } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers[2]).toMatchObject({
      id: '2410.17243',
      title: 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling',
      abstract: 'Contrastive loss is a powerful approach for representation learning.',
      authors: ['Zesen Cheng', 'Hang Zhang'],
      published: '2024-10-22',
      sources: ['jsonl'],
    });
  });

  it('keeps a title-id record from a page export as it is', async () => {
    const { papers } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers[3]).toMatchObject({ id: 'title:69c8ca043199', links: { code: 'https://github.com/zyxElsa/MotionCrafter' }, sources: ['page'] });
  });

  it('treats null as absent', async () => {
    const { papers } = await collect(linesOf(fixture('paper-records-small.jsonl')));
    expect(papers[4]).toEqual({
      id: '2405.18054',
      title: 'Nulls for absent fields',
      abstract: '',
      authors: [],
      categories: [],
      links: { arxiv: 'https://arxiv.org/abs/2405.18054', pdf: 'https://arxiv.org/pdf/2405.18054' },
      keywords: [],
      sources: ['jsonl'],
    });
  });

  it('reads lines that keep a CR and a BOM on line 1 with the same line numbers', async () => {
    const plain = fixture('paper-records-small.jsonl');
    const crlf = `\uFEFF${plain.replace(/\n/g, '\r\n')}`;
    expect(await collect(linesOf(crlf))).toEqual(await collect(linesOf(plain)));
  });

  it('reads a file streamed through readline', async () => {
    const lines = createInterface({ input: createReadStream(fixtureUrl('paper-records-small.jsonl')), crlfDelay: Infinity });
    const { papers, skipped } = await collect(lines);
    expect(papers).toHaveLength(5);
    expect(skipped).toHaveLength(7);
  });
});

describe('parsePaperRecord', () => {
  it.each([
    [{ title: 'x' }, 'id missing'],
    [{ id: '  ', title: 'x' }, 'id missing'],
    [{ id: 2405.17399, title: 'x' }, 'id: expected a string'],
    [{ id: '2405.17399', title: 7 }, 'title: expected a string'],
    [{ id: '2405.17399', title: 'x', abstract: ['a'] }, 'abstract: expected a string'],
    [{ id: '2405.17399', title: 'x', authors: [1] }, 'authors: expected names'],
    [{ id: '2405.17399', title: 'x', categories: 'cs.LG' }, 'categories: expected an array of strings'],
    [{ id: '2405.17399', title: 'x', links: ['https://x.org'] }, 'links: expected an object'],
    [{ id: '2405.17399', title: 'x', published: '2024-02-30' }, 'published: expected a YYYY-MM-DD date'],
    ['2405.17399', 'expected a JSON object'],
    [null, 'expected a JSON object'],
  ])('rejects %j with "%s"', (value, reason) => {
    expect(reasonOf(value)).toBe(reason);
  });

  it('leaves the deeper checks to normalizePaper', () => {
    expect(reasonOf({ id: '2405.17399', title: 'x', upvotes: -3 })).toMatch(/^upvotes: /);
    expect(reasonOf({ id: '2405.17399', title: 'x', links: { code: 'not a url' } })).toMatch(/^links\.code: /);
  });

  it('falls back to the jsonl source when the listed ones are unknown', () => {
    expect(parsePaperRecord({ id: '2405.17399', title: 'x', sources: ['scraper'] }).sources).toEqual(['jsonl']);
  });
});

describe('parseJsonRecords', () => {
  it('reads a JSON array and numbers skipped records from 1', () => {
    const { papers, skipped } = parseJsonRecords(fixture('paper-records-array.json'));
    expect(papers.map((p) => p.id)).toEqual(['2405.17399', '2410.17243']);
    expect(skipped).toEqual([{ where: 'record 2', reason: 'title missing' }]);
  });

  it('rejects truncated JSON and a non-array', () => {
    const text = fixture('paper-records-array.json');
    expect(() => parseJsonRecords(text.slice(0, text.length / 2))).toThrow(ImportFormatError);
    expect(() => parseJsonRecords('{"id":"2405.17399"}')).toThrow(
      'not a paper records file: expected a JSON array of paper records (the top level is not an array)',
    );
  });
});

describe('round trip', () => {
  it('imports an export of parsed papers unchanged, as JSON Lines and as a JSON array', async () => {
    const originals = [
      ...parseHfDailyPapers(fixture('hf-daily-papers-small.json')).papers,
      ...parseArxivAtom(fixture('arxiv-api-odd-entries.xml')).papers,
      ...parseArxivListing(fixture('arxiv-rss-small.xml')).papers,
      ...parseDailyPapersPage(fixture('daily-papers-page-small.txt'), { year: 2025 }).papers,
    ];
    const jsonl = originals.map((p) => JSON.stringify(p)).join('\n');
    const back = await collect(linesOf(jsonl));
    expect(back.skipped).toEqual([]);
    expect(back.papers).toEqual(originals);
    expect(parseJsonRecords(JSON.stringify(originals))).toEqual({ papers: originals, skipped: [] });
  });
});

describeShared('parseJsonLines on the corpus sample', () => {
  it('reads all 2,000 records of papers.sample-2k.jsonl', async () => {
    const lines = createInterface({ input: createReadStream(sharedPath('corpus/papers.sample-2k.jsonl')), crlfDelay: Infinity });
    const { papers, skipped } = await collect(lines);
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(2000);
    expect(papers[0]).toMatchObject({
      id: '2405.17399',
      title: 'Transformers Can Do Arithmetic with the Right Embeddings',
      published: '2024-05-27',
      categories: [],
      sources: ['jsonl'],
    });
    expect(papers[0]!.authors).toHaveLength(11);
    expect(papers.filter((p) => p.categories.length > 0)).toHaveLength(2000 - 126);
  });
});
