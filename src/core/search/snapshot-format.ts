import MiniSearch from 'minisearch';
import { PAPER_INDEX_OPTIONS, type IndexDoc } from './index-document.js';

/**
 * The contract between the index and its snapshot (src/storage/index-snapshot.ts writes and
 * reads the file): a snapshot is MiniSearch's state under PAPER_INDEX_OPTIONS, the compact
 * postings beside it (whole abstracts and author name keys, 4: new; titles' letter triples, 6: new), plus the fuzzy
 * vocabulary, which the loader derives from the title postings (every title term). SNAPSHOT_FORMAT
 * changes whenever the options, the tokenizer (3: camel-case segments; 5: runs of a name's pieces) or that
 * derivation change.
 */
export const SNAPSHOT_FORMAT = 'paperboy-index/6';

/** A MiniSearch with the index's options and nothing in it, for a snapshot to fill. */
export function emptyMiniSearch(): MiniSearch<IndexDoc> {
  return new MiniSearch<IndexDoc>(PAPER_INDEX_OPTIONS);
}
