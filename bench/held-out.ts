import type { LabeledQuery } from './evaluate.js';
import { titleKey, type CorpusPaper } from './query-set.js';
import { mulberry32, type Random } from './random.js';
import { misspell, misspellOnce, runTogether, splitWord } from './typing-errors.js';

/**
 * The held-out classes: queries of the kinds people type into a search box, generated from the
 * corpus with seeds no weight or threshold of the engine was tuned on. Nothing here imports
 * from src/core/search: what a query looks like, which words are rare and where typos land is
 * decided from the corpus and bench/typing-errors.ts alone, so tuning the engine to these
 * numbers means getting better at the queries, not at the generator.
 *
 * Rules (each generator's comment says its own):
 * - a query's relevant papers are the ones a person typing it wants: one paper, except for an
 *   author's name (every paper of that author) and a list of ids (each listed paper);
 * - a query made of a few words must pick its paper out: the papers holding all its words
 *   (before typos) are that paper alone, so the class measures the engine, not luck;
 * - classes made from a title skip papers whose title another paper shares.
 */

export const HELD_OUT_CLASSES = [
  'author-full-name',
  'abstract-rare-pair',
  'abstract-common',
  'abstract-sentence',
  'acronym-apart-together',
  'name-inside-name',
  'hard-typo',
  'typo-every-word',
  'title-words-typos',
  'id-link',
] as const;
export type HeldOutClass = (typeof HELD_OUT_CLASSES)[number];

/** The tuning classes are generated again with this seed for the held-out set; the new classes derive theirs from it. */
export const HELD_OUT_SEED = 2026;

export type HeldOutQuery = LabeledQuery & { class: HeldOutClass };

/** Abstract words in at most this many abstracts are rare (`antiresonances`, `swept`). */
const RARE_ABSTRACT_DF = 3;
/** Everyday field words: in at least this share of abstracts (and 5 of them) … */
const COMMON_MIN_SHARE = 0.002;
/** … and at most this share (`model`, `using` are in far more) … */
const COMMON_MAX_SHARE = 0.1;
/**
 * … and words of the field, not of prose: titles use them too, in at least this many per
 * abstract using them (`diffusion`, `segmentation`, `robot` pass; `allowing`, `regarding`,
 * `undergo` do not).
 */
const FIELD_TITLE_RATIO = 0.05;
/** A name (or part of one) in more other abstracts than this is a word of the field, not a name. */
const NAME_OTHER_ABSTRACTS = 2;

// ---- words ---------------------------------------------------------------------------------

/** Words of 3+ letters, not LaTeX commands, not parts of alphanumeric names. */
const WORD = /(?<![\\\p{L}\p{N}])\p{L}{3,}(?![\p{L}\p{N}])/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Words of the abstract's prose: links (`github.com/bahramjafrasteh/synthseg`) are not something anyone recalls. */
function abstractWords(paper: CorpusPaper): string[] {
  return words(paper.abstract.replace(/\b(?:https?:\/\/|www\.|github\.com\/)\S*/gi, ' '));
}

export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

/** Words nobody picks to recall a title. */
const STOP = new Set(
  (
    'the and for with from into onto via over under than that this these those their there are was were been being ' +
    'can could should would will not but its our your how what when why who which where while using towards toward ' +
    'based through between within without about across after before beyond more most less all any each every both ' +
    'other such only also very just even still new one two three'
  ).split(' '),
);

function titleWords(title: string): string[] {
  return title
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
}

/** `BioTamperNet` → Bio Tamper Net; `HiFi-SR` → Hi Fi SR; `Llama3` → Llama 3; `GPT-4o` → GPT 4o; `Qwen2.5` → Qwen 2.5. */
export function nameParts(token: string): string[] {
  return token
    .split(/[-_/+]+/)
    .flatMap((segment) => segment.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll}{2})|(?<=\p{L})(?=\p{N})/u))
    .filter(Boolean);
}

