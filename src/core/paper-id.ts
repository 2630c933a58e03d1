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

const ARXIV_HOSTS = /^(?:www\.|export\.)?arxiv\.org$/i;
const HF_HOSTS = /^(?:www\.)?(?:huggingface\.co|hf\.co)$/i;

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
  if (ARXIV_HOSTS.test(url.hostname)) {
    const m = /^\/(?:abs|pdf|html|format)\/(.+?)(?:\.pdf)?$/i.exec(path);
    return m ? parseBareArxivId(m[1]!) : undefined;
  }
  if (HF_HOSTS.test(url.hostname)) {
    const m = /^\/(?:papers|api\/papers)\/(.+)$/i.exec(path);
    return m ? parseBareArxivId(m[1]!) : undefined;
  }
  return undefined;
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

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}

export function huggingFaceUrl(id: string): string {
  return `https://huggingface.co/papers/${id}`;
}
