import { createHash } from 'node:crypto';

/**
 * Paper identity. The key of every paper is its arXiv id without the version suffix, so
 * `2405.17399v1`, `v2` and the Hugging Face page of the same paper are one record.
 * Records that carry no arXiv id at all (the Daily Papers page text) get a stable id derived
 * from the normalised title, `title:<12 hex>`, and are merged into the real record when it shows up.
 */

// New-style ids: YYMM.NNNN (2007–2014) or YYMM.NNNNN (2015 on), optional version.
const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v\d+)?$/i;
// Old-style ids: archive[.SUBJECT]/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136v2.
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?\/(\d{7})(?:v\d+)?$/i;

/**
 * Sites whose paper URLs carry the arXiv id, and where in the path: arXiv itself (abs, pdf with
 * or without `.pdf`, html, format), Hugging Face papers, alphaXiv (abs, overview), ar5iv, the
 * arXiv DOI (10.48550/arXiv.<id>), Semantic Scholar's and SciRate's arXiv pages, Papers with
 * Code's arxiv links. The id part may carry a version; query strings and fragments are ignored.
 */
const PAPER_SITES: readonly { host: RegExp; path: RegExp }[] = [
  { host: /^(?:www\.|export\.|browse\.)?arxiv\.org$/i, path: /^\/(?:abs|pdf|html|format|ps)\/(.+?)(?:\.pdf)?$/i },
  { host: /^(?:www\.)?(?:huggingface\.co|hf\.co)$/i, path: /^\/(?:papers|api\/papers)\/(.+)$/i },
  { host: /^(?:www\.)?alphaxiv\.org$/i, path: /^\/(?:[a-z]{2}\/)?(?:abs|overview|pdf)\/(.+?)(?:\.pdf)?$/i },
  { host: /^(?:www\.)?ar5iv(?:\.labs\.arxiv)?\.org$/i, path: /^\/(?:abs|html)\/(.+)$/i },
  { host: /^(?:dx\.)?doi\.org$/i, path: /^\/10\.48550\/arxiv\.(.+)$/i },
  { host: /^(?:www\.)?semanticscholar\.org$/i, path: /^\/arxiv\/(.+)$/i },
  { host: /^(?:www\.)?scirate\.com$/i, path: /^\/arxiv\/(.+)$/i },
  { host: /^(?:www\.)?paperswithcode\.com$/i, path: /^\/paper\/arxiv\/(.+)$/i },
];

export const TITLE_ID_PREFIX = 'title:';

/** A bare arXiv id (any version, any case) → the versionless canonical id, else undefined. */
export function parseBareArxivId(text: string): string | undefined {
  const s = text.trim();
  const modern = NEW_STYLE.exec(s);
  if (modern) return modern[1];
  const old = OLD_STYLE.exec(s);
  if (old) return `${old[1]!.toLowerCase()}/${old[2]}`;
  return undefined;
}

/**
 * Anything a person or a feed calls a paper → its canonical id, or undefined. Never throws: its
 * input is outside text, and callers treat undefined as "not a paper id" (a skip, a user answer).
 * Accepts `2405.17399v2`, `arXiv:2405.17399`, `oai:arXiv.org:2405.17399v1`, arXiv abs/pdf/html
 * URLs (with or without scheme, `.pdf` suffix), Hugging Face paper URLs, old-style ids, and
 * our own `title:` ids.
 */
export function parsePaperId(input: string): string | undefined {
  let s = input.trim();
  if (s.length === 0 || s.length > 300) return undefined;
  if (s.toLowerCase().startsWith(TITLE_ID_PREFIX)) {
    const hash = s.slice(TITLE_ID_PREFIX.length);
    return /^[0-9a-f]{12}$/.test(hash) ? `${TITLE_ID_PREFIX}${hash}` : undefined;
  }
  s = s.replace(/^<(.*)>$/, '$1'); // Discord users paste links wrapped in <> to suppress embeds
  const bare = parseBareArxivId(s.replace(/^(?:arxiv:|oai:arxiv\.org:)/i, ''));
  if (bare) return bare;

  const url = toUrl(s);
  if (!url) return undefined;
  const decoded = decodePath(url.pathname);
  if (decoded === undefined) return undefined;
  const path = decoded.replace(/\/+$/, '');
  for (const site of PAPER_SITES) {
    if (!site.host.test(url.hostname)) continue;
    const m = site.path.exec(path);
    return m ? parseBareArxivId(m[1]!) : undefined;
  }
  return undefined;
}

