/**
 * The code repository a paper announces in its own text: "Code is available at
 * https://github.com/…" in an abstract, "Code: gitlab.com/…" in an arXiv comment. normalizePaper
 * derives `links.code` from it when the source gave none, so `has:code` holds for papers from
 * every source, not only those whose source has a repository field (Hugging Face's githubRepo).
 *
 * What counts as code: a repository (or an owner's page) on a code host. Hugging Face models,
 * datasets and Spaces are weights, data and demos, and *.github.io pages are project pages:
 * neither is the paper's code, so neither makes `has:code` true.
 */

const CODE_HOSTS: readonly { host: RegExp; path: RegExp }[] = [
  // github.com/<owner>[/<repo>…]; an owner's page still leads to the code.
  { host: /^(?:www\.)?github\.com$/i, path: /^\/[\w.-]+/ },
  { host: /^(?:www\.)?gitlab\.com$/i, path: /^\/[\w.-]+/ },
  { host: /^(?:www\.)?codeberg\.org$/i, path: /^\/[\w.-]+/ },
  { host: /^(?:www\.)?bitbucket\.org$/i, path: /^\/[\w.-]+/ },
  { host: /^(?:www\.)?gitee\.com$/i, path: /^\/[\w.-]+/ },
  // The anonymised repositories of papers under double-blind review: anonymous.4open.science/r/<name>.
  { host: /^anonymous\.4open\.science$/i, path: /^\/r\/[\w.-]+/ },
];

// Cheap test first: normalizePaper runs on every record of a 120k-paper import, and almost no
// abstract names a code host.
const MENTIONS_A_HOST = /github|gitlab|codeberg|bitbucket|gitee|4open/i;
// http(s) URLs, including the "https: //github.com/…" PDF-to-text leaves in some abstracts, and
// bare "github.com/owner/repo". Brackets, braces and quotes end a URL: abstracts wrap links in
// "(…)" and LaTeX "\url{…}".
const URL_IN_TEXT =
  /\bhttps?:\s?\/\/[^\s<>"'()[\]{}]+|\b(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org|gitee\.com)\/[^\s<>"'()[\]{}]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

/** Every http(s) URL in prose, cleaned of what wraps and ends a sentence, in order. */
export function urlsInText(text: string): { url: string; start: number; end: number }[] {
  const out: { url: string; start: number; end: number }[] = [];
  for (const match of text.matchAll(URL_IN_TEXT)) {
    let raw = match[0].replace(/^(https?:)\s/i, '$1').replace(TRAILING_PUNCTUATION, '');
    if (!/^https?:\/\//i.test(raw)) raw = `https://${raw}`;
    if (parseHttpUrl(raw)) out.push({ url: raw, start: match.index, end: match.index + match[0].length });
  }
  return out;
}

/** True when the URL is a repository (or an owner's page) on a code host. */
export function isCodeUrl(url: string): boolean {
  const parsed = parseHttpUrl(url);
  if (!parsed) return false;
  return CODE_HOSTS.some((h) => h.host.test(parsed.hostname) && h.path.test(parsed.pathname));
}

/** The first code repository URL in a piece of text (abstract, comment), or undefined. */
export function findCodeLink(text: string | undefined): string | undefined {
  if (!text || !MENTIONS_A_HOST.test(text)) return undefined;
  return urlsInText(text).find(({ url }) => isCodeUrl(url))?.url;
}

function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
