import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../src/core/paper.js';
import { createPaperIndex } from '../../src/core/search/paper-index.js';
import { loadIndexSnapshot, saveIndexSnapshot } from '../../src/storage/index-snapshot.js';

const papers: Paper[] = [
  ['2405.17399', 'Transformers Can Do Arithmetic with the Right Embeddings', 'Digit position embeddings let transformers add 100-digit numbers.', ['Sean McLeish', 'Tom Goldstein'], '2024-05-27'],
  ['2501.10045', 'HiFi-SR: A Unified Generative Transformer-Convolutional Adversarial Network for High-Fidelity Speech Super-Resolution', 'Speech super-resolution with a unified GAN.', ['Shengkui Zhao'], '2025-01-17'],
  ['2305.18290', 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model', 'DPO fits preferences without reinforcement learning.', ['Rafael Rafailov'], '2023-05-29'],
].map(([id, title, abstract, authors, published]) =>
  normalizePaper({ id: id as string, title: title as string, abstract: abstract as string, authors: authors as string[], published: published as string, categories: ['cs.LG'], sources: ['jsonl'] }),
);

describe('index snapshot', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperboy-snapshot-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads an index that answers exactly like the one saved', async () => {
    const index = createPaperIndex();
    index.addAll(papers);
    index.remove(['2305.18290']); // discarded documents must not come back
    const path = join(dir, 'paperboy.index');
    await saveIndexSnapshot(index, path, { revision: 4 });

    const loaded = await loadIndexSnapshot(path, { revision: 4 });
    if (!loaded.index) throw new Error(loaded.reason);
    expect(loaded.meta).toMatchObject({ revision: 4, documents: 2 });
    expect(loaded.index.size).toBe(2);
    for (const query of ['transformers arithmetic', 'hifi sr', 'goldstein', 'direct preference']) {
      expect(loaded.index.search(query).hits).toEqual(index.search(query).hits);
    }
    expect(loaded.index.search('hifisr').hits[0]?.id).toBe('2501.10045');
    // Found only by the title's letter triples, which the snapshot carries (no word of it is a title word).
    expect(index.search('trnasfomrerscandoarithmtic').hits[0]?.id).toBe('2405.17399');
    expect(loaded.index.search('trnasfomrerscandoarithmtic').hits).toEqual(index.search('trnasfomrerscandoarithmtic').hits);
    expect(loaded.index.search('direct preferense optimizashun').hits).toEqual([]);
    expect(loaded.index.has('2305.18290')).toBe(false);
  });

  it('keeps working after load: new papers are added and found', async () => {
    const index = createPaperIndex();
    index.addAll(papers.slice(0, 2));
    const path = join(dir, 'i');
    await saveIndexSnapshot(index, path, { revision: 1 });
    const loaded = await loadIndexSnapshot(path, { revision: 1 });
    if (!loaded.index) throw new Error(loaded.reason);
    loaded.index.addAll([papers[2]!]);
    expect(loaded.index.search('direct preference optimization').hits[0]?.id).toBe('2305.18290');
  });

  it('says missing, stale or corrupt instead of loading a wrong index', async () => {
    const index = createPaperIndex();
    index.addAll(papers);
    const path = join(dir, 'paperboy.index');
    expect(await loadIndexSnapshot(path, { revision: 1 })).toEqual({ index: undefined, reason: 'missing' });

    await saveIndexSnapshot(index, path, { revision: 3 });
    expect(await loadIndexSnapshot(path, { revision: 5 })).toEqual({ index: undefined, reason: 'stale (revision 3, library 5)' });

    const text = await readFile(path, 'utf8');
    await writeFile(path, text.split('\n').slice(0, -2).join('\n'));
    const truncated = await loadIndexSnapshot(path, { revision: 3 });
    expect(truncated.index).toBeUndefined();
    expect((truncated as { reason: string }).reason).toMatch(/^corrupt: truncated/);

    await writeFile(path, '{"format":"something-else"}\n');
    expect((await loadIndexSnapshot(path, { revision: 3 })).index).toBeUndefined();
  });
});
