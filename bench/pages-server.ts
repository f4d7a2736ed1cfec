/**
 * An endless paginated API in a process of its own for `bench/paginate.ts` (see ./child-server): `GET /things?offset&limit`
 * answers `limit` items after BENCH_LATENCY_MS, as a remote API would take to answer a page.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveUntilStdinEnds } from './child-server';

async function main(): Promise<void> {
  const latency = Number(process.env.BENCH_LATENCY_MS ?? 0);
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const offset = Number(query.get('offset') ?? 0);
    const items = Array.from({ length: Number(query.get('limit') ?? 10) }, (_, i) => ({ id: offset + i, name: `thing ${offset + i}` }));
    const text = JSON.stringify({ items });
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text), latency);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveUntilStdinEnds((server.address() as AddressInfo).port, async () => {
    server.closeAllConnections();
    server.close();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
