import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardSummary, leadingSentences, splitSentences, SUMMARY_MAX } from '../../src/core/card-summary.js';
import { describeShared, hasShared, sharedPath } from '../helpers/shared.js';

const codePoints = (s: string): number => [...s].length;

describe('splitSentences', () => {
  it('does not split after "et al.", "e.g.", "i.e.", "Fig. 2", "Eq. (3)", "vs.", initials, "U.S." or inside decimals', () => {
    const text =
      'We follow Smith et al. (2020) and J. Doe on 0.5 B tokens. Results in Fig. 2 and Eq. (3) show gains, e.g. BERT vs. GPT, i.e. Transformers. ' +
      'The U.S. Army agrees! Does it? Yes.';
    expect(splitSentences(text)).toEqual([
      'We follow Smith et al. (2020) and J. Doe on 0.5 B tokens.',
      'Results in Fig. 2 and Eq. (3) show gains, e.g. BERT vs. GPT, i.e. Transformers.',
      'The U.S. Army agrees!',
      'Does it?',
      'Yes.',
    ]);
  });

  it('splits before a number, a quote or a bracket that opens the next sentence, and after "etc."', () => {
    expect(splitSentences('It works. 3D scenes too. "Quoted" start. (Aside) end, tables etc. The end.')).toEqual([
      'It works.',
      '3D scenes too.',
      '"Quoted" start.',
      '(Aside) end, tables etc.',
      'The end.',
    ]);
  });
});

describe('leadingSentences', () => {
  it('keeps whole sentences while they fit, and cuts a too-long first sentence between words', () => {
    const text = 'First sentence here. Second sentence follows. Third one is long enough to pass the limit.';
    expect(leadingSentences(text, 50)).toBe('First sentence here. Second sentence follows.');
    expect(leadingSentences('Supercalifragilistic words go on and on without a stop', 30)).toBe('Supercalifragilistic words go…');
    expect(leadingSentences(`${'x'.repeat(100)} end`, 30)).toBe(`${'x'.repeat(29)}…`);
    expect(leadingSentences('Short.', 30)).toBe('Short.');
  });
});

describe('cardSummary', () => {
  it('prefers the AI summary, cleaned, and says the abstract has more', () => {
    expect(cardSummary({ abstract: 'A long abstract.', aiSummary: 'Selective state spaces run in $\\mathcal{O}(n)$.' })).toEqual({
      text: 'Selective state spaces run in O(n).',
      from: 'ai-summary',
      abstractHasMore: true,
    });
  });

  it('uses the whole abstract when it is short, and nothing when there is none', () => {
    expect(cardSummary({ abstract: 'Short and \\textbf{bold}.' })).toEqual({ text: 'Short and bold.', from: 'abstract', abstractHasMore: false });
    expect(cardSummary({ abstract: '' })).toBeUndefined();
  });
});

describeShared('cardSummary on real abstracts', () => {
  const records = hasShared
    ? readFileSync(sharedPath('corpus', 'papers.sample-2k.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { id: string; abstract: string })
    : [];

  it('is at most a few hundred characters, ends a sentence or a word, and starts the abstract', () => {
    let cutMidSentence = 0;
    for (const { id, abstract } of records) {
      const summary = cardSummary({ abstract });
      if (!abstract.trim()) continue;
      expect(summary, id).toBeDefined();
      const text = summary!.text;
      expect(codePoints(text), id).toBeLessThanOrEqual(SUMMARY_MAX);
      expect(text.length, id).toBeGreaterThan(0);
      if (summary!.abstractHasMore) {
        if (text.endsWith('…')) cutMidSentence++;
        else expect(text, id).toMatch(/[.!?]["'”’)\]]*$/);
        // Never mid-word: what follows the cut in the abstract starts a new word.
        expect(text.replace(/…$/, '').slice(-1), id).not.toBe(' ');
      }
    }
    // Only first sentences longer than the limit are cut between words.
    expect(cutMidSentence).toBeLessThan(records.length / 10);
  });

  it('reads the opening of a real abstract', () => {
    const first = records.find((r) => r.id === '2405.17399')!;
    expect(cardSummary(first)!.text).toBe(
      'The poor performance of transformers on arithmetic tasks seems to stem in large part from their inability to keep track of the exact position of each digit inside of a large span of digits. ' +
        'We mend this problem by adding an embedding to each digit that encodes its position relative to the start of the number.',
    );
  });
});

describe('hostile text', () => {
  // Not a timing target: a quadratic scan of 100,000 marks takes tens of seconds, a linear one
  // milliseconds, so a 2 s bound tells them apart on any machine.
  it('splits 100,000 exclamation marks or spaces in linear time', () => {
    const started = performance.now();
    splitSentences(`A${'!'.repeat(100_000)}x`);
    splitSentences(`A.${' '.repeat(100_000)}x`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
