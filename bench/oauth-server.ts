/**
 * A token endpoint and an API in a process of their own for `bench/oauth.ts` (see ./child-server):
 *
 * - `POST /token`: client credentials grant; every client id is accepted with the secret BENCH_CLIENT_SECRET; tokens
 *   live BENCH_TOKEN_TTL seconds. Each grant is recorded by client (the bench's configuration).
 * - `GET /api`: checks the bearer token: 200 when it is current, 401 when it expired or is unknown (counted).
 * - `GET /stats`: the grants by client and the API's counts, for the bench's report.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveUntilStdinEnds } from './child-server';

export interface OAuthBenchStats {
  /** Client id -> times (ms since epoch) of its grants. */
  readonly grants: Record<string, number[]>;
  readonly api: { ok: number; expired: number; unknown: number; readonly expiredBy: number[] };
}

async function main(): Promise<void> {
  const ttlMs = Number(process.env.BENCH_TOKEN_TTL ?? 30) * 1000;
  const secret = process.env.BENCH_CLIENT_SECRET ?? '';
  const tokens = new Map<string, number>();
  const stats: OAuthBenchStats = { grants: {}, api: { ok: 0, expired: 0, unknown: 0, expiredBy: [] } };
  const send = (res: import('node:http').ServerResponse, status: number, value: unknown) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const params = new URLSearchParams(body);
      const client = params.get('client_id') ?? '';
      if (params.get('grant_type') !== 'client_credentials' || params.get('client_secret') !== secret) return send(res, 401, { error: 'invalid_client' });
      const now = Date.now();
      const token = randomBytes(16).toString('hex');
      tokens.set(token, now + ttlMs);
      (stats.grants[client] ??= []).push(now);
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttlMs / 1000 });
    }
    if (path === '/api') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const expiresAt = tokens.get(token);
      const now = Date.now();
      if (expiresAt === undefined) {
        stats.api.unknown++;
        return send(res, 401, { error: 'invalid_token' });
      }
      if (now >= expiresAt) {
        stats.api.expired++;
        stats.api.expiredBy.push(now - expiresAt);
        return send(res, 401, { error: 'invalid_token' });
      }
      stats.api.ok++;
      return send(res, 200, { ok: true });
    }
    if (path === '/stats') return send(res, 200, stats);
    send(res, 404, { error: 'not found' });
  });
  // 1,000 configurations refresh and call at once: a deep backlog rather than refused connections.
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  serveUntilStdinEnds((server.address() as AddressInfo).port, async () => {
    server.closeAllConnections();
    server.close();
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
