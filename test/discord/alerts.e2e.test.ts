import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_LIMITS, type AlertRecord } from '../../src/core/alerts.js';
import type { Storage } from '../../src/storage/open-storage.js';
import { openAlertStores, openStores } from '../../src/storage/stores.js';
import type { StoredMessage } from '../../sandbox/fake-discord/state.js';
import { diffusionPapers, MINUTE, startTopicBot, T0, type TopicBot } from '../topics/start-topic-bot.js';
import { originalMessageId, UNLIMITED } from './start-test-bot.js';

/**
 * Personal alerts end to end: /alert against the real bot and the fake Discord, papers from the
 * fake Hugging Face, runs started with runNow on a clock the test moves (T0 is 09:00 UTC).
 */

let t: TopicBot | undefined;

afterEach(async () => {
  if (t) {
    expect(t.fake.violations, 'payloads Discord would have refused').toEqual([]);
    expect(t.fake.unknownRoutes).toEqual([]);
    await t.close();
  }
  t = undefined;
}, 20_000);

const HOUR = 60 * MINUTE;

function dms(bot: TopicBot, user: string): StoredMessage[] {
  return bot.fake.state.messagesIn(bot.fake.state.dmChannelWith(bot.user(user)).id);
}

/** The arXiv ids a DM lists, in order. */
function listed(message: StoredMessage): string[] {
  const description = (message.embeds[0] as { description?: string } | undefined)?.description ?? '';
  return [...description.matchAll(/arxiv\.org\/abs\/([\d.]+)/g)].map((m) => m[1]!);
}

async function alert(bot: TopicBot, user: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
  return bot.slash({ user, name: 'alert', subcommand, options });
}

function text(answer: { data: Record<string, any> }): string {
  return String(answer.data.content ?? '');
}

/** What a crash before the `sent` records would have left: the member's first alert's records of these papers back to pending. */
async function rewindToPending(storage: Storage, userId: string, paperIds: string[]): Promise<Map<string, AlertRecord>> {
  const { users, records } = openAlertStores(openStores(storage), storage);
  const alert = (await users.get(userId))!.alerts[0]!;
  const sent = await records.getMany(userId, alert.id, paperIds);
  await records.setMany(userId, alert, [...sent].map(([paperId, { nonce, at }]) => ({ paperId, record: { state: 'pending' as const, nonce, at } })));
  return sent;
}

