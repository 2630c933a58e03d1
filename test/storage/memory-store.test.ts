import { createMemoryStore } from '../../src/storage/memory-store.js';
import { describeKeyValueStoreContract } from './key-value-store-contract.js';

describeKeyValueStoreContract('in-memory map', async () => ({
  store: createMemoryStore(),
  close: async () => {},
}));
