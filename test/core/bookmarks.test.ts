import { describe, expect, it } from 'vitest';
import { createBookmarks, createMessagePapers, MAX_BOOKMARKS } from '../../src/core/bookmarks.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

describe('bookmarks', () => {
  it('saves papers newest first and does not save one twice', async () => {
    const bookmarks = createBookmarks(createMemoryStore<string[]>());
    expect(await bookmarks.add('u1', '2405.17399')).toBe(true);
    expect(await bookmarks.add('u1', '2501.10045')).toBe(true);
    expect(await bookmarks.add('u1', '2405.17399')).toBe(false);
    expect(await bookmarks.list('u1')).toEqual(['2501.10045', '2405.17399']);
  });

  it('keeps two users apart', async () => {
    const bookmarks = createBookmarks(createMemoryStore<string[]>());
    await bookmarks.add('alice', '2405.17399');
    await bookmarks.add('bob', '2501.10045');
    expect(await bookmarks.list('alice')).toEqual(['2405.17399']);
    expect(await bookmarks.list('bob')).toEqual(['2501.10045']);
    expect(await bookmarks.clear('alice')).toBe(1);
    expect(await bookmarks.list('bob')).toEqual(['2501.10045']);
  });

  it('removes one paper and reports whether it was saved', async () => {
    const bookmarks = createBookmarks(createMemoryStore<string[]>());
    await bookmarks.add('u1', 'a-1');
    expect(await bookmarks.remove('u1', 'missing')).toBe(false);
    expect(await bookmarks.remove('u1', 'a-1')).toBe(true);
    expect(await bookmarks.list('u1')).toEqual([]);
  });

  it('loses no change when reactions for one user arrive at once', async () => {
    const bookmarks = createBookmarks(createMemoryStore<string[]>());
    const ids = Array.from({ length: 40 }, (_, i) => `2401.${String(10000 + i)}`);
    await Promise.all(ids.map((id) => bookmarks.add('u1', id)));
    expect((await bookmarks.list('u1')).sort()).toEqual([...ids].sort());
    await Promise.all(ids.slice(0, 30).map((id) => bookmarks.remove('u1', id)));
    expect((await bookmarks.list('u1')).sort()).toEqual(ids.slice(30).sort());
  });

  it('drops the oldest bookmarks past the limit', async () => {
    const store = createMemoryStore<string[]>();
    await store.set('u1', Array.from({ length: MAX_BOOKMARKS }, (_, i) => `old-${i}`));
    const bookmarks = createBookmarks(store);
    await bookmarks.add('u1', 'new');
    const list = await bookmarks.list('u1');
    expect(list).toHaveLength(MAX_BOOKMARKS);
    expect(list[0]).toBe('new');
    expect(list.at(-1)).toBe(`old-${MAX_BOOKMARKS - 2}`);
  });
});

describe('message papers', () => {
  it('remembers which paper a message carries', async () => {
    const messages = createMessagePapers(createMemoryStore<string>());
    await messages.remember('111', '2405.17399');
    expect(await messages.paperFor('111')).toBe('2405.17399');
    expect(await messages.paperFor('222')).toBeUndefined();
  });
});
