import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostRecord } from '../../src/core/topic-posts.js';
import { topicVersion } from '../../src/core/topics.js';
import { EPHEMERAL, UNLIMITED, type Answer } from '../discord/start-test-bot.js';
import { cardPaperId, MINUTE, startTopicBot, type HfPaper, type TopicBot } from './start-topic-bot.js';

/**
 * /topic why end to end, and a topic query with an exclusion and an OR posting into a channel:
 * the real bot against the fake Discord, a fake Hugging Face on loopback and a clock the test
 * moves. One bot; the scenario runs in order, each step building on the last:
 *
 *   T0       (start-topic-bot.ts) a flow matching paper is fetched before any topic exists
 *   T0+25h   topics `vision` ((diffusion OR flow) -audio, 2 per run, no digest) and `sound`
 *            (audio OR "flow matching"), both in #papers-ml, run for the first time
 *   T0+26h   six more matches arrive: vision posts two and defers four
 *   T0+34d   the deferred ones expired
 */

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const paper = (id: string, title: string, published: string, summary = `We study ${title.toLowerCase()}.`): HfPaper => ({ id, title, published, summary });

const OLD_FLOW = paper('2603.00100', 'Flow Matching for Old Things', '2026-02-20');
const TASKS = (['2026-02-27', '2026-02-28', '2026-03-01'] as const).map((published, i) => paper(`2603.0000${i + 1}`, `Diffusion Models for Task ${i + 1}`, published));
const AUDIO = paper('2603.00010', 'Audio Diffusion for Speech', '2026-03-01', 'We generate audio with diffusion models.');
const FLOW_IMAGES = paper('2603.00020', 'Flow Matching for Images', '2026-03-01', 'Flow matching trains image generators in few steps.');
const MORE = [4, 5, 6, 7, 8].map((n) => paper(`2603.0000${n}`, `Diffusion Models for Task ${n}`, '2026-03-02'));
/** A bundled sample paper the tests' library imports (no feed ever brought it): "MotionCrafter … Diffusion Models". */
const IMPORTED = 'title:69c8ca043199';

let t: TopicBot;

beforeAll(async () => {
  t = await startTopicBot({ rateLimits: UNLIMITED });
}, 30_000);

afterAll(async () => {
  expect(t.fake.violations, 'payloads Discord would have refused').toEqual([]);
  await t?.close();
}, 20_000);

/** A deferred ephemeral answer, then the edit that fills it in. */
async function deferred(spec: Parameters<TopicBot['slash']>[0]): Promise<Record<string, any>> {
  const answer = await t.slash({ user: 'owner', ...spec });
  expect(answer.type).toBe(5);
  expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(answer.token), 10_000);
  expect(edit.status).toBe(200);
  const body = edit.body as Record<string, any>;
  expect(body.allowed_mentions).toEqual({ parse: [] });
  return body;
}

async function immediate(spec: Parameters<TopicBot['slash']>[0]): Promise<Answer> {
  const answer = await t.slash({ user: 'owner', ...spec });
  expect(answer.type).toBe(4);
  expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  return answer;
}

/** /topic why for one topic: the verdict (the embed's description). */
async function why(id: string, topic: string): Promise<string> {
  const body = await deferred({ name: 'topic', subcommand: 'why', options: { id, topic } });
  return body.embeds[0].description as string;
}

const messageOf = (paperId: string) => t.botMessages('papers-ml').find((m) => cardPaperId(m) === paperId);
const linkTo = (messageId: string) => `https://discord.com/channels/${t.guildId}/${t.channel('papers-ml')}/${messageId}`;

