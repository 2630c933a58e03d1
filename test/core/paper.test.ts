import { describe, expect, it } from 'vitest';
import {
  collapseWhitespace,
  mergePapers,
  normalizePaper,
  paperChanged,
  PaperError,
  type Paper,
  type PaperInput,
} from '../../src/core/paper.js';
import { titleId } from '../../src/core/paper-id.js';

const attention: PaperInput = {
  id: 'http://arxiv.org/abs/1706.03762v7',
  title: 'Attention Is All\n  You Need',
  abstract: '  The dominant sequence transduction models\nare based on complex recurrent networks.\n',
  authors: ['Ashish Vaswani', ' Noam  Shazeer ', ''],
  published: '2017-06-12',
  categories: ['cs.CL', 'cs.LG', 'cs.CL'],
  sources: ['arxiv'],
};

function paper(overrides: Partial<PaperInput> = {}): Paper {
  return normalizePaper({ ...attention, ...overrides });
}

function reasonOf(input: PaperInput): string {
  try {
    normalizePaper(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PaperError);
    return (error as Error).message;
  }
  throw new Error('expected normalizePaper to throw');
}

describe('collapseWhitespace', () => {
  it.each([
    'already clean text',
    '  leading and trailing  ',
    'wrapped\n  line\tand\r\ntabs',
    'no\u00a0break\u2003em\u3000ideographic\u2028line\ufeffbom',
    ' \u00a0 ',
    'emoji 😀\u00a0 after',
    '',
  ])('turns every whitespace run into one space and trims: %j', (text) => {
    // The contract, stated as the simplest implementation of it.
    expect(collapseWhitespace(text)).toBe(text.replace(/\s+/gu, ' ').trim());
  });
});

describe('normalizePaper', () => {
  it('canonicalises the id and collapses whitespace in text fields', () => {
    const p = paper({ comment: ' 15 pages,\n  5 figures ', aiSummary: 'A\n summary' });
    expect(p.id).toBe('1706.03762');
    expect(p.title).toBe('Attention Is All You Need');
    expect(p.abstract).toBe('The dominant sequence transduction models are based on complex recurrent networks.');
    expect(p.comment).toBe('15 pages, 5 figures');
    expect(p.aiSummary).toBe('A summary');
  });

  it('trims, de-duplicates and drops empty list entries keeping the first order', () => {
    const p = paper({ keywords: ['attention', ' attention ', 'transformer'] });
    expect(p.authors).toEqual(['Ashish Vaswani', 'Noam Shazeer']);
    expect(p.categories).toEqual(['cs.CL', 'cs.LG']);
    expect(p.keywords).toEqual(['attention', 'transformer']);
  });

  it('keeps two authors who share a name (different people)', () => {
    const p = paper({ authors: ['Yao Li', 'Ada Lovelace', 'Yao Li'] });
    expect(p.authors).toEqual(['Yao Li', 'Ada Lovelace', 'Yao Li']);
  });

  it('adds versionless abs and pdf links to an arXiv paper and keeps given links', () => {
    const p = paper({ links: { code: 'https://github.com/tensorflow/tensor2tensor' } });
    expect(p.links).toEqual({
      arxiv: 'https://arxiv.org/abs/1706.03762',
      pdf: 'https://arxiv.org/pdf/1706.03762',
      code: 'https://github.com/tensorflow/tensor2tensor',
    });
  });

  it('adds no arXiv links to a title-id paper', () => {
    const p = paper({ id: titleId('Attention Is All You Need'), sources: ['page'] });
    expect(p.links).toEqual({});
  });

  it('leaves out absent optional fields and blank optional text', () => {
    const p = paper({ comment: '  \n ', upvotes: undefined });
    expect(p).not.toHaveProperty('comment');
    expect(p).not.toHaveProperty('upvotes');
    expect(p).not.toHaveProperty('thumbnail');
  });

  it('de-duplicates sources', () => {
    expect(paper({ sources: ['hf', 'arxiv', 'hf'] }).sources).toEqual(['hf', 'arxiv']);
  });

  it('rejects a record with a short reason', () => {
    expect(reasonOf({ ...attention, id: 'not-an-id' })).toBe('id "not-an-id" is not an arXiv id');
    expect(reasonOf({ ...attention, title: ' \n ' })).toBe('title missing');
    expect(reasonOf({ ...attention, published: '2017/06/12' })).toBe('published: expected a YYYY-MM-DD date');
    expect(reasonOf({ ...attention, upvotes: -1 })).toMatch(/^upvotes: /);
    expect(reasonOf({ ...attention, links: { code: 'github.com/x/y' } })).toMatch(/^links\.code: /);
    expect(reasonOf({ ...attention, sources: [] })).toMatch(/^sources: /);
  });
});

