/**
 * `npm run sandbox` twice on the same data directory: the second run finds the first run's
 * topics and bookmarks (its own SQLite file) and its topic still posts, because the sandbox
 * server comes back with the same channel ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/start-sandbox.js';
import { SANDBOX_IDS } from '../../sandbox/sandbox-guild.js';

describe('the sandbox across a restart', () => {
  let dir = '';
  let sandbox: Sandbox | undefined;

  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const started = await startSandbox({ port: 0, dataDir: dir, feedIntervalMs: null, logDestination: { write: () => undefined } });
    await started.bot.indexReady;
    return started;
  };

  /** A slash command as Ada, through the page's API; resolves with the bot's first answer. */
  const slash = async (running: Sandbox, body: Record<string, unknown>) => {
    const response = await fetch(new URL('/sandbox/api/interactions', running.url), {
      method: 'POST',
      // The page's own Origin: the sandbox refuses changes from other sites.
      headers: { 'content-type': 'application/json', origin: new URL(running.url).origin },
      body: JSON.stringify({ kind: 'command', user: SANDBOX_IDS.admin, channelId: SANDBOX_IDS.general, ...body }),
    });
    const { interactionId } = (await response.json()) as { interactionId: string };
    return running.fake.waitForRequest((r) => r.path.startsWith(`/interactions/${interactionId}/`), 5_000);
  };

  it('keeps topics and bookmarks, and the topic posts into the same channel', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-sandbox-restart-'));
    sandbox = await start();
    await slash(sandbox, { name: 'topic', subcommand: 'add', options: { name: 'prefs', query: 'preference', channel: SANDBOX_IDS.topicChannel } });
    // A paper of the bundled library ("Advancing LLM Reasoning Generalists with Preference Trees").
    const someId = 'title:06e333b56dcd';
    expect(await sandbox.bot.ctx.library.get(someId)).toBeDefined();
    await sandbox.bot.ctx.bookmarks.add(SANDBOX_IDS.admin, someId);
    await sandbox.close();

    sandbox = await start();
    expect((await sandbox.bot.ctx.topics.list(SANDBOX_IDS.guild)).map((t) => t.name)).toEqual(['prefs']);
    expect(await sandbox.bot.ctx.bookmarks.list(SANDBOX_IDS.admin)).toEqual([someId]);
    // The run at start-up is the topic's first: its backfill lands in the channel saved before the restart.
    const running = sandbox;
    await expect.poll(() => running.fake.state.messagesIn(SANDBOX_IDS.topicChannel).filter((m) => m.embeds.length > 0).length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(sandbox.fake.violations).toEqual([]);
  }, 60_000);
});
