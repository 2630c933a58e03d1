import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import { createPaperIndex, type PaperIndex } from '../../../src/core/search/paper-index.js';
import { abstractTerms, authorKeys } from '../../../src/core/search/index-document.js';
import { loadIndexSnapshot, saveIndexSnapshot } from '../../../src/storage/index-snapshot.js';

/**
 * Removing or replacing papers leaves their compact postings (and MiniSearch's) in place until a
 * vacuum. What search sees must not depend on that: document frequencies, known author names and
 * the typo vocabulary are those of a fresh index over the papers that are left, and of a
 * snapshot of it.
 */

function paper(id: string, title: string, abstract: string, authors: string[], published = '2024-05-01'): Paper {
  return normalizePaper({ id, title, abstract, authors, published, categories: ['cs.LG'], sources: ['jsonl'] });
}

const base: Paper[] = [
  paper('2401.00001', 'Sparse Attention for Long Context Transformers', 'We make attention sparse so transformers read long documents with linear memory.', ['Ada Lovelace', 'Alan Turing']),
  paper('2401.00002', 'Quantization of Large Language Models', 'Weight quantization shrinks language models; attention layers keep full precision.', ['Grace Hopper']),
  paper('2401.00003', 'Retrieval Augmented Generation at Scale', 'Retrieval over long documents helps language models answer questions with citations.', ['Alan Turing', 'Barbara Liskov']),
  paper('2401.00004', 'Diffusion Models for Protein Design', 'Diffusion over protein backbones generates designs that fold; attention over residues.', ['Edsger Dijkstra']),
  paper('2401.00005', 'Reward Modeling from Human Preferences', 'Preference data trains a reward model; language models then follow it with reinforcement learning.', ['Grace Hopper', 'Donald Knuth']),
];

/** The same paper, edited: a reworded abstract, then the original again. */
const edits: Paper[] = [
  paper('2401.00002', 'Quantization of Large Language Models', 'Weight quantization shrinks language models to four bits; memory drops fourfold.', ['Grace Hopper']),
  paper('2401.00002', 'Quantization of Large Language Models Revisited', 'Weight quantization shrinks language models; attention layers keep full precision.', ['Grace Hopper', 'Ken Thompson']),
  paper('2401.00002', 'Quantization of Large Language Models', 'Weight quantization shrinks language models; attention layers keep full precision.', ['Grace Hopper']),
  paper('2401.00002', 'Quantization of Large Language Models', 'Weight quantization shrinks language models; attention layers keep full precision.', ['Grace Hopper']),
];

const queries = [
  'attention',
  'language models',
  'long documents attention',
  'quantization memory',
  'grace hopper',
  'alan turing',
  'sparse atention',
  'reward preference language',
  'protein diffusion',
];

function searchAll(index: PaperIndex, list: readonly string[]) {
  return list.map((q) => ({ q, hits: index.search(q, { limit: 20 }).hits }));
}

function freshIndex(papers: readonly Paper[]): PaperIndex {
  const index = createPaperIndex();
  index.addAll(papers);
  return index;
}

