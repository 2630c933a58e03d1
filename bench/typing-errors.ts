import type { Random } from './random.js';

/**
 * The held-out set's typing mistakes, drawn without looking at anything the engine does (its
 * edit-distance limits, the word lengths it corrects, which letters it trusts): any letter of
 * any word may be hit, the first one included. One edit is a keyboard-neighbour substitution,
 * an adjacent transposition, a dropped letter, a doubled letter or an inserted neighbour key,
 * with the rough frequencies of typing-error studies (substitutions and drops most common).
 * Words run together and split in two are separate operations on the whole query.
 */

const QWERTY_NEIGHBOURS: Record<string, string> = {
  q: 'wa', w: 'qeasd', e: 'wrsdf', r: 'etdfg', t: 'ryfgh', y: 'tughj', u: 'yihjk', i: 'uojkl', o: 'ipkl', p: 'ol',
  a: 'qwszx', s: 'awedxz', d: 'serfcx', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', j: 'huikmn', k: 'jiolm', l: 'kop',
  z: 'asx', x: 'zsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};

const EDITS = [
  ['neighbour', 0.3],
  ['drop', 0.25],
  ['transpose', 0.2],
  ['double', 0.15],
  ['insert', 0.1],
] as const;
type Edit = (typeof EDITS)[number][0];

function pickEdit(random: Random): Edit {
  let x = random.next();
  for (const [edit, p] of EDITS) {
    if (x < p) return edit;
    x -= p;
  }
  return 'neighbour';
}

function neighbourOf(letter: string, random: Random): string {
  const keys = QWERTY_NEIGHBOURS[letter.toLowerCase()];
  // A letter with no QWERTY key (é, ß): the nearest thing is a random plain letter.
  const key = keys ? random.pick([...keys]) : random.pick([...'etaoinsrhl']);
  return letter === letter.toLowerCase() ? key : key.toUpperCase();
}

/** One edit anywhere in the word; a word that comes out unchanged (a swap of equal letters) is edited again. */
export function misspellOnce(word: string, random: Random): string {
  const letters = [...word];
  for (let attempt = 0; attempt < 10; attempt++) {
    const out = applyEdit(letters, pickEdit(random), random);
    if (out.length > 0 && out.join('') !== word) return out.join('');
  }
  return word;
}

/** `edits` edits, each on the result of the last (so two can hit the same spot, as in life). */
export function misspell(word: string, edits: number, random: Random): string {
  let out = word;
  for (let i = 0; i < edits; i++) out = misspellOnce(out, random);
  return out;
}

function applyEdit(letters: readonly string[], edit: Edit, random: Random): string[] {
  const n = letters.length;
  const i = random.int(0, n - 1);
  const out = [...letters];
  switch (edit) {
    case 'neighbour':
      out[i] = neighbourOf(letters[i]!, random);
      return out;
    case 'drop':
      return n > 1 ? [...letters.slice(0, i), ...letters.slice(i + 1)] : out;
    case 'transpose': {
      if (n < 2) return out;
      const j = Math.min(i, n - 2);
      [out[j], out[j + 1]] = [out[j + 1]!, out[j]!];
      return out;
    }
    case 'double':
      return [...letters.slice(0, i + 1), letters[i]!, ...letters.slice(i + 1)];
    case 'insert':
      return [...letters.slice(0, i + 1), neighbourOf(letters[i]!, random), ...letters.slice(i + 1)];
  }
}

/** Two neighbouring words typed without the space between them: `the attention` → `theattention`. */
export function runTogether(words: readonly string[], random: Random): string[] {
  if (words.length < 2) return [...words];
  const i = random.int(0, words.length - 2);
  return [...words.slice(0, i), words[i]! + words[i + 1]!, ...words.slice(i + 2)];
}

/** One word of 6+ letters split in two by a stray space: `transformer` → `transf ormer`. */
export function splitWord(words: readonly string[], random: Random): string[] {
  const long = words.map((w, i) => ({ w, i })).filter(({ w }) => [...w].length >= 6);
  if (long.length === 0) return [...words];
  const { w, i } = random.pick(long);
  const letters = [...w];
  const at = random.int(2, letters.length - 2);
  return [...words.slice(0, i), letters.slice(0, at).join(''), letters.slice(at).join(''), ...words.slice(i + 1)];
}
