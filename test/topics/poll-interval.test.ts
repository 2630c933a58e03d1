import { describe, expect, it } from 'vitest';
import { delayUntilNextRun, parsePollInterval } from '../../src/core/poll-interval.js';

describe('POLL_INTERVAL', () => {
  it('reads durations in seconds, minutes, hours and days, also combined', () => {
    expect(parsePollInterval('90s')).toEqual({ kind: 'every', ms: 90_000, text: '90s' });
    expect(parsePollInterval('30m')).toMatchObject({ kind: 'every', ms: 1_800_000 });
    expect(parsePollInterval(' 2h ')).toMatchObject({ kind: 'every', ms: 7_200_000, text: '2h' });
    expect(parsePollInterval('1h30m')).toMatchObject({ kind: 'every', ms: 5_400_000 });
    expect(parsePollInterval('1D')).toMatchObject({ kind: 'every', ms: 86_400_000 });
  });

  it('reads cron expressions of 5 fields, or 6 with seconds', () => {
    expect(parsePollInterval('*/30 * * * *')).toEqual({ kind: 'cron', pattern: '*/30 * * * *', text: '*/30 * * * *' });
    expect(parsePollInterval('0 0 8 * * 1-5')).toMatchObject({ kind: 'cron' });
  });

  it('refuses faster than once a minute, in either form', () => {
    expect(() => parsePollInterval('59s')).toThrow(/at least 60s/);
    expect(() => parsePollInterval('*/10 * * * * *')).toThrow(/more often than once a minute/);
    expect(() => parsePollInterval('0,30 * * * * *')).toThrow(/more often than once a minute/);
  });

  it('says what is accepted when the value is neither, without echoing it', () => {
    for (const bad of ['45', 'soon', '45 minutes', '61 * * * *', '5x', '']) {
      let message = '';
      try {
        parsePollInterval(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/duration|cron/);
      if (bad) expect(message).not.toContain(bad);
    }
  });

  it('waits the duration, or until the next time the cron expression names', () => {
    const now = new Date('2026-03-02T09:10:00Z');
    expect(delayUntilNextRun({ kind: 'every', ms: 90_000, text: '90s' }, now)).toBe(90_000);
    expect(delayUntilNextRun(parsePollInterval('*/30 * * * *'), now)).toBe(20 * 60_000);
  });
});
