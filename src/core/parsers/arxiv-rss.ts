import { PaperError, type PaperInput } from '../paper.js';
import { isArxivId, parsePaperId } from '../paper-id.js';
import { ImportFormatError, type ParseResult } from './import-result.js';
import { attr, children, isNode, parseFeedXml, textOf, type XmlNode } from './feed-xml.js';
import { collectPaper, isoDay, rfc822Day } from './source-fields.js';

/**
 * arXiv daily listing feeds: RSS 2.0 (rss.arxiv.org/rss/cs.AI, also multi-category "cs.LG+cs.AI")
 * and the Atom flavour (rss.arxiv.org/atom/…). Same content, different element names:
 *
 * | field        | RSS item                  | Atom entry                      |
 * |--------------|---------------------------|---------------------------------|
 * | id           | guid "oai:arXiv.org:IDvN" | id "oai:arXiv.org:IDvN"         |
 * | abstract     | description (prefixed)    | summary (prefixed)              |
 * | categories   | category text             | category term=                  |
 * | date         | pubDate (RFC 822)         | published (ISO)                 |
 *
 * Listings carry no submission date: `published` is the announcement day, which mergePapers
 * replaces by the earlier arXiv v1 date when another source knows it.
 */

const EXPECTED = 'an RSS <channel> or Atom <feed> from rss.arxiv.org';

/** How arXiv announced a paper that day: new | cross | replace | replace-cross. */
export type AnnounceType = string;

export type ListingResult = ParseResult & {
  /** paper id → announce type, for the papers in `papers` (Paper has no field for it). */
  announceTypes: Map<string, AnnounceType>;
};

// "arXiv:2604.21935v1 Announce Type: new \nAbstract: Although …"
const ANNOUNCE_PREFIX = /^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)\s*(?:Abstract:\s*)?/i;

export function parseArxivListing(xml: string): ListingResult {
  const doc = parseFeedXml(xml, 'rss', EXPECTED);
  const result: ListingResult = { papers: [], skipped: [], announceTypes: new Map() };

  let items: unknown[];
  let read: (item: XmlNode) => ListingItem;
  let label: string;
  if (doc.rss !== undefined) {
    const channel = isNode(doc.rss) ? doc.rss.channel : undefined;
    if (!isNode(channel)) throw new ImportFormatError('rss', EXPECTED, '<rss> has no <channel>');
    const channelDay = rfc822Day(textOf(channel.pubDate));
    items = children(channel, 'item');
    read = (item) => readRssItem(item, channelDay);
    label = 'item';
  } else if (doc.feed !== undefined) {
    const feed = isNode(doc.feed) ? doc.feed : {};
    // export.arxiv.org/api feeds are Atom too but have real v1 dates: the API parser reads them.
    if (feed.totalResults !== undefined || /arxiv\.org\/api\//i.test(textOf(feed.id) ?? '')) {
      throw new ImportFormatError('rss', EXPECTED, 'this is an arXiv API feed: import it as "arxiv"');
    }
    const feedDay = isoDay(textOf(feed.updated));
    items = children(feed, 'entry');
    read = (entry) => readAtomEntry(entry, feedDay);
    label = 'entry';
  } else {
    const root = Object.keys(doc)[0];
    throw new ImportFormatError('rss', EXPECTED, root ? `root element is <${root}>` : 'no root element');
  }

  items.forEach((item, i) => {
    const where = `${label} ${i + 1}`;
    if (!isNode(item)) {
      result.skipped.push({ where, reason: `empty ${label}` });
      return;
    }
    let announceType: string | undefined;
    const paper = collectPaper(result, where, () => {
      const listed = read(item);
      announceType = listed.announceType;
      return listed.input;
    });
    if (paper && announceType) result.announceTypes.set(paper.id, announceType);
  });
  return result;
}

type ListingItem = { input: PaperInput; announceType: string | undefined };

function readRssItem(item: XmlNode, channelDay: string | undefined): ListingItem {
  return readItem({
    ids: [textOf(item.guid), textOf(item.link)],
    description: textOf(item.description),
    title: textOf(item.title),
    categories: children(item, 'category').map((c) => textOf(c)),
    creators: children(item, 'creator').map((c) => textOf(c)),
    announceType: textOf(item.announce_type),
    published: rfc822Day(textOf(item.pubDate)) ?? channelDay,
  });
}

function readAtomEntry(entry: XmlNode, feedDay: string | undefined): ListingItem {
  const alternate = children(entry, 'link').find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  return readItem({
    ids: [textOf(entry.id), attr(alternate, 'href')],
    description: textOf(entry.summary),
    title: textOf(entry.title),
    categories: children(entry, 'category').map((c) => attr(c, 'term') ?? textOf(c)),
    creators: children(entry, 'creator').map((c) => textOf(c)),
    announceType: textOf(entry.announce_type),
    published: isoDay(textOf(entry.published)) ?? feedDay,
  });
}

type RawItem = {
  ids: (string | undefined)[];
  description: string | undefined;
  title: string | undefined;
  categories: (string | undefined)[];
  creators: (string | undefined)[];
  announceType: string | undefined;
  published: string | undefined;
};

function readItem(raw: RawItem): ListingItem {
  const prefix = raw.description ? ANNOUNCE_PREFIX.exec(raw.description) : null;
  const abstract = prefix ? raw.description!.slice(prefix[0].length) : raw.description;
  const id = firstArxivId([...raw.ids, prefix?.[1]]);
  if (!id) {
    const shown = raw.ids.find((s) => s?.trim());
    throw new PaperError(shown ? `id "${shown.trim().slice(0, 60)}" is not an arXiv id` : 'id missing');
  }
  return {
    input: {
      id,
      title: raw.title ?? '',
      abstract,
      authors: raw.creators.flatMap((c) => (c ? splitAuthorList(c) : [])),
      published: raw.published,
      categories: raw.categories.filter((c): c is string => c !== undefined),
      links: {},
      sources: ['rss'],
    },
    announceType: (raw.announceType ?? prefix?.[2])?.trim().toLowerCase() || undefined,
  };
}

function firstArxivId(candidates: (string | undefined)[]): string | undefined {
  for (const c of candidates) {
    const id = c ? parsePaperId(c) : undefined;
    if (id && isArxivId(id)) return id;
  }
  return undefined;
}

// Name suffixes that a comma split would otherwise turn into an author of their own.
const NAME_SUFFIX = /^(?:Jr|Sr|II|III|IV)\.?$/i;
const AND_SEPARATOR = /\s+and\s+/y;

/**
 * `dc:creator` holds all authors in ONE string: "A, B, C". Split at commas and at " and "
 * ("A and B", "A, B, and C") but not inside parentheses, where affiliations such as
 * "(University of X, Y and Z)" live; "Smith, Jr." stays one name.
 */
export function splitAuthorList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if (depth === 0 && /\s/.test(c)) {
      AND_SEPARATOR.lastIndex = i;
      if (AND_SEPARATOR.test(text)) {
        parts.push(text.slice(start, i));
        start = AND_SEPARATOR.lastIndex;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));

  const names: string[] = [];
  for (const part of parts) {
    const name = part.replace(/\s+/g, ' ').trim().replace(/^and\s+/, '');
    if (!name) continue;
    if (NAME_SUFFIX.test(name) && names.length > 0) names[names.length - 1] += `, ${name}`;
    else names.push(name);
  }
  return names;
}
