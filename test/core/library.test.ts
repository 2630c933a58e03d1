import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createLibrary, type Library, type LibraryChange, type LibraryStores } from '../../src/core/library.js';
import { titleId } from '../../src/core/paper-id.js';
import { normalizePaper, type Paper, type PaperInput } from '../../src/core/paper.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import { libraryStores, openStores } from '../../src/storage/stores.js';
import { OWN_PAPERS_PER_BATCH, WRITER_BATCHES, ownId, sharedId, writerCategory } from '../storage/library-writer.js';
import { storeServers, type StoreServer } from '../storage/servers.js';

const TITLE = 'Transformers Can Do Arithmetic with the Right Embeddings';

function paper(input: Partial<PaperInput> & { id: string }): Paper {
  return normalizePaper({ title: TITLE, sources: ['arxiv'], ...input });
}

/** A page record (no arXiv id) for the paper titled `title`. */
function pageRecord(title: string, extra: Partial<PaperInput> = {}): Paper {
  return paper({ id: titleId(title), title, sources: ['page'], ...extra });
}

type Backend = { name: string; open(): Promise<{ library: Library; stores: LibraryStores; close(): Promise<void> }> };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function storesOf(storage: Storage): LibraryStores {
  return libraryStores(openStores(storage));
}

/**
 * A fresh store on `server` (a temp SQLite file, a new PostgreSQL database, a new Redis prefix),
 * removed after the test. A server that is down fails the test in CI; elsewhere the backend is
 * left out of the matrix (see `serverBackends`).
 */
async function freshStorage(server: StoreServer): Promise<Storage> {
  if (!server.server.available) throw new Error(`${server.server.reason} (CI=true: .ci/run starts PostgreSQL and Redis)`);
  const store = await server.create();
  cleanups.push(store.drop);
  const storage = await openStorage(store.url);
  cleanups.push(() => storage.close());
  return storage;
}

const servers = await storeServers(tempDir);

/** The servers to test on: all in CI (a missing one fails loudly); elsewhere the ones that answer. */
function serverBackends(): StoreServer[] {
  return servers.filter((server) => {
    if (server.server.available || process.env.CI === 'true') return true;
    describe.skip(`library on ${server.name} (skipped: ${server.server.reason}; CI=true makes this a failure)`, () => {
      it.skip('needs the server', () => {});
    });
    return false;
  });
}
const testedServers = serverBackends();

