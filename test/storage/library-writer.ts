/**
 * One writer process for the two-process library test (test/core/library.test.ts): opens the
 * store at argv[2] and upserts `batches` batches as writer argv[3]. Every batch holds papers only
 * this writer adds and one paper both writers upsert with a category of their own, so a lost
 * merge, a lost paper or a revision logged twice shows in what the parent reads afterwards.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLibrary } from '../../src/core/library.js';
import { normalizePaper } from '../../src/core/paper.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { libraryStores, openStores } from '../../src/storage/stores.js';

export const WRITER_BATCHES = 15;
export const OWN_PAPERS_PER_BATCH = 4;

/** The paper both writers upsert in batch `b`, and what writer `w` gives it. */
export const sharedId = (b: number) => `2402.${String(b).padStart(5, '0')}`;
export const writerCategory = (w: number) => `cs.W${w}`;
export const ownId = (w: number, b: number, i: number) => `240${3 + w}.${String(b * 100 + i).padStart(5, '0')}`;

async function main(url: string, writer: number): Promise<void> {
  const storage = await openStorage(url);
  try {
    const library = createLibrary(libraryStores(openStores(storage)), { atomically: storage.atomically });
    for (let b = 0; b < WRITER_BATCHES; b++) {
      const own = Array.from({ length: OWN_PAPERS_PER_BATCH }, (_, i) =>
        normalizePaper({ id: ownId(writer, b, i), title: `Writer ${writer} batch ${b} paper ${i}`, sources: ['arxiv'] }),
      );
      const shared = normalizePaper({ id: sharedId(b), title: `Shared paper ${b}`, categories: [writerCategory(writer)], sources: ['arxiv'] });
      await library.upsertMany([shared, ...own]);
    }
  } finally {
    await storage.close();
  }
}

// Run as a script (`node --import tsx library-writer.ts <url> <writer>`), not when the test imports the constants.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv[2]!, Number(process.argv[3]));
}
