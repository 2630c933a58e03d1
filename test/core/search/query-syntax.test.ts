import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../src/core/errors.js';
import { parseQuery, QUERY_LIMITS, type MatchNode } from '../../../src/core/search/query.js';
import { checkTopicInput } from '../../../src/core/topics.js';

/** The expression as a compact string: words by their first term, phrases quoted, groups in brackets. */
function shape(node: MatchNode): string {
  switch (node.kind) {
    case 'word':
      return `${node.scope === 'any' ? '' : `${node.scope}:`}${node.word.terms[0] ?? `(${node.word.word})`}`;
    case 'phrase':
      return `${node.scope === 'any' ? '' : `${node.scope}:`}"${node.words.map((w) => w.terms[0]).join(' ')}"`;
    case 'filter':
      return `[${node.text}]`;
    case 'not':
      return `NOT ${shape(node.node)}`;
    case 'all':
      return `ALL(${node.nodes.map(shape).join(', ')})`;
    case 'any':
      return `ANY(${node.nodes.map(shape).join(', ')})`;
  }
}

const parsed = (query: string) => {
  const q = parseQuery(query);
  return { q, shape: shape(q.match), words: q.words.map((w) => w.word) };
};

describe('parseQuery: exclusions, OR, parentheses and scopes', () => {
  it('given plain words, reads them side by side as before, every one a word to rank by', () => {
    const { q, shape: s, words } = parsed('diffusion models for video');
    expect(s).toBe('ALL(diffusion, model, (for), video)');
    expect(words).toEqual(['diffusion', 'models', 'for', 'video']);
    expect(q.problems).toEqual([]);
    expect(q.lastWordIsPrefix).toBe(true);
  });

  it('given (diffusion OR flow) -audio cat:cs.CV, groups the OR, excludes audio and keeps the category a filter', () => {
    const { q, shape: s, words } = parsed('(diffusion OR flow) -audio cat:cs.CV');
    expect(s).toBe('ALL(ANY(diffusion, flow), NOT audio, [cat:cs.CV])');
    // The OR's words rank; the excluded word does not; the top-level category narrows the index.
    expect(words).toEqual(['diffusion', 'flow']);
    expect(q.categories).toEqual(['cs.cv']);
    expect(q.match.nodes.map((n) => n.text)).toEqual(['(diffusion OR flow)', '-audio', 'cat:cs.CV']);
  });

  it('given OR between items side by side, binds it tighter than the space: a b OR c d is a, (b or c), d', () => {
    expect(parsed('diffusion video OR audio model').shape).toBe('ALL(diffusion, ANY(video, audio), model)');
    expect(parsed('a1x OR b2y OR c3z').shape).toBe('ALL(ANY(a1x, b2y, c3z))');
  });

  it('given a lower-case or, keeps it as an ordinary (stop)word', () => {
    expect(parsed('diffusion or flow').shape).toBe('ALL(diffusion, (or), flow)');
  });

  it('given -"phrase", excludes the phrase, which is neither required nor ranked', () => {
    const { q, shape: s, words } = parsed('alignment -"reward model"');
    expect(s).toBe('ALL(alignment, NOT "reward model")');
    expect(q.phrases).toEqual([]);
    expect(words).toEqual(['alignment']);
  });

  it('given title: and abstract: on a word or a phrase, scopes them and still ranks their words', () => {
    const { q, shape: s, words } = parsed('title:diffusion abstract:"flow matching"');
    expect(s).toBe('ALL(title:diffusion, abstract:"flow matching")');
    expect(words).toEqual(['diffusion']);
    expect(q.phrases.map((p) => p.map((w) => w.word))).toEqual([['flow', 'matching']]);
  });

  it('given an excluded or scoped hyphenated word, reads it as a phrase', () => {
    expect(parsed('llm -state-of-the-art').shape).toBe('ALL(llm, NOT "state art")');
    expect(parsed('title:text-to-image').shape).toBe('ALL(title:"text image")');
    const phrase = parseQuery('-state-of-the-art').match.nodes[0];
    expect(phrase?.kind === 'not' && phrase.node.kind === 'phrase' && phrase.node.key).toBe(' state of the art ');
  });

  it('given an excluded or scoped compound name, looks for the whole name, not each of its parts', () => {
    expect(parsed('-OmniDocBench').shape).toBe('ALL(NOT omnidocbench)');
    const [node] = parseQuery('title:OmniDocBench').match.nodes;
    expect(node?.kind === 'word' && node.word.terms).toEqual(['omnidocbench']);
  });

  it('given filters inside groups or excluded, keeps them out of the top-level filters', () => {
    const { q, shape: s } = parsed('diffusion (cat:cs.CV OR cat:cs.LG) -author:smith -has:code');
    expect(s).toBe('ALL(diffusion, ANY([cat:cs.CV], [cat:cs.LG]), NOT [author:smith], NOT [has:code])');
    expect(q.categories).toEqual([]);
    expect(q.authors).toEqual([]);
    expect(q.hasCode).toBe(false);
  });

  it('given a negated group, excludes all of it', () => {
    expect(parsed('diffusion -(audio OR speech)').shape).toBe('ALL(diffusion, NOT ANY(audio, speech))');
    expect(parsed('diffusion -(audio OR speech)').words).toEqual(['diffusion']);
  });

  it('given a title: id, still reads it as the paper it names', () => {
    const q = parseQuery('title:0123456789ab');
    expect(q.ids).toEqual(['title:0123456789ab']);
    expect(q.match.nodes).toEqual([]);
  });

  it('given the last word inside a group, still completes it while typing; an excluded one is never completed', () => {
    expect(parseQuery('(diffusion OR flo').lastWordIsPrefix).toBe(true);
    expect(parseQuery('diffusion -aud').lastWordIsPrefix).toBe(false);
    expect(parseQuery('diffusion title:vid').lastWordIsPrefix).toBe(false);
  });
});

