import { describe, expect, it } from 'vitest';
import { findAbstractLinks } from '../../../src/core/parsers/abstract-links.js';

describe('findAbstractLinks', () => {
  it.each([
    ['Code is available at https://github.com/a/b.', { code: 'https://github.com/a/b' }],
    ['(https://github.com/a/b), and more', { code: 'https://github.com/a/b' }],
    ['Code: github.com/a/b; data elsewhere.', { code: 'https://github.com/a/b' }],
    ['see https://www.github.com/a/b/tree/main/sub!', { code: 'https://www.github.com/a/b/tree/main/sub' }],
    ['repo at https: //github.com/a/b', { code: 'https://github.com/a/b' }],
    ['first https://github.com/a/one then https://github.com/a/two', { code: 'https://github.com/a/one' }],
  ])('finds the code link in %j', (text, links) => {
    expect(findAbstractLinks(text)).toEqual(links);
  });

  it.each([
    ['Project page: https://x.github.io/p.', 'https://x.github.io/p'],
    ['Our project website is available at https://example.org/proj/', 'https://example.org/proj/'],
    ['Homepage: https://example.org', 'https://example.org'],
    ['More results on our webpage https://example.org/r?x=1.', 'https://example.org/r?x=1'],
  ])('finds the labelled project page in %j', (text, project) => {
    expect(findAbstractLinks(text).project).toBe(project);
  });

  it('takes both from one abstract', () => {
    expect(
      findAbstractLinks('Project page: https://z.github.io/home. Codes are available at https://github.com/z/m.'),
    ).toEqual({ project: 'https://z.github.io/home', code: 'https://github.com/z/m' });
  });

  it('needs the label in the same sentence as the URL', () => {
    expect(findAbstractLinks('See our project page. Data: https://example.org/data')).toEqual({});
  });

  it('ignores other URLs, GitHub without a repository and URLs that do not parse', () => {
    expect(findAbstractLinks('Demo: https://huggingface.co/spaces/a/b and https://github.com/.')).toEqual({});
    expect(findAbstractLinks('Project page: https://[bad')).toEqual({});
    expect(findAbstractLinks('no links at all')).toEqual({});
  });
});
