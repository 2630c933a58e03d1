import { latexToText } from './latex-text.js';
import type { Paper } from './paper.js';

/**
 * The short text a paper card leads with: the source's AI summary where there is one (Hugging
 * Face's `ai_summary`), else the abstract's first sentences, a few hundred characters at most,
 * cut at a sentence boundary (or, when even the first sentence is too long, between words).
 * LaTeX markup is cleaned in both.
 */

/** Characters (code points) the summary may take: two or three sentences, five lines on a phone. */
export const SUMMARY_MAX = 320;

export type CardSummary = {
  text: string;
  from: 'ai-summary' | 'abstract';
  /** True when the summary leaves part of the abstract out, so the card offers the full one. */
  abstractHasMore: boolean;
};

export function cardSummary(paper: Pick<Paper, 'abstract' | 'aiSummary'>, max: number = SUMMARY_MAX): CardSummary | undefined {
  const abstract = latexToText(paper.abstract);
  const ai = paper.aiSummary ? latexToText(paper.aiSummary) : '';
  if (ai) return { text: leadingSentences(ai, max), from: 'ai-summary', abstractHasMore: abstract.length > 0 };
  if (!abstract) return undefined;
  const text = leadingSentences(abstract, max);
  return { text, from: 'abstract', abstractHasMore: text !== abstract };
}

/** The first sentences of `text` that fit in `max` code points; the first sentence alone cut between words when it is longer. */
export function leadingSentences(text: string, max: number): string {
  if ([...text].length <= max) return text;
  let out = '';
  for (const sentence of splitSentences(text)) {
    const next = out ? `${out} ${sentence}` : sentence;
    if ([...next].length > max) break;
    out = next;
  }
  return out || cutBetweenWords(text, max);
}

/**
 * Words that end with a period without ending the sentence: "e.g. the", "et al. show", "Fig. 2",
 * "Eq. (3)", "vs. BERT". Compared lower-cased without the final period.
 */
const ABBREVIATIONS = new Set([
  'al', 'e.g', 'i.e', 'cf', 'vs', 'viz', 'approx', 'resp', 'fig', 'figs', 'eq', 'eqs', 'sec', 'secs', 'tab', 'ref', 'refs', 'no',
  'nos', 'vol', 'pp', 'ch', 'app', 'appx', 'alg', 'thm', 'def', 'prop', 'lem', 'cor', 'dr', 'prof', 'mr', 'mrs', 'ms', 'st', 'jr', 'sr',
  'inc', 'ltd', 'co', 'corp', 'est', 'ca', 'incl', 'w.r.t', 'a.k.a', 'u.s', 'u.k', 'ph.d', 'etc',
]);

/**
 * A sentence ends at `.`, `!` or `?` (with any closing quote or bracket after it) followed by a
 * space and a capital letter, a digit or an opening quote/bracket — unless the word before the
 * period is an abbreviation, an initial ("J. Smith") or a dotted word ("U.S."). Decimals ("0.5")
 * have no space after the period and never split. "etc." followed by a capital is taken as an end.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  // The lookbehind starts a match only at the first mark of a run ("!!!"): without it every mark
  // of a long run would rescan the rest of it, quadratic on hostile text.
  const boundary = /(?<![.!?])[.!?]+["'”’)\]]*\s+(?=["'“‘(\[]?[\p{Lu}\p{N}])/gu;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].trimEnd().length;
    if (!endsSentence(text, match.index)) continue;
    const sentence = text.slice(start, end).trim();
    if (sentence) sentences.push(sentence);
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

function endsSentence(text: string, punctuationAt: number): boolean {
  if (text[punctuationAt] !== '.') return true;
  // The word before the period, dots inside it kept ("e.g", "U.S", "al").
  const word = /[\p{L}\p{N}.]*$/u.exec(text.slice(Math.max(0, punctuationAt - 20), punctuationAt))?.[0] ?? '';
  const lower = word.toLowerCase();
  if (lower === 'etc') return true;
  if (ABBREVIATIONS.has(lower)) return false;
  // "J. Smith", "A. Vaswani": a single capital is an initial.
  if (/^\p{Lu}$/u.test(word)) return false;
  // "U.S." and other dotted abbreviations, but not a version or number ending a sentence ("GPT-4.5.").
  return !(/\p{L}\.\p{L}/u.test(word) && !/\p{N}/u.test(word));
}

/** At most `max` code points ending with "…", cut at the last space that leaves at least half. */
function cutBetweenWords(text: string, max: number): string {
  const chars = [...text];
  const room = chars.slice(0, max - 1).join('');
  // The room may end exactly at a word's end: the space after it counts.
  const space = /\s/.test(chars[max - 1] ?? '') ? room.length : room.lastIndexOf(' ');
  const kept = space >= room.length / 2 ? room.slice(0, space) : room;
  return `${kept.replace(/[\s,;:–—-]+$/u, '')}…`;
}
