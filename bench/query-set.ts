import { mulberry32, type Random } from './random.js';
import { STOPWORDS } from '../src/core/search/tokenize.js';
import { addTypos } from './typos.js';

/**
 * The benchmark's queries, generated from the corpus itself so every query has one known answer:
 * the paper it was made from. Generation is deterministic (seeded PRNG, one stream per class),
 * so two runs on the same corpus ask the same questions.
 *
 * The generator deliberately uses its own plain word splitting, not the engine's tokenizer:
 * queries should look like what people type, not like what the index happens to store.
 */

export const QUERY_CLASSES = [
  'exact-title',
  'partial-title',
  'typo-title',
  'abstract-words',
  'author-topic',
  'id-url',
  'acronym',
  'autocomplete',
] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export type BenchQuery = { class: QueryClass; text: string; expectedId: string; expectedTitle: string };

export type CorpusPaper = { id: string; title: string; abstract: string; authors: readonly string[] };

export type QuerySet = {
  queries: BenchQuery[];
  /** Per class: how many queries were made (fewer than asked when too few papers qualify). */
  generated: Record<QueryClass, number>;
  /** Autocomplete: mean number of corpus titles starting with the typed prefix (1 = unambiguous). */
  autocompleteSharedPrefix: number;
};

/** The seed the engine's weights and thresholds were tuned on; bench/held-out.ts uses another. */
export const TUNING_SEED = 42;
/** A prefix shared by more titles than this cannot be expected in a top-10 list; such papers are skipped. */
const MAX_TITLES_PER_PREFIX = 10;
/** "Rare-ish" surname: on at most this many papers (Wang, Li, Zhang are on thousands). */
const RARE_SURNAME_PAPERS = 30;
/** A leading name that occurs as a word in this many other abstracts is a common word ("Beyond: …"). */
const COMMON_WORD_ABSTRACTS = 10;

// Letter-only words of 4+ letters, not LaTeX commands (\mathcal) and not parts of alphanumeric names.
const PLAIN_WORD = /(?<![\\\p{L}\p{N}])\p{L}{4,}(?![\p{L}\p{N}])/gu;

function plainWords(text: string): string[] {
  return text.toLowerCase().match(PLAIN_WORD) ?? [];
}

