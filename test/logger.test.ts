import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

/**
 * The logger as the bot builds it, writing real pino JSON lines to a captured stream: no secret may
 * appear anywhere in a line, however deep it sits (issue 7, defect 14).
 */

function capture(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

// Shaped like a real bot token (user id . timestamp . HMAC); not a real one.
const BOT_TOKEN = 'MTE5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA';
const WEBHOOK_TOKEN = 'wHkT0ken_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const SECRETS = ['hunter2', 's3cret-pw', 'feedtoken123', BOT_TOKEN, INTERACTION_TOKEN, WEBHOOK_TOKEN];

function expectNoSecret(lines: string[]): void {
  const all = lines.join('');
  for (const secret of SECRETS) expect(all).not.toContain(secret);
}

describe('createLogger scrubs secrets', () => {
  it('from an error message, its cause and its stack, keeping the rest readable', () => {
    const { logger, lines, parsed } = capture();
    const cause = new Error('redis://:s3cret-pw@cache.internal:6379 refused the connection');
    const error = new Error('cannot open postgres://paperboy:hunter2@db.internal:5432/papers', { cause });
    logger.error({ err: error }, 'store failed');
    expectNoSecret(lines);
    const [line] = parsed();
    expect(line!.err.type).toBe('Error');
    expect(line!.err.message).toContain('postgres://[redacted]@db.internal:5432/papers');
    expect(line!.err.message).toContain('redis://[redacted]@cache.internal:6379');
    expect(line!.err.stack).toContain('caused by:');
    expect(line!.err.stack).toContain('redis://[redacted]@cache.internal');
  });

  it('from the message pino takes from an error logged on its own', () => {
    const { logger, lines, parsed } = capture();
    logger.error(new Error(`POST /interactions/1234567890/${INTERACTION_TOKEN}/callback failed`));
    logger.error({ err: new Error(`GET https://huggingface.co/api/daily_papers?token=feedtoken123&date=2026-08-21`) });
    expectNoSecret(lines);
    expect(parsed().map((l) => l.msg)).toEqual([
      'POST /interactions/1234567890/[redacted]/callback failed',
      'GET https://huggingface.co/api/daily_papers?token=[redacted]&date=2026-08-21',
    ]);
  });

  it('from nested objects, arrays and the own fields of an error (a DiscordAPIError carries url and requestBody)', () => {
    const { logger, lines, parsed } = capture();
    const apiError = Object.assign(new Error('Unknown Webhook'), {
      url: `https://discord.com/api/v10/webhooks/1111111111/${WEBHOOK_TOKEN}?wait=true`,
      requestBody: { json: { content: 'a user message' } },
      code: 10015,
    });
    logger.warn(
      {
        job: 'delivery',
        attempts: [{ url: `https://discord.com/api/v10/interactions/2222/${INTERACTION_TOKEN}/callback` }, { url: 'https://example.org/ok' }],
        request: { headers: { authorization: `Bot ${BOT_TOKEN}`, 'user-agent': 'paperboy' }, deeper: { token: 'hunter2' } },
        err: apiError,
      },
      'delivery failed',
    );
    expectNoSecret(lines);
    const [line] = parsed();
    expect(line!.attempts).toEqual([{ url: 'https://discord.com/api/v10/interactions/2222/[redacted]/callback' }, { url: 'https://example.org/ok' }]);
    expect(line!.request).toEqual({ headers: { authorization: '[redacted]', 'user-agent': 'paperboy' }, deeper: { token: '[redacted]' } });
    expect(line!.err).toMatchObject({ type: 'Error', code: 10015, url: 'https://discord.com/api/v10/webhooks/1111111111/[redacted]?wait=true' });
    expect(line!.err).not.toHaveProperty('requestBody');
  });

  it('from the message string, interpolated values and child logger bindings', () => {
    const { logger, lines, parsed } = capture();
    logger.info(`login with ${BOT_TOKEN}`);
    logger.info('opening %s', 'postgres://paperboy:hunter2@db/papers');
    logger.child({ store: 'redis://:s3cret-pw@cache:6379/0' }).info({ authHeader: `Bearer ${BOT_TOKEN}` }, 'child');
    expectNoSecret(lines);
    const [first, second, third] = parsed();
    expect(first!.msg).toBe('login with [redacted]');
    expect(second!.msg).toBe('opening postgres://[redacted]@db/papers');
    expect(third).toMatchObject({ store: 'redis://[redacted]@cache:6379/0', authHeader: 'Bearer [redacted]', app: 'paperboy' });
  });

  it('leaves ordinary text, numbers and URLs alone', () => {
    const { logger, parsed } = capture();
    logger.info({ url: 'https://arxiv.org/abs/2405.17399?context=cs', papers: 3, ok: true, when: new Date('2026-08-21T00:00:00Z') }, 'Bot ready in 3 guilds');
    expect(parsed()[0]).toMatchObject({
      url: 'https://arxiv.org/abs/2405.17399?context=cs',
      papers: 3,
      ok: true,
      when: '2026-08-21T00:00:00.000Z',
      msg: 'Bot ready in 3 guilds',
    });
  });
});

describe('createLogger stays bounded', () => {
  it('logs a cyclic object and an error whose field points back at it', () => {
    const { logger, parsed } = capture();
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    const error = Object.assign(new Error('loop'), { context: node });
    logger.info({ node, err: error }, 'cyclic');
    const [line] = parsed();
    expect(line!.node).toEqual({ name: 'root', self: '[circular]' });
    expect(line!.err.context).toEqual({ name: 'root', self: '[circular]' });
  });

  it('cuts very deep, very wide and very long values instead of hanging or writing megabytes', () => {
    const { logger, lines, parsed } = capture();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { down: deep };
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const long = Array.from({ length: 1_000_000 }, (_, i) => i);
    const started = performance.now();
    logger.info({ deep, wide, long, text: 'x'.repeat(5_000_000) }, 'huge');
    expect(performance.now() - started).toBeLessThan(500);
    expect(lines[0]!.length).toBeLessThan(200_000);
    const [line] = parsed();
    expect(JSON.stringify(line!.deep)).toContain('[depth limit]');
    expect(Object.keys(line!.wide).length).toBeLessThan(300);
    expect(line!.long.length).toBeLessThan(200);
    expect(line!.text.length).toBeLessThan(100_000);
  });
});
