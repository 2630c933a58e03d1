/**
 * Discord's message markdown, the part a bot's messages use: **bold**, *italic*, _italic_,
 * __underline__, ~~strike~~, ||spoiler||, `code`, [text](https://…), bare links, > quotes,
 * # headings, -# subtext, - lists, <t:unix:style> timestamps and backslash escapes (Paperboy
 * escapes paper titles that way, so an escaped `\*` must show as `*`).
 *
 * Output is HTML built from escaped text: nothing from a message reaches the page unescaped,
 * and links are http(s) only.
 */

const ESCAPABLE = /\\([^\w\s])/g;
const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

/** A placeholder no message contains (private-use characters), restored at the end. */
const slot = (i: number) => `\uE000${i}\uE001`;
const SLOT = /\uE000(\d+)\uE001/g;
const HAS_SLOT = /\uE000\d+\uE001/;

function timestamp(seconds: number, style: string): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return '';
  if (style === 'R') {
    const diff = Math.round((date.getTime() - Date.now()) / 1000);
    const abs = Math.abs(diff);
    const [n, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86_400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86_400), 'day'];
    const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
    return diff >= 0 ? `in ${text}` : `${text} ago`;
  }
  const options: Intl.DateTimeFormatOptions =
    style === 't' ? { timeStyle: 'short' } : style === 'T' ? { timeStyle: 'medium' } : style === 'd' ? { dateStyle: 'short' } : style === 'D' ? { dateStyle: 'long' } : style === 'F' ? { dateStyle: 'full', timeStyle: 'short' } : { dateStyle: 'long', timeStyle: 'short' };
  return new Intl.DateTimeFormat(undefined, options).format(date);
}

function inline(text: string, keep: string[]): string {
  const hold = (html: string) => slot(keep.push(html) - 1);
  let out = text;
  out = out.replace(/`([^`\n]+)`/g, (_, code: string) => hold(`<code>${code}</code>`));
  out = out.replace(/&lt;t:(-?\d{1,13})(?::([tTdDfFR]))?&gt;/g, (_, s: string, style = 'f') => hold(`<span class="md-time">${escapeHtml(timestamp(Number(s), style))}</span>`));
  out = out.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_, label: string, url: string) => hold(`<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`));
  out = out.replace(/(^|[\s(])(https?:\/\/[^\s<]+[^\s<.,;:!?)])/g, (_, before: string, url: string) => `${before}${hold(`<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`)}`);
  out = out.replace(/\*\*\*(.+?)\*\*\*/g, '<strong><em>$1</em></strong>');
  out = out.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  out = out.replace(/__(.+?)__/g, '<u>$1</u>');
  out = out.replace(/(^|[^*\w])\*(?!\s)(.+?)\*(?!\w)/g, '$1<em>$2</em>');
  out = out.replace(/(^|[^_\w])_(?!\s)(.+?)_(?!\w)/g, '$1<em>$2</em>');
  out = out.replace(/~~(.+?)~~/g, '<s>$1</s>');
  out = out.replace(/\|\|(.+?)\|\|/g, '<span class="md-spoiler" title="spoiler">$1</span>');
  return out;
}

export function renderMarkdown(source: string): string {
  const keep: string[] = [];
  // Escaped characters first, so no later rule sees them as markup.
  const unescaped = source.replace(ESCAPABLE, (_, c: string) => slot(keep.push(escapeHtml(c)) - 1));
  const lines = escapeHtml(unescaped).split('\n');
  const html = lines.map((line) => {
    const heading = /^(#{1,3}) (.+)$/.exec(line);
    if (heading) return `<div class="md-h${heading[1]!.length}">${inline(heading[2]!, keep)}</div>`;
    const sub = /^-# (.+)$/.exec(line);
    if (sub) return `<div class="md-subtext">${inline(sub[1]!, keep)}</div>`;
    const quote = /^&gt; ?(.*)$/.exec(line);
    if (quote) return `<div class="md-quote">${inline(quote[1]!, keep) || '&nbsp;'}</div>`;
    const item = /^(\s*)[-*] (.+)$/.exec(line);
    if (item) return `<div class="md-li" style="margin-left:${Math.min(item[1]!.length, 8) * 8 + 4}px">•&nbsp;${inline(item[2]!, keep)}</div>`;
    return `<div class="md-line">${inline(line, keep) || '&nbsp;'}</div>`;
  });
  // Slots can hold slots (a link around an escaped character): restore until none is left.
  let out = html.join('');
  for (let pass = 0; pass < 4 && HAS_SLOT.test(out); pass++) out = out.replace(SLOT, (_, i: string) => keep[Number(i)] ?? '');
  return out;
}
