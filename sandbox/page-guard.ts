/**
 * Who may talk to the sandbox's page server. It listens on 127.0.0.1 only, but any web page the
 * person has open can still reach it through their browser: a cross-site form or `text/plain`
 * fetch needs no CORS preflight, a cross-site WebSocket none at all, and a DNS-rebinding name
 * (evil.example resolving to 127.0.0.1) makes the attacker's page same-origin with ours. And
 * the sandbox lets its caller act as the server admin. So:
 *
 *   Host must be 127.0.0.1:<port> or localhost:<port> (DNS rebinding sends the attacker's name);
 *   a request that changes something (not GET/HEAD) and a WebSocket upgrade must carry the
 *   Origin of the Host it is sent to (browsers always send Origin on both);
 *   such a request must be `application/json`, which a cross-site page cannot send without a
 *   preflight this server never answers (the page sends `{}` where it has nothing to say).
 */
import type { IncomingMessage } from 'node:http';

export type PageRefusal = { readonly status: 403 | 415; readonly reason: string };

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'] as const;

/** The Host values the page is served under: `127.0.0.1:8787`, `localhost:8787`. */
function allowedHosts(port: number): Set<string> {
  return new Set(LOOPBACK_NAMES.map((name) => `${name}:${port}`));
}

export function createPageGuard(port: number): { check(request: IncomingMessage, kind: 'request' | 'upgrade'): PageRefusal | null } {
  const hosts = allowedHosts(port);
  return {
    check(request, kind) {
      const host = (request.headers.host ?? '').toLowerCase();
      if (!hosts.has(host)) return { status: 403, reason: `the sandbox answers only at http://127.0.0.1:${port} or http://localhost:${port}` };
      const method = request.method ?? 'GET';
      const changes = kind === 'upgrade' || (method !== 'GET' && method !== 'HEAD');
      if (!changes) return null;
      if (request.headers.origin !== `http://${host}`) return { status: 403, reason: 'requests from other sites are refused' };
      if (kind === 'request' && !isJson(request.headers['content-type'])) return { status: 415, reason: 'bodies must be application/json' };
      return null;
    },
  };
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
