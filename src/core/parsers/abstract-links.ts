import { isCodeUrl, urlsInText } from '../code-link.js';
import { httpUrl } from './source-fields.js';

/**
 * Links an abstract announces in prose: "Codes are available at https://github.com/…",
 * "Project page: https://….github.io/…". Used where a source has no link fields (the Daily
 * Papers page text). The first match of each kind wins. What counts as a code link is
 * code-link.ts's rule, the one normalizePaper applies to every source.
 */
export type AbstractLinks = { code?: string; project?: string };

// "Project page:", "project website is available at", "Homepage:" … in the same sentence, just before the URL.
const PROJECT_LABEL = /\b(?:project\s*(?:page|website|site|homepage)|home\s*page|web\s*page|website)\b[^.!?]*$/i;
const LABEL_WINDOW = 80;

export function findAbstractLinks(abstract: string): AbstractLinks {
  const links: AbstractLinks = {};
  let previousEnd = 0;
  // Found as code-link.ts finds them: http(s) URLs, the "https: //…" of PDF-to-text, bare code hosts.
  for (const found of urlsInText(abstract)) {
    const before = abstract.slice(Math.max(previousEnd, found.start - LABEL_WINDOW), found.start);
    previousEnd = found.end;
    const url = httpUrl(found.url);
    if (!url) continue;

    if (!links.project && PROJECT_LABEL.test(before)) links.project = url;
    if (!links.code && isCodeUrl(url)) links.code = url;
    if (links.code && links.project) break;
  }
  return links;
}
