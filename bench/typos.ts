import type { Random } from './random.js';

/**
 * Realistic typing mistakes for the typo query class: every word of 4+ letters gets one typo,
 * words of 8+ letters one or two. A typo is an adjacent swap, a dropped letter, a doubled
 * letter or a neighbouring key on a QWERTY keyboard. The first letter is never touched: people
 * rarely get it wrong, and a query with a wrong first letter reads like a different word.
 */

const NEIGHBOURS: Record<string, string> = {
  q: 'wa', w: 'qeas', e: 'wrsd', r: 'etdf', t: 'ryfg', y: 'tugh', u: 'yihj', i: 'uojk', o: 'ipkl', p: 'ol',
  a: 'qwsz', s: 'awedxz', d: 'serfcx', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', j: 'huikmn', k: 'jiolm', l: 'kop',
  z: 'asx', x: 'zsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};

const TYPO_KINDS = ['swap', 'drop', 'double', 'neighbour'] as const;
type TypoKind = (typeof TYPO_KINDS)[number];

// Letter runs standing alone between non-alphanumerics: "Fine-Grained" has two words, while
// "Qwen2" or "GPT4o" are names with digits and stay as typed.
const LETTER_WORD = /(?<![\p{L}\p{N}])\p{L}+(?![\p{L}\p{N}])/gu;

/** The text with typos in its words; `typos` counts them (0 when no word is long enough). */
export function addTypos(text: string, random: Random): { text: string; typos: number } {
  let typos = 0;
  const out = text.replace(LETTER_WORD, (word) => {
    const letters = [...word];
    if (letters.length < 4) return word;
    const count = letters.length >= 8 ? random.int(1, 2) : 1;
    let typed = letters;
    for (let i = 0; i < count; i++) typed = oneTypo(typed, random);
    typos += count;
    return typed.join('');
  });
  return { text: out, typos };
}

function oneTypo(letters: string[], random: Random): string[] {
  // A swap of two equal letters, or a key without neighbours (non-ASCII), changes nothing: retry.
  for (let attempt = 0; attempt < 8; attempt++) {
    const typed = applyTypo(letters, random.pick(TYPO_KINDS), random);
    if (typed && typed.join('') !== letters.join('')) return typed;
  }
  return dropLetter(letters, random.int(1, letters.length - 1));
}

function applyTypo(letters: string[], kind: TypoKind, random: Random): string[] | undefined {
  const n = letters.length;
  switch (kind) {
    case 'swap': {
      const i = random.int(1, n - 2);
      const out = [...letters];
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
      return out;
    }
    case 'drop':
      return dropLetter(letters, random.int(1, n - 1));
    case 'double': {
      const i = random.int(1, n - 1);
      return [...letters.slice(0, i + 1), letters[i]!, ...letters.slice(i + 1)];
    }
    case 'neighbour': {
      const i = random.int(1, n - 1);
      const letter = letters[i]!;
      const keys = NEIGHBOURS[letter.toLowerCase()];
      if (!keys) return undefined;
      const key = random.pick([...keys]);
      const out = [...letters];
      out[i] = letter === letter.toLowerCase() ? key : key.toUpperCase();
      return out;
    }
  }
}

function dropLetter(letters: string[], i: number): string[] {
  return [...letters.slice(0, i), ...letters.slice(i + 1)];
}