const backends: Backend[] = [
  {
    name: 'in-memory stores',
    async open() {
      const stores = { papers: createMemoryStore<Paper>(), aliases: createMemoryStore<string>(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() };
      return { library: createLibrary(stores), stores, close: async () => {} };
    },
  },
  ...testedServers.map((server) => ({
    name: server.name === 'SQLite' ? 'a SQLite file' : server.name,
    async open() {
      const storage = await freshStorage(server);
      const stores = storesOf(storage);
      return { library: createLibrary(stores, { atomically: storage.atomically }), stores, close: () => storage.close() };
    },
  })),
];

describe.each(backends)('library on $name', (backend) => {
  async function openLibrary() {
    return (await backend.open()).library;
  }

  it('finds a paper by id after it is upserted', async () => {
    const library = await openLibrary();
    const result = await library.upsertMany([paper({ id: '2405.17399', abstract: 'We mend this problem.' })]);
    expect(result.added.map((p) => p.id)).toEqual(['2405.17399']);
    expect(await library.get('2405.17399')).toMatchObject({ id: '2405.17399', title: TITLE, abstract: 'We mend this problem.' });
    expect(await library.get('2405.00000')).toBeUndefined();
    expect(await library.count()).toBe(1);
  });

  it('merges the same paper from two sources into one record with the fields of both', async () => {
    const library = await openLibrary();
    await library.upsertMany([paper({ id: '2405.17399', categories: ['cs.LG'], sources: ['arxiv'] })]);
    const result = await library.upsertMany([
      paper({ id: '2405.17399', upvotes: 42, aiSummary: 'Positional embeddings per digit.', sources: ['hf'] }),
    ]);
    expect(result.added).toEqual([]);
    expect(result.updated).toHaveLength(1);
    expect(await library.get('2405.17399')).toMatchObject({
      categories: ['cs.LG'],
      upvotes: 42,
      aiSummary: 'Positional embeddings per digit.',
      sources: ['arxiv', 'hf'],
    });
    expect(await library.count()).toBe(1);
  });

  it('keeps v2 of a paper in the same record as v1', async () => {
    const library = await openLibrary();
    await library.upsertMany([paper({ id: '2405.17399v1', abstract: 'Short.', published: '2024-05-27' })]);
    const result = await library.upsertMany([
      paper({ id: '2405.17399v2', abstract: 'A longer abstract from the revised version.', published: '2024-06-10', comment: 'v2: more experiments' }),
    ]);
    expect(result.updated.map((p) => p.id)).toEqual(['2405.17399']);
    expect(await library.get('2405.17399')).toMatchObject({
      abstract: 'A longer abstract from the revised version.',
      published: '2024-05-27',
      comment: 'v2: more experiments',
    });
    expect(await library.count()).toBe(1);
  });

  it('merges the same id twice in one batch before storing it', async () => {
    const library = await openLibrary();
    const result = await library.upsertMany([
      paper({ id: '2405.17399', upvotes: 1, sources: ['hf'] }),
      paper({ id: '2405.17399', categories: ['cs.LG'], sources: ['arxiv'] }),
    ]);
    expect(result.added).toHaveLength(1);
    expect(result.added[0]).toMatchObject({ upvotes: 1, categories: ['cs.LG'], sources: ['hf', 'arxiv'] });
    expect(await library.count()).toBe(1);
  });

  it('merges a page record into the arXiv record when the real id arrives', async () => {
    const library = await openLibrary();
    const page = pageRecord('Transformers can do arithmetic with the right embeddings!', { upvotes: 7, published: '2024-05-28' });
    await library.upsertMany([page]);
    expect(await library.count()).toBe(1);

    const result = await library.upsertMany([paper({ id: '2405.17399', published: '2024-05-27', categories: ['cs.LG'] })]);
    expect(result.replaced).toEqual([{ from: page.id, to: '2405.17399' }]);
    expect(result.added.map((p) => p.id)).toEqual(['2405.17399']);

    const merged = await library.get('2405.17399');
    expect(merged).toMatchObject({ id: '2405.17399', title: TITLE, upvotes: 7, published: '2024-05-27', sources: ['arxiv', 'page'] });
    // The old id keeps working (a bookmark, a posted link) and leads to the one real record.
    expect(await library.get(page.id)).toEqual(merged);
    expect(await library.count()).toBe(1);
    const all = [];
    for await (const batch of library.batches(10)) all.push(...batch);
    expect(all.map((p) => p.id)).toEqual(['2405.17399']);
  });

  it('merges a page record that arrives after the arXiv record into it instead of adding a second record', async () => {
    const library = await openLibrary();
    await library.upsertMany([paper({ id: '2405.17399' })]);
    const result = await library.upsertMany([pageRecord(TITLE, { upvotes: 12 })]);
    expect(result.added).toEqual([]);
    expect(result.updated.map((p) => p.id)).toEqual(['2405.17399']);
    expect(await library.get('2405.17399')).toMatchObject({ upvotes: 12, sources: ['arxiv', 'page'] });
    expect(await library.get(titleId(TITLE))).toMatchObject({ id: '2405.17399' });
    expect(await library.count()).toBe(1);
  });

  it('merges a page record into an arXiv record arriving in the same batch', async () => {
    const library = await openLibrary();
    const page = pageRecord(TITLE, { upvotes: 3 });
    const result = await library.upsertMany([page, paper({ id: '2405.17399' })]);
    expect(result.added.map((p) => p.id)).toEqual(['2405.17399']);
    expect(result.added[0]).toMatchObject({ upvotes: 3, sources: ['arxiv', 'page'] });
    expect(result.replaced).toEqual([]); // nothing stored was replaced
    expect(await library.get(page.id)).toMatchObject({ id: '2405.17399' });
    expect(await library.count()).toBe(1);
  });

  it('keeps a page record on its own until its arXiv id shows up, merging repeats of it', async () => {
    const library = await openLibrary();
    const page = pageRecord('A Paper Nobody Has Put On arXiv');
    await library.upsertMany([page]);
    const again = await library.upsertMany([pageRecord('A paper nobody has put on arXiv', { upvotes: 5 })]);
    expect(again.updated.map((p) => p.id)).toEqual([page.id]);
    expect(await library.get(page.id)).toMatchObject({ title: 'A Paper Nobody Has Put On arXiv', upvotes: 5 });
    expect(await library.count()).toBe(1);
  });

  it('leaves two arXiv papers that share a title as two records; the first one keeps the title alias', async () => {
    const library = await openLibrary();
    await library.upsertMany([paper({ id: '2001.00001', title: 'Introduction' })]);
    await library.upsertMany([paper({ id: '2002.00002', title: 'Introduction' })]);
    await library.upsertMany([pageRecord('Introduction', { upvotes: 1 })]);
    expect(await library.count()).toBe(2);
    expect(await library.get(titleId('Introduction'))).toMatchObject({ id: '2001.00001', upvotes: 1 });
    expect((await library.get('2002.00002'))?.upvotes).toBeUndefined();
  });

  it('answers getMany in order, following aliases and leaving misses undefined', async () => {
    const library = await openLibrary();
    const page = pageRecord(TITLE);
    await library.upsertMany([page, paper({ id: '2405.17399' }), paper({ id: '2405.18047', title: 'Another paper' })]);
    const got = await library.getMany(['2405.18047', page.id, 'title:000000000000', '2405.17399']);
    expect(got.map((p) => p?.id)).toEqual(['2405.18047', '2405.17399', undefined, '2405.17399']);
    expect(await library.getMany([])).toEqual([]);
  });

  it('bumps the revision only when an upsert changed something', async () => {
    const library = await openLibrary();
    expect(await library.revision()).toBe(0);
    await library.upsertMany([paper({ id: '2405.17399' })]);
    expect(await library.revision()).toBe(1);

    const same = await library.upsertMany([paper({ id: '2405.17399' })]);
    expect(same).toEqual({ added: [], updated: [], unchanged: 1, replaced: [] });
    await library.upsertMany([]);
    expect(await library.revision()).toBe(1);

    await library.upsertMany([paper({ id: '2405.17399', upvotes: 9, sources: ['hf'] })]);
    expect(await library.revision()).toBe(2);
  });

  it('keeps the count right across adds, merges and replacements', async () => {
    const library = await openLibrary();
    await library.upsertMany([pageRecord('Paper A'), pageRecord('Paper B'), pageRecord('Paper C')]);
    expect(await library.count()).toBe(3);
    await library.upsertMany([paper({ id: '2401.00001', title: 'Paper A' }), paper({ id: '2401.00002', title: 'Paper D' })]);
    expect(await library.count()).toBe(4); // A replaced its page record, D is new
    await library.upsertMany([paper({ id: '2401.00001', title: 'Paper A', upvotes: 2, sources: ['hf'] }), pageRecord('Paper D')]);
    expect(await library.count()).toBe(4);
    await library.upsertMany([paper({ id: '2401.00003', title: 'Paper B' }), paper({ id: '2401.00004', title: 'Paper C' })]);
    expect(await library.count()).toBe(4);

    const ids = [];
    for await (const batch of library.batches(3)) {
      expect(batch.length).toBeLessThanOrEqual(3);
      ids.push(...batch.map((p) => p.id));
    }
    expect(ids.sort()).toEqual(['2401.00001', '2401.00002', '2401.00003', '2401.00004']);
  });

  it('runs concurrent upserts one after another so neither loses the other\'s merge', async () => {
    const library = await openLibrary();
    await Promise.all([
      library.upsertMany([paper({ id: '2405.17399', upvotes: 4, sources: ['hf'] }), paper({ id: '2401.00001', title: 'One' })]),
      library.upsertMany([paper({ id: '2405.17399', categories: ['cs.LG'] }), paper({ id: '2401.00002', title: 'Two' })]),
    ]);
    expect(await library.get('2405.17399')).toMatchObject({ upvotes: 4, categories: ['cs.LG'] });
    expect(await library.count()).toBe(3);
    expect(await library.revision()).toBe(2);
  });

  it('reads and writes each store once per batch, whatever the batch size', async () => {
    const { stores } = await backend.open();
    const calls: string[] = [];
    const counted = Object.fromEntries(
      Object.entries(stores).map(([name, store]) => [
        name,
        new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              calls.push(`${name}.${String(prop)}`);
              return value.apply(target, args);
            };
          },
        }),
      ]),
    ) as LibraryStores;
    const library = createLibrary(counted);
    const batch = Array.from({ length: 500 }, (_, i) =>
      paper({ id: `2401.${String(i).padStart(5, '0')}`, title: `Paper number ${i}` }),
    );
    await library.upsertMany(batch);
    expect(calls.sort()).toEqual(
      ['aliases.getMany', 'aliases.setMany', 'changes.set', 'meta.get', 'meta.set', 'papers.deleteMany', 'papers.getMany', 'papers.setMany'].sort(),
    );
  });
});

