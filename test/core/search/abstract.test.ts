import { beforeAll, expect, it } from 'vitest';
import { saveIndexSnapshot, loadIndexSnapshot } from '../../../src/storage/index-snapshot.js';
import type { PaperIndex } from '../../../src/core/search/paper-index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeShared } from '../../helpers/shared.js';
import { sampleIndex } from './sample-index.js';

describeShared('abstract queries on the 2k-paper corpus sample', () => {
  let index: PaperIndex;
  const first = (query: string) => index.search(query).hits[0]?.id;

  beforeAll(async () => {
    ({ index } = await sampleIndex());
  });

  it('given two rare words of an abstract, none in the title, puts that paper first', () => {
    // 2405.17399's abstract: "… these gains in numeracy also unlock improvements … sorting and multiplication."
    expect(first('numeracy multiplication')).toBe('2405.17399');
  });

  it('given everyday words of the field from an abstract, puts that paper first', () => {
    // "digit", "addition" and "sorting" are each in many abstracts; together in one.
    expect(first('digit addition sorting')).toBe('2405.17399');
  });

  it('given a sentence pasted from an abstract, puts that paper first', () => {
    expect(first('We mend this problem by adding an embedding to each digit that encodes its position relative to the start of the number.')).toBe(
      '2405.17399',
    );
  });

  it('given a word that only a later part of a long abstract holds, finds the paper (not only 24 distinctive terms)', () => {
    // "extrapolation" is in the middle of 2405.17399's abstract, in many other abstracts too.
    const hits = index.search('logical extrapolation transformers arithmetic').hits.map((h) => h.id);
    expect(hits[0]).toBe('2405.17399');
  });

  it('keeps whole abstracts through a snapshot save and load', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-abstract-'));
    try {
      const file = path.join(dir, 'index');
      await saveIndexSnapshot(index, file, { revision: 1 });
      const loaded = await loadIndexSnapshot(file, { revision: 1 });
      if (!loaded.index) throw new Error(loaded.reason);
      for (const q of ['numeracy multiplication', 'digit addition sorting', 'Sean McLeish', 'author:"Hao Peng"']) {
        expect(loaded.index.search(q).hits.map((h) => h.id)).toEqual(index.search(q).hits.map((h) => h.id));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
