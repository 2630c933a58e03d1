import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBookmarks } from '../../src/core/bookmarks.js';
import { UserFacingError } from '../../src/core/errors.js';
import { ImportFormatError } from '../../src/core/parsers/import-result.js';
import { openLibraryService, SEED_FILE, type LibraryService, type ServiceEvent } from '../../src/app/library-service.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');
const JSONL = path.join(fixtures, 'paper-records-small.jsonl');
const PAGE = path.join(fixtures, 'daily-papers-page-small.txt');

let dir: string;
const opened: LibraryService[] = [];

/** A service on a temp store; without the seed unless `seedFile` is given (undefined: the bundled one). */
async function open(options: { seedFile?: string | null; events?: ServiceEvent[] } = {}): Promise<LibraryService> {
  const service = await openLibraryService(
    { storeUrl: `sqlite://${dir}/paperboy.sqlite`, indexPath: path.join(dir, 'paperboy.index') },
    { seedFile: 'seedFile' in options ? options.seedFile : null, onEvent: (e) => options.events?.push(e) },
  );
  opened.push(service);
  return service;
}

async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

/** JSON Lines of made-up papers 2401.10000 + from … + to - 1, each with a distinct title word. */
async function syntheticFile(name: string, from: number, to: number): Promise<string> {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    lines.push(
      JSON.stringify({
        id: `2401.${10000 + i}`,
        title: `Synthetic study number ${i} of zorblax${i} networks`,
        abstract: `We study zorblax${i} networks under synthetic conditions and report results for case ${i}.`,
        authors: [`Author ${i}`],
        published: '2024-01-15',
        categories: ['cs.LG'],
      }),
    );
  }
  const file = path.join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

const ids = (service: LibraryService, query: string) => service.index().then((index) => index.search(query).hits.map((h) => h.id));
const best = async (service: LibraryService, query: string) => (await ids(service, query))[0];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-service-'));
});
afterEach(async () => {
  await closeAll();
  await rm(dir, { recursive: true, force: true });
});

