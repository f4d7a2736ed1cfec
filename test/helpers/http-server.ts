/**
 * A real HTTP server on 127.0.0.1 for tests: answers from a table of routes by path and records every request.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** When it arrived (ms since epoch), to check waits such as Retry-After. */
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export async function serve(routes: Record<string, Route>) {
  const received: Received[] = [];
  let reading = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    reading++;
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } finally {
      reading--;
    }
    const body = Buffer.concat(chunks);
    received.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? routes['*'];
    if (route) route(req, res, body);
    else res.writeHead(500).end('no route');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    last: () => received[received.length - 1] as Received,
    /**
     * Resolves once no client is connected and every request that arrived is in `received`: after a client process
     * is killed, what it had already sent may still be in the socket buffer.
     */
    drained: async () => {
      for (;;) {
        const open = await new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
        if (open === 0 && reading === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export type Server = Awaited<ReturnType<typeof serve>>;

export const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
