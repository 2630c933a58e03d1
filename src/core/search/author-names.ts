import { isSurnameParticle, nameKey, type QueryWord } from './tokenize.js';

/**
 * Author names inside a query. A person types a name as it reads on a paper ("Sean McLeish",
 * "Jakob Nicolaus Foerster", "Pinshane Y. Huang", "Laurens van der Maaten"), as a citation
 * ("Y. Bengio", "Bengio Y"), or surname first ("Peng Hao"). Consecutive words that form a name
 * key the index holds (see authorNameKeys in tokenize.ts) take the author path: they are looked
 * up as that one person and are not matched, or typo-corrected, as title words ("Sean" is not
 * a typo of "scan").
 */

/** An author's name found in a query: the positions of its words and the key to look up. */
export type NameInQuery = { words: number[]; key: string };

/** Given name, up to two middle names or initials, surname. */
const MAX_NAME_WORDS = 4;
const LETTERS = /^\p{L}+$/u;

/**
 * The author names in `words`, left to right, longest first, not overlapping. `known` says
 * whether the index holds a name key. An initial ("y bengio") counts only when the name is the
 * whole query: inside a longer query "x ray" is an x-ray, not X. Ray.
 */
export function findAuthorNames(words: readonly QueryWord[], known: (key: string) => boolean): NameInQuery[] {
  const found: NameInQuery[] = [];
  const typed = words.map((w) => w.word);
  const nameLike = typed.map((w) => LETTERS.test(w));
  const given = (word: string, whole: boolean) => word.length >= 2 || whole;
  // Words between a given name and the surname: initials, particles or further given names.
  const middlesFit = (middles: readonly string[], surname: string) =>
    middles.every((m) => m.length === 1 || isSurnameParticle(m) || known(nameKey(m, surname)));

  const matchAt = (i: number): NameInQuery | undefined => {
    for (let len = Math.min(MAX_NAME_WORDS, typed.length - i); len >= 2; len--) {
      const span = typed.slice(i, i + len);
      if (!nameLike.slice(i, i + len).every(Boolean)) continue;
      const whole = len === typed.length;
      const positions = Array.from({ length: len }, (_, k) => i + k);
      const first = span[0]!;
      const last = span[len - 1]!;
      if (given(first, whole) && middlesFit(span.slice(1, -1), last) && known(nameKey(first, last))) {
        return { words: positions, key: nameKey(first, last) };
      }
      // A surname typed in two words ("Ana Ruiz Garcia" for Ruiz-García).
      const joined = len >= 3 ? `${span[len - 2]}${last}` : '';
      if (joined && given(first, whole) && middlesFit(span.slice(1, -2), joined) && known(nameKey(first, joined))) {
        return { words: positions, key: nameKey(first, joined) };
      }
      // Surname first: "Bengio Y", "Bengio Yoshua", "Peng Hao".
      if (len === 2 && given(last, whole) && known(nameKey(last, first))) return { words: positions, key: nameKey(last, first) };
    }
    return undefined;
  };

  for (let i = 0; i < typed.length - 1; ) {
    const match = matchAt(i);
    if (match) {
      found.push(match);
      i = match.words.at(-1)! + 1;
    } else {
      i++;
    }
  }
  return found;
}
