import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../src/core/errors.js';
import { dateNumber, parseQuery } from '../../../src/core/search/query.js';

function errorOf(input: string): UserFacingError {
  try {
    parseQuery(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UserFacingError);
    return error as UserFacingError;
  }
  throw new Error(`expected parseQuery(${JSON.stringify(input)}) to throw`);
}

describe('parseQuery', () => {
  it('gives free words in order, stopwords included with no terms', () => {
    const q = parseQuery('the Transformers of arithmetic');
    expect(q.words.map((w) => w.word)).toEqual(['the', 'transformers', 'of', 'arithmetic']);
    expect(q.words.map((w) => w.terms)).toEqual([[], ['transformer'], [], ['arithmetic']]);
    expect(q.text).toBe('the Transformers of arithmetic');
    expect(q).toMatchObject({ phrases: [], authors: [], categories: [], ids: [], hasCode: false });
    expect(q.after).toBeUndefined();
    expect(q.before).toBeUndefined();
  });

  it('returns an empty query for empty or blank input', () => {
    for (const input of ['', '   ']) {
      const q = parseQuery(input);
      expect(q.words).toEqual([]);
      expect(q.text).toBe('');
      expect(q.lastWordIsPrefix).toBe(false);
    }
  });

  it('collects a quoted phrase as its content words, apart from the free words', () => {
    const q = parseQuery('"Attention Is All You Need" transformer');
    expect(q.phrases).toEqual([
      [
        { word: 'attention', terms: ['attention'] },
        { word: 'need', terms: ['need'] },
      ],
    ]);
    expect(q.words.map((w) => w.word)).toEqual(['transformer']);
    expect(q.text).toBe('Attention Is All You Need transformer');
  });

  it('takes an unclosed quote as a phrase up to the end, and ignores empty quotes', () => {
    expect(parseQuery('"reward mod').phrases.map((p) => p.map((w) => w.word))).toEqual([['reward', 'mod']]);
    expect(parseQuery('"" "  " diffusion').phrases).toEqual([]);
  });

  it('reads author:hinton as one required author term', () => {
    const q = parseQuery('author:Hinton capsules');
    expect(q.authors).toEqual([['hinton']]);
    expect(q.words.map((w) => w.word)).toEqual(['capsules']);
    expect(q.text).toBe('capsules');
  });

  it('reads author:"de vries" as the surname and author:"harm de vries" as that one author', () => {
    expect(parseQuery('author:"de vries" benchmarks').authors).toEqual([['vries']]);
    expect(parseQuery('author:"Harm de Vries"').authors).toEqual([['harm_vries']]);
  });

  it('keeps surnames that are stopwords or look like plurals (He, Jones)', () => {
    expect(parseQuery('author:He author:Jones').authors).toEqual([['he'], ['jones']]);
  });

  it('keeps one group per author: filter', () => {
    expect(parseQuery('author:manning author:Schrödinger').authors).toEqual([['manning'], ['schrodinger']]);
  });

  it('lowercases cat:cs.CL and accepts a whole archive (cat:cs) and category:', () => {
    expect(parseQuery('cat:cs.CL cat:cs category:cond-mat.str-el').categories).toEqual(['cs.cl', 'cs', 'cond-mat.str-el']);
  });

  it('reads filter names in any case', () => {
    const q = parseQuery('CAT:cs.LG Has:Code AUTHOR:Ho');
    expect(q.categories).toEqual(['cs.lg']);
    expect(q.hasCode).toBe(true);
    expect(q.authors).toEqual([['ho']]);
  });

  it('turns after:2024-06 into its first day, 20240601', () => {
    expect(parseQuery('after:2024-06').after).toBe(20240601);
    expect(parseQuery('after:2024').after).toBe(20240101);
  });

  it('turns before:2025-01-01 into 20250101', () => {
    expect(parseQuery('before:2025-01-01').before).toBe(20250101);
    expect(parseQuery('before:2024-2-29').before).toBe(20240229);
  });

  it('turns year:2025 into after 20250101 and before 20260101', () => {
    const q = parseQuery('year:2025');
    expect(q.after).toBe(20250101);
    expect(q.before).toBe(20260101);
  });

  it('keeps the narrowest range when date filters overlap', () => {
    const q = parseQuery('after:2024 year:2025 before:2025-07');
    expect(q.after).toBe(20250101);
    expect(q.before).toBe(20250701);
  });

  it('reads has:code', () => {
    expect(parseQuery('has:code diffusion').hasCode).toBe(true);
  });

  it.each([
    ['2405.17399v2', '2405.17399'],
    ['arXiv:2405.17399', '2405.17399'],
    ['https://arxiv.org/abs/2405.17399', '2405.17399'],
    ['https://arxiv.org/pdf/2405.17399v1.pdf', '2405.17399'],
    ['https://huggingface.co/papers/2405.17399', '2405.17399'],
    ['hf.co/papers/2405.17399', '2405.17399'],
    ['hep-th/9901001', 'hep-th/9901001'],
  ])('collects %s as the id %s and removes it from the words', (token, id) => {
    const q = parseQuery(`${token} arithmetic`);
    expect(q.ids).toEqual([id]);
    expect(q.words.map((w) => w.word)).toEqual(['arithmetic']);
    expect(q.text).toBe('arithmetic');
  });

  it('lists each named paper once, in the order named', () => {
    expect(parseQuery('2405.17399 1706.03762v5 arXiv:2405.17399').ids).toEqual(['2405.17399', '1706.03762']);
  });

  it.each(['math', 'pdf', 'arxiv', 'huggingface', 'abs', 'v2', '2024', '3.5'])(
    'does not mistake the ordinary word %s for an id',
    (word) => {
      const q = parseQuery(`${word} reasoning`);
      expect(q.ids).toEqual([]);
      expect(q.words.map((w) => w.word)[0]).toBe(word.replace('.', ''));
    },
  );

  it.each([
    ['after:2024-13', 'after:2024-13'],
    ['before:2024-02-30', 'before:2024-02-30'],
    ['after:20', 'after:20'],
    ['year:abc', 'year:abc'],
    ['year:25', 'year:25'],
    ['has:pdf', 'has:pdf'],
    ['cat:"cs CL"', 'cat:cs CL'],
    ['cat:cs.CL.x', 'cat:cs.CL.x'],
    ['author:"--"', 'author:--'],
    ['after:', 'after:'],
  ])('rejects %s with a UserFacingError naming the filter', (input, named) => {
    const error = errorOf(`diffusion ${input}`);
    expect(error.message).toContain(`\`${named}`);
    expect(error.hint).toMatch(/^Try `/);
  });

  it('leaves a word that merely contains a colon as free text', () => {
    const q = parseQuery('re:invent');
    expect(q.words.map((w) => w.word)).toEqual(['re', 'invent']);
  });

  it('marks the last word as still being typed only when no space follows it', () => {
    expect(parseQuery('direct pref').lastWordIsPrefix).toBe(true);
    expect(parseQuery('direct pref ').lastWordIsPrefix).toBe(false);
    expect(parseQuery('"direct preference"').lastWordIsPrefix).toBe(false);
    expect(parseQuery('after:2024').lastWordIsPrefix).toBe(false);
  });

  // The flag is documented as "the last free word is still being typed (no space after it)",
  // but it only looks at the input's last character, so a filter or id typed after a finished
  // word turns that word into a prefix.
  it('does not mark a finished word as being typed when a filter follows it', () => {
    expect(parseQuery('diffusion cat:cs').lastWordIsPrefix).toBe(false);
    expect(parseQuery('diffusion 2405.17399').lastWordIsPrefix).toBe(false);
  });
});

describe('dateNumber', () => {
  it('turns a yyyy-mm-dd date into yyyymmdd', () => {
    expect(dateNumber('2024-05-27')).toBe(20240527);
  });

  it('returns undefined when there is no date', () => {
    expect(dateNumber(undefined)).toBeUndefined();
    expect(dateNumber('')).toBeUndefined();
  });
});