/**
 * A title token that reads as a model or acronym name: a capital inside a word part (`HiFi`,
 * `BioTamperNet`), an all-capitals part of two letters or more (`GPT-4o`, `HiFi-SR`) or letters
 * with digits (`Llama3`); `Fine-Grained` and `Self-Supervised` are plain hyphenated words.
 */
export function looksLikeName(token: string): boolean {
  if (!/\p{L}/u.test(token)) return false;
  const segments = token.split(/[-_/+]+/).filter(Boolean);
  return segments.some((s) => /\p{Ll}\p{Lu}/u.test(s) || /\p{Lu}{2,}/u.test(s) || /\p{L}\p{N}|\p{N}\p{L}/u.test(s));
}

/** Name tokens of a title, with their parts (two or more). */
function titleNames(title: string): { token: string; parts: string[] }[] {
  const tokens = title.match(/[\p{L}\p{N}][\p{L}\p{N}.+_/-]*[\p{L}\p{N}]/gu) ?? [];
  return tokens
    .map((token) => token.replace(/\.$/, ''))
    .filter(looksLikeName)
    .map((token) => ({ token, parts: nameParts(token) }))
    .filter((n) => n.parts.length >= 2);
}

const compact = (text: string) => foldAccents(text).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

// ---- corpus statistics ------------------------------------------------------------------------

type Stats = {
  titleCount: Map<string, number>;
  abstractDf: Map<string, number>;
  /** Paper indices (ascending) per abstract word, for words no commoner than COMMON_MAX_SHARE. */
  abstractPostings: Map<string, number[]>;
  /** Paper indices (ascending) per lowercase title word. */
  titlePostings: Map<string, number[]>;
  /** Titles holding a compact string as a word, a name or a run of a name's parts. */
  nameDf: Map<string, number>;
  byFullName: Map<string, number[]>;
  byInitialSurname: Map<string, number[]>;
  papers: readonly CorpusPaper[];
};

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list.at(-1) !== i) list.push(i);
}

type Person = { full: string; given: string; surname: string; initial: string };

