import { describe, expect, it } from 'vitest';
import { normalizePaper, type Paper } from '../../../src/core/paper.js';
import { titleId } from '../../../src/core/paper-id.js';
import { DIGEST_MAX } from '../../../src/core/topic-posts.js';
import { DISCORD_LIMITS } from '../../../src/discord/render/limits.js';
import { codePoints } from '../../../src/discord/render/text.js';
import { renderTopicDigest, renderTopicPausedNotice, renderTopicPost } from '../../../src/discord/render/topic-messages.js';
import { discordIssues } from './discord-body.js';

function paper(id: string, title: string, extra: Partial<Paper> = {}): Paper {
  return normalizePaper({ id, title, abstract: 'An abstract.', authors: ['Ada Lovelace'], categories: ['cs.LG'], sources: ['hf'], ...extra });
}

const topic = { name: 'Diffusion' };

describe('topic posts', () => {
  it('is the paper card with the topic in its footer, pinging nobody', () => {
    const message = renderTopicPost(paper('2603.00001', 'Diffusion Models'), topic);
    expect(message.content).toBeUndefined();
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(message.embeds![0]!.footer!.text).toBe('2603.00001 · Diffusion');
    expect(discordIssues(message)).toEqual([]);
  });

  it('pings the topic’s role, and only that role', () => {
    const message = renderTopicPost(paper('2603.00001', 'Diffusion Models'), { ...topic, roleId: '123456789012345678' });
    expect(message.content).toBe('<@&123456789012345678>');
    expect(message.allowedMentions).toEqual({ parse: [], roles: ['123456789012345678'] });
  });
});

describe('the digest', () => {
  it('lists every paper as an escaped link, even 30 papers with long titles and long links', () => {
    const long = 'Very **Long** Title about <@123> and diffusion '.repeat(8);
    const papers = Array.from({ length: DIGEST_MAX }, (_, i) =>
      i % 2 === 0
        ? paper(`2603.${String(i).padStart(5, '0')}`, `${long} ${i}`)
        : paper(titleId(`${long} ${i}`), `${long} ${i}`, { links: { project: `https://example.org/${'p'.repeat(150)}/${i}` } }),
    );
    const message = renderTopicDigest(papers, topic);
    const description = message.embeds![0]!.description!;
    expect(codePoints(description)).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    const lines = description.split('\n');
    expect(lines).toHaveLength(DIGEST_MAX);
    expect(lines[0]).toMatch(/^• \[Very \\\*\\\*Long\\\*\\\* Title about <\u200b@123>.*…\]\(https:\/\/arxiv\.org\/abs\/2603\.00000\)$/);
    // A link too long for a digest line leaves the title on its own, never a cut link.
    expect(lines[1]).toMatch(/^• Very /);
    expect(lines[1]).not.toContain('](');
    expect(message.embeds![0]!.title).toBe('30 more new papers for Diffusion');
    expect(discordIssues(message)).toEqual([]);
  });

  it('says "paper" for one', () => {
    expect(renderTopicDigest([paper('2603.00001', 'One')], topic).embeds![0]!.title).toBe('1 more new paper for Diffusion');
  });
});

describe('the pause notice', () => {
  it('names the topic, the server and the reason, and how to resume, without live mentions', () => {
    const message = renderTopicPausedNotice({ name: 'My_topic' }, 'Missing Permissions in #papers (Send Messages)', 'Lab @everyone');
    // Escaped like any text that can hold names people chose; Discord hides the backslashes.
    expect(message.content).toContain('I paused the topic **My\\_topic** in **Lab @\u200beveryone**: Missing Permissions in #papers \\(Send Messages\\).');
    expect(message.content).toContain('/topic resume');
    expect(message.allowedMentions).toEqual({ parse: [] });
  });
});
