import { PaperError, type PaperInput } from '../paper.js';
import { isArxivId, parsePaperId } from '../paper-id.js';
import { ImportFormatError, type ParseResult } from './import-result.js';
import { attr, children, isNode, parseFeedXml, textOf, type XmlNode } from './feed-xml.js';
import { collectPaper, isoDay } from './source-fields.js';

/**
 * arXiv API responses (export.arxiv.org/api/query), Atom. Two wire layouts exist: the legacy one
 * (to 2025-10: wrapped titles, inline xmlns on every arxiv:/opensearch: element, http links) and
 * the 2026 one (single-line text, namespaces on the root, authors last). Everything is read by
 * element name, never by position, so both give the same Paper.
 */

const EXPECTED = 'an Atom <feed> of arXiv <entry> elements';

// The API reports a bad query as a feed with one entry whose id is https://arxiv.org/api/errors#…
// (http:// in the legacy layout) and whose summary says what was wrong.
const API_ERROR_ID = /^https?:\/\/(?:export\.)?arxiv\.org\/api\/errors\b/i;

/** The API answered with its error feed (bad id, bad query); the message carries arXiv's explanation. */
export class ArxivApiError extends Error {
  override name = 'ArxivApiError';
}

/** OpenSearch paging fields of an API feed; a field the feed lacks is undefined. */
export type ArxivFeedMeta = { totalResults?: number; startIndex?: number; itemsPerPage?: number };

export function parseArxivAtom(xml: string): ParseResult {
  const entries = readEntries(xml);
  const result: ParseResult = { papers: [], skipped: [] };
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    if (!isNode(entry)) {
      result.skipped.push({ where, reason: 'empty entry' });
      return;
    }
    collectPaper(result, where, () => toPaperInput(entry));
  });
  return result;
}

export function parseArxivFeedMeta(xml: string): ArxivFeedMeta {
  const feed = readFeed(xml);
  throwIfApiError(children(feed, 'entry'));
  return {
    totalResults: count(feed.totalResults),
    startIndex: count(feed.startIndex),
    itemsPerPage: count(feed.itemsPerPage),
  };
}

function readFeed(xml: string): XmlNode {
  const doc = parseFeedXml(xml, 'arxiv', EXPECTED);
  const feed = doc.feed;
  if (feed === '') return {}; // <feed/>: valid, nothing in it
  if (!isNode(feed)) {
    const root = Object.keys(doc)[0];
    throw new ImportFormatError('arxiv', EXPECTED, root ? `root element is <${root}>` : 'no root element');
  }
  // rss.arxiv.org/atom/… is Atom too, but its summaries carry an "Announce Type" prefix and its
  // dates are announcement days: that is the listing parser's job.
  if (/rss\.arxiv\.org/i.test(textOf(feed.id) ?? '')) {
    throw new ImportFormatError('arxiv', EXPECTED, 'this is an arXiv RSS/Atom listing feed: import it as "rss"');
  }
  return feed;
}

function readEntries(xml: string): unknown[] {
  const entries = children(readFeed(xml), 'entry');
  throwIfApiError(entries);
  return entries;
}

function throwIfApiError(entries: unknown[]): void {
  for (const entry of entries) {
    if (!isNode(entry)) continue;
    if (API_ERROR_ID.test(textOf(entry.id)?.trim() ?? '')) {
      const summary = textOf(entry.summary)?.replace(/\s+/g, ' ').trim() || 'no details given';
      throw new ArxivApiError(`arXiv API error: ${summary}`);
    }
  }
}

function toPaperInput(entry: XmlNode): PaperInput {
  const rawId = textOf(entry.id)?.trim();
  if (!rawId) throw new PaperError('id missing');
  // "http://arxiv.org/abs/1706.03762v7" → "1706.03762"; old-style "…/abs/cond-mat/0102536v1" too.
  const id = parsePaperId(rawId);
  if (!id || !isArxivId(id)) throw new PaperError(`id "${rawId.slice(0, 60)}" is not an arXiv id`);

  const terms = [attr(entry.primary_category, 'term'), ...children(entry, 'category').map((c) => attr(c, 'term'))];
  return {
    id,
    title: textOf(entry.title) ?? '',
    abstract: textOf(entry.summary),
    authors: children(entry, 'author').flatMap((a) => {
      const name = isNode(a) ? textOf(a.name) : undefined;
      return name ? [name] : [];
    }),
    // <published> is the v1 date; <updated> is the latest version's and is not what we show.
    published: isoDay(textOf(entry.published)),
    // Primary first; normalizePaper drops the repeat of it among the <category> terms.
    categories: terms.filter((t): t is string => t !== undefined),
    comment: textOf(entry.comment),
    // The feed's links carry a version (…v7) and, in the legacy layout, http://; normalizePaper
    // fills in the versionless https abs/pdf links that stay right when v8 appears.
    links: {},
    sources: ['arxiv'],
  };
}

function count(value: unknown): number | undefined {
  const text = textOf(value)?.trim();
  if (!text || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}
