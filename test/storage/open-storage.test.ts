import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, StorageError, type Storage } from '../../src/storage/open-storage.js';

let dir: string;
const opened: Storage[] = [];

async function open(url: string, options?: Parameters<typeof openStorage>[1]): Promise<Storage> {
  const storage = await openStorage(url, options);
  opened.push(storage);
  return storage;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('openStorage with sqlite://', () => {
  it('creates the missing parent directories of a path relative to the working directory', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'paperboy.sqlite');
    const storage = await open(`sqlite://${path.relative(process.cwd(), file)}`);
    await storage.store<string>('meta').set('k', 'v');
    expect(existsSync(file)).toBe(true);
  });

  it('keeps every namespace after the file is closed and reopened', async () => {
    const url = `sqlite://${dir}/db.sqlite`;
    const first = await openStorage(url);
    await first.store<number>('papers').setMany([{ key: 'a', value: 1 }]);
    await first.namespace<string>('bookmarks').set('user', 'a');
    await first.close();

    const second = await open(url);
    expect(await second.store<number>('papers').get('a')).toBe(1);
    expect(await second.namespace<string>('bookmarks').get('user')).toBe('a');
  });

  it('writes through a write-ahead log so a commit does not wait for an fsync', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    await storage.store<number>('meta').set('k', 1);
    expect(existsSync(`${dir}/db.sqlite-wal`)).toBe(true);
  });

  it('opens independent in-memory databases for sqlite://:memory:', async () => {
    const a = await open('sqlite://:memory:');
    const b = await open('sqlite://:memory:');
    await a.store<number>('n').set('k', 1);
    expect(await b.store<number>('n').get('k')).toBeUndefined();
    expect(await a.store<number>('n').get('k')).toBe(1);
  });

  it('keeps namespaces apart even for Keyv clear() and iterator(), which @keyv/sqlite shares', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    const papers = storage.namespace<string>('papers');
    const posted = storage.namespace<string>('posted');
    await papers.set('x', 'paper');
    await posted.set('x', 'post');
    // Namespaces whose names share a prefix must not overlap either.
    await storage.namespace<string>('papers2').set('x', 'other');

    const listed: [string, string][] = [];
    for await (const entry of papers.iterator!(undefined)) listed.push(entry as [string, string]);
    expect(listed).toEqual([['x', 'paper']]);

    await papers.clear();
    expect(await papers.get('x')).toBeUndefined();
    expect(await posted.get('x')).toBe('post');
    expect(await storage.namespace<string>('papers2').get('x')).toBe('other');
  });

  it('returns the same Keyv for the same namespace and refuses names that could overlap', async () => {
    const storage = await open('sqlite://:memory:');
    expect(storage.namespace('papers')).toBe(storage.namespace('papers'));
    expect(() => storage.namespace('papers:old')).toThrow(/invalid namespace/);
    expect(() => storage.store('')).toThrow(StorageError);
  });
});

