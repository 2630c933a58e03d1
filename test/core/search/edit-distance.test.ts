import { describe, expect, it } from 'vitest';
import { boundedEditDistance, substringDistance, typoAllowance } from '../../../src/core/search/edit-distance.js';

describe('boundedEditDistance', () => {
  it.each([
    ['model', 'model', 0],
    ['mdoel', 'model', 1], // a swap of neighbours is one edit, as people make it
    ['kitten', 'sitting', 3],
    ['znswerx', 'answers', 2],
    ['calssifeir', 'classifier', 2],
    ['ca', 'abc', 3], // optimal string alignment: no edit of a swapped pair
    ['', 'ab', 2],
  ])('given %j and %j, then the distance is %i', (a, b, d) => {
    expect(boundedEditDistance(a, b, 5)).toBe(d);
    expect(boundedEditDistance(b, a, 5)).toBe(d);
  });

  it('answers max + 1 once the distance is known to exceed max, long words included', () => {
    expect(boundedEditDistance('kitten', 'sitting', 1)).toBe(2);
    expect(boundedEditDistance('a', 'abcdef', 2)).toBe(3);
    const long = 'x'.repeat(200);
    expect(boundedEditDistance(long, `${long}yz`, 2)).toBe(2);
    expect(boundedEditDistance(long, 'y'.repeat(200), 3)).toBe(4);
  });

  it('allows no typo under three letters, one up to five, two up to nine, three beyond', () => {
    expect([2, 3, 5, 6, 9, 10].map(typoAllowance)).toEqual([0, 1, 1, 2, 2, 3]);
  });
});

describe('substringDistance', () => {
  /** The textbook table (Sellers 1980): edit distance of the word to its best-matching stretch of the text. */
  function reference(word: string, text: string): number {
    let prev = Array.from({ length: word.length + 1 }, (_, i) => i);
    let best = word.length;
    for (const c of text) {
      const cur = [0];
      for (let i = 1; i <= word.length; i++) cur[i] = Math.min(prev[i - 1]! + (word[i - 1] === c ? 0 : 1), prev[i]! + 1, cur[i - 1]! + 1);
      best = Math.min(best, cur[word.length]!);
      prev = cur;
    }
    return best;
  }

  it('given typed words and a title run together, measures each word against its best stretch', () => {
    expect(substringDistance('theattenton', 'ontheattentionof')).toBe(1);
    expect(substringDistance('penmsatiion', 'distributionawareforgettingcompensation')).toBe(2);
    expect(substringDistance('enablignroobots', 'visualaffordancesenablingrobotstounderstand')).toBe(3);
    expect(substringDistance('robots', 'robots')).toBe(0);
    expect(substringDistance('', 'anything')).toBe(0);
    expect(substringDistance('abc', '')).toBe(3);
  });

  it('given 20,000 random words and texts (accented letters and words up to 31 letters among them), agrees with the textbook table', () => {
    // A fixed linear congruential sequence: the same cases every run.
    let state = 11;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
    const letters = [...'abcdeéfgz'];
    const text = (n: number) => Array.from({ length: n }, () => letters[int(0, letters.length - 1)]).join('');
    for (let k = 0; k < 20_000; k++) {
      const word = text(int(1, next() < 0.1 ? 31 : 9));
      const haystack = text(int(0, 40));
      expect(substringDistance(word, haystack), `${word} in ${haystack}`).toBe(reference(word, haystack));
    }
  });

  it('given a word past 31 letters, reads its first 31', () => {
    const word = 'a'.repeat(31) + 'zzzz';
    expect(substringDistance(word, 'a'.repeat(40))).toBe(0);
  });
});