/** A paper id found inside free text: the canonical id and where it stood. */
export type FoundId = { id: string; start: number; end: number };

// A URL of any site (scheme optional): host with a dot, then a path.
const URL_IN_TEXT = /(?:https?:\/\/)?(?:[a-z0-9-]+\.)+[a-z]{2,}\/[^\s<>"'`]*/gi;
// New-style ids not glued to other digits or letters (a version may follow), optionally `arXiv:`
// or `arXiv.` (the DOI form). A `/` before is allowed: the id in the path of a paper site not
// listed above (arxiv-sanity, papers.cool, …) is still that paper.
const NEW_ID_IN_TEXT = /(?<![\p{L}\p{N}.])(?:arxiv[:.]\s*)?(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?![\p{L}\p{N}]|\.\d)/giu;
// Old-style ids: hep-th/9901001, math.GT/0309136v2.
const OLD_ID_IN_TEXT = /(?<![\p{L}\p{N}\/])(?:arxiv:\s*)?([a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?(?![\p{L}\p{N}])/giu;
// What people paste around a link and is not part of it: closing brackets, quotes, punctuation.
const TRAILING = /[)\]}>.,;:!?'"»”’]+$/u;

/**
 * Every paper id in a piece of text, in order, each once: bare ids with any punctuation, quotes
 * or brackets around them (`2405.17399,` `(2509.12963)` `"arXiv:2405.17399v3"`), old-style ids,
 * and the paper URLs of PAPER_SITES with whatever trails them (`…/abs/2405.17399,`). Never
 * throws; a dotted number that cannot be an id (`2023.1234`: no month 23) is left alone.
 */
export function findPaperIds(text: string): FoundId[] {
  const found: FoundId[] = [];
  const taken: [number, number][] = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && end > s);
  const add = (id: string | undefined, start: number, end: number) => {
    if (!id || overlaps(start, end)) return;
    taken.push([start, end]);
    found.push({ id, start, end });
  };
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const raw = m[0].replace(TRAILING, '');
    const id = parsePaperId(raw);
    // A URL that names no paper is left to the word scan (its path may still hold a bare id).
    if (id) add(id, m.index, m.index + raw.length);
  }
  for (const pattern of [NEW_ID_IN_TEXT, OLD_ID_IN_TEXT]) {
    for (const m of text.matchAll(pattern)) add(parseBareArxivId(m[1]!), m.index, m.index + m[0].length);
  }
  found.sort((a, b) => a.start - b.start);
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.id) && seen.add(f.id));
}

/**
 * The one paper a piece of text names, pasted as people paste it (`(2405.17399),`, a link with a
 * trailing dot, `title:` ids): the text as an id, else the only id found in it; undefined when it
 * names none or several. For inputs that take one paper (/paper show, `paperboy show`).
 */
export function singlePaperId(text: string): string | undefined {
  const whole = parsePaperId(text);
  if (whole) return whole;
  const found = findPaperIds(text);
  return found.length === 1 ? found[0]!.id : undefined;
}

// A broken escape ("%E0%A4%A", "%zz") makes decodeURIComponent throw URIError. Feed records and
// typed queries carry such text, and one throw here used to fail a whole source run, every run.
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

function toUrl(s: string): URL | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  if (!/^https?:\/\//i.test(withScheme)) return undefined;
  try {
    return new URL(withScheme);
  } catch {
    return undefined;
  }
}

export function isArxivId(id: string): boolean {
  return !id.startsWith(TITLE_ID_PREFIX);
}

/** Lowercase, accents folded, punctuation dropped, spaces collapsed: "HiFi-SR: A…" → "hifi sr a…". */
export function normalizeTitleKey(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The stable id of a paper known only by its title. Same title (up to case/punctuation) → same id. */
export function titleId(title: string): string {
  const hash = createHash('sha256').update(normalizeTitleKey(title)).digest('hex').slice(0, 12);
  return `${TITLE_ID_PREFIX}${hash}`;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

/**
 * What to say about a paper id the library does not hold, with the arXiv page to read it meanwhile
 * (a `title:` id has none). One wording for /paper search, /paper show and the CLI.
 */
export function notInLibraryText(id: string): string {
  return isArxivId(id) ? `${id} is not in Paperboy's library yet: ${arxivAbsUrl(id)}` : `${id} is not in Paperboy's library.`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}

export function huggingFaceUrl(id: string): string {
  return `https://huggingface.co/papers/${id}`;
}