describe('bulk speed', () => {
  // Guards against a regression to one autocommitted INSERT per key (about 1 ms each, an fsync
  // apiece): that would take ~25 s here, against well under 2 s with one statement per batch.
  it('writes 20,000 paper-sized values in batches of 1,000 and lists them back within seconds', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    const store = storage.store<{ id: string; abstract: string }>('papers');
    const abstract = 'x'.repeat(1_600);
    const started = performance.now();
    for (let b = 0; b < 20; b++) {
      await store.setMany(
        Array.from({ length: 1_000 }, (_, i) => ({ key: `${b}.${i}`, value: { id: `${b}.${i}`, abstract } })),
      );
    }
    let listed = 0;
    for await (const batch of store.entries(1_000)) listed += batch.length;
    expect(listed).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('atomically', () => {
  it('commits writes to several namespaces together', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    await storage.atomically(async () => {
      await storage.store<number>('a').setMany([{ key: 'k', value: 1 }]);
      await storage.store<number>('b').set('k', 2);
    });
    expect(await storage.store<number>('a').get('k')).toBe(1);
    expect(await storage.store<number>('b').get('k')).toBe(2);
  });

  it('rolls back every write when the work throws, and rethrows its error', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    const a = storage.store<number>('a');
    await a.set('kept', 0);
    await expect(
      storage.atomically(async () => {
        await a.setMany([{ key: 'k', value: 1 }]);
        await a.deleteMany(['kept']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await a.getMany(['k', 'kept'])).toEqual([undefined, 0]);
  });

  it('holds back a write from outside until the transaction has ended', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    const a = storage.store<string>('a');
    let wroteInside!: () => void;
    const insideDone = new Promise<void>((resolve) => (wroteInside = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const transaction = storage.atomically(async () => {
      await a.set('k', 'inside');
      wroteInside();
      await finished;
      return a.get('k');
    });

    await insideDone;
    const outside = a.set('k', 'outside'); // issued from outside the transaction's async context
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish();
    expect(await transaction).toBe('inside');
    await outside;
    expect(await a.get('k')).toBe('outside');
  });

  it('runs a nested call inside the outer transaction', async () => {
    const storage = await open(`sqlite://${dir}/db.sqlite`);
    const a = storage.store<number>('a');
    await expect(
      storage.atomically(async () => {
        await storage.atomically(() => a.set('inner', 1));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await a.get('inner')).toBeUndefined();
  });
});

describe('storage errors', () => {
  it('fails to open when a parent of the path is a file', async () => {
    await writeFile(path.join(dir, 'plain-file'), 'not a directory');
    await expect(openStorage(`sqlite://${dir}/plain-file/db.sqlite`)).rejects.toThrow(StorageError);
  });

  it('fails to open a file that is not a SQLite database', async () => {
    const file = path.join(dir, 'junk.sqlite');
    await writeFile(file, 'this is not a database '.repeat(100));
    await expect(openStorage(`sqlite://${file}`)).rejects.toThrow(/cannot open SQLite database.*not a database/);
  });

  it('throws on reads and writes after close, through Keyv and through the store, and tells onError', async () => {
    const seen: string[] = [];
    const storage = await openStorage(`sqlite://${dir}/db.sqlite`, { onError: (_error, where) => seen.push(where) });
    const keyv = storage.namespace<number>('papers');
    const store = storage.store<number>('papers');
    await store.set('k', 1);
    await storage.close();

    await expect(keyv.set('k', 2)).rejects.toThrow(/closed/);
    await expect(keyv.get('k')).rejects.toThrow(/closed/);
    await expect(store.setMany([{ key: 'k', value: 2 }])).rejects.toThrow(/closed/);
    await expect(store.getMany(['k'])).rejects.toThrow(/closed/);
    await expect(store.deleteMany(['k'])).rejects.toThrow(/closed/);
    expect(seen).toContain('papers');
  });

  it('fails to open redis:// and postgres:// stores that do not answer, without echoing the credentials', async () => {
    // Port 1 on loopback: refused at once, no network involved.
    const redis = openStorage('redis://user:s3cret@127.0.0.1:1');
    await expect(redis).rejects.toThrow(/cannot open the Redis store/);
    await expect(redis).rejects.not.toThrow(/s3cret/);
    const postgres = openStorage('postgres://user:s3cret@127.0.0.1:1/paperboy');
    await expect(postgres).rejects.toThrow(/cannot open the PostgreSQL store/);
    await expect(postgres).rejects.not.toThrow(/s3cret/);
  });

  it('rejects URLs it does not know', async () => {
    await expect(openStorage('mysql://user:s3cret@db/x')).rejects.toThrow(/unsupported storage URL scheme "mysql:\/\/"/);
    await expect(openStorage('data/paperboy.sqlite')).rejects.toThrow(StorageError);
    await expect(openStorage('sqlite://')).rejects.toThrow(/without a path/);
  });
});
