/**
 * Text helpers for everything the bot shows on Discord. Discord counts lengths in Unicode code
 * points (an emoji is 1, not 2 UTF-16 units), so every limit here is in code points.
 *
 * Two kinds of surfaces:
 * - markdown surfaces (message content, embed title/description, field names and values) render
 *   markdown and mentions: untrusted text goes through `safeText`;
 * - plain surfaces (embed author and footer, button and select labels, autocomplete choices) show
 *   text verbatim, so a markdown escape would appear as a stray backslash: use `plainText`.
 */

const ZWSP = '\u200b';

export function codePoints(s: string): number {
  let count = 0;
  for (const _ of s) count += 1;
  return count;
}

/** UTF-16 index just after the first `n` code points of `s` (s.length when it has fewer). */
function codePointOffset(s: string, n: number): number {
  let index = 0;
  let seen = 0;
  while (index < s.length && seen < n) {
    const code = s.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < s.length ? 2 : 1;
    seen += 1;
  }
  return index;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest prefix of `s` of at most `n` code points that ends on a grapheme boundary, so an
 * emoji ZWJ sequence, a flag or a letter with a combining accent is kept whole or dropped whole.
 */
function prefixByCodePoints(s: string, n: number): string {
  const end = codePointOffset(s, n);
  if (end >= s.length) return s;
  // Only the graphemes around the cut matter: segment a window that surely holds the last one.
  const windowStart = Math.max(0, end - 64);
  let cut = windowStart;
  for (const { index, segment } of graphemes.segment(s.slice(windowStart, end + 64))) {
    const segmentEnd = windowStart + index + segment.length;
    if (segmentEnd > end) break;
    cut = segmentEnd;
  }
  // A grapheme longer than the window (pathological combining runs): fall back to the code point cut.
  return cut === windowStart && windowStart > 0 ? s.slice(0, end) : s.slice(0, cut);
}

/**
 * Cut `s` to at most `max` code points, ending with `ellipsis` when something was cut.
 * Never splits a surrogate pair or a grapheme, never leaves a dangling `\` that would escape the
 * ellipsis (or whatever follows in a composed string), and drops whitespace before the ellipsis.
 */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  if (max <= 0) return '';
  if (codePoints(s) <= max) return s;
  const room = max - codePoints(ellipsis);
  if (room < 0) return prefixByCodePoints(s, max);
  let kept = prefixByCodePoints(s, room).trimEnd();
  // Escaped text pairs every backslash with what follows: an odd trailing run means the cut
  // separated an escape from the character it escaped.
  const trailing = /\\+$/.exec(kept)?.[0].length ?? 0;
  if (trailing % 2 === 1) kept = kept.slice(0, -1).trimEnd();
  return kept + ellipsis;
}

/**
 * Escape Discord markdown so untrusted text renders literally: no bold/italic/underline/strike,
 * spoilers, inline or block code, masked links, headings, quotes, subtext or lists. Discord
 * hides a backslash before ASCII punctuation, so the result reads like the original.
 */
export function escapeMarkdown(s: string): string {
  return (
    s
      .replace(/[\\*_~`|[\]()]/g, '\\$&')
      // Block syntax only counts at the start of a line (after optional indentation):
      // `# ` headings, `> `/`>>> ` quotes, `- ` lists and `-# ` subtext, `1. ` ordered lists.
      .replace(/^(\s*)([>#-])/gm, '$1\\$2')
      .replace(/^(\s*)(\d+)\.(?=\s)/gm, '$1$2\\.')
  );
}

/**
 * Make mention syntax inert while keeping the text readable: a zero-width space after `@` in
 * `@everyone`/`@here` and after `<` in `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `</cmd:id>`,
 * `<t:ts:R>`, `<:emoji:id>`, `<a:emoji:id>` and `<id:…>` guild navigation. Messages are also
 * sent with `allowedMentions: { parse: [] }`; this keeps them from *rendering* as pills too.
 */
export function neutralizeMentions(s: string): string {
  return s.replace(/@(?=everyone|here)/gi, `@${ZWSP}`).replace(/<(?=[@#/:]|[at]:|id:)/g, `<${ZWSP}`);
}

/** Untrusted text for a markdown surface: escaped first, truncated last so the limit holds. */
export function safeText(s: string, max: number): string {
  return truncate(neutralizeMentions(escapeMarkdown(s)), max);
}

/** Untrusted text for a plain surface (no markdown rendered): one line, mention-inert, cut to `max`. */
export function plainText(s: string, max: number): string {
  return truncate(neutralizeMentions(s.replace(/\s+/g, ' ').trim()), max);
}

/**
 * The URL if it is an absolute http(s) URL, else undefined. Parentheses are percent-encoded so
 * the URL can sit inside a markdown link `[label](url)` without closing it early.
 */
export function plainLinkSafe(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (!parsed.hostname) return undefined;
  return parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** A masked markdown link around already-escaped `label`, or just the label when the URL is unsafe. */
export function maskedLink(label: string, url: string | undefined): string {
  const safe = plainLinkSafe(url);
  return safe ? `[${label}](${safe})` : label;
}
