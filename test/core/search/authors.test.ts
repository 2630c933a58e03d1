import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import type { PaperIndex } from '../../../src/core/search/paper-index.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { authorFilterTerms, authorNameKeys, personName } from '../../../src/core/search/tokenize.js';
import { compileTopicQuery, paperTerms } from '../../../src/core/topics.js';
import { describeShared } from '../../helpers/shared.js';
import { sampleIndex } from './sample-index.js';

describe('author names', () => {
  it('reads given names and the surname, with particles, hyphens, accents and suffixes', () => {
    expect(personName('Harm de Vries')).toEqual({ given: ['harm'], surname: 'vries' });
    expect(personName('Laurens van der Maaten')).toEqual({ given: ['laurens'], surname: 'maaten' });
    expect(personName('Ana Ruiz-García')).toEqual({ given: ['ana'], surname: 'ruizgarcia' });
    expect(personName('Martin Luther King Jr.')).toEqual({ given: ['martin', 'luther'], surname: 'king' });
    expect(personName('Bengio, Yoshua')).toEqual({ given: ['yoshua'], surname: 'bengio' });
  });

  it('keys an author by each given name and the first initial, not by a middle initial', () => {
    expect(authorNameKeys('Pinshane Y. Huang')).toEqual(['pinshane_huang', 'p_huang']);
    expect(authorNameKeys('Richard Yuanzhe Pang')).toEqual(['richard_pang', 'yuanzhe_pang', 'r_pang']);
    expect(authorNameKeys('Le Song')).toEqual(['le_song', 'l_song']);
    expect(authorNameKeys('OpenAI')).toEqual([]);
  });

  it('given author: with a full name or initials in either order, requires that one author', () => {
    expect(parseQuery('author:"Tri Dao"').authors).toEqual([['tri_dao']]);
    expect(authorFilterTerms('Y. Bengio')).toEqual(['y_bengio']);
    expect(authorFilterTerms('Bengio Y')).toEqual(['y_bengio']);
    expect(authorFilterTerms('de vries')).toEqual(['vries']);
    expect(authorFilterTerms('Garcia-Lopez')).toEqual(['garcia', 'lopez', 'garcialopez']);
  });
});

describeShared('author queries on the 2k-paper corpus sample', () => {
  let index: PaperIndex;
  let papers: Paper[];
  const ids = (query: string, limit = 10) => index.search(query, { limit }).hits.map((h) => h.id);
  const papersOf = (name: string) =>
    papers
      .filter((p) => p.authors.includes(name))
      .sort((a, b) => (b.published ?? '').localeCompare(a.published ?? ''))
      .map((p) => p.id);

  beforeAll(async () => {
    ({ index, papers } = await sampleIndex());
  });

  it('given a full name, lists that author first, not papers whose titles hold a corrected given name', () => {
    // "Sean" used to be typo-corrected to "scan" and CT-scan papers came first.
    expect(ids('Sean McLeish')[0]).toBe('2405.17399');
    expect(ids('Wotao Yin')[0]).toBe('2505.05465');
  });

  it('given the name of an author of seven papers, returns all seven, newest first', () => {
    expect(papersOf('Hao Peng')).toHaveLength(7);
    expect(ids('Hao Peng')).toEqual(papersOf('Hao Peng'));
  });

  it('given initials before or after the surname, finds the author', () => {
    expect(ids('S. McLeish')[0]).toBe('2405.17399');
    expect(ids('McLeish S')[0]).toBe('2405.17399');
    expect(ids('Peng Hao')).toEqual(papersOf('Hao Peng'));
  });

  it('given a name with or without its accents, finds the author', () => {
    expect(ids('Mathias Müller')[0]).toBe('2604.24609');
    expect(ids('Mathias Muller')[0]).toBe('2604.24609');
    expect(ids('Laura Leal-Taixe')[0]).toBe('2503.11849');
  });

  it('given a hyphenated or multi-part surname, typed joined, apart or with its particles', () => {
    expect(ids('Cristina España-Bonet')[0]).toBe('2510.25413');
    expect(ids('Cristina Espana Bonet')[0]).toBe('2510.25413');
    expect(ids('Josef van Genabith')[0]).toBe('2510.25413');
    expect(ids('Hans Wernher van de Venn')[0]).toBe('2506.09552');
    expect(ids('author:"van Genabith"')).toEqual(['2510.25413']);
  });

  it('given a name whose words are also title words, lists the author rather than the titles', () => {
    // "GUI" is in five titles of the sample; Gui Gui wrote none of them.
    expect(ids('Gui Gui')[0]).toBe(papersOf('Gui Gui')[0]);
  });

  it('given author: with a quoted full name, keeps that author only, in search and topics alike', () => {
    expect(new Set(ids('author:"Hao Peng"', 50))).toEqual(new Set(papersOf('Hao Peng')));
    expect(ids('author:"Sean McLeish" arithmetic')).toEqual(['2405.17399']);
    const topic = compileTopicQuery('author:"Hao Peng"');
    const matched = papers.filter((p) => topic(paperTerms(p))).map((p) => p.id);
    expect(new Set(matched)).toEqual(new Set(papersOf('Hao Peng')));
  });

  it('given a full name and a topic word, ranks that author\'s paper on the topic first', () => {
    expect(ids('Hao Peng satellite')[0]).toBe('2507.01161');
  });
});
