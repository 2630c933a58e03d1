import type { ImportFormat } from './import-result.js';

/**
 * Guess an import file's format from its first few KB (`head` may end mid-record, so nothing
 * here parses it). The content decides; the file name only breaks a tie the content cannot
 * (an empty `.jsonl`). Undefined means "ask the user for --format".
 */

// Hugging Face items start with a "paper" object; an escaped "paper" inside a JSON string
// (\"paper\") cannot match because the quote after the name would be a backslash.
const HF_ITEM = /"paper"\s*:\s*\{/;
const RSS_ROOT = /<rss[\s>]/;
const FEED_ROOT = /<feed[\s>]/;
const LISTING_MARKS = /rss\.arxiv\.org|announce_type/;
const API_MARKS = /opensearch|arxiv\.org\/api\b/;
const PAGE_AUTHORS = /^\s*•\s*\d+\s+authors?\s*$/m;
const PAGE_TITLE = /^\s*Daily Papers\s*$/m;
const PAGE_DATE_BLOCK = /^\s*·\s*\r?\n\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b/m;

export function detectFormat(head: string, fileName?: string): ImportFormat | undefined {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) {
    if (RSS_ROOT.test(text)) return 'rss';
    if (FEED_ROOT.test(text)) {
      // Check the listing marks first: a listing feed's links can mention arxiv.org too.
      if (LISTING_MARKS.test(text)) return 'rss';
      if (API_MARKS.test(text)) return 'arxiv';
    }
    return undefined;
  }
  if (text.startsWith('[')) {
    if (!/^\[\s*\{/.test(text)) return undefined; // "[]" or an array of something else
    return HF_ITEM.test(text) ? 'hf' : 'jsonl';
  }
  if (text.startsWith('{')) return 'jsonl';
  if (PAGE_AUTHORS.test(text) || PAGE_DATE_BLOCK.test(text) || PAGE_TITLE.test(text)) return 'page';
  if (text === '' && fileName && /\.(?:jsonl|ndjson)$/i.test(fileName)) return 'jsonl';
  return undefined;
}