describe('/alert', () => {
  it('given an alert, DMs each run’s new matches once, never a paper twice, and lists and removes alerts', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    const added = await alert(t, 'alice', 'add', { query: 'diffusion' });
    expect(text(added)).toContain('Added alert #1');
    expect(added.data.flags).toBe(64);
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(3), { id: '2603.00900', title: 'Graph Neural Networks at Scale' });
    await t.run();

    const [first] = dms(t, 'alice') as [StoredMessage];
    expect(dms(t, 'alice')).toHaveLength(1);
    expect(listed(first)).toEqual(['2603.00001', '2603.00002', '2603.00003']);
    expect((first.embeds[0] as { title: string }).title).toBe('3 new papers for your alert #1');
    expect(t.fake.requestsFor('/users/@me/channels', 'POST').map((r) => r.body)).toEqual([{ recipient_id: t.user('alice') }]);
    const send = t.fake.requestsFor('/channels/:id/messages', 'POST').at(-1)!.body as Record<string, any>;
    expect(send.enforce_nonce).toBe(true);
    expect(send.allowed_mentions).toEqual({ parse: [] });

    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(1, 4));
    await t.run();
    expect(dms(t, 'alice').map(listed)).toEqual([['2603.00001', '2603.00002', '2603.00003'], ['2603.00004']]);
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(dms(t, 'alice')).toHaveLength(2);
    expect(dms(t, 'bob')).toHaveLength(0);

    expect(text(await alert(t, 'alice', 'list'))).toMatch(/Your alerts \(1\/5\)[\s\S]*#1 · diffusion · as papers appear/);
    expect(text(await alert(t, 'alice', 'remove', { id: '1' }))).toContain('Removed alert #1');
    expect(text(await alert(t, 'alice', 'list'))).toContain('You have no alerts');
    t.clock.advance(30 * MINUTE);
    t.hf.publish(...diffusionPapers(1, 5));
    await t.run();
    expect(dms(t, 'alice')).toHaveLength(2);
  }, 30_000);

  it('given five alerts, refuses a sixth; a bad query or time zone is explained', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    for (let i = 1; i <= ALERT_LIMITS.perUser; i++) expect(text(await alert(t, 'bob', 'add', { query: `topic${i}` }))).toContain(`Added alert #${i}`);
    expect(text(await alert(t, 'bob', 'add', { query: 'one more' }))).toContain('the most Paperboy keeps per person');
    expect(text(await alert(t, 'alice', 'add', { query: 'Diffusion' }))).toContain('Added alert #1');
    expect(text(await alert(t, 'alice', 'add', { query: 'diffusion' }))).toContain('You already have an alert with that query');
    expect(text(await alert(t, 'alice', 'add', { query: 'diffusion after:2024-13' }))).not.toContain('Added');
    expect(text(await alert(t, 'alice', 'timezone', { zone: 'Mars/Olympus' }))).toContain('is not a time zone I know');
    expect((await t.bot.ctx.alerts.users.get(t.user('bob')))?.alerts).toHaveLength(5);
  }, 30_000);

  it('given a daily alert at 20:00 in Tokyo, sends one digest a day once that hour has come there', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    expect(text(await alert(t, 'alice', 'timezone', { zone: 'asia/tokyo' }))).toContain('Asia/Tokyo (it is 18:xx there)');
    expect(text(await alert(t, 'alice', 'add', { query: 'diffusion', when: 'daily', hour: 20 }))).toContain('at 20:00 Asia/Tokyo');
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(2));
    await t.run(); // 18:01 in Tokyo
    t.clock.advance(HOUR);
    t.hf.publish(...diffusionPapers(1, 3));
    await t.run(); // 19:01
    expect(dms(t, 'alice')).toHaveLength(0);

    t.clock.advance(HOUR); // 20:01 in Tokyo: the digest, with everything since the alert was made
    await t.run();
    expect(dms(t, 'alice').map(listed)).toEqual([['2603.00001', '2603.00002', '2603.00003']]);
    expect((dms(t, 'alice')[0]!.embeds[0] as { footer: { text: string } }).footer.text).toContain('Daily digest at 20:00 Asia/Tokyo');

    t.clock.advance(HOUR);
    t.hf.publish(...diffusionPapers(1, 4));
    await t.run(); // 21:01, same day: nothing
    t.clock.advance(HOUR * 22); // 19:01 the next day: not yet
    await t.run();
    expect(dms(t, 'alice')).toHaveLength(1);
    t.clock.advance(HOUR); // 20:01 the next day
    await t.run();
    expect(dms(t, 'alice').map(listed)).toEqual([['2603.00001', '2603.00002', '2603.00003'], ['2603.00004']]);
    expect(t.clock.now()).toBe(T0 + MINUTE + 26 * HOUR);
  }, 30_000);

  it('given closed DMs, pauses the alerts, tells the member once on their next command, and resumes when DMs open', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    await alert(t, 'alice', 'add', { query: 'diffusion' });
    t.fake.state.closedDms.add(t.user('alice'));
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(2));
    await t.run();
    expect(dms(t, 'alice')).toHaveLength(0);
    expect(t.fake.requestsFor('/channels/:id/messages', 'POST').map((r) => r.status)).toEqual([403]);
    expect(await t.bot.ctx.alerts.users.get(t.user('alice'))).toMatchObject({ pausedAt: expect.any(Number), noticePending: true });

    // Paused: the next run does not try again.
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(t.fake.requestsFor('/channels/:id/messages', 'POST')).toHaveLength(1);

    // Her next command (any command) gets the notice as an ephemeral follow-up; the one after does not.
    const followUps = () => t!.fake.requestsFor('/webhooks/:id/:token', 'POST');
    const search = await t.slash({ user: 'alice', name: 'bookmarks', subcommand: 'list' });
    await t.fake.waitForRequest((r) => r.route === '/webhooks/:id/:token' && r.path.includes(search.token));
    expect(followUps()).toHaveLength(1);
    expect(followUps()[0]!.body).toMatchObject({ flags: 64, content: expect.stringContaining('I paused your alerts') });
    await t.slash({ user: 'alice', name: 'bookmarks', subcommand: 'list' });
    await t.slash({ user: 'bob', name: 'bookmarks', subcommand: 'list' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(followUps()).toHaveLength(1);
    expect(text(await alert(t, 'alice', 'list'))).toContain('**Paused:**');

    // Resume while DMs are still closed: refused; once open: a greeting DM and the missed matches next run.
    const still = await alert(t, 'alice', 'resume');
    await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(still.token));
    expect(JSON.stringify(t.fake.requestsFor('/webhooks/:id/:token/messages/@original', 'PATCH').at(-1)!.body)).toContain('I still cannot send you a DM');
    t.fake.state.closedDms.delete(t.user('alice'));
    const resumed = await alert(t, 'alice', 'resume');
    await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(resumed.token));
    expect(JSON.stringify(t.fake.requestsFor('/webhooks/:id/:token/messages/@original', 'PATCH').at(-1)!.body)).toContain('Your alerts are on again');
    expect(dms(t, 'alice').map((m) => m.content)).toEqual([expect.stringContaining('alerts are on again')]);
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(dms(t, 'alice').slice(1).map(listed)).toEqual([['2603.00001', '2603.00002']]);
  }, 30_000);

  it('given a crash after Discord accepted a DM but before it was recorded, the next run does not DM it again', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    await alert(t, 'alice', 'add', { query: 'diffusion' });
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(2));
    await t.run();
    expect(dms(t, 'alice')).toHaveLength(1);
    const alice = t.user('alice');

    await t.restart(() =>
      t!.withStore(async (storage) => {
        const sent = await rewindToPending(storage, alice, ['2603.00001', '2603.00002']);
        expect([...sent.values()].map((r) => r.state)).toEqual(['sent', 'sent']);
      }),
    );
    t.clock.advance(MINUTE);
    await t.run();
    // Resent with the same nonce: Discord answers with the first DM.
    const sends = t.fake.requestsFor('/channels/:id/messages', 'POST').filter((r) => r.path.includes(t!.fake.state.dmChannelWith(alice).id));
    expect(sends).toHaveLength(2);
    expect((sends[1]!.body as { nonce: string }).nonce).toBe((sends[0]!.body as { nonce: string }).nonce);
    expect(dms(t, 'alice')).toHaveLength(1);
    expect([...(await t.bot.ctx.alerts.records.getMany(alice, '1', ['2603.00001'])).values()]).toEqual([expect.objectContaining({ state: 'sent', messageId: dms(t, 'alice')[0]!.id })]);
  }, 30_000);

  it('given a DM left pending longer than Discord’s nonce window, finds it in the DM history instead of sending it again', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED, fake: { nonceWindowMs: 1 } });
    await alert(t, 'alice', 'add', { query: 'diffusion' });
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(2));
    await t.run();
    const alice = t.user('alice');
    const [first] = dms(t, 'alice') as [StoredMessage];
    const rewind = async () => void (await t!.withStore((storage) => rewindToPending(storage, alice, ['2603.00001', '2603.00002'])));
    await t.restart(rewind);
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(dms(t, 'alice').map((m) => m.id)).toEqual([first.id]);
    expect([...(await t.bot.ctx.alerts.records.getMany(alice, '1', ['2603.00002'])).values()]).toEqual([expect.objectContaining({ state: 'sent', messageId: first.id })]);

    // Without it in the history (never accepted), the DM goes out once.
    await t.restart(async () => {
      await rewind();
      first.deleted = true;
    });
    t.clock.advance(30 * MINUTE);
    await t.run();
    expect(dms(t, 'alice').map(listed)).toEqual([['2603.00001', '2603.00002']]);
    expect(dms(t, 'alice')[0]!.id).not.toBe(first.id);
  }, 30_000);

  it('given /alert remove, answers without waiting for what the alert delivered to be deleted, which goes afterwards', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    await alert(t, 'alice', 'add', { query: 'diffusion' });
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const alice = t.user('alice');
    // The cleanup stalls (a slow store): the answer must not wait for it (Discord wants one within 3 s).
    const records = t.bot.ctx.alerts.records;
    const forget = records.forget;
    let unstall!: () => void;
    const stalled = new Promise<void>((resolve) => (unstall = resolve));
    records.forget = async (userId, ids) => {
      await stalled;
      return forget(userId, ids);
    };
    try {
      const started = performance.now();
      expect(text(await alert(t, 'alice', 'remove', { id: '1' }))).toContain('Removed alert #1');
      expect(performance.now() - started).toBeLessThan(3_000);
      expect((await records.getMany(alice, '1', ['2603.00001'])).size).toBe(1);
    } finally {
      unstall();
    }
    await expect.poll(async () => (await records.getMany(alice, '1', ['2603.00001'])).size).toBe(0);
    records.forget = forget;
  }, 30_000);

  it('given /bookmarks forget-me, the member’s alerts and their records go too', async () => {
    t = await startTopicBot({ rateLimits: UNLIMITED });
    await alert(t, 'alice', 'add', { query: 'diffusion' });
    t.clock.advance(MINUTE);
    t.hf.publish(...diffusionPapers(1));
    await t.run();
    const alice = t.user('alice');
    expect((await t.bot.ctx.alerts.records.getMany(alice, '1', ['2603.00001'])).size).toBe(1);

    const asked = await t.slash({ user: 'alice', name: 'bookmarks', subcommand: 'forget-me' });
    expect(JSON.stringify(asked.data)).toContain('alerts');
    const press = t.fake.injectButton({ user: 'alice', customId: 'bookmarks:forget', messageId: originalMessageId(t.fake, asked.id) });
    expect(JSON.stringify((await press.firstResponse()).body)).toContain('1 alert');
    await expect.poll(async () => (await t!.bot.ctx.alerts.records.getMany(alice, '1', ['2603.00001'])).size).toBe(0);
    expect(await t.bot.ctx.alerts.users.get(alice)).toBeUndefined();
  }, 30_000);
});