const run = promisify(execFile);
const WRITER = path.resolve(import.meta.dirname, '../storage/library-writer.ts');

describe.each(testedServers)('library on a shared $name store', (server) => {
  /** A second library on the same store, as another process (the bot beside a CLI import) would open it. */
  async function reopen(url: string) {
    const storage = await openStorage(url);
    cleanups.push(() => storage.close());
    return { storage, library: createLibrary(storesOf(storage), { atomically: storage.atomically }) };
  }

  async function freshUrl(): Promise<string> {
    if (!server.server.available) throw new Error(`${server.server.reason} (CI=true: .ci/run starts PostgreSQL and Redis)`);
    const store = await server.create();
    cleanups.push(store.drop);
    return store.url;
  }

  it('keeps papers, aliases, count and revision after the store is closed and reopened', async () => {
    const url = await freshUrl();
    const first = await reopen(url);
    const page = pageRecord(TITLE);
    await first.library.upsertMany([page, paper({ id: '2405.18047', title: 'Another paper' })]);
    await first.library.upsertMany([paper({ id: '2405.17399' })]);
    await first.storage.close();

    const second = await reopen(url);
    expect(await second.library.count()).toBe(2);
    expect(await second.library.revision()).toBe(2);
    expect(await second.library.get(page.id)).toMatchObject({ id: '2405.17399', sources: ['arxiv', 'page'] });
  });

  it('surfaces a storage error from upsertMany and get instead of swallowing it', async () => {
    const { storage, library } = await reopen(await freshUrl());
    await library.upsertMany([paper({ id: '2405.17399' })]);
    await storage.close();
    await expect(library.upsertMany([paper({ id: '2405.18047', title: 'Another paper' })])).rejects.toThrow(/closed/);
    await expect(library.get('2405.17399')).rejects.toThrow(/closed/);
    await expect(library.count()).rejects.toThrow(/closed/);
  });

  it('rolls back the whole batch when a write fails half way, leaving records and count as they were', async () => {
    const storage = await freshStorage(server);
    const stores = storesOf(storage);
    const library = createLibrary(stores, { atomically: storage.atomically });
    await library.upsertMany([pageRecord(TITLE)]);

    const failing = createLibrary(
      { ...stores, aliases: { ...stores.aliases, setMany: () => Promise.reject(new Error('disk on fire')) } },
      { atomically: storage.atomically },
    );
    await expect(failing.upsertMany([paper({ id: '2405.17399' })])).rejects.toThrow('disk on fire');

    expect(await library.get('2405.17399')).toBeUndefined();
    expect(await library.get(titleId(TITLE))).toMatchObject({ id: titleId(TITLE) });
    expect(await library.count()).toBe(1);
    expect(await library.revision()).toBe(1);
    // The failed batch did not wedge anything: the next one goes through.
    await library.upsertMany([paper({ id: '2405.17399' })]);
    expect(await library.count()).toBe(1);
  });

  it('given two processes upserting into one library at once, loses no paper or merge, counts exactly and logs every revision once', async () => {
    const url = await freshUrl();
    // Two separate processes, each with its own connection and its own in-process queue: only the
    // store's transaction (SQLite's write lock, PostgreSQL's advisory lock, the Redis lock) orders them.
    await Promise.all([0, 1].map((writer) => run(process.execPath, ['--import', 'tsx', WRITER, url, String(writer)], { cwd: process.cwd() })));

    const { library, storage } = await reopen(url);
    const batches = 2 * WRITER_BATCHES;
    const ids = [
      ...Array.from({ length: WRITER_BATCHES }, (_, b) => sharedId(b)),
      ...[0, 1].flatMap((w) => Array.from({ length: WRITER_BATCHES }, (_, b) => Array.from({ length: OWN_PAPERS_PER_BATCH }, (_, i) => ownId(w, b, i))).flat()),
    ];
    expect(await library.count()).toBe(ids.length);
    expect((await library.getMany(ids)).filter((p) => p === undefined)).toHaveLength(0);
    // Every batch added papers of its own, so every batch is one revision.
    expect(await library.revision()).toBe(batches);
    for (const shared of await library.getMany(ids.slice(0, WRITER_BATCHES))) {
      expect(shared?.categories).toEqual(expect.arrayContaining([writerCategory(0), writerCategory(1)]));
    }

    // One entry per revision, none past the last, and together they name each write exactly once:
    // a revision logged twice (two writers bumping to the same number) would overwrite an entry.
    const log = await storesOf(storage).changes.getMany(Array.from({ length: batches + 1 }, (_, r) => String(r + 1)));
    expect(log.slice(0, batches).every((entry) => entry !== undefined)).toBe(true);
    expect(log[batches]).toBeUndefined();
    const written = log.flatMap((entry) => entry?.ids ?? []);
    expect(written).toHaveLength(batches * (OWN_PAPERS_PER_BATCH + 1));
    expect(new Set(written)).toEqual(new Set(ids));
    expect(await library.changesSince(0, batches)).toEqual({ ids: new Set(ids), removed: new Set() });
  }, 60_000);
});

