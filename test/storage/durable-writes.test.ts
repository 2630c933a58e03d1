import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Topic } from '../../src/core/topics.js';
import { openStorage, type Storage, type SynchronousMode } from '../../src/storage/open-storage.js';
import { openStores, openTopicStores } from '../../src/storage/stores.js';

/**
 * A power cut cannot be simulated, so these read the commit mode SQLite is in at the moment of
 * the write, on the same connection: FULL (the log fsynced at COMMIT) for the outbox a run writes
 * before it sends, NORMAL for everything else.
 */

let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'paperboy-durable-'));
  storage = await openStorage(`sqlite://${dir}/db.sqlite`);
});
afterEach(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

const TOPIC: Topic = { guildId: '1', name: 'Diffusion', query: 'diffusion', channelId: '10', status: 'active', maxPerRun: 5, digest: true, createdBy: '2', createdAt: 1 };

describe('the writes that guard a send', () => {
  it('given the runner’s outbox step (a topic update writing pending records), commits it with synchronous=FULL, then goes back to NORMAL', async () => {
    const { topics, posted } = openTopicStores(openStores(storage), storage);
    await topics.save(TOPIC);
    let during: SynchronousMode | undefined;
    await topics.update('1', 'Diffusion', async (current) => {
      await posted.setMany('10', [{ paperId: '2603.00001', record: { state: 'pending', topic: current.name, topicVersion: '1.0', at: 5, nonce: 'n' } }]);
      during = await storage.synchronousMode();
      return { ...current, since: 5 };
    });
    expect(during).toBe('full');
    expect(await storage.synchronousMode()).toBe('normal');
    expect(await posted.pendingIds('10')).toEqual(['2603.00001']);
  });

  it('given an ordinary write (a card marked sent, an import batch), stays on NORMAL', async () => {
    const { posted } = openTopicStores(openStores(storage), storage);
    let during: SynchronousMode | undefined;
    await storage.atomically(async () => {
      await posted.set('10', '2603.00001', { state: 'sent', topic: 'Diffusion', at: 6, nonce: 'n', messageId: 'm' });
      during = await storage.synchronousMode();
    });
    expect(during).toBe('normal');
  });

  it('given the durable work throws, rolls it back and still goes back to NORMAL', async () => {
    const meta = storage.store<number>('meta');
    await expect(storage.durably(async () => {
      await meta.set('k', 1);
      throw new Error('killed');
    })).rejects.toThrow('killed');
    expect(await meta.get('k')).toBeUndefined();
    expect(await storage.synchronousMode()).toBe('normal');
  });
});