describe('importFile', () => {
  it('imports a JSON Lines file and a Daily Papers page, counts each, and search finds both', async () => {
    const service = await open();
    const records = await service.importFile(JSONL);
    expect(records).toMatchObject({ format: 'jsonl', added: 5, updated: 0, unchanged: 0, skipped: 7 });
    expect(records.index).toEqual({ action: 'rebuilt', documents: 5 });

    const page = await service.importFile(PAGE, { year: 2025 });
    expect(page).toMatchObject({ format: 'page', added: 5, updated: 0, unchanged: 0, skipped: 0 });
    expect(page.index.documents).toBe(10);
    expect(await service.library.count()).toBe(10);

    expect((await ids(service, 'Attention Is All You Need'))[0]).toBe('1706.03762');
    expect(await best(service, 'ProjNet hand-written entry')).toMatch(/^title:/);
    expect((await service.library.get('title:feb3986ff984'))?.published).toBe('2025-06-01');
  });

  it('detects and reads every source format from its content', async () => {
    const service = await open();
    const cases = [
      ['hf-daily-papers-small.json', 'hf'],
      ['arxiv-api-legacy-1706.03762.xml', 'arxiv'],
      ['arxiv-rss-small.xml', 'rss'],
      ['arxiv-listing-atom-small.xml', 'rss'],
      ['paper-records-array.json', 'jsonl'],
    ] as const;
    for (const [file, format] of cases) {
      const summary = await service.importFile(path.join(fixtures, file));
      expect(summary.format, file).toBe(format);
      expect(summary.added + summary.updated + summary.unchanged, file).toBeGreaterThan(0);
    }
    expect((await service.index()).size).toBe(await service.library.count());
  });

  it('given the same file twice, reports the papers unchanged the second time and stores no duplicates', async () => {
    const service = await open();
    await service.importFile(JSONL);
    const again = await service.importFile(JSONL);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 5, skipped: 7, index: { action: 'unchanged' } });
    expect(await service.library.count()).toBe(5);
    expect(await ids(service, 'Attention Is All You Need')).toEqual(['1706.03762']);
  });

  it('reports a record with new facts about a stored paper as merged', async () => {
    const service = await open();
    await service.importFile(JSONL);
    const file = path.join(dir, 'upvotes.jsonl');
    await writeFile(file, `${JSON.stringify({ id: '1706.03762', title: 'Attention Is All You Need', upvotes: 999 })}\n`);
    expect(await service.importFile(file)).toMatchObject({ added: 0, updated: 1, unchanged: 0 });
    expect((await service.library.get('1706.03762'))?.upvotes).toBe(999);
    expect((await service.index()).summary('1706.03762')?.upvotes).toBe(999);
  });

  it('says why records were skipped: the first ten reasons and a count of all', async () => {
    const service = await open();
    const bad = Array.from({ length: 15 }, (_, i) => JSON.stringify({ id: `2401.${20000 + i}` }));
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, [...bad, '{not json', JSON.stringify({ id: '2401.30000', title: 'The one good record' })].join('\n'));
    const summary = await service.importFile(file);
    expect(summary).toMatchObject({ added: 1, skipped: 16 });
    expect(summary.skipReasons).toHaveLength(10);
    expect(summary.skipReasons[0]).toBe('line 1: title missing');

    const fixture = await service.importFile(JSONL);
    expect(fixture.skipReasons).toEqual([
      'line 3: not valid JSON',
      'line 4: title missing',
      'line 7: id "not-an-id" is not an arXiv id',
      'line 8: authors: expected an array',
      'line 9: expected a JSON object',
      'line 10: published: expected a YYYY-MM-DD date',
      'line 14: upvotes: expected a number',
    ]);
  });

  it('reads gzip by its magic bytes, whatever the file is called', async () => {
    const service = await open();
    const records = path.join(dir, 'records.data');
    await writeFile(records, gzipSync(await readFile(JSONL)));
    expect(await service.importFile(records)).toMatchObject({ format: 'jsonl', added: 5, skipped: 7 });

    const page = path.join(dir, 'page.txt.gz');
    await writeFile(page, gzipSync(await readFile(PAGE)));
    expect(await service.importFile(page, { format: 'page', year: 2025 })).toMatchObject({ format: 'page', added: 5 });
  });

  it('given the wrong --format, fails with one message and imports nothing', async () => {
    const service = await open();
    const wrong = await service.importFile(JSONL, { format: 'hf' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ImportFormatError);
    expect((wrong as Error).message).toMatch(/^not a Hugging Face Daily Papers response: expected a JSON array/);
    await expect(service.importFile(PAGE, { format: 'jsonl' })).rejects.toThrow(/^not a paper records file: expected one JSON object per line/);
    await expect(service.importFile(JSONL, { format: 'page' })).rejects.toThrow(/^not a Daily Papers page text/);
    // Starts with "{", so it looks like JSON Lines until the lines are read.
    const pretty = path.join(dir, 'pretty.json');
    await writeFile(pretty, JSON.stringify({ papers: Array.from({ length: 12 }, (_, i) => ({ id: `2401.${10000 + i}` })) }, null, 2));
    await expect(service.importFile(pretty)).rejects.toThrow(
      'not a paper records file: expected one JSON object per line (its first 10 lines are not JSON)',
    );
    expect(await service.library.count()).toBe(0);
  });

  it('given a file whose format cannot be detected, names the formats to choose from', async () => {
    const service = await open();
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'just some notes\nnothing to see\n');
    const error = await service.importFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toBe('cannot tell what kind of file notes.txt is.');
    expect((error as UserFacingError).hint).toMatch(/--format .*hf .*arxiv .*rss .*page .*jsonl/);
  });

  it('given a missing file, says so', async () => {
    const service = await open();
    await expect(service.importFile(path.join(dir, 'nope.jsonl'))).rejects.toThrow(/cannot read .*nope\.jsonl: no such file/);
  });
});