describe('the change log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('tells a reader at an older revision exactly which papers to index and which to drop', async () => {
    const stores = { papers: createMemoryStore<Paper>(), aliases: createMemoryStore<string>(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() };
    const library = createLibrary(stores);
    await library.upsertMany([paper({ id: '2401.00001', title: 'First paper' }), pageRecord(TITLE)]);
    const reader = await library.revision();
    await library.upsertMany([paper({ id: '2401.00002', title: 'Second paper' })]);
    await library.upsertMany([paper({ id: '2405.17399' })]); // absorbs the title record
    await library.upsertMany([paper({ id: '2401.00001', title: 'First paper', upvotes: 9 })]);

    const changes = await library.changesSince(reader, await library.revision());
    expect(changes && [...changes.ids].sort()).toEqual(['2401.00001', '2401.00002', '2405.17399']);
    expect(changes && [...changes.removed]).toEqual([titleId(TITLE)]);
    expect(await library.changesSince(await library.revision(), await library.revision())).toEqual({ ids: new Set(), removed: new Set() });
  });

  it('answers undefined for revisions it no longer holds, so the reader rebuilds', async () => {
    const stores = { papers: createMemoryStore<Paper>(), aliases: createMemoryStore<string>(), meta: createMemoryStore(), changes: createMemoryStore<LibraryChange>() };
    const library = createLibrary(stores);
    await library.upsertMany([paper({ id: '2401.00001', title: 'First paper' })]);
    await library.upsertMany([paper({ id: '2401.00002', title: 'Second paper' })]);
    await stores.changes.deleteMany(['1']);
    expect(await library.changesSince(0, 2)).toBeUndefined();
    expect(await library.changesSince(1, 2)).toMatchObject({ ids: new Set(['2401.00002']) });
  });

  it('removes papers with the count, the revision and the log kept in step', async () => {
    const storage = await openStorage(`sqlite://${await mkdtemp(path.join(tmpdir(), 'paperboy-lib-'))}/library.sqlite`);
    cleanups.push(() => storage.close());
    const library = createLibrary(libraryStores(openStores(storage)), { atomically: storage.atomically });
    await library.upsertMany([paper({ id: '2401.00001', title: 'First paper' }), paper({ id: '2401.00002', title: 'Second paper' })]);
    expect(await library.removeMany(['2401.00001', '2499.99999'])).toBe(1);
    expect(await library.count()).toBe(1);
    expect(await library.get('2401.00001')).toBeUndefined();
    expect(await library.changesSince(1, 2)).toEqual({ ids: new Set(), removed: new Set(['2401.00001']) });
    expect(await library.removeMany(['2401.00001'])).toBe(0);
    expect(await library.revision()).toBe(2);
  });
});
