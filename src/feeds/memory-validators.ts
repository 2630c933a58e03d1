import type { Validators } from './http-fetch.js';

/**
 * Where a source keeps the ETag / Last-Modified of each URL it fetched, so the next run can ask
 * "changed since?". The caller backs it with Keyv; this in-memory one is for tests and one-off runs.
 */
export type ValidatorStore = {
  get(url: string): Promise<Validators | undefined>;
  set(url: string, validators: Validators): Promise<void>;
};

export function createMemoryValidatorStore(): ValidatorStore & { readonly entries: Map<string, Validators> } {
  const entries = new Map<string, Validators>();
  return {
    entries,
    async get(url) {
      const v = entries.get(url);
      return v ? { ...v } : undefined;
    },
    async set(url, validators) {
      entries.set(url, { ...validators });
    },
  };
}