describe('a topic with exclusions and OR, and /topic why for every outcome', () => {
  it('given a paper fetched a day before the topic exists, says it is older than the topic (first run not yet)', async () => {
    t.hf.publish(OLD_FLOW);
    await t.run();
    t.clock.advance(25 * HOUR);
    await t.addTopic({ name: 'vision', query: '(diffusion OR flow) -audio', channel: 'papers-ml', maxPerRun: 2, digest: false });
    await t.addTopic({ name: 'sound', query: 'audio OR "flow matching"', channel: 'papers-ml' });
    expect(await why(OLD_FLOW.id, 'vision')).toMatch(/\*\*Older than the topic\.\*\* It was first seen <t:\d+:f>; the topic's first run posts only papers first seen in the 24 h before it/);
  });

  it('given a first run, posts the newest matches without the excluded audio paper, which the OR topic posts', async () => {
    t.hf.publish(...TASKS, AUDIO);
    const report = await t.run();
    expect(report.topics).toEqual([
      expect.objectContaining({ name: 'vision', posted: 2 }),
      expect.objectContaining({ name: 'sound', posted: 1 }),
    ]);
    expect(t.botMessages('papers-ml').map(cardPaperId).sort()).toEqual([TASKS[1]!.id, TASKS[2]!.id, AUDIO.id].sort());
    expect((messageOf(AUDIO.id)!.embeds[0] as { footer: { text: string } }).footer.text).toMatch(/ · sound$/);
  });

  it('given a posted paper, links to its message', async () => {
    const text = await why(TASKS[2]!.id, 'vision');
    expect(text).toContain('**Posted** as a card');
    expect(text).toContain(`(${linkTo(messageOf(TASKS[2]!.id)!.id)})`);
  });

  it('given a match the first run left to newer ones, says the bounded backfill did not take it', async () => {
    expect(await why(TASKS[0]!.id, 'vision')).toMatch(/\*\*Older than the topic\.\*\*.*before the topic's first run.*at most 5 of the newest matches/);
  });

  it('given the excluded paper, names the exclusion and where the paper has the word', async () => {
    const text = await why(AUDIO.id, 'vision');
    expect(text).toContain('**Did not match** the query:');
    expect(text).toContain('• \\-audio: excluded, and the title has it');
    expect(await why(AUDIO.id, 'sound')).toContain('**Posted**');
  });

  it('given a paper no source brought, says it was never fetched', async () => {
    expect(await why('2603.09999', 'vision')).toContain('**Never fetched.** 2603.09999 is not in Paperboy');
  });

  it('given an imported paper that matches, says topics post only what the feeds bring', async () => {
    expect(await why(IMPORTED, 'vision')).toContain('**Not from a feed.**');
  });

  it('given another version of a posted paper, says it was posted and that a new version is skipped as the same paper', async () => {
    const text = await why(`https://arxiv.org/abs/${TASKS[2]!.id}v2`, 'vision');
    expect(text).toContain('**Posted** as a card');
    expect(text).toContain(`is a version of ${TASKS[2]!.id}: a paper is posted once, and a new version is skipped as the same paper.`);
    expect(text).toContain(linkTo(messageOf(TASKS[2]!.id)!.id));
  });

  it('given more matches than max_per_run with the digest off, posts two, and says the rest wait', async () => {
    t.clock.advance(HOUR);
    t.hf.publish(FLOW_IMAGES, ...MORE);
    const report = await t.run();
    expect(report.topics).toEqual([
      expect.objectContaining({ name: 'vision', posted: 2, deferred: 4 }),
      expect.objectContaining({ name: 'sound', posted: 0 }),
    ]);
    expect(await why(MORE[4]!.id, 'vision')).toMatch(/\*\*Waiting\.\*\* It matches, but more matches came than `max_per_run` \(2\) and the digest is off: it waits for a later run until <t:\d+:f>/);
    expect(await why(MORE[2]!.id, 'vision')).toBe(
      `Topic **vision** · query \\(diffusion OR flow\\) -audio\n\n**Waiting.** It matches and is new: the next run posts it.`,
    );
  });

  it('given a paper another topic already posted in the channel, says it was skipped and links that post', async () => {
    const text = await why(FLOW_IMAGES.id, 'sound');
    expect(text).toContain('**Skipped: already in this channel.** The topic **vision** posted it');
    expect(text).toContain(linkTo(messageOf(FLOW_IMAGES.id)!.id));
  });

  it('given /topic add, shows how many papers of the last 7 days the query matches before saving', async () => {
    const answer = await immediate({ name: 'topic', subcommand: 'add', options: { name: 'late', query: 'diffusion -audio', channel: t.channel('paper-news') } });
    // First seen by a feed in the last 7 days (as topics take them): the old flow paper, the three
    // tasks, the audio paper, flow for images and five more tasks.
    expect(answer.data.embeds[0].description).toContain('**Recent matches** 8 of 11 papers the feeds brought since 2026-02-24 (the last 7 days).');
    const typo = await immediate({ name: 'topic', subcommand: 'edit', options: { name: 'late', query: 'difusion' } });
    expect(typo.data.embeds[0].description).toContain('**Recent matches** 0 of 11 papers the feeds brought since 2026-02-24 (the last 7 days). A topic matches words exactly');
    // Published before the week (2026-02-20) but first listed by a feed within it: a topic's new paper, so counted.
    const old = await immediate({ name: 'topic', subcommand: 'edit', options: { name: 'late', query: 'title:old' } });
    expect(old.data.embeds[0].description).toContain('**Recent matches** 1 of 11 papers the feeds brought since 2026-02-24');
    await immediate({ name: 'topic', subcommand: 'edit', options: { name: 'late', query: 'diffusion -audio' } });
  });

  it('given unclear syntax in /topic add, explains it and saves nothing', async () => {
    const answer = await immediate({ name: 'topic', subcommand: 'add', options: { name: 'unclear', query: '(diffusion OR flow', channel: t.channel('papers-ml') } });
    expect(answer.data.content).toContain('That query is not clear: A `(` was not closed');
    expect(await t.bot.ctx.topics.get(t.guildId, 'unclear')).toBeUndefined();
  });

  it('given a topic that has not run yet, says its first run will take the paper', async () => {
    expect(await why(MORE[4]!.id, 'late')).toContain('**Waiting.** It matches; the topic has not run yet.');
  });

  it('given a paused topic, says the paper waits for /topic resume', async () => {
    await immediate({ name: 'topic', subcommand: 'pause', options: { name: 'vision' } });
    expect(await why(MORE[4]!.id, 'vision')).toContain('**Waiting.** It matches, but the topic is paused (paused with /topic pause by owner)');
    await immediate({ name: 'topic', subcommand: 'resume', options: { name: 'vision' } });
  });

  it('given a paper in the outbox (a crash between planning and sending), says the next run sends it', async () => {
    const vision = await t.topic('vision');
    const record: PostRecord = { state: 'pending', topic: 'vision', topicVersion: topicVersion(vision), at: t.clock.now(), nonce: 'crashed-send' };
    await t.withStore((storage) => storage.store<PostRecord>('posted').set(`${vision.channelId}:${MORE[3]!.id}`, record));
    expect(await why(MORE[3]!.id, 'vision')).toContain('**Waiting.** It matched and is in the outbox: the next run sends it.');
  });

  it('given a deferred match older than 7 days, says it expired unposted', async () => {
    t.clock.advance(8 * DAY);
    expect(await why(MORE[4]!.id, 'vision')).toContain('**Expired unposted.**');
  });

  it('given no topic, answers for every topic of the server, one field each', async () => {
    const body = await deferred({ name: 'topic', subcommand: 'why', options: { id: AUDIO.id } });
    const fields = body.embeds[0].fields as { name: string; value: string }[];
    expect(fields.map((f) => f.name.split(' · ')[0])).toEqual(['late', 'sound', 'vision']);
    expect(fields.find((f) => f.name.startsWith('vision'))!.value).toContain('-audio: excluded');
  });

  it('given the topic option half typed, autocompletes the topic names', async () => {
    const injected = t.fake.injectAutocomplete({ user: 'owner', name: 'topic', subcommand: 'why', focused: { name: 'topic', value: 'vi' } });
    const choices = ((await injected.firstResponse(4000)).body as any).data.choices as { value: string }[];
    expect(choices.map((c) => c.value)).toEqual(['vision']);
  });

  it('given a member without Manage Channels, refuses', async () => {
    const answer = await t.slash({ user: 'alice', name: 'topic', subcommand: 'why', options: { id: AUDIO.id } });
    expect(answer.data.content).toContain('Manage Channels');
  });
});