describe('parseQuery: malformed syntax is read forgivingly and noted', () => {
  const cases: [string, string, RegExp][] = [
    ['(diffusion OR flow', 'ALL(ANY(diffusion, flow))', /was not closed/],
    ['diffusion ) flow', 'ALL(diffusion, flow)', /had no `\(`/],
    ['diffusion - flow', 'ALL(diffusion, flow)', /lone `-`/],
    ['OR diffusion', 'ALL(diffusion)', /OR needs something on each side/],
    ['diffusion OR', 'ALL(diffusion)', /OR needs something on each side/],
    ['diffusion OR OR flow', 'ALL(diffusion, flow)', /OR needs something on each side/],
    ['diffusion ()', 'ALL(diffusion)', /empty `\(\)`/],
    ['diffusion -the', 'ALL(diffusion)', /has no word Paperboy looks for/],
  ];
  it.each(cases)('given %s, reads %s and says why', (query, expected, problem) => {
    const q = parseQuery(query);
    expect(shape(q.match)).toBe(expected);
    expect(q.problems.join(' ')).toMatch(problem);
    // Search shows the reading in its notes (the CLI prints them); a topic refuses it.
    expect(q.notes.join(' ')).toMatch(problem);
    expect(() => checkTopicInput('t', query)).toThrow(/That query is not clear/);
  });
});

