import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/core/errors.js';
import { applyTopicEdit, buildNewTopic, pauseTopic, resumeTopic, type NewTopicInput } from '../../src/core/topic-admin.js';
import { DEFAULT_MAX_PER_RUN, MAX_TOPICS_PER_GUILD, type Topic } from '../../src/core/topics.js';

const NOW = Date.parse('2026-08-20T12:00:00Z');

const input: NewTopicInput = { guildId: 'g1', name: '  Diffusion  models ', query: ' diffusion cat:cs.CV ', channelId: 'c1', createdBy: 'u1' };

function topic(overrides: Partial<Topic> = {}): Topic {
  return { guildId: 'g1', name: 'Diffusion', query: 'diffusion', channelId: 'c1', maxPerRun: 5, digest: true, createdBy: 'u1', createdAt: 0, status: 'active', since: NOW - 1000, ...overrides };
}

describe('buildNewTopic', () => {
  it('comes after every topic already in the server, even one added in the same millisecond', () => {
    const first = buildNewTopic(input, [], NOW);
    const second = buildNewTopic({ ...input, name: 'Second' }, [first], NOW);
    const third = buildNewTopic({ ...input, name: 'Third' }, [first, second], NOW - 5_000);
    expect([first.createdAt, second.createdAt, third.createdAt]).toEqual([NOW, NOW + 1, NOW + 2]);
    expect(buildNewTopic({ ...input, name: 'Later' }, [first], NOW + 60_000).createdAt).toBe(NOW + 60_000);
  });

  it('given a name and query, makes an active topic with the defaults, names and queries cleaned', () => {
    expect(buildNewTopic(input, [], NOW)).toEqual({
      guildId: 'g1',
      name: 'Diffusion models',
      query: 'diffusion cat:cs.CV',
      channelId: 'c1',
      maxPerRun: DEFAULT_MAX_PER_RUN,
      digest: true,
      createdBy: 'u1',
      createdAt: NOW,
      status: 'active',
    });
  });

  it('keeps a role, max per run and digest when given; the first run is still pending (no since)', () => {
    const made = buildNewTopic({ ...input, roleId: 'r1', maxPerRun: 3, digest: false }, [], NOW);
    expect(made).toMatchObject({ roleId: 'r1', maxPerRun: 3, digest: false });
    expect(made.since).toBeUndefined();
  });

  it('refuses a name the server uses already, whatever its case', () => {
    expect(() => buildNewTopic({ ...input, name: 'DIFFUSION' }, [topic()], NOW)).toThrow(/already a topic named "Diffusion"/);
  });

  it(`refuses topic number ${MAX_TOPICS_PER_GUILD + 1}`, () => {
    const full = Array.from({ length: MAX_TOPICS_PER_GUILD }, (_, i) => topic({ name: `t${i}` }));
    expect(() => buildNewTopic(input, full, NOW)).toThrow(UserFacingError);
    expect(() => buildNewTopic(input, full.slice(1), NOW)).not.toThrow();
  });

  it('explains a malformed filter and an out-of-range max per run', () => {
    expect(() => buildNewTopic({ ...input, query: 'diffusion after:2024-13' }, [], NOW)).toThrow(/after:2024-13/);
    expect(() => buildNewTopic({ ...input, maxPerRun: 0 }, [], NOW)).toThrow(/max_per_run/);
    expect(() => buildNewTopic({ ...input, maxPerRun: 21 }, [], NOW)).toThrow(/max_per_run/);
  });
});

describe('applyTopicEdit', () => {
  it('given a new query, changes it and starts the topic afresh (bounded backfill again)', () => {
    const { topic: edited, changed } = applyTopicEdit(topic({ lastPostAt: NOW }), { query: 'diffusion cat:cs.CV' });
    expect(changed).toEqual(['query']);
    expect(edited.query).toBe('diffusion cat:cs.CV');
    expect(edited.since).toBeUndefined();
    expect(edited.lastPostAt).toBe(NOW);
  });

  it('given a new channel, also starts afresh; max per run or digest alone keep the topic running as it was', () => {
    expect(applyTopicEdit(topic(), { channelId: 'c2' }).topic.since).toBeUndefined();
    const { topic: edited, changed } = applyTopicEdit(topic(), { maxPerRun: 2, digest: false });
    expect(changed).toEqual(['maxPerRun', 'digest']);
    expect(edited.since).toBe(NOW - 1000);
  });

  it('sets and removes the role', () => {
    expect(applyTopicEdit(topic(), { roleId: 'r9' }).topic.roleId).toBe('r9');
    const removed = applyTopicEdit(topic({ roleId: 'r9' }), { roleId: null });
    expect(removed.changed).toEqual(['roleId']);
    expect('roleId' in removed.topic).toBe(false);
  });

  it('refuses an edit that changes nothing (values equal to the current ones count as nothing)', () => {
    expect(() => applyTopicEdit(topic(), {})).toThrow(/Nothing to change/);
    expect(() => applyTopicEdit(topic(), { query: ' diffusion ', channelId: 'c1', maxPerRun: 5, digest: true, roleId: null })).toThrow(/Nothing to change/);
  });

  it('explains a malformed new query', () => {
    expect(() => applyTopicEdit(topic(), { query: 'after:2024-13' })).toThrow(/after:2024-13/);
  });
});

describe('pause and resume', () => {
  it('pauses with who did it, marked as told, and resumes with the pause forgotten', () => {
    const paused = pauseTopic(topic(), 'alice');
    expect(paused).toMatchObject({ status: 'paused', pausedReason: 'paused with /topic pause by alice', pauseNotified: true });
    const resumed = resumeTopic(paused);
    expect(resumed.status).toBe('active');
    expect('pausedReason' in resumed || 'pauseNotified' in resumed).toBe(false);
    expect(resumed.since).toBe(NOW - 1000);
  });

  it('refuses to pause a paused topic or resume an active one', () => {
    expect(() => pauseTopic(topic({ status: 'paused', pausedReason: 'missing access' }), 'alice')).toThrow(/already paused \(missing access\)/);
    expect(() => resumeTopic(topic())).toThrow(/not paused/);
  });
});
