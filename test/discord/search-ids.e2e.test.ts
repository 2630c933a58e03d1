import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPO_ID, EPHEMERAL, fixedClock, RECENT_ID, startTestBot, UNLIMITED, type TestBot } from './start-test-bot.js';

/**
 * /paper search and /paper show given ids as people paste them (issue 8): a list of ids, an id
 * with punctuation, and an id the library does not hold, end to end against the fake Discord.
 */

const MISSING = '2405.99999';
const MISSING_LINE = `${MISSING} is not in Paperboy's library yet: https://arxiv.org/abs/${MISSING}`;

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock: fixedClock, rateLimits: UNLIMITED });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

async function search(query: string) {
  const answer = await t.slash({ name: 'paper', subcommand: 'search', options: { query } });
  expect(answer.type).toBe(4);
  const embed = answer.data.embeds[0];
  const menu = answer.data.components?.[0]?.components?.[0];
  return { description: embed.description as string, values: (menu?.options ?? []).map((o: { value: string }) => o.value) as string[] };
}

describe('/paper search with ids', () => {
  it('given a list of ids with commas, lists every paper in the order given and nothing else', async () => {
    const { description, values } = await search(`${RECENT_ID}, ${DPO_ID}`);
    expect(values).toEqual([RECENT_ID, DPO_ID]);
    expect(description).toMatch(/^Results 1–2 of 2/);
    expect(t.fake.violations).toEqual([]);
  });

  it('given an id in brackets or a pasted link with a trailing comma, lists that paper', async () => {
    expect((await search(`(${DPO_ID})`)).values).toEqual([DPO_ID]);
    expect((await search(`https://arxiv.org/abs/${DPO_ID}v2,`)).values).toEqual([DPO_ID]);
  });

  it('given an id the library does not hold, answers with its arXiv link instead of "no papers matched"', async () => {
    const { description, values } = await search(`${MISSING},`);
    expect(description).toBe(MISSING_LINE);
    expect(description).not.toMatch(/No papers matched/);
    expect(values).toEqual([]);
    expect(t.fake.violations).toEqual([]);
  });

  it('given a missing id and a held one, says which is missing and lists the other', async () => {
    const { description, values } = await search(`${MISSING} ${DPO_ID}`);
    expect(description.split('\n')[0]).toBe(MISSING_LINE);
    expect(description).toMatch(/Results 1–1 of 1/);
    expect(values).toEqual([DPO_ID]);
  });

  it('given a missing id and words, says so above the results for the words', async () => {
    const { description, values } = await search(`${MISSING} direct preference optimization`);
    expect(description.split('\n')[0]).toBe(MISSING_LINE);
    expect(values[0]).toBe(DPO_ID);
  });
});

describe('/paper show with ids', () => {
  it('given an id pasted with brackets and a comma, shows the card', async () => {
    const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: `(${DPO_ID}),` } });
    expect(answer.type).toBe(4);
    expect(answer.data.embeds[0].title).toMatch(/^Direct Preference Optimization/);
  });

  it('given a link to a paper the library does not hold, answers ephemerally with the same words as search', async () => {
    const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: `https://www.alphaxiv.org/abs/${MISSING}.` } });
    expect(answer.type).toBe(4);
    expect((answer.data.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.data.content).toContain(MISSING_LINE);
  });
});