describe('the search index', () => {
  it('is saved with the library revision, so reopening loads it instead of building it', async () => {
    const first = await open();
    await first.importFile(JSONL);
    await closeAll();

    const events: ServiceEvent[] = [];
    const second = await open({ events });
    expect(await ids(second, 'Breaking the Memory Barrier')).toContain('2410.17243');
    expect(events.filter((e) => e.type === 'index-build')).toEqual([]);
  });

  it('is not written again by an open that changed nothing', async () => {
    const first = await open();
    await first.importFile(JSONL);
    await closeAll();
    const events: ServiceEvent[] = [];
    const second = await open({ events });
    await second.index();
    await closeAll();
    expect(events.filter((e) => e.type === 'snapshot-saved' || e.type === 'index-build')).toEqual([]);
  });

  it('given the snapshot of another store at an older revision, refuses it instead of catching it up', async () => {
    const indexPath = path.join(dir, 'shared.index');
    const openAt = async (file: string, events?: ServiceEvent[]) => {
      const service = await openLibraryService({ storeUrl: `sqlite://${dir}/${file}`, indexPath }, { seedFile: null, onEvent: (e) => events?.push(e) });
      opened.push(service);
      return service;
    };
    const real = await openAt('real.sqlite');
    await real.importFile(await syntheticFile('a.jsonl', 0, 2));
    await real.importFile(await syntheticFile('b.jsonl', 2, 4)); // revision 2
    await closeAll();
    // A trial store with the same INDEX_PATH overwrites the snapshot with its revision 1.
    const trial = await openAt('trial.sqlite');
    await trial.importFile(await syntheticFile('trial.jsonl', 100, 103));
    await closeAll();

    const events: ServiceEvent[] = [];
    const index = await (await openAt('real.sqlite', events)).index();
    expect(events.find((e) => e.type === 'index-build')).toMatchObject({ reason: expect.stringMatching(/^of another library/) });
    expect(index.size).toBe(4);
    expect(index.has('2401.10100')).toBe(false);
    expect(index.has('2401.10003')).toBe(true);
  });

  it('is rebuilt when the snapshot is missing, and says why', async () => {
    const first = await open();
    await first.importFile(JSONL);
    await closeAll();
    await rm(path.join(dir, 'paperboy.index'));

    const events: ServiceEvent[] = [];
    const second = await open({ events });
    expect(await ids(second, 'Attention Is All You Need')).toContain('1706.03762');
    expect(events.find((e) => e.type === 'index-build')).toMatchObject({ reason: 'missing', papers: 5 });
    expect((await second.indexStatus()).documents).toBe(5);
  });

  it('takes a small import in place and rebuilds for a large one', async () => {
    const service = await open();
    expect((await service.importFile(await syntheticFile('a.jsonl', 0, 20))).index).toEqual({ action: 'rebuilt', documents: 20 });
    // 2 of 20 is under a fifth of the index: updated in place.
    expect((await service.importFile(await syntheticFile('b.jsonl', 20, 22))).index).toEqual({ action: 'updated', documents: 22 });
    expect(await best(service, 'zorblax21')).toBe('2401.10021');
    // 10 of 22 is not.
    expect((await service.importFile(await syntheticFile('c.jsonl', 22, 32))).index).toEqual({ action: 'rebuilt', documents: 32 });
    await closeAll();

    const events: ServiceEvent[] = [];
    const reopened = await open({ events });
    expect(await best(reopened, 'zorblax31')).toBe('2401.10031');
    expect(await best(reopened, 'zorblax21')).toBe('2401.10021');
    expect(events).toEqual([]);
  });

  it('drops a page record from the index when its arXiv record arrives and absorbs it', async () => {
    const service = await open();
    await service.importFile(await syntheticFile('base.jsonl', 0, 20));
    await service.importFile(PAGE, { year: 2025 });
    const pageId = (await best(service, 'ProjNet hand-written entry'))!;
    expect(pageId).toMatch(/^title:/);

    const real = path.join(dir, 'real.jsonl');
    await writeFile(real, `${JSON.stringify({ id: '2403.01234', title: 'ProjNet: A Hand-Written Entry With Links', authors: ['A. Person'] })}\n`);
    const summary = await service.importFile(real);
    expect(summary.index.action).toBe('updated');
    const after = await ids(service, 'ProjNet hand-written entry');
    expect(after[0]).toBe('2403.01234');
    expect(after).not.toContain(pageId);
    expect((await service.library.get(pageId))?.id).toBe('2403.01234');
    expect(await service.library.count()).toBe(25);
  });
});