/** `Pinshane Y. Huang` → its parts; undefined for what cannot be typed as a name (one word, `Jr.`, digits). */
export function parsePerson(name: string): Person | undefined {
  const tokens = name.trim().split(/\s+/);
  if (tokens.length < 2 || tokens.length > 4) return undefined;
  if (!tokens.every((t) => /^\p{L}[\p{L}'’.-]*$/u.test(t))) return undefined;
  const surname = tokens.at(-1)!;
  if (surname.endsWith('.') || [...surname].length < 2 || /^(jr|sr|ii|iii|iv)$/i.test(surname)) return undefined;
  const given = tokens[0]!;
  return { full: tokens.join(' '), given, surname, initial: foldAccents(given)[0]!.toUpperCase() };
}

const fullKey = (name: string) => foldAccents(name).toLowerCase().replace(/\s+/g, ' ');
const initialKey = (p: Person) => `${p.initial.toLowerCase()}|${foldAccents(p.surname).toLowerCase()}`;

function analyse(papers: readonly CorpusPaper[]): Stats {
  const stats: Stats = {
    titleCount: new Map(),
    abstractDf: new Map(),
    abstractPostings: new Map(),
    titlePostings: new Map(),
    nameDf: new Map(),
    byFullName: new Map(),
    byInitialSurname: new Map(),
    papers,
  };
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  papers.forEach((paper, i) => {
    count(stats.titleCount, titleKey(paper.title));
    for (const w of new Set(abstractWords(paper))) count(stats.abstractDf, w);
    for (const w of titleWords(paper.title)) push(stats.titlePostings, w.toLowerCase(), i);
    const names = new Set<string>();
    for (const w of titleWords(paper.title)) names.add(compact(w));
    for (const { parts } of titleNames(paper.title)) {
      for (let a = 0; a < parts.length; a++) for (let b = a + 1; b <= parts.length; b++) names.add(compact(parts.slice(a, b).join('')));
    }
    for (const n of names) count(stats.nameDf, n);
    for (const author of paper.authors) {
      const person = parsePerson(author);
      if (!person) continue;
      push(stats.byFullName, fullKey(person.full), i);
      push(stats.byInitialSurname, initialKey(person), i);
    }
  });
  const maxDf = Math.max(5, COMMON_MAX_SHARE * papers.length);
  papers.forEach((paper, i) => {
    for (const w of new Set(abstractWords(paper))) if (stats.abstractDf.get(w)! <= maxDf) push(stats.abstractPostings, w, i);
  });
  return stats;
}

/** Papers holding every word, per the postings; stops counting past 2 (only "this paper alone" matters). */
function holdersOf(postings: Map<string, number[]>, keys: readonly string[]): number {
  const lists = keys.map((k) => postings.get(k) ?? []).sort((a, b) => a.length - b.length);
  let candidates = lists[0] ?? [];
  for (const list of lists.slice(1)) {
    const set = new Set(list);
    candidates = candidates.filter((i) => set.has(i));
  }
  return candidates.length;
}

// ---- generators: a paper → its query, or undefined when the paper does not fit ---------------

type Made = { text: string; relevant?: number[] };
type Generator = (paper: CorpusPaper, i: number, random: Random, stats: Stats) => Made | undefined;

/**
 * An author's name as listed (half the time), accent-folded and lowercased, `Y. Bengio` or
 * `Bengio Y`. Relevant: every paper listing that full name (accents folded); for the initials
 * forms, every paper with an author of that surname and initial, since the query cannot tell them apart.
 */
const authorFullName: Generator = (paper, _i, random, stats) => {
  const people = paper.authors.map(parsePerson).filter((p) => p !== undefined);
  if (people.length === 0) return undefined;
  const person = random.pick(people);
  const x = random.next();
  if (x < 0.65) {
    const text = x < 0.5 ? person.full : foldAccents(person.full).toLowerCase();
    return { text, relevant: stats.byFullName.get(fullKey(person.full))! };
  }
  const text = x < 0.85 ? `${person.initial}. ${person.surname}` : `${person.surname} ${person.initial}`;
  return { text, relevant: stats.byInitialSurname.get(initialKey(person))! };
};

/** Two rare abstract words (in ≤ 3 abstracts, 5+ letters, not in the title) that only this abstract holds both of. */
const abstractRarePair: Generator = (paper, _i, random, stats) => {
  const inTitle = new Set(words(paper.title));
  const rare = [...new Set(abstractWords(paper))].filter(
    (w) => [...w].length >= 5 && !inTitle.has(w) && stats.abstractDf.get(w)! <= RARE_ABSTRACT_DF,
  );
  if (rare.length < 2) return undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    const pair = random.shuffle(rare).slice(0, 2);
    if (holdersOf(stats.abstractPostings, pair) === 1) return { text: inAbstractOrder(paper, pair).join(' ') };
  }
  return undefined;
};

/** 3–4 everyday words of the field (in 0.2–10% of abstracts, and in titles) from one abstract that together only it holds. */
const abstractCommon: Generator = (paper, _i, random, stats) => {
  const n = stats.papers.length;
  const min = Math.max(5, COMMON_MIN_SHARE * n);
  const max = Math.max(5, COMMON_MAX_SHARE * n);
  const common = [...new Set(abstractWords(paper))].filter((w) => {
    const df = stats.abstractDf.get(w)!;
    const inTitles = stats.titlePostings.get(w)?.length ?? 0;
    return [...w].length >= 4 && !STOP.has(w) && df >= min && df <= max && inTitles >= Math.max(3, FIELD_TITLE_RATIO * df);
  });
  const k = random.int(3, 4);
  if (common.length < k) return undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const chosen = random.shuffle(common).slice(0, k);
    if (holdersOf(stats.abstractPostings, chosen) === 1) return { text: inAbstractOrder(paper, chosen).join(' ') };
  }
  return undefined;
};

function inAbstractOrder(paper: CorpusPaper, chosen: readonly string[]): string[] {
  const set = new Set(chosen);
  return [...new Set(abstractWords(paper))].filter((w) => set.has(w));
}

/** One sentence of the abstract, pasted as it is: 8–35 words, no LaTeX or links. */
const abstractSentence: Generator = (paper, _i, random) => {
  const sentences = paper.abstract
    .split(/(?<=[.!?])\s+(?=\p{Lu})/u)
    .filter((s) => !/[$\\]|https?:|www\./.test(s))
    .filter((s) => {
      const n = s.split(/\s+/).length;
      return n >= 8 && n <= 35;
    });
  return sentences.length > 0 ? { text: random.pick(sentences) } : undefined;
};

/**
 * A name from the title (see looksLikeName) typed with its parts apart, together, or split at
 * other places, mostly lowercase: `BioTamperNet` → `bio tamper net`, `biotampernet`,
 * `biotamper net`; `HiFi-SR` → `hifi sr`; `Llama3` → `llama 3`. Never the form the title has.
 * Answerable: no other title holds the name (as a word or part of a name) and at most two other
 * abstracts use it as a word.
 */
const acronymApartTogether: Generator = (paper, _i, random, stats) => {
  const candidates = titleNames(paper.title).filter(({ token }) => isOwnName(compact(token), paper, stats) && compact(token).length >= 4);
  if (candidates.length === 0) return undefined;
  const { token, parts } = random.pick(candidates);
  const x = random.next();
  const joints = parts.slice(1).map(() => (x < 0.4 ? ' ' : x < 0.8 ? '' : random.pick([' ', '', '-'])));
  let text = parts[0]! + joints.map((j, k) => j + parts[k + 1]!).join('');
  if (random.chance(0.75)) text = text.toLowerCase();
  // Only the form the title has is not a variant; a change of case alone is (`biotampernet`).
  if (text === token) text = parts.join(' ').toLowerCase();
  return { text };
};

/**
 * A proper part of a compound name (a run of its parts, not the whole): `dpo` of SignDPO,
 * `tamper net` of BioTamperNet. The rule for "distinctive enough to be answerable": the part
 * has 3+ characters with a letter, no other title in the corpus holds it (as a word, a name or
 * a run of a name's parts), and at most two other abstracts use it as a word.
 */
const nameInsideName: Generator = (paper, _i, random, stats) => {
  const runs: string[][] = [];
  for (const { parts } of titleNames(paper.title)) {
    for (let a = 0; a < parts.length; a++) {
      for (let b = a + 1; b <= parts.length; b++) {
        if (b - a === parts.length) continue;
        const run = parts.slice(a, b);
        const key = compact(run.join(''));
        // A run people would type as a name: starts with a letter and holds a capitalised part (`DPO`, `Vlm`), not `2powered`.
        const namelike = /^\p{L}/u.test(run[0]!) && run.some((part) => /\p{Lu}/u.test(part));
        const whole = (part: string) => [...part].length >= 2; // not `t 4sr` of DiT4SR
        if (namelike && whole(run[0]!) && whole(run.at(-1)!) && key.length >= 3 && isOwnName(key, paper, stats)) runs.push(run);
      }
    }
  }
  if (runs.length === 0) return undefined;
  const run = random.pick(runs);
  return { text: run.join(run.length > 1 && random.chance(0.5) ? ' ' : '').toLowerCase() };
};

function isOwnName(key: string, paper: CorpusPaper, stats: Stats): boolean {
  if ((stats.nameDf.get(key) ?? 0) > 1) return false;
  const own = new Set(abstractWords(paper)).has(key) ? 1 : 0;
  return (stats.abstractDf.get(key) ?? 0) - own <= NAME_OTHER_ABSTRACTS;
}

/** Title words worth typing: 4+ letters, not stop words. */
function contentWords(title: string): string[] {
  return titleWords(title).filter((w) => /^\p{L}+$/u.test(w) && [...w].length >= 4 && !STOP.has(w.toLowerCase()));
}

const picksOut = (stats: Stats, ws: readonly string[]) => holdersOf(stats.titlePostings, ws.map((w) => w.toLowerCase())) === 1;

/**
 * 2–4 consecutive title words, 1–2 edits in most words of 4+ letters, then two words run
 * together (60%) or one split (20%): `theattenton contexutal`. The clean words of 4+ letters pick the paper out.
 */
const hardTypo: Generator = (paper, _i, random, stats) => {
  const ws = titleWords(paper.title).filter((w) => /^\p{L}+$/u.test(w));
  const n = random.int(2, 4);
  if (ws.length < n) return undefined;
  const start = random.int(0, ws.length - n);
  const window = ws.slice(start, start + n);
  const content = window.filter((w) => [...w].length >= 4 && !STOP.has(w.toLowerCase()));
  if (content.length < 2 || !picksOut(stats, content)) return undefined;
  let typed = window.map((w) => ([...w].length >= 4 && random.chance(0.85) ? misspell(w, [...w].length >= 7 && random.chance(0.5) ? 2 : 1, random) : w));
  if (typed.every((t, k) => t === window[k])) typed[typed.length - 1] = misspellOnce(typed.at(-1)!, random);
  const x = random.next();
  if (x < 0.6) typed = runTogether(typed, random);
  else if (x < 0.8) typed = splitWord(typed, random);
  const text = typed.join(' ');
  return { text: random.chance(0.7) ? text.toLowerCase() : text };
};

/** 3–4 title words (4+ letters) in title order, every one with one edit; the clean words pick the paper out. */
const typoEveryWord: Generator = (paper, _i, random, stats) => {
  const ws = contentWords(paper.title);
  const k = random.int(3, 4);
  if (ws.length < k) return undefined;
  const chosen = pickInOrder(ws, k, random);
  if (!picksOut(stats, chosen)) return undefined;
  return { text: chosen.map((w) => misspellOnce(w, random)).join(' ').toLowerCase() };
};

/** 2–4 title words of 4+ letters, each with 1–2 edits, in title order (70%) or not; the clean words pick the paper out. */
const titleWordsTypos: Generator = (paper, _i, random, stats) => {
  const ws = contentWords(paper.title);
  const k = random.int(2, 4);
  if (ws.length < k) return undefined;
  let chosen = pickInOrder(ws, k, random);
  if (!picksOut(stats, chosen)) return undefined;
  if (random.chance(0.3)) chosen = random.shuffle(chosen);
  const typed = chosen.map((w) => misspell(w, [...w].length >= 6 && random.chance(0.35) ? 2 : 1, random));
  return { text: random.chance(0.8) ? typed.join(' ').toLowerCase() : typed.join(' ') };
};

function pickInOrder(ws: readonly string[], k: number, random: Random): string[] {
  const keep = new Set(random.shuffle(ws.map((_, i) => i)).slice(0, k));
  return ws.filter((_, i) => keep.has(i));
}

/** Every way an id or link gets pasted: punctuation around it, versions, and the URLs of the sites that carry arXiv ids. */
export const ID_LINK_FORMS: readonly ((id: string) => string)[] = [
  (id) => `${id};`,
  (id) => ` ${id}?`,
  (id) => `(${id})`,
  (id) => `"${id}"`,
  (id) => `${id},`,
  (id) => `${id}.`,
  (id) => `[${id}]`,
  (id) => `arXiv:${id}v3`,
  (id) => `arxiv:${id}`,
  (id) => `${id}v2`,
  (id) => `https://arxiv.org/abs/${id}`,
  (id) => `https://arxiv.org/abs/${id}v2`,
  (id) => `https://arxiv.org/abs/${id},`,
  (id) => `http://arxiv.org/abs/${id}`,
  (id) => `arxiv.org/abs/${id}`,
  (id) => `https://arxiv.org/pdf/${id}`,
  (id) => `https://arxiv.org/pdf/${id}.pdf`,
  (id) => `https://arxiv.org/pdf/${id}v1.pdf`,
  (id) => `https://arxiv.org/html/${id}v1`,
  (id) => `https://export.arxiv.org/abs/${id}`,
  (id) => `https://www.arxiv.org/abs/${id}`,
  (id) => `https://arxiv.org/abs/${id}?context=cs.LG`,
  (id) => `https://arxiv.org/abs/${id}#S3`,
  (id) => `<https://arxiv.org/abs/${id}>`,
  (id) => `https://huggingface.co/papers/${id}`,
  (id) => `https://huggingface.co/papers/${id}#community`,
  (id) => `https://hf.co/papers/${id}`,
  (id) => `https://www.alphaxiv.org/abs/${id}`,
  (id) => `https://alphaxiv.org/abs/${id}`,
  (id) => `https://www.alphaxiv.org/overview/${id}`,
  (id) => `https://doi.org/10.48550/arXiv.${id}`,
  (id) => `doi.org/10.48550/arXiv.${id}`,
];

/** One form of ID_LINK_FORMS (in turn, so every form is asked), or one time in eight a list of two ids, both relevant. */
const idLink: Generator = (paper, i, random, stats) => {
  if (random.chance(0.125) && stats.papers.length > 1) {
    let j = random.int(0, stats.papers.length - 2);
    if (j >= i) j++;
    const other = stats.papers[j]!.id;
    const sep = random.pick([', ', ' ', ',', '; ', ' and ']);
    return { text: `${paper.id}${sep}${other}`, relevant: [i, j] };
  }
  return { text: random.pick(ID_LINK_FORMS)(paper.id) };
};

const GENERATORS: Record<HeldOutClass, Generator> = {
  'author-full-name': authorFullName,
  'abstract-rare-pair': abstractRarePair,
  'abstract-common': abstractCommon,
  'abstract-sentence': abstractSentence,
  'acronym-apart-together': acronymApartTogether,
  'name-inside-name': nameInsideName,
  'hard-typo': hardTypo,
  'typo-every-word': typoEveryWord,
  'title-words-typos': titleWordsTypos,
  'id-link': idLink,
};

/** Classes with one right answer made from the title or abstract: a duplicated title has none. */
const NEEDS_UNIQUE_TITLE: ReadonlySet<HeldOutClass> = new Set([
  'abstract-rare-pair',
  'abstract-common',
  'abstract-sentence',
  'acronym-apart-together',
  'name-inside-name',
  'hard-typo',
  'typo-every-word',
  'title-words-typos',
]);

export type HeldOutSet = { queries: HeldOutQuery[]; generated: Record<HeldOutClass, number> };

/** Up to `perClass` queries of every held-out class, deterministic for a corpus (one seeded stream per class). */
export function generateHeldOutQueries(papers: readonly CorpusPaper[], perClass: number, seed = HELD_OUT_SEED): HeldOutSet {
  const stats = analyse(papers);
  const queries: HeldOutQuery[] = [];
  const generated = {} as Record<HeldOutClass, number>;
  HELD_OUT_CLASSES.forEach((queryClass, classIndex) => {
    const random = mulberry32(seed + 100 + classIndex);
    const order = random.shuffle(papers.map((_, i) => i));
    let made = 0;
    for (const i of order) {
      if (made >= perClass) break;
      const paper = papers[i]!;
      if (NEEDS_UNIQUE_TITLE.has(queryClass) && stats.titleCount.get(titleKey(paper.title))! > 1) continue;
      const query = GENERATORS[queryClass](paper, i, random, stats);
      if (!query?.text.trim()) continue;
      const text = query.text;
      queries.push({
        class: queryClass,
        text,
        expectedId: paper.id,
        expectedTitle: paper.title,
        ...(query.relevant ? { relevantIds: query.relevant.map((k) => papers[k]!.id) } : {}),
      });
      made++;
    }
    generated[queryClass] = made;
  });
  return { queries, generated };
}
