import { httpUrl } from './source-fields.js';

/**
 * Links an abstract announces in prose: "Codes are available at https://github.com/…",
 * "Project page: https://….github.io/…". Used where a source has no link fields (the Daily
 * Papers page text). The first match of each kind wins.
 */
export type AbstractLinks = { code?: string; project?: string };

// http(s) URLs, including the "https: //github.com/…" that PDF-to-text leaves in some abstracts,
// and bare "github.com/owner/repo". Brackets and quotes end a URL: abstracts wrap links in "(…)".
const URL_IN_TEXT = /\bhttps?:\s?\/\/[^\s<>"'()[\]{}]+|\b(?:www\.)?github\.com\/[^\s<>"'()[\]{}]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;
// "Project page:", "project website is available at", "Homepage:" … in the same sentence, just before the URL.
const PROJECT_LABEL = /\b(?:project\s*(?:page|website|site|homepage)|home\s*page|web\s*page|website)\b[^.!?]*$/i;
const GITHUB_HOST = /^(?:www\.)?github\.com$/i;
const LABEL_WINDOW = 80;

export function findAbstractLinks(abstract: string): AbstractLinks {
  const links: AbstractLinks = {};
  let previousEnd = 0;
  for (const match of abstract.matchAll(URL_IN_TEXT)) {
    const start = match.index;
    const before = abstract.slice(Math.max(previousEnd, start - LABEL_WINDOW), start);
    previousEnd = start + match[0].length;

    let raw = match[0].replace(/^(https?:)\s/i, '$1').replace(TRAILING_PUNCTUATION, '');
    if (!/^https?:\/\//i.test(raw)) raw = `https://${raw}`;
    const url = httpUrl(raw);
    if (!url) continue;

    if (!links.project && PROJECT_LABEL.test(before)) links.project = url;
    const { hostname, pathname } = new URL(url);
    if (!links.code && GITHUB_HOST.test(hostname) && pathname.length > 1) links.code = url;
    if (links.code && links.project) break;
  }
  return links;
}