describe('a fresh store', () => {
  it('starts with the bundled seed papers, so search works with no import', async () => {
    const events: ServiceEvent[] = [];
    const service = await open({ seedFile: undefined, events });
    expect(events[0]?.type).toBe('seed');
    expect(await service.library.count()).toBe(39);
    const hits = (await service.index()).search('direct preference optimization').hits;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.title).toMatch(/prefer/i);
    await closeAll();

    const again: ServiceEvent[] = [];
    const reopened = await open({ seedFile: undefined, events: again });
    expect(again).toEqual([]);
    expect(await reopened.library.count()).toBe(39);
  });

  it('steps the sample aside when real papers arrive, and search then shows only them', async () => {
    const service = await open({ seedFile: undefined });
    const summary = await service.importFile(await syntheticFile('real.jsonl', 0, 5));
    expect(summary).toMatchObject({ added: 5, sampleRemoved: 39 });
    expect(await service.library.count()).toBe(5);
    const index = await service.index();
    expect(index.size).toBe(5);
    expect(index.search('direct preference optimization').hits.filter((h) => h.id.startsWith('title:'))).toEqual([]);
    await closeAll();
    // It does not come back on the next start.
    const reopened = await open({ seedFile: undefined });
    expect(await reopened.library.count()).toBe(5);
  });

  it('keeps a sample paper someone bookmarked when the rest step aside', async () => {
    const service = await open({ seedFile: undefined });
    const [kept] = (await service.index()).search('direct preference optimization').hits;
    await createBookmarks(service.stores.bookmarks).add('user-1', kept!.id);
    const summary = await service.importFile(await syntheticFile('real.jsonl', 0, 5));
    expect(summary.sampleRemoved).toBe(38);
    expect(await service.library.get(kept!.id)).toMatchObject({ id: kept!.id });
    expect(await service.library.count()).toBe(6);
  });

  it('given a library seeded before the sample was marked, removes the untouched sample papers once', async () => {
    // A store as the first version left it: the sample imported as ordinary papers, then real ones.
    const legacy = await open({ seedFile: null });
    await legacy.importFile(SEED_FILE, { format: 'jsonl' });
    await legacy.importFile(await syntheticFile('real.jsonl', 0, 3));
    await legacy.stores.changes.deleteMany(['1', '2']);
    await closeAll();

    const events: ServiceEvent[] = [];
    const upgraded = await open({ seedFile: undefined, events });
    expect(events).toContainEqual({ type: 'sample-removed', papers: 39 });
    expect(await upgraded.library.count()).toBe(3);
    expect((await upgraded.index()).size).toBe(3);
  });

  it('keeps the bundled papers when someone imported them on purpose into a store with a change log', async () => {
    const chosen = await open({ seedFile: null });
    await chosen.importFile(SEED_FILE, { format: 'jsonl' });
    await chosen.importFile(await syntheticFile('real.jsonl', 0, 3));
    await closeAll();
    const reopened = await open({ seedFile: undefined });
    expect(await reopened.library.count()).toBe(42);
  });
});
