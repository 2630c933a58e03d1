import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL, fixedClock, startTestBot, type Answer, type TestBot } from './start-test-bot.js';

/**
 * Ids and links with a broken `%` escape, typed by a person (issue 7, defect 4): the bot answers
 * each command clearly instead of "Something went wrong", and nothing of the kind reaches the log
 * as an unexpected error. One bot for the file against the fake Discord.
 */

// "%E0%A4%A": a three-byte UTF-8 sequence cut short, so decodeURIComponent throws URIError on it.
const BROKEN_LINK = 'https://arxiv.org/abs/%E0%A4%A';
const BROKEN_HF_LINK = 'huggingface.co/papers/%zz2405.17399';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock: fixedClock });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

type Spec = Parameters<TestBot['slash']>[0];

async function answerOf(spec: Spec): Promise<Answer> {
  const answer = await t.slash(spec);
  expect(answer.type).toBe(4);
  expect(answer.data.allowed_mentions).toEqual({ parse: [] });
  return answer;
}

const allText = (data: Record<string, any>) => `${data.content ?? ''} ${JSON.stringify(data.embeds ?? [])}`;

describe('a link with a broken % escape', () => {
  it.each([BROKEN_LINK, BROKEN_HF_LINK, `dpo ${BROKEN_LINK}`])('given /paper search %j, searches normally instead of failing', async (query) => {
    const answer = await answerOf({ name: 'paper', subcommand: 'search', options: { query } });
    expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(allText(answer.data)).not.toMatch(/something went wrong/i);
    // Either results or a plain "no paper matches": both are answers about the search.
    expect(allText(answer.data)).toMatch(/Results \d|No paper/i);
  });

  it('given /paper show with it, says it is not an arXiv id or paper URL', async () => {
    const answer = await answerOf({ name: 'paper', subcommand: 'show', options: { id: BROKEN_LINK } });
    expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.data.content).toContain('is not an arXiv id or paper URL');
    expect(answer.data.content).toContain('%E0%A4%A');
  });

  it('given /topic add with it as the query, answers with the saved topic', async () => {
    const answer = await answerOf({
      user: 'owner',
      name: 'topic',
      subcommand: 'add',
      options: { name: 'broken-link', query: BROKEN_LINK, channel: t.channel('papers-ml') },
    });
    expect(allText(answer.data)).not.toMatch(/something went wrong/i);
    expect(answer.data.embeds?.[0]?.title).toBe('Topic added: broken-link');
    expect(await t.bot.ctx.topics.get(t.guildId, 'broken-link')).toMatchObject({ query: BROKEN_LINK });
  });

  it('given all of the above, logged no unexpected error', () => {
    expect(t.logs()).not.toMatch(/URIError/);
    expect(t.fake.violations).toEqual([]);
  });
});
