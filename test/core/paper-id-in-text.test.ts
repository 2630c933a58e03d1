import { describe, expect, it } from 'vitest';
import { findPaperIds } from '../../src/core/paper-id.js';

/** Ids and links as people paste them into a search box: what findPaperIds must see. */
const ids = (text: string) => findPaperIds(text).map((f) => f.id);

describe('findPaperIds', () => {
  it.each([
    ['2405.17399', '2405.17399'],
    ['2405.17399,', '2405.17399'],
    ['2509.11253;', '2509.11253'],
    [' 2606.24248?', '2606.24248'],
    ['(2509.12963)', '2509.12963'],
    ['[2405.17399]', '2405.17399'],
    ['"2405.17399"', '2405.17399'],
    ['«2405.17399»', '2405.17399'],
    ['2405.17399v3', '2405.17399'],
    ['arXiv:2405.17399v2', '2405.17399'],
    ['arxiv: 2405.17399', '2405.17399'],
    ['see 2405.17399.', '2405.17399'],
    ['1501.0001', '1501.0001'],
    ['hep-th/9901001', 'hep-th/9901001'],
    ['math.GT/0309136v2,', 'math/0309136'],
    ['https://arxiv.org/abs/2405.17399', '2405.17399'],
    ['https://arxiv.org/abs/2405.17399,', '2405.17399'],
    ['<https://arxiv.org/abs/2405.17399v2>', '2405.17399'],
    ['https://arxiv.org/pdf/2405.17399', '2405.17399'],
    ['https://arxiv.org/pdf/2405.17399v1.pdf', '2405.17399'],
    ['https://arxiv.org/html/2405.17399v1#S3', '2405.17399'],
    ['https://export.arxiv.org/abs/2405.17399?context=cs', '2405.17399'],
    ['http://www.arxiv.org/abs/hep-th/9901001v1', 'hep-th/9901001'],
    ['arxiv.org/abs/2405.17399', '2405.17399'],
    ['https://huggingface.co/papers/2405.17399', '2405.17399'],
    ['https://huggingface.co/papers/2405.17399#community', '2405.17399'],
    ['https://hf.co/papers/2405.17399?utm=x', '2405.17399'],
    ['https://www.alphaxiv.org/abs/2405.17399', '2405.17399'],
    ['https://www.alphaxiv.org/overview/2405.17399v2', '2405.17399'],
    ['https://doi.org/10.48550/arXiv.2405.17399', '2405.17399'],
    ['10.48550/arXiv.2405.17399', '2405.17399'],
    ['https://ar5iv.labs.arxiv.org/html/2405.17399', '2405.17399'],
    ['https://www.semanticscholar.org/arxiv/2405.17399', '2405.17399'],
    ['https://scirate.com/arxiv/2405.17399', '2405.17399'],
    ['https://papers.cool/arxiv/2405.17399', '2405.17399'],
    ['https://arxiv-sanity-lite.com/?rank=pid&pid=2405.17399', '2405.17399'],
  ])('finds %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });

  it('finds every id of a list, in order, each once', () => {
    expect(ids('2405.17399, 2509.12963')).toEqual(['2405.17399', '2509.12963']);
    expect(ids('2405.17399 https://arxiv.org/abs/2405.17399v2 and (2509.12963);')).toEqual(['2405.17399', '2509.12963']);
  });

  it('says where each id stood, so the rest of the text can be searched as words', () => {
    const text = 'diffusion https://arxiv.org/abs/2405.17399, robots';
    const [found] = findPaperIds(text);
    expect(text.slice(found!.start, found!.end)).toBe('https://arxiv.org/abs/2405.17399');
  });

  it.each([
    ['2023.1234'], // no month 23
    ['gpt-4.0 and 3.5'],
    ['12405.17399'],
    ['2405.173999'],
    ['version 1.2.3'],
    ['https://example.com/docs/page'],
    ['https://arxiv.org/abs/%E0%A4%A'],
    ['llama3 8b'],
  ])('finds nothing in %s', (text) => {
    expect(ids(text)).toEqual([]);
  });
});