/** Lowercase alphanumerics separated by single spaces: how two titles are compared. */
export function titleKey(title: string): string {
  return title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

type CorpusStats = {
  titleCount: Map<string, number>;
  sortedTitleKeys: string[];
  abstractDf: Map<string, number>;
  titleWordDf: Map<string, number>;
  surnameDf: Map<string, number>;
  leadingNameCount: Map<string, number>;
};

function countInto(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function analyseCorpus(papers: readonly CorpusPaper[]): CorpusStats {
  const stats: CorpusStats = {
    titleCount: new Map(),
    sortedTitleKeys: [],
    abstractDf: new Map(),
    titleWordDf: new Map(),
    surnameDf: new Map(),
    leadingNameCount: new Map(),
  };
  for (const paper of papers) {
    const key = titleKey(paper.title);
    countInto(stats.titleCount, key);
    stats.sortedTitleKeys.push(key);
    for (const word of new Set(plainWords(paper.abstract))) countInto(stats.abstractDf, word);
    for (const word of new Set(plainWords(paper.title))) countInto(stats.titleWordDf, word);
    for (const surname of new Set(paper.authors.map(surnameOf).filter((s) => s !== undefined))) {
      countInto(stats.surnameDf, surname.toLowerCase());
    }
    const name = leadingName(paper.title);
    if (name) countInto(stats.leadingNameCount, name.toLowerCase());
  }
  stats.sortedTitleKeys.sort();
  return stats;
}

/** How many corpus titles start with `prefix` (compared as title keys), by binary search. */
function titlesStartingWith(stats: CorpusStats, prefix: string): number {
  const key = titleKey(prefix);
  const keys = stats.sortedTitleKeys;
  const lowerBound = (target: string) => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Every string starting with `key` sorts between `key` and `key` + the highest code unit.
  return lowerBound(`${key}\uffff`) - lowerBound(key);
}

/** Last word of a display name, when it looks like a surname ("Jr.", initials and "-" are not). */
function surnameOf(name: string): string | undefined {
  const last = name.trim().split(/\s+/).at(-1) ?? '';
  return /^\p{L}[\p{L}'-]{2,}$/u.test(last) ? last : undefined;
}

/**
 * "HiFi-SR" of "HiFi-SR: Unified …": one word before a colon that opens the title, made of
 * characters people type in a name (not LaTeX such as "Think$^{2}$").
 */
function leadingName(title: string): string | undefined {
  const m = /^\s*([\p{L}\p{N}][\p{L}\p{N}.+-]{1,39}):\s+\S/u.exec(title);
  const name = m?.[1];
  return name && /\p{L}/u.test(name) ? name : undefined;
}

// ---- one generator per class: a paper → its query, or undefined when the paper does not fit ----

type Generator = (paper: CorpusPaper, random: Random, stats: CorpusStats) => string | undefined;

const exactTitle: Generator = (paper) => paper.title;

const partialTitle: Generator = (paper, random) => {
  // People leave out "of", "for", "the" when they recall a title; picking them would make
  // queries nobody types ("Data or From").
  const words = titleWords(paper.title).filter((w) => !FUNCTION_WORDS.has(w.toLowerCase()));
  if (words.length < 3) return undefined;
  // At least two words: one word of a title is a topic, not a partial title.
  const k = Math.min(words.length - 1, Math.max(2, Math.round(words.length * (0.4 + 0.3 * random.next()))));
  return random.shuffle(words).slice(0, k).join(' ');
};

const typoTitle: Generator = (paper, random) => {
  const typed = addTypos(paper.title, random);
  return typed.typos > 0 ? typed.text : undefined;
};

const abstractWords: Generator = (paper, random, stats) => {
  const title = paper.title.toLowerCase();
  // Shuffled before the stable sort, so ties (many words have df 2) are broken at random, not alphabetically.
  const candidates = random
    .shuffle([...new Set(plainWords(paper.abstract))])
    .map((word) => ({ word, df: stats.abstractDf.get(word) ?? 0 }))
    .filter(({ word, df }) => df >= 2 && !title.includes(word))
    .sort((a, b) => a.df - b.df);
  const count = random.int(2, 3);
  if (candidates.length < count) return undefined;
  const chosen = new Set(candidates.slice(0, count).map((c) => c.word));
  // In the order the abstract uses them, as someone recalling the abstract would.
  const inOrder = [...new Set(plainWords(paper.abstract))].filter((w) => chosen.has(w));
  return inOrder.join(' ');
};

const authorTopic: Generator = (paper, random, stats) => {
  const surnames = [...new Set(paper.authors.map(surnameOf).filter((s) => s !== undefined))].map((s) => ({
    surname: s,
    df: stats.surnameDf.get(s.toLowerCase()) ?? 0,
  }));
  if (surnames.length === 0) return undefined;
  const rareish = surnames.filter((s) => s.df <= RARE_SURNAME_PAPERS);
  const surname = rareish.length > 0 ? random.pick(rareish).surname : surnames.sort((a, b) => a.df - b.df)[0]!.surname;
  // A topic word shared with at least one other title: a word of the field, not the paper's own name.
  const topic = [...new Set(plainWords(paper.title))]
    .map((word) => ({ word, df: stats.titleWordDf.get(word) ?? 0 }))
    .filter((w) => w.df >= 2 && !FUNCTION_WORDS.has(w.word))
    .sort((a, b) => a.df - b.df || (a.word < b.word ? -1 : 1))[0];
  return topic ? `${surname} ${topic.word}` : undefined;
};

const ID_FORMS: readonly ((id: string) => string)[] = [
  (id) => id,
  (id) => `arXiv:${id}`,
  (id) => `${id}v2`,
  (id) => `https://arxiv.org/abs/${id}`,
  (id) => `https://arxiv.org/pdf/${id}`,
  (id) => `https://huggingface.co/papers/${id}`,
];

const idOrUrl: Generator = (paper, random) => random.pick(ID_FORMS)(paper.id);

const acronym: Generator = (paper, random, stats) => {
  const name = leadingName(paper.title);
  if (!name || (stats.leadingNameCount.get(name.toLowerCase()) ?? 0) > 1) return undefined;
  const compact = name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const ownAbstract = plainWords(paper.abstract).includes(compact) ? 1 : 0;
  if ((stats.abstractDf.get(compact) ?? 0) - ownAbstract >= COMMON_WORD_ABSTRACTS) return undefined;
  const lower = name.toLowerCase();
  return lower.includes('-') ? lower.replaceAll('-', random.chance(0.5) ? ' ' : '') : lower;
};

const autocomplete: Generator = (paper, random, stats) => {
  const words = paper.title.split(/\s+/).filter(Boolean);
  // Start at a random length and lengthen while the prefix is shared by too many titles.
  for (let n = random.int(2, 4); n <= Math.min(4, words.length); n++) {
    const last = words[n - 1]!;
    const letters = [...last];
    if (letters.length < 4) continue; // nothing to cut
    const cut = Math.min(random.int(3, 6), letters.length - 1);
    const prefix = [...words.slice(0, n - 1), letters.slice(0, cut).join('')].join(' ');
    if (titlesStartingWith(stats, prefix) <= MAX_TITLES_PER_PREFIX) return prefix;
  }
  return undefined;
};

const GENERATORS: Record<QueryClass, Generator> = {
  'exact-title': exactTitle,
  'partial-title': partialTitle,
  'typo-title': typoTitle,
  'abstract-words': abstractWords,
  'author-topic': authorTopic,
  'id-url': idOrUrl,
  acronym,
  autocomplete,
};

/** Classes made from the title: a title two papers share has no single right answer. */
const NEEDS_UNIQUE_TITLE: ReadonlySet<QueryClass> = new Set([
  'exact-title',
  'partial-title',
  'typo-title',
  'author-topic',
  'acronym',
  'autocomplete',
]);

/** English function words: not what anyone picks to recall a title or name a topic. */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  [
    'a an the of for and or nor but in on at to from by with via as is are be been being was were its it into onto',
    'than towards toward using do does did can could should would must might will shall how what when why who whom',
    'whose which where while we our your their they them this that these those there here about above across after',
    'against along among around before behind below beneath beside between beyond despite during except inside like',
    'near off outside over past since through throughout under until upon within without more most less least much',
    'many some such only also very just even still each every both either neither other another same own all any',
    'few not never yet however whether vs versus',
  ]
    .join(' ')
    .split(' '),
);

function titleWords(title: string): string[] {
  return title
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
}

/** `perClass` queries of every class (fewer if the corpus runs out of fitting papers). */
export function generateQuerySet(papers: readonly CorpusPaper[], perClass: number, seed = TUNING_SEED): QuerySet {
  const stats = analyseCorpus(papers);
  const queries: BenchQuery[] = [];
  const generated = {} as Record<QueryClass, number>;
  let sharedPrefixTotal = 0;
  QUERY_CLASSES.forEach((queryClass, classIndex) => {
    // One stream per class: changing one generator does not reshuffle the others' queries.
    const random = mulberry32(seed + classIndex);
    const order = random.shuffle(papers.map((_, i) => i));
    let made = 0;
    for (const i of order) {
      if (made >= perClass) break;
      const paper = papers[i]!;
      if (NEEDS_UNIQUE_TITLE.has(queryClass) && stats.titleCount.get(titleKey(paper.title))! > 1) continue;
      const text = GENERATORS[queryClass](paper, random, stats)?.trim();
      if (!text) continue;
      queries.push({ class: queryClass, text, expectedId: paper.id, expectedTitle: paper.title });
      if (queryClass === 'autocomplete') sharedPrefixTotal += titlesStartingWith(stats, text);
      made++;
    }
    generated[queryClass] = made;
  });
  return {
    queries,
    generated,
    autocompleteSharedPrefix: generated.autocomplete > 0 ? sharedPrefixTotal / generated.autocomplete : 0,
  };
}

// ---- worst cases: queries built to do the most work, timed apart from the relevance set ----

/** A query made to cost as much as the query language allows; `suggest` runs it as autocomplete. */
export type WorstCaseQuery = {
  name: string;
  text: string;
  suggest?: boolean;
  options?: { offset?: number; limit?: number; sort?: 'relevance' | 'newest' | 'upvotes' };
  /** The engine is expected to refuse it (a UserFacingError), quickly. */
  refused?: boolean;
};

/**
 * The expensive shapes of defects 7 and 15, made from the corpus's most common title words and
 * surnames so they stay the worst on any corpus: long queries, many phrases of common words,
 * filters alone (deep pages too), 1- and 2-letter prefixes, author: with the commonest names,
 * and input far over the length limit.
 */
export function worstCaseQueries(papers: readonly CorpusPaper[]): WorstCaseQuery[] {
  const stats = analyseCorpus(papers);
  const commonest = (counts: Map<string, number>, n: number) =>
    [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([word]) => word);
  // Stopwords cost the engine nothing; the worst queries are made of the commonest words it indexes.
  const words = commonest(new Map([...stats.titleWordDf].filter(([word]) => !STOPWORDS.has(word))), 40);
  const surnames = commonest(stats.surnameDf, 6);
  const phrase = (i: number) => `"${words[2 * i]} ${words[2 * i + 1]}"`;
  const longest = [...papers].sort((a, b) => b.abstract.length - a.abstract.length)[0]?.abstract ?? words.join(' ');
  return [
    { name: '24 commonest title words', text: words.slice(0, 24).join(' ') },
    { name: '40 common words (16 dropped)', text: words.join(' ') },
    { name: 'longest abstract, cut to 1,000 chars', text: longest.slice(0, 1_000).replace(/\s+\S*$/, '') },
    { name: '4 phrases of common words', text: [0, 1, 2, 3].map(phrase).join(' ') },
    { name: '30 words + phrase at the end', text: `${words.slice(10, 40).join(' ')} ${phrase(0)}` },
    { name: 'filter only: cat:cs.LG', text: 'cat:cs.LG' },
    { name: 'filter only: cat:cs after:2024', text: 'cat:cs after:2024' },
    { name: 'filter only: has:code, page 50', text: 'has:code', options: { offset: 490, limit: 10 } },
    { name: 'filter only: year:2025 by upvotes', text: 'year:2025', options: { sort: 'upvotes' } },
    { name: 'autocomplete "a"', text: 'a', suggest: true },
    { name: 'autocomplete "m"', text: 'm', suggest: true },
    { name: `autocomplete "${words[0]!.slice(0, 2)}"`, text: words[0]!.slice(0, 2), suggest: true },
    { name: `autocomplete "${words[0]} ${words[1]!.slice(0, 2)}"`, text: `${words[0]} ${words[1]!.slice(0, 2)}`, suggest: true },
    { name: `author:${surnames[0]}`, text: `author:${surnames[0]}` },
    { name: `author:${surnames[0]} ${words[0]}`, text: `author:${surnames[0]} ${words[0]}` },
    { name: '6 common author: filters', text: surnames.map((s) => `author:${s}`).join(' ') },
    { name: 'one 999-letter word', text: 'transfromers'.repeat(84).slice(0, 999) },
    // The new syntax (issue 11): exclusions are checked paper by paper, on every paper when
    // nothing else narrows the query (FILTER_BUDGET in paper-index.ts bounds them; a large corpus may refuse).
    ...exclusionWorstCases(words),
    { name: '100,000 characters (refused)', text: `${words.join(' ')} `.repeat(400).slice(0, 100_000), refused: true },
  ];
}

/** Worst cases of `-word`, `-"phrase"`, `-(a OR b)`, title:/abstract: scopes and double exclusions. */
function exclusionWorstCases(words: readonly string[]): WorstCaseQuery[] {
  const joined = (i: number) => `${words[2 * i]}-${words[2 * i + 1]}`;
  const excludedWords = (from: number, n: number) => words.slice(from, from + n).map((w) => `-${w}`).join(' ');
  const fourTitlePhrases = [0, 1, 2, 3].map((i) => `-title:${joined(i)}`).join(' ');
  const orPairs = Array.from({ length: 12 }, (_, i) => `-(${words[2 * i]} OR ${words[2 * i + 1]})`).join(' ');
  return [
    { name: '4 excluded title phrases of common words', text: fourTitlePhrases },
    { name: 'autocomplete: 4 excluded title phrases', text: fourTitlePhrases, suggest: true },
    { name: '12 excluded title phrases (phrase limit)', text: Array.from({ length: 12 }, (_, i) => `-title:${joined(i)}`).join(' '), refused: true },
    { name: '-a-b-… of 13 words (phrase limit)', text: `-${words.slice(0, 13).join('-')}`, refused: true },
    // Exclusions alone check every paper: past FILTER_BUDGET (1M checks, ~8 per paper here) they are refused with a hint.
    { name: '24 excluded common words (work budget)', text: excludedWords(0, 24), refused: true },
    { name: 'autocomplete: 24 excluded common words', text: excludedWords(0, 24), suggest: true },
    { name: '12 excluded OR pairs (work budget)', text: orPairs, refused: true },
    { name: '4 excluded phrases + 20 excluded words (budget)', refused: true, text: `${[0, 1, 2, 3].map((i) => `-"${words[2 * i]} ${words[2 * i + 1]}"`).join(' ')} ${excludedWords(8, 20)}` },
    { name: 'commonest word + 23 excluded words', text: `${words[0]} ${excludedWords(1, 23)}` },
    { name: 'excluded abstract phrase alone', text: `-abstract:"${words[0]} ${words[1]}"` },
    { name: 'cat:cs + excluded title phrase', text: `cat:cs -title:"${words[0]} ${words[1]} ${words[2]}"` },
    { name: 'double exclusion -(title:a -b)', text: `-(title:${words[0]} -${words[1]})` },
  ];
}
