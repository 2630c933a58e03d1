import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/core/library.js';

type Value = { name: string; tags: string[]; n?: number };

/** A fresh, empty store and a way to release it. */
export type OpenStore = () => Promise<{ store: KeyValueStore<Value>; close(): Promise<void> }>;

/**
 * The behaviour core relies on from every KeyValueStore implementation (keyv's "one test suite
 * for every adapter"): each implementation's test file calls this with its own factory.
 */
export function describeKeyValueStoreContract(name: string, open: OpenStore): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStore<Value>;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('returns undefined for a key that was never set', async () => {
      expect(await store.get('nope')).toBeUndefined();
    });

    it('reads back a value after set, and set replaces it', async () => {
      await store.set('a', { name: 'first', tags: ['x'] });
      expect(await store.get('a')).toEqual({ name: 'first', tags: ['x'] });
      await store.set('a', { name: 'second', tags: [] });
      expect(await store.get('a')).toEqual({ name: 'second', tags: [] });
    });

    it('answers getMany in the order asked, with undefined for missing and repeated keys answered each time', async () => {
      await store.setMany([
        { key: 'b', value: { name: 'B', tags: [] } },
        { key: 'a', value: { name: 'A', tags: [] } },
      ]);
      const got = await store.getMany(['a', 'missing', 'b', 'a']);
      expect(got.map((v) => v?.name)).toEqual(['A', undefined, 'B', 'A']);
      expect(await store.getMany([])).toEqual([]);
    });

    it('overwrites existing keys in setMany and treats an empty list as a no-op', async () => {
      await store.setMany([{ key: 'k', value: { name: 'old', tags: [] } }]);
      await store.setMany([
        { key: 'k', value: { name: 'new', tags: ['t'] } },
        { key: 'j', value: { name: 'j', tags: [] } },
      ]);
      await store.setMany([]);
      expect(await store.getMany(['k', 'j'])).toEqual([
        { name: 'new', tags: ['t'] },
        { name: 'j', tags: [] },
      ]);
    });

    it('deletes only the keys given and ignores keys that do not exist', async () => {
      await store.setMany(['a', 'b', 'c'].map((key) => ({ key, value: { name: key, tags: [] } })));
      await store.deleteMany(['a', 'c', 'never']);
      await store.deleteMany([]);
      expect((await store.getMany(['a', 'b', 'c'])).map((v) => v?.name)).toEqual([undefined, 'b', undefined]);
    });

    it('round-trips keys and values that look like patterns, prefixes or escapes', async () => {
      const keys = ['title:0123456789ab', 'hep-th/9901001', '100%_sure', "it's", 'ünï/😀', ':colon', 'a;b'];
      await store.setMany(keys.map((key) => ({ key, value: { name: `:${key}`, tags: ['"quoted"', '\\', ''] } })));
      const got = await store.getMany(keys);
      expect(got).toEqual(keys.map((key) => ({ name: `:${key}`, tags: ['"quoted"', '\\', ''] })));
      expect(await store.get('100%_surE')).toBeUndefined();
    });

    it('drops undefined fields the way JSON does', async () => {
      await store.set('u', { name: 'u', tags: [], n: undefined });
      expect(await store.get('u')).toStrictEqual({ name: 'u', tags: [] });
    });

    it('hands out copies: changing a value after set or get does not change the store', async () => {
      const value = { name: 'v', tags: ['one'] };
      await store.set('v', value);
      value.tags.push('two');
      const got = (await store.get('v'))!;
      got.tags.push('three');
      expect(await store.get('v')).toEqual({ name: 'v', tags: ['one'] });
    });

    it('lists every entry exactly once, in batches no larger than asked', async () => {
      const keys = Array.from({ length: 2_345 }, (_, i) => `key-${i}`);
      await store.setMany(keys.map((key) => ({ key, value: { name: key, tags: [] } })));
      const sizes: number[] = [];
      const seen: string[] = [];
      for await (const batch of store.entries(1_000)) {
        sizes.push(batch.length);
        for (const { key, value } of batch) {
          expect(value.name).toBe(key);
          seen.push(key);
        }
      }
      expect(sizes).toEqual([1_000, 1_000, 345]);
      expect(seen.sort()).toEqual([...keys].sort());
    });

    it('lists the entries of one key prefix, ordered by key, over more than a page', async () => {
      const inside = Array.from({ length: 1_234 }, (_, i) => `u1:${String(i).padStart(4, '0')}`);
      const outside = ['u1', 'u1;x', 'u10:a', 'u:', 'u2:a', 'v1:a', 'U1:a'];
      const edge = ['u1:', 'u1::x', 'u1:😀', 'u1:title:ab'];
      await store.setMany([...outside, ...inside, ...edge].map((key) => ({ key, value: { name: key, tags: [] } })));
      const got = await store.withPrefix('u1:');
      const expected = [...inside, ...edge].sort();
      expect(got.map((e) => e.key)).toEqual(expected);
      expect(got.every((e) => e.value.name === e.key)).toBe(true);
      expect(await store.withPrefix('w:')).toEqual([]);
      await store.deleteMany(['u1:0001', 'u1:😀']);
      expect((await store.withPrefix('u1:')).map((e) => e.key)).toEqual(expected.filter((k) => k !== 'u1:0001' && k !== 'u1:😀'));
    });

    it('reads a prefix literally: pattern characters match only themselves', async () => {
      const keys = ['a*b:1', 'axb:1', 'a?b:2', '100%_:x', '100ab:x', 'x[y]:1', 'xy:1', 'b\\c:1', 'bc:1'];
      await store.setMany(keys.map((key) => ({ key, value: { name: key, tags: [] } })));
      expect((await store.withPrefix('a*b:')).map((e) => e.key)).toEqual(['a*b:1']);
      expect((await store.withPrefix('100%_:')).map((e) => e.key)).toEqual(['100%_:x']);
      expect((await store.withPrefix('x[y]:')).map((e) => e.key)).toEqual(['x[y]:1']);
      expect((await store.withPrefix('b\\c:')).map((e) => e.key)).toEqual(['b\\c:1']);
    });

    it('lists a key range: from included, to excluded, several prefixes that sort together in one read', async () => {
      const keys = ['day:2026-12-04:a', 'day:2026-12-05', 'day:2026-12-05:b', 'day:2026-12-05:c', 'day:2026-12-06:d', 'day:2026-12-07:e', 'daz:1'];
      await store.setMany(keys.map((key) => ({ key, value: { name: key, tags: [] } })));
      const got = await store.range('day:2026-12-05:', 'day:2026-12-06;');
      expect(got.map((e) => e.key)).toEqual(['day:2026-12-05:b', 'day:2026-12-05:c', 'day:2026-12-06:d']);
      expect((await store.range('day:2026-12-06:d', 'day:2026-12-07:e')).map((e) => e.key)).toEqual(['day:2026-12-06:d']);
      expect(await store.range('day:2026-12-07', 'day:2026-12-05')).toEqual([]);
    });

    it('refuses a prefix that does not end with a colon', async () => {
      await expect(store.withPrefix('u1')).rejects.toThrow(RangeError);
      await expect(store.withPrefix(':')).rejects.toThrow(RangeError);
    });

    it('lists nothing for an empty store and refuses a batch size below one', async () => {
      const batches = [];
      for await (const batch of store.entries(10)) batches.push(batch);
      expect(batches).toEqual([]);
      await expect(async () => {
        for await (const _ of store.entries(0)) break;
      }).rejects.toThrow(RangeError);
    });
  });
}