describe('mergePapers', () => {
  const hf = normalizePaper({
    id: '1706.03762',
    title: 'Attention Is All You Need',
    abstract: 'Short.',
    authors: ['Ashish Vaswani'],
    published: '2017-06-13',
    upvotes: 120,
    links: { huggingface: 'https://huggingface.co/papers/1706.03762' },
    keywords: ['attention'],
    sources: ['hf'],
  });
  const arxiv = paper();

  it('keeps the longer abstract whichever side has it', () => {
    expect(mergePapers(hf, arxiv).abstract).toBe(arxiv.abstract);
    expect(mergePapers(arxiv, hf).abstract).toBe(arxiv.abstract);
  });

  it('unites categories with the existing primary category first', () => {
    const existing = paper({ categories: ['cs.CL', 'cs.LG'] });
    const incoming = paper({ categories: ['cs.LG', 'cs.AI'] });
    expect(mergePapers(existing, incoming).categories).toEqual(['cs.CL', 'cs.LG', 'cs.AI']);
    // An HF record has no categories: the arXiv order, primary first, comes through unchanged.
    expect(mergePapers(hf, arxiv).categories).toEqual(['cs.CL', 'cs.LG']);
  });

  it('takes the incoming upvotes as the latest count, and keeps the old one when none comes', () => {
    const later = { ...hf, upvotes: 95 };
    expect(mergePapers(hf, later).upvotes).toBe(95);
    expect(mergePapers(hf, arxiv).upvotes).toBe(120);
  });

  it('keeps the earliest date', () => {
    expect(mergePapers(hf, arxiv).published).toBe('2017-06-12');
    expect(mergePapers(arxiv, hf).published).toBe('2017-06-12');
    const undated = paper({ published: undefined });
    expect(mergePapers(undated, hf).published).toBe('2017-06-13');
  });

  it('keeps the longer author list, fills links in and unites sources and keywords', () => {
    const merged = mergePapers(hf, arxiv);
    expect(merged.authors).toEqual(['Ashish Vaswani', 'Noam Shazeer']);
    expect(merged.links).toEqual({
      arxiv: 'https://arxiv.org/abs/1706.03762',
      pdf: 'https://arxiv.org/pdf/1706.03762',
      huggingface: 'https://huggingface.co/papers/1706.03762',
    });
    expect(merged.sources).toEqual(['hf', 'arxiv']);
    expect(merged.keywords).toEqual(['attention']);
  });

  it('moves a title-id record onto the real arXiv id and takes the arXiv title', () => {
    const fromPage = normalizePaper({
      id: titleId('Attention is all you need!'),
      title: 'Attention is all you need!',
      abstract: '',
      upvotes: 7,
      published: '2017-06-20',
      sources: ['page'],
    });
    const merged = mergePapers(fromPage, arxiv);
    expect(merged.id).toBe('1706.03762');
    expect(merged.title).toBe('Attention Is All You Need');
    expect(merged.upvotes).toBe(7);
    expect(merged.published).toBe('2017-06-12');
    expect(merged.links.arxiv).toBe('https://arxiv.org/abs/1706.03762');
    expect(merged.sources).toEqual(['page', 'arxiv']);
  });

  it('keeps the real id and its own title when a title-id record arrives', () => {
    const fromPage = normalizePaper({ id: titleId('attention is all you need'), title: 'attention is all you need', sources: ['page'] });
    const merged = mergePapers(arxiv, fromPage);
    expect(merged.id).toBe('1706.03762');
    expect(merged.title).toBe('Attention Is All You Need');
  });
});

describe('paperChanged', () => {
  it('says whether a merge changed anything visible', () => {
    const p = paper();
    expect(paperChanged(p, mergePapers(p, p))).toBe(false);
    expect(paperChanged(p, mergePapers(p, { ...p, upvotes: 3 }))).toBe(true);
  });
});
