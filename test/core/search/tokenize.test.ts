import { describe, expect, it } from 'vitest';
import { foldCase, queryWords, stem, STOPWORDS, tokenize } from '../../../src/core/search/tokenize.js';

describe('tokenize', () => {
  it('lowercases every term', () => {
    expect(tokenize('Large Language MODELS')).toEqual(['large', 'language', 'model']);
  });

  it('folds accents so "Schrödinger" and "schrodinger" are one term', () => {
    expect(tokenize('Schrödinger Équation naïve café')).toEqual(['schrodinger', 'equation', 'naive', 'cafe']);
    expect(foldCase('Schrödinger')).toBe('schrodinger');
    expect(foldCase('Plain ASCII')).toBe('plain ascii');
  });

  it('drops stopwords', () => {
    expect(tokenize('The Attention Is All You Need')).toEqual(['attention', 'need']);
    expect(tokenize('what is this and how does it work')).toEqual(['work']);
  });

  it('keeps repeated terms, because term frequency counts for BM25', () => {
    expect(tokenize('model models MODEL')).toEqual(['model', 'model', 'model']);
  });

  it('stems plurals: models → model, studies → study, LLMs → llm', () => {
    expect(tokenize('models studies policies LLMs gaussians')).toEqual(['model', 'study', 'policy', 'llm', 'gaussian']);
  });

  it('leaves words that only look like plurals alone: class, analysis, corpus, process', () => {
    expect(tokenize('class analysis corpus process')).toEqual(['class', 'analysis', 'corpus', 'process']);
  });

  it('leaves short words and names ending in a digit + s alone', () => {
    expect(stem('gas')).toBe('gas');
    expect(stem('v2s')).toBe('v2s');
    expect(stem('3ds')).toBe('3ds');
  });

  it('gives a plural the same term as its singular, so either spelling finds the other', () => {
    for (const [plural, singular] of [
      ['Transformers', 'Transformer'],
      ['Embeddings', 'Embedding'],
      ['Strategies', 'Strategy'],
      ['VLMs', 'VLM'],
    ] as const) {
      expect(tokenize(plural)).toEqual(tokenize(singular));
    }
  });

  // The stemmer only drops a final "s", so "-es" plurals of words ending in s, x, ch or sh keep
  // an "e" their singular does not have: a query for "class" misses titles saying "Classes".
  it('gives "-es" plurals the term of their singular: classes, losses, approaches, boxes', () => {
    for (const [plural, singular] of [
      ['classes', 'class'],
      ['losses', 'loss'],
      ['approaches', 'approach'],
      ['boxes', 'box'],
    ] as const) {
      expect(stem(plural)).toBe(stem(singular));
    }
  });

  it('splits a hyphenated name into its parts and adds them joined: "HiFi-SR" → hifi, sr, hifisr', () => {
    expect(queryWords('HiFi-SR:').flatMap((w) => w.terms)).toEqual(['hifi', 'sr', 'hifisr']);
    expect(tokenize('HiFi-SR:')).toEqual(['hifi', 'sr', 'hifisr', 'fisr']);
  });

  it('splits "Qwen2.5-VL" into its parts, their letter runs and the joined name', () => {
    expect(tokenize('Qwen2.5-VL')).toEqual(['qwen2', 'qwen', 'vl', 'qwen25vl']);
  });

  it('adds the letter run of a word mixing letters and digits: "GPT4" → gpt4, gpt', () => {
    expect(tokenize('GPT4')).toEqual(['gpt4', 'gpt']);
    expect(tokenize('GPT-4o')).toEqual(['gpt', '4o', 'gpt4o']);
  });

  it('drops stopword parts of a compound but keeps them in the joined form', () => {
    expect(tokenize('state-of-the-art')).toEqual(['state', 'art', 'stateoftheart']);
  });

  it('joins only at a joiner between two word characters', () => {
    expect(tokenize('speech - text')).toEqual(['speech', 'text']);
    expect(tokenize('end. Next')).toEqual(['end', 'next']);
    expect(tokenize("CLIP's and CLIP’s")).toEqual(['clip', 'clip', 'clip', 'clip']);
  });

  it('does not join a compound of more than 40 characters', () => {
    const terms = tokenize('alpha-bravo-charlie-delta-echo-foxtrot-golf-hotel');
    expect(terms).toContain('foxtrot');
    expect(terms.every((t) => t.length <= 40)).toBe(true);
    expect(terms).toHaveLength(8);
  });

  it('drops single characters, letters and digits alike', () => {
    expect(tokenize('a b c x y z 3 7 ab 42')).toEqual(['ab', '42']);
  });

  it('keeps words in non-Latin scripts', () => {
    expect(tokenize('数学 reasoning Ελληνικά')).toEqual(['数学', 'reasoning', 'ελληνικα']);
  });

  it('returns nothing for punctuation, whitespace or an empty string', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('  -- ... !? ')).toEqual([]);
  });

  it('drops every stopword, whatever its case', () => {
    const all = [...STOPWORDS].join(' ');
    expect(tokenize(all)).toEqual([]);
    expect(tokenize(all.toUpperCase())).toEqual([]);
  });
});

describe('queryWords', () => {
  it('keeps stopwords in place with no terms', () => {
    expect(queryWords('the who Transformers')).toEqual([
      { word: 'the', terms: [] },
      { word: 'who', terms: [] },
      { word: 'transformers', terms: ['transformer'] },
    ]);
  });

  it('gives a compound one word with all its terms', () => {
    expect(queryWords('HiFi-SR')).toEqual([{ word: 'hifisr', terms: ['hifi', 'sr', 'hifisr'] }]);
  });

  it('keeps a single character as a word with no terms', () => {
    expect(queryWords('x ray')).toEqual([
      { word: 'x', terms: [] },
      { word: 'ray', terms: ['ray'] },
    ]);
  });

  it('spells terms exactly as tokenize does (names with a capital inside get more terms in the index only)', () => {
    const text = 'Qwen2.5-VL Technical Reports on Schrödinger bridges';
    expect(queryWords(text).flatMap((w) => w.terms)).toEqual(tokenize(text));
  });
});