describe('parseQuery: every input bounded', () => {
  it('given parentheses deeper than the limit, refuses the query', () => {
    const ok = `${'('.repeat(QUERY_LIMITS.depth)}diffusion${')'.repeat(QUERY_LIMITS.depth)}`;
    expect(shape(parseQuery(ok).match)).toBe('ALL(diffusion)');
    const deep = `${'('.repeat(QUERY_LIMITS.depth + 1)}diffusion${')'.repeat(QUERY_LIMITS.depth + 1)}`;
    expect(() => parseQuery(deep)).toThrow(UserFacingError);
    expect(() => parseQuery(deep)).toThrow(/at most 4 deep/);
  });

  it('given more excluded, scoped or grouped items than the limit, refuses the query', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `-w${i}x`).join(' ');
    expect(() => parseQuery(`diffusion ${words(QUERY_LIMITS.operands)}`)).not.toThrow();
    expect(() => parseQuery(`diffusion ${words(QUERY_LIMITS.operands + 1)}`)).toThrow(/at most 24 words, phrases and filters inside parentheses/);
  });

  it('given excluded phrases and filters in groups, counts them against the phrase and filter limits', () => {
    expect(() => parseQuery('alpha -"beta gamma" -"delta eta" -"zeta theta" ("iota kappa" OR "lambda mu")')).toThrow(/at most 4 quoted phrases/);
    expect(() => parseQuery('x1 (cat:a OR cat:b OR cat:c) -cat:d -cat:e -cat:f cat:g')).toThrow(/at most 6 cat: filters/);
  });

  it('given joined words read as a phrase (-a-b, title:a-b), counts them against the phrase limits', () => {
    expect(() => parseQuery('-alpha-beta -gamma-delta title:zeta-theta abstract:iota-kappa')).not.toThrow();
    expect(() => parseQuery('-alpha-beta -gamma-delta title:zeta-theta abstract:iota-kappa -lambda-sigma')).toThrow(/at most 4 quoted phrases/);
    expect(() => parseQuery('"alpha beta" "gamma delta" "epsilon zeta" "theta iota" -title:kappa-lambda')).toThrow(/at most 4 quoted phrases/);
    const long = 'alpha beta gamma delta epsilon zeta theta iota kappa lambda sigma omega robot'.split(' ');
    expect(() => parseQuery(`-${long.join('-')}`)).toThrow(/has 13 words; a phrase has at most 12/);
    expect(() => parseQuery(`title:${long.join('-')}`)).toThrow(/has 13 words; a phrase has at most 12/);
    expect(() => parseQuery(`diffusion -${long.slice(0, 12).join('-')}`)).not.toThrow();
  });

  it('given a malformed filter inside a group, says which one', () => {
    expect(() => parseQuery('diffusion (after:2024-13 OR flow)')).toThrow(/after:2024-13` is not a date/);
  });
});

describe('parseQuery: paper ids read where they stand', () => {
  it('given -<arXiv id>, refuses to read it as naming that paper, in search and in a topic', () => {
    for (const query of [
      'diffusion -2405.17399',
      'diffusion -arXiv:2405.17399',
      'diffusion -"2405.17399"',
      'diffusion -(2405.17399 OR 2305.18290)',
      'diffusion -https://arxiv.org/abs/2405.17399',
      'diffusion 2405.17399 -2405.17399',
    ]) {
      expect(() => parseQuery(query), query).toThrow(/cannot leave out a paper by its id/);
      expect(() => checkTopicInput('t', query), query).toThrow(/cannot leave out a paper by its id/);
    }
  });

  it('given ids not excluded, still names them in order, wherever they stand', () => {
    expect(parseQuery('2405.17399, diffusion (2305.18290)').ids).toEqual(['2405.17399', '2305.18290']);
    expect(parsed('2405.17399, diffusion').words).toEqual(['diffusion']);
    expect(parseQuery('"2405.17399" flow').ids).toEqual(['2405.17399']);
    expect(parseQuery('diffusion-2405.17399').ids).toEqual(['2405.17399']);
    expect(parseQuery('title:"2405.17399"').ids).toEqual(['2405.17399']);
    expect(parsed('2405.17399 2405.17399 diffusion').words).toEqual(['diffusion']);
  });
});

describe('parseQuery: words under two exclusions', () => {
  it('given -(a -b), b narrows what is left out and is no word to rank by', () => {
    const { q, shape: s, words } = parsed('cat:cs.CV -(title:diffusion -image)');
    expect(s).toBe('ALL([cat:cs.CV], NOT ALL(title:diffusion, NOT image))');
    expect(words).toEqual([]);
    expect(q.text).toBe('');
  });
});

describe('checkTopicInput with the new syntax', () => {
  it('given only exclusions, dates or code, refuses a query that would match nearly everything', () => {
    for (const query of ['-audio', '-"reward model" after:2024', '(diffusion OR -audio)', 'has:code -cat:cs.CL']) {
      expect(() => checkTopicInput('t', query), query).toThrow(/match nothing or everything/);
    }
  });

  it('given words, a category or an author with exclusions and groups, accepts it', () => {
    for (const query of ['(diffusion OR flow) -audio cat:cs.CV', 'cat:cs.CV -diffusion', 'title:diffusion', 'author:rafailov -"reward model"']) {
      expect(checkTopicInput('t', query).query, query).toBe(query);
    }
  });
});