describe('live term counts after updates and removals', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperboy-live-counts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an updated and a removed paper leave the document frequencies and results of a fresh build, and of a snapshot', async () => {
    const index = freshIndex(base);
    for (const edit of edits) index.addAll([edit]);
    index.remove(['2401.00004']);
    const final = base.filter((p) => p.id !== '2401.00002' && p.id !== '2401.00004').concat(edits.at(-1)!);
    const fresh = freshIndex(final);
    // MiniSearch's own fields (title, authors) keep discarded postings in their sizes until its
    // vacuum (1000 discarded papers); that one is run here, the compact postings' is not.
    await index.miniSearch.vacuum();

    const terms = new Set([...base, ...edits].flatMap((p) => abstractTerms(p)));
    const names = new Set([...base, ...edits].flatMap((p) => authorKeys(p)));
    for (const term of terms) expect([term, index.compact.abstract.documentFrequency(term)]).toEqual([term, fresh.compact.abstract.documentFrequency(term)]);
    for (const key of names) expect([key, index.compact.names.documentFrequency(key)]).toEqual([key, fresh.compact.names.documentFrequency(key)]);
    // Four updates did not count "quantization" five times, and the removed paper's terms are gone.
    expect(index.compact.abstract.documentFrequency('quantization')).toBe(1);
    expect(index.compact.abstract.documentFrequency('protein')).toBe(0);
    expect(index.compact.abstract.range('protein')).toBeUndefined();

    const path = join(dir, 'paperboy.index');
    await saveIndexSnapshot(index, path, { revision: 1 });
    const loaded = await loadIndexSnapshot(path, { revision: 1 });
    if (!loaded.index) throw new Error(loaded.reason);
    for (const term of terms) expect([term, loaded.index.compact.abstract.documentFrequency(term)]).toEqual([term, index.compact.abstract.documentFrequency(term)]);

    const results = searchAll(index, queries);
    expect(results.some((r) => r.hits.length > 0)).toBe(true);
    expect(results).toEqual(searchAll(fresh, queries));
    expect(results).toEqual(searchAll(loaded.index, queries));
  });

  it('live counts stay right across a vacuum and later removals', async () => {
    const index = freshIndex(base);
    for (const edit of edits) index.addAll([edit]);
    index.remove(['2401.00004']);
    // "attention": 2401.00001 and 2401.00002 (2401.00004 is removed).
    expect(index.compact.abstract.documentFrequency('attention')).toBe(2);
    await index.compact.abstract.vacuum();
    await index.compact.names.vacuum();
    expect(index.compact.abstract.stats().deadPostings).toBe(0);
    expect(index.compact.abstract.documentFrequency('attention')).toBe(2);
    index.remove(['2401.00001']);
    expect(index.compact.abstract.documentFrequency('attention')).toBe(1);
    index.addAll([base[0]!]);
    expect(index.compact.abstract.documentFrequency('attention')).toBe(2);
    await index.miniSearch.vacuum();
    // In the live index's order (ties rank in it): 2401.00001 came back last.
    const final = [base[2]!, base[4]!, edits.at(-1)!, base[0]!];
    expect(searchAll(index, queries)).toEqual(searchAll(freshIndex(final), queries));
  });

  it('live counts catch up by search in long posting lists, and by a pass over short ones', () => {
    const words = ['graph', 'neural', 'kernel', 'sparse', 'robust', 'causal', 'spectral', 'federated'];
    const many = Array.from({ length: 300 }, (_, i) =>
      paper(
        `2402.${String(i).padStart(5, '0')}`,
        `Study ${i} of ${words[i % 8]} methods`,
        `Common ground: ${words[i % 8]} and ${words[(i * 3) % 8]} learning, case ${i % 7 === 0 ? 'rare' : 'usual'}.`,
        [`Author${i % 5} Person`],
      ),
    );
    const index = freshIndex(many);
    const gone = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const ids = many.filter((_, i) => (i * 7 + round * 13) % 41 === 0).map((p) => p.id);
      index.remove(ids);
      ids.forEach((id) => gone.add(id));
      index.addAll(many.filter((_, i) => i % 50 === round)); // updates, and a few papers back
      many.filter((_, i) => i % 50 === round).forEach((p) => gone.delete(p.id));
      const left = many.filter((p) => !gone.has(p.id));
      const fresh = freshIndex(left);
      for (const term of new Set(many.flatMap((p) => abstractTerms(p)))) {
        expect([term, index.compact.abstract.documentFrequency(term)]).toEqual([term, fresh.compact.abstract.documentFrequency(term)]);
      }
      for (const key of new Set(many.flatMap((p) => authorKeys(p)))) {
        expect([key, index.compact.names.documentFrequency(key)]).toEqual([key, fresh.compact.names.documentFrequency(key)]);
      }
    }
  });

  it("a removed author's full name no longer takes the author path", () => {
    const papers = [
      ...base,
      paper('2401.00006', 'Direct Preference Optimization', 'A language model is secretly a reward model.', ['Rafael Rafailov', 'Chelsea Finn']),
      paper('2401.00007', 'Scaling Direct Preference Optimization', 'Offline preference tuning for large models.', ['Rafael Rafailov']),
      paper('2401.00008', 'Preference Tuning without Rewards', 'Following Rafael Rafailov and colleagues, we drop the reward model entirely.', ['Tom Goldstein']),
    ];
    const index = freshIndex(papers);
    expect(index.search('rafael rafailov').hits.map((h) => h.id)).toEqual(expect.arrayContaining(['2401.00006', '2401.00007']));
    index.remove(['2401.00006', '2401.00007']);
    const fresh = freshIndex(papers.filter((p) => p.id !== '2401.00006' && p.id !== '2401.00007'));

    const hits = index.search('rafael rafailov').hits;
    expect(hits.map((h) => h.id)).toEqual(['2401.00008']);
    expect(hits).toEqual(fresh.search('rafael rafailov').hits);
    expect(index.search('Rafael Rafailov reward').hits).toEqual(fresh.search('Rafael Rafailov reward').hits);
  });
});

describe('typo vocabulary after removals and title changes', () => {
  const papers = [
    ...base,
    paper('2401.00010', 'Wombatformer: Burrowing Attention', 'A transformer that digs into long sequences.', ['Ada Lovelace']),
    paper('2401.00011', 'Wombat Behaviour in the Wild', 'Field notes on marsupials and their burrows.', ['Grace Hopper']),
  ];

  it('a typo no longer corrects to a word of a removed title', () => {
    const index = freshIndex(papers);
    expect(index.search('wombatformr').hits[0]?.id).toBe('2401.00010');
    index.remove(['2401.00010']);
    const fresh = freshIndex(papers.filter((p) => p.id !== '2401.00010'));
    expect(index.fuzzyVocabulary.has('wombatformer')).toBe(false);
    expect(index.fuzzyVocabulary.get('wombat')).toBe(fresh.fuzzyVocabulary.get('wombat'));
    for (const q of ['wombatformr', 'wombatformer', 'wombatt burrowing', 'burowing']) expect(index.search(q).hits).toEqual(fresh.search(q).hits);
    for (const q of ['wombatfor', 'wom']) expect(index.search(q, { prefix: true }).hits).toEqual(fresh.search(q, { prefix: true }).hits);
  });

  it('a changed title drops its old words and counts the papers of the ones it keeps', async () => {
    const index = freshIndex(papers);
    const retitled = paper('2401.00010', 'Burrowing Attention for Long Sequences', 'A transformer that digs into long sequences.', ['Ada Lovelace']);
    index.addAll([retitled]);
    index.addAll([retitled]);
    const fresh = freshIndex([...papers.filter((p) => p.id !== '2401.00010'), retitled]);
    expect(index.fuzzyVocabulary.has('wombatformer')).toBe(false);
    expect([...index.fuzzyVocabulary.entries()].sort()).toEqual([...fresh.fuzzyVocabulary.entries()].sort());
    await index.miniSearch.vacuum(); // its title postings of the old titles, for equal scores
    for (const q of ['wombatformr', 'burrowing atention', 'sequences']) expect(index.search(q).hits).toEqual(fresh.search(q).hits);
  });
});
