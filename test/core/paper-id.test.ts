import { describe, expect, it } from 'vitest';
import {
  arxivAbsUrl,
  arxivPdfUrl,
  huggingFaceUrl,
  isArxivId,
  normalizeTitleKey,
  parseBareArxivId,
  parsePaperId,
  titleId,
} from '../../src/core/paper-id.js';

describe('parsePaperId', () => {
  it.each([
    ['2405.17399', '2405.17399'],
    ['2405.17399v2', '2405.17399'],
    ['2405.17399V2', '2405.17399'],
    ['  2405.17399  ', '2405.17399'],
    ['0704.0001', '0704.0001'], // 2007–2014 ids have four digits after the dot
    ['arXiv:2405.17399', '2405.17399'],
    ['ARXIV:2405.17399v1', '2405.17399'],
    ['oai:arXiv.org:2405.17399v1', '2405.17399'],
    ['https://arxiv.org/abs/2405.17399v2', '2405.17399'],
    ['http://export.arxiv.org/abs/2405.17399', '2405.17399'],
    ['https://www.arxiv.org/abs/2405.17399/', '2405.17399'],
    ['https://arxiv.org/abs/2405.17399?context=cs', '2405.17399'],
    ['https://arxiv.org/pdf/2405.17399', '2405.17399'],
    ['arxiv.org/pdf/2405.17399v1.pdf', '2405.17399'],
    ['https://arxiv.org/html/2405.17399v1', '2405.17399'],
    ['arxiv.org/format/2405.17399', '2405.17399'],
    ['<https://arxiv.org/abs/2405.17399>', '2405.17399'],
    ['https://huggingface.co/papers/2405.17399', '2405.17399'],
    ['https://hf.co/papers/2405.17399', '2405.17399'],
    ['huggingface.co/api/papers/2405.17399', '2405.17399'],
  ])('reads the new-style id in %j', (input, id) => {
    expect(parsePaperId(input)).toBe(id);
  });

  it.each([
    ['hep-th/9901001', 'hep-th/9901001'],
    ['HEP-TH/9901001', 'hep-th/9901001'],
    ['cond-mat/0102536v1', 'cond-mat/0102536'],
    ['math.GT/0309136v2', 'math/0309136'],
    ['arXiv:hep-th/9901001v3', 'hep-th/9901001'],
    ['https://arxiv.org/abs/cond-mat/0102536v1', 'cond-mat/0102536'],
  ])('reads the old-style id in %j, dropping version and subject class', (input, id) => {
    expect(parsePaperId(input)).toBe(id);
  });

  it('keeps a title id and lowercases its prefix', () => {
    expect(parsePaperId('title:0123456789ab')).toBe('title:0123456789ab');
    expect(parsePaperId('TITLE:0123456789ab')).toBe('title:0123456789ab');
  });

  it.each([
    '',
    '   ',
    'hello',
    '2405.173',
    '2405.173999',
    '12345.6789',
    '2405.17399v',
    '2405.17399 2405.17400',
    'arxiv:',
    'hep-th/990100',
    'title:xyz',
    'title:0123456789a',
    'https://example.com/abs/2405.17399',
    'https://arxiv.org/list/cs.AI/new',
    'https://arxiv.org/abs/',
    'https://huggingface.co/datasets/foo',
    'https://huggingface.co/papers/title:0123456789ab',
    'ftp://arxiv.org/abs/2405.17399',
    'javascript:alert(1)',
    `https://arxiv.org/abs/2405.17399?${'x'.repeat(300)}`,
  ])('rejects %j', (input) => {
    expect(parsePaperId(input)).toBeUndefined();
  });

  it.each([
    'https://arxiv.org/abs/%E0%A4%A',
    'arxiv.org/abs/2405.17399%',
    'https://arxiv.org/abs/2405.17399%2',
    'https://huggingface.co/papers/%zz2405.17399',
    'hf.co/papers/%E0%A4',
    '<https://arxiv.org/pdf/%ff.pdf>',
  ])('returns undefined for %j (a broken %-escape) instead of throwing', (input) => {
    expect(() => parsePaperId(input)).not.toThrow();
    expect(parsePaperId(input)).toBeUndefined();
  });

  it('still decodes valid %-escapes in a link path', () => {
    expect(parsePaperId('https://arxiv.org/abs/2405.17399%76%32')).toBe('2405.17399');
    expect(parsePaperId('https://arxiv.org/abs/hep-th%2F9901001')).toBe('hep-th/9901001');
  });
});

describe('parseBareArxivId', () => {
  it('takes only a bare id, no prefix or URL', () => {
    expect(parseBareArxivId('2405.17399v3')).toBe('2405.17399');
    expect(parseBareArxivId('arXiv:2405.17399')).toBeUndefined();
    expect(parseBareArxivId('https://arxiv.org/abs/2405.17399')).toBeUndefined();
  });
});

describe('titleId', () => {
  it('is the same across case, punctuation and spacing', () => {
    const id = titleId('HiFi-SR: A Unified Generative Transformer-Convolutional Adversarial Network');
    expect(titleId('hifi sr   a unified generative transformer convolutional adversarial network.')).toBe(id);
    expect(titleId('  HIFI-SR — A UNIFIED GENERATIVE TRANSFORMER/CONVOLUTIONAL ADVERSARIAL NETWORK  ')).toBe(id);
  });

  it('folds accents', () => {
    expect(titleId('Café au Lait')).toBe(titleId('Cafe au lait'));
  });

  it('differs for different titles', () => {
    expect(titleId('Attention Is All You Need')).not.toBe(titleId('Attention Is Not All You Need'));
  });

  it('stays the value stored libraries already use as keys', () => {
    // Title ids are persisted; changing normalizeTitleKey or the hash would orphan stored records.
    expect(titleId('Attention Is All You Need')).toBe('title:4a1c934d3d98');
  });

  it('round-trips through parsePaperId and is not an arXiv id', () => {
    const id = titleId('MotionCrafter: One-Shot Motion Customization of Diffusion Models');
    expect(id).toMatch(/^title:[0-9a-f]{12}$/);
    expect(parsePaperId(id)).toBe(id);
    expect(isArxivId(id)).toBe(false);
    expect(isArxivId('2405.17399')).toBe(true);
  });
});

describe('normalizeTitleKey', () => {
  it('lowercases, folds accents and turns punctuation runs into single spaces', () => {
    expect(normalizeTitleKey('HiFi-SR: A Unified…')).toBe('hifi sr a unified');
    expect(normalizeTitleKey('Über  Café')).toBe('uber cafe');
  });
});

describe('link builders', () => {
  it('builds versionless https links', () => {
    expect(arxivAbsUrl('2405.17399')).toBe('https://arxiv.org/abs/2405.17399');
    expect(arxivPdfUrl('hep-th/9901001')).toBe('https://arxiv.org/pdf/hep-th/9901001');
    expect(huggingFaceUrl('2405.17399')).toBe('https://huggingface.co/papers/2405.17399');
  });
});
