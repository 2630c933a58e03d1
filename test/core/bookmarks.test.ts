import { describe, expect, it } from 'vitest';
import { bookmarkedPaperIds, createBookmarks, createMessagePapers, MAX_BOOKMARKS, type BookmarkValue } from '../../src/core/bookmarks.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

describe('bookmarks', () => {
  it('saves papers newest first and does not save one twice', async () => {
    const bookmarks = createBookmarks(createMemoryStore<BookmarkValue>());
    expect(await bookmarks.add('u1', '2405.17399')).toBe(true);
    expect(await bookmarks.add('u1', '2501.10045')).toBe(true);
    expect(await bookmarks.add('u1', '2405.17399')).toBe(false);
    expect(await bookmarks.list('u1')).toEqual(['2501.10045', '2405.17399']);
  });

  it('keeps two users apart', async () => {
    const bookmarks = createBookmarks(createMemoryStore<BookmarkValue>());
    await bookmarks.add('alice', '2405.17399');
    await bookmarks.add('bob', '2501.10045');
    expect(await bookmarks.list('alice')).toEqual(['2405.17399']);
    expect(await bookmarks.list('bob')).toEqual(['2501.10045']);
    expect(await bookmarks.clear('alice')).toBe(1);
    expect(await bookmarks.list('bob')).toEqual(['2501.10045']);
  });

  it('removes one paper and reports whether it was saved', async () => {
    const bookmarks = createBookmarks(createMemoryStore<BookmarkValue>());
    await bookmarks.add('u1', 'a-1');
    expect(await bookmarks.remove('u1', 'missing')).toBe(false);
    expect(await bookmarks.remove('u1', 'a-1')).toBe(true);
    expect(await bookmarks.list('u1')).toEqual([]);
  });

  it('loses no change when reactions for one user arrive at once', async () => {
    const bookmarks = createBookmarks(createMemoryStore<BookmarkValue>());
    const ids = Array.from({ length: 40 }, (_, i) => `2401.${String(10000 + i)}`);
    await Promise.all(ids.map((id) => bookmarks.add('u1', id)));
    expect((await bookmarks.list('u1')).sort()).toEqual([...ids].sort());
    await Promise.all(ids.slice(0, 30).map((id) => bookmarks.remove('u1', id)));
    expect((await bookmarks.list('u1')).sort()).toEqual(ids.slice(30).sort());
  });

  it('drops the oldest bookmarks past the limit', async () => {
    const store = createMemoryStore<BookmarkValue>();
    // Saved one a millisecond, oldest first; the 2,000th is the newest.
    await store.setMany(Array.from({ length: MAX_BOOKMARKS }, (_, i) => ({ key: `u1:old-${i}`, value: { at: 1_000 + i } })));
    const bookmarks = createBookmarks(store, { now: () => 5_000 });
    await bookmarks.add('u1', 'new');
    const list = await bookmarks.list('u1');
    expect(list).toHaveLength(MAX_BOOKMARKS);
    expect(list[0]).toBe('new');
    expect(list[1]).toBe(`old-${MAX_BOOKMARKS - 1}`);
    expect(list.at(-1)).toBe('old-1');
    expect(await store.get('u1:old-0')).toBeUndefined();
  });

  it('keeps a key per bookmark, newest first even within one millisecond, and a user prefix holds only that user', async () => {
    const store = createMemoryStore<BookmarkValue>();
    const bookmarks = createBookmarks(store, { now: () => 7 });
    await bookmarks.add('1', 'title:abc');
    await bookmarks.add('1', '2405.17399', { messageId: 'm1' });
    await bookmarks.add('10', '2501.10045');
    expect(await store.get('1:title:abc')).toEqual({ at: 7 });
    expect(await store.get('1:2405.17399')).toEqual({ at: 8, via: 'm1' });
    expect(await bookmarks.list('1')).toEqual(['2405.17399', 'title:abc']);
    expect(await bookmarks.list('10')).toEqual(['2501.10045']);
    expect([...(await bookmarkedPaperIds(store))].sort()).toEqual(['2405.17399', '2501.10045', 'title:abc']);
    // A list a store not yet upgraded still holds counts too.
    await store.set('20', ['2502.00001']);
    await store.set('via:20', { '2502.00001': 'm2' });
    expect([...(await bookmarkedPaperIds(store))].sort()).toEqual(['2405.17399', '2501.10045', '2502.00001', 'title:abc']);
    expect(await bookmarks.clear('1')).toBe(2);
    expect(await bookmarks.list('10')).toEqual(['2501.10045']);
    await expect(bookmarks.add('a:b', 'x')).rejects.toThrow(RangeError);
  });

  it('lets only the reaction that saved a bookmark take it back, until the button saves it again', async () => {
    const bookmarks = createBookmarks(createMemoryStore<BookmarkValue>());
    await bookmarks.add('u1', 'p1', { messageId: 'm1' });
    expect(await bookmarks.remove('u1', 'p1', { messageId: 'm2' })).toBe(false);
    expect(await bookmarks.add('u1', 'p1')).toBe(false);
    expect(await bookmarks.remove('u1', 'p1', { messageId: 'm1' })).toBe(false);
    expect(await bookmarks.list('u1')).toEqual(['p1']);
    expect(await bookmarks.remove('u1', 'p1')).toBe(true);
    await bookmarks.add('u1', 'p2', { messageId: 'm3' });
    expect(await bookmarks.remove('u1', 'p2', { messageId: 'm3' })).toBe(true);
    expect(await bookmarks.list('u1')).toEqual([]);
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
