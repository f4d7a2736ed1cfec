/**
 * Pedro Aviary: the example vendor API the demo and the tests call, a small JSON API on loopback.
 * It checks its API key like a real vendor would, and pages its lists in the styles integrations meet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Bird {
  id: number;
  name: string;
  species: string;
  wingspanCm: number;
}

export interface PhotoRecord {
  id: string;
  birdId: number;
  takenAt: string;
  url: string;
}

export interface Sighting {
  id: number;
  birdId: number;
  location: string;
  count: number;
}

const SPECIES = ['Atlantic canary', 'Rose-ringed parakeet', 'Zebra finch', 'Cockatiel', 'Lovebird', 'Budgerigar'];

function seedBirds(count: number): Bird[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `Pedro ${i + 1}`,
    species: SPECIES[i % SPECIES.length] as string,
    wingspanCm: 18 + ((i * 7) % 30),
  }));
}

export interface PedroAviaryServer {
  readonly server: Server;
  readonly port: number;
  /** `localhost:<port>`, the hostname a configuration points at. */
  readonly hostname: string;
  readonly sightings: Sighting[];
  close(): Promise<void>;
}

export async function startPedroAviary(options: { apiKey: string; port?: number; birds?: number }): Promise<PedroAviaryServer> {
  const birds = seedBirds(options.birds ?? 42);
  const sightings: Sighting[] = [];

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/v1/status') return send(res, 200, { ok: true, birds: birds.length });
    if (req.headers['x-api-key'] !== options.apiKey) {
      return send(res, 401, { error: 'unauthorized', message: 'send your API key in the X-API-Key header' });
    }
    const int = (name: string, fallback: number) => {
      const value = Number(url.searchParams.get(name) ?? fallback);
      return Number.isInteger(value) && value >= 0 ? value : fallback;
    };
    let match: RegExpMatchArray | null;
    if (req.method === 'GET' && url.pathname === '/v1/birds') {
      const offset = int('offset', 0);
      const limit = Math.min(int('limit', 10), 100);
      const species = url.searchParams.get('species');
      const selected = species ? birds.filter((b) => b.species === species) : birds;
      return send(res, 200, { results: selected.slice(offset, offset + limit), total: selected.length });
    }
    if (req.method === 'GET' && (match = url.pathname.match(/^\/v1\/birds\/(\d+)$/))) {
      const bird = birds.find((b) => b.id === Number(match?.[1]));
      return bird ? send(res, 200, bird) : send(res, 404, { error: 'not_found', message: `no bird ${match[1]}` });
    }
    if (req.method === 'GET' && (match = url.pathname.match(/^\/v1\/birds\/(\d+)\/photos$/))) {
      const birdId = Number(match[1]);
      const page = Math.max(int('page', 1), 1);
      const perPage = Math.min(Math.max(int('per_page', 5), 1), 50);
      const all = Array.from({ length: 12 }, (_, i) => ({
        id: `${birdId}-${i + 1}`,
        birdId,
        takenAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        url: `https://photos.pedroaviary.example/${birdId}/${i + 1}.jpg`,
      }));
      return send(res, 200, { photos: all.slice((page - 1) * perPage, page * perPage), page, perPage, total: all.length });
    }
    if (req.method === 'POST' && url.pathname === '/v1/sightings') {
      const body = (await readJson(req)) as Partial<Sighting> | null;
      if (!body || typeof body.birdId !== 'number' || typeof body.location !== 'string') {
        return send(res, 422, { error: 'invalid', message: 'birdId (number) and location (string) are required' });
      }
      const sighting = { id: sightings.length + 1, birdId: body.birdId, location: body.location, count: body.count ?? 1 };
      sightings.push(sighting);
      return send(res, 201, sighting);
    }
    return send(res, 404, { error: 'not_found', message: `${req.method} ${url.pathname} is not an endpoint` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 400, { error: 'bad_request', message: 'the body is not valid JSON' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    hostname: `localhost:${port}`,
    sightings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
