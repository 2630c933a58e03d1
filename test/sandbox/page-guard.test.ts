/**
 * Other web sites cannot drive the sandbox through the person's browser: the page server
 * (`startSandbox`, what `npm run sandbox` runs) answers only under its own loopback Host, takes
 * changes and WebSocket upgrades only from its own Origin, and bodies only as JSON (which a
 * cross-site page cannot send without a preflight). The page itself still works:
 * sandbox-page.test.ts drives it in Chromium.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSandbox, type Sandbox } from '../../sandbox/start-sandbox.js';
import { SANDBOX_IDS } from '../../sandbox/sandbox-guild.js';

describe('the sandbox page server', () => {
  let dir = '';
  let sandbox: Sandbox;
  let port = 0;
  let own = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-sandbox-guard-'));
    sandbox = await startSandbox({ port: 0, dataDir: dir, feedIntervalMs: null, logDestination: { write: () => undefined } });
    port = Number(new URL(sandbox.url).port);
    own = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A request with exactly these headers (fetch would not let a test set Host). */
  const send = (method: string, pathname: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, method, path: pathname, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const adaRunsBookmarksList = JSON.stringify({ kind: 'command', user: SANDBOX_IDS.admin, channelId: SANDBOX_IDS.general, name: 'bookmarks', subcommand: 'list' });

  it('given another Host (DNS rebinding) then it serves nothing, not even the page', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      expect((await send('GET', '/', { host })).status).toBe(403);
      expect((await send('GET', '/sandbox/api/state', { host })).status).toBe(403);
    }
    expect((await send('GET', '/', { host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await send('GET', '/sandbox/api/state', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('given a change from another site, or with no Origin, then it is refused and no interaction reaches the bot', async () => {
    const before = sandbox.fake.state.interactions.size;
    const host = `127.0.0.1:${port}`;
    // A cross-site `text/plain` POST needs no preflight: this one ran /bookmarks list as Ada.
    expect((await send('POST', '/sandbox/api/interactions', { host, origin: 'http://evil.example', 'content-type': 'text/plain' }, adaRunsBookmarksList)).status).toBe(403);
    expect((await send('POST', '/sandbox/api/interactions', { host, origin: 'http://evil.example', 'content-type': 'application/json' }, adaRunsBookmarksList)).status).toBe(403);
    expect((await send('POST', '/sandbox/api/interactions', { host, 'content-type': 'application/json' }, adaRunsBookmarksList)).status).toBe(403);
    expect((await send('POST', '/sandbox/api/reactions', { host, origin: `http://localhost:${port}`, 'content-type': 'application/json' }, '{}')).status).toBe(403);
    expect((await send('POST', '/sandbox/feed/publish', { host, origin: 'http://evil.example', 'content-type': 'application/json' }, '{}')).status).toBe(403);
    expect(sandbox.fake.state.interactions.size).toBe(before);
  });

  it('given its own Origin but a body that is not JSON then it answers 415', async () => {
    const before = sandbox.fake.state.interactions.size;
    const headers = { host: `127.0.0.1:${port}`, origin: own };
    expect((await send('POST', '/sandbox/api/interactions', { ...headers, 'content-type': 'text/plain' }, adaRunsBookmarksList)).status).toBe(415);
    expect((await send('POST', '/sandbox/api/interactions', { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, 'kind=command')).status).toBe(415);
    expect((await send('POST', '/sandbox/feed/publish', headers)).status).toBe(415);
    expect(sandbox.fake.state.interactions.size).toBe(before);
  });

  it('given its own Origin and JSON then the change is made, under either loopback name', async () => {
    const asAda = await send('POST', '/sandbox/api/interactions', { host: `127.0.0.1:${port}`, origin: own, 'content-type': 'application/json' }, adaRunsBookmarksList);
    expect(asAda.status).toBe(200);
    expect(JSON.parse(asAda.text)).toHaveProperty('interactionId');
    const local = `localhost:${port}`;
    expect((await send('POST', '/sandbox/feed/publish', { host: local, origin: `http://${local}`, 'content-type': 'application/json; charset=utf-8' }, '{}')).status).toBe(200);
  });

  /** The status the upgrade gets: 101 when the socket opens. */
  const upgrade = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/sandbox/ws`, { headers });
      socket.on('open', () => {
        resolve(101);
        socket.close();
      });
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('error', () => resolve(0));
    });

  it('given a WebSocket from another site or another Host then it is refused, and from its own page it opens', async () => {
    expect(await upgrade({ origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade({})).toBe(403);
    expect(await upgrade({ host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).toBe(403);
    expect(await upgrade({ origin: own })).toBe(101);
  });
});
