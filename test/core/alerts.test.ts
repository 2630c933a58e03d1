import { describe, expect, it } from 'vitest';
import {
  addAlert,
  ALERT_LIMITS,
  ALERT_RECORDS_KEEP_DAYS,
  alertMatches,
  checkTimezone,
  createAlertStores,
  digestDueDay,
  localTime,
  planAlertMessages,
  removeAlert,
  type Alert,
  type AlertRecord,
} from '../../src/core/alerts.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { normalizePaper } from '../../src/core/paper.js';
import { toCandidates } from '../../src/core/topic-posts.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

function candidates(count: number, seenAt = T0 + 1) {
  const papers = Array.from({ length: count }, (_, i) =>
    normalizePaper({ id: `2603.${String(i + 1).padStart(5, '0')}`, title: `Diffusion paper ${i + 1}`, abstract: 'About diffusion.', sources: ['hf'] }),
  );
  return toCandidates(papers, new Map(papers.map((p, i) => [p.id, seenAt + i])));
}

describe('alerts', () => {
  it('given a member, adds alerts with increasing ids up to the limit and removes them by id', () => {
    let user = addAlert(undefined, 'u', { query: 'diffusion', mode: 'instant' }, T0).user;
    for (let i = 2; i <= ALERT_LIMITS.perUser; i++) user = addAlert(user, 'u', { query: `q${i}`, mode: 'daily', hour: 7 }, T0).user;
    expect(user.alerts.map((a) => a.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(() => addAlert(user, 'u', { query: 'graphs', mode: 'instant' }, T0)).toThrow(/most Paperboy keeps/);
    user = removeAlert(user, '2');
    expect(addAlert(user, 'u', { query: 'robots', mode: 'instant' }, T0).alert.id).toBe('6');
    expect(() => removeAlert(user, '9')).toThrow(/no alert/);
  });

  it('knows IANA zones (canonical spelling) and refuses others', () => {
    expect(checkTimezone('europe/berlin')).toBe('Europe/Berlin');
    expect(() => checkTimezone('Nowhere/Land')).toThrow(/not a time zone/);
    expect(localTime(T0, 'Asia/Tokyo')).toEqual({ day: '2026-03-02', hour: 18 });
    expect(localTime(T0, 'America/Los_Angeles')).toEqual({ day: '2026-03-02', hour: 1 });
    expect(localTime(T0, undefined)).toEqual({ day: '2026-03-02', hour: 9 });
  });

  it('makes a daily digest due once per local day, from its hour on', () => {
    const alert: Alert = { id: '1', query: 'x', mode: 'daily', hour: 10, createdAt: 0 };
    expect(digestDueDay(alert, undefined, T0)).toBeUndefined();
    expect(digestDueDay(alert, undefined, T0 + 3_600_000)).toBe('2026-03-02');
    expect(digestDueDay({ ...alert, lastDigestDay: '2026-03-02' }, undefined, T0 + 3_600_000)).toBeUndefined();
    // 09:00 UTC is 01:00 in Los Angeles: the 10:00 digest there is 9 hours away.
    expect(digestDueDay(alert, 'America/Los_Angeles', T0 + 8 * 3_600_000)).toBeUndefined();
    expect(digestDueDay(alert, 'America/Los_Angeles', T0 + 9 * 3_600_000)).toBe('2026-03-02');
  });

  it('resends a pending DM as it was before new ones, and splits new matches into DMs of at most 12, 3 per run', () => {
    const alert: Alert = { id: '1', query: 'diffusion', mode: 'instant', createdAt: T0 };
    const all = candidates(50);
    const matching = alertMatches(alert, [...all, ...candidates(1, T0 - 1)]);
    expect(matching).toHaveLength(50);
    const records = new Map<string, AlertRecord>([
      ['2603.00003', { state: 'pending', nonce: 'n1', at: T0 }],
      ['2603.00001', { state: 'pending', nonce: 'n1', at: T0 }],
      ['2603.00002', { state: 'sent', nonce: 'n0', at: T0 }],
    ]);
    const plan = planAlertMessages({ userId: 'u' }, alert, matching, records, T0);
    expect(plan.messages.map((m) => [m.resend, m.papers.length])).toEqual([
      [true, 2],
      [false, 12],
      [false, 12],
    ]);
    expect(plan.messages[0]!.nonce).toBe('n1');
    expect(plan.messages[1]!.papers[0]!.id).toBe('2603.00004');
    // The same papers give the same nonce on every attempt.
    expect(planAlertMessages({ userId: 'u' }, alert, matching, records, T0 + 1).messages[1]!.nonce).toBe(plan.messages[1]!.nonce);
  });

  it('given an alert’s records older than ALERT_RECORDS_KEEP_DAYS, drops them at its next delivery; a removed alert records nothing', async () => {
    const { users, records } = createAlertStores({ alerts: createMemoryStore(), alert_posts: createMemoryStore() });
    const { alert } = addAlert(undefined, 'u', { query: 'diffusion', mode: 'instant' }, T0);
    await users.update('u', (current) => addAlert(current, 'u', { query: 'diffusion', mode: 'instant' }, T0).user);
    const sent = (at: number): AlertRecord => ({ state: 'sent', nonce: 'n', at, messageId: '1' });
    expect(await records.setMany('u', alert, [{ paperId: 'old', record: sent(T0 + 1) }])).toBe(true);
    const later = T0 + 1 + ALERT_RECORDS_KEEP_DAYS * 86_400_000;
    await records.setMany('u', alert, [{ paperId: 'mid', record: sent(later - 1) }]);
    expect([...(await records.getMany('u', alert.id, ['old', 'mid'])).keys()]).toEqual(['old', 'mid']);
    await records.setMany('u', alert, [{ paperId: 'new', record: sent(later + 1) }]);
    expect([...(await records.getMany('u', alert.id, ['old', 'mid', 'new'])).keys()]).toEqual(['mid', 'new']);

    await users.update('u', (current) => removeAlert(current, alert.id));
    expect(await records.setMany('u', alert, [{ paperId: 'after', record: sent(later + 2) }])).toBe(false);
    expect((await records.getMany('u', alert.id, ['after'])).size).toBe(0);
  });
});
