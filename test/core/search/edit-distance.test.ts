import { describe, expect, it } from 'vitest';
import { boundedEditDistance, typoAllowance } from '../../../src/core/search/edit-distance.js';

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
