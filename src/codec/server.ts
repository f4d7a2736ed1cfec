/**
 * A codec server: `POST /encode` and `POST /decode` with `{ "payloads": [...] }` in proto3 JSON (bytes as base64),
 * the protocol of the Temporal Web UI (`--ui-codec-endpoint`, or its "Codec Server" setting) and of
 * `temporal ... --codec-endpoint`. It decrypts with the payload codec's keys, so operators can read payloads there.
 *
 * The Web UI calls it from the browser, cross-origin: only the UI origins given may (CORS with the UI's headers
 * Content-Type, X-Namespace and Authorization). A bearer token, when set, is required of every request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { CodecKeyError } from './keys';

/** The UI sends its whole event's payloads at once; Temporal refuses payloads over 2 MB, so this leaves ample room. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).nullish(), data: Base64.nullish() }).loose();
export type JsonPayload = z.infer<typeof JsonPayload>;
const CodecRequest = z.object({ payloads: z.array(JsonPayload) });

export interface CodecServerOptions {
  readonly codec: PayloadCodec;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 8888 */
  readonly port?: number;
  /** Origins of the Web UI allowed to call from a browser, e.g. `http://localhost:8233`. */
  readonly uiOrigins?: readonly string[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface CodecServer {
  /** Base URL: the `--ui-codec-endpoint` / `--codec-endpoint` value. */
  readonly url: string;
  /** Lets a browser page of `origin` call the server (for a UI whose port is known only once it runs). */
  allowOrigin(origin: string): void;
  close(): Promise<void>;
}

export const DEFAULT_CODEC_SERVER_PORT = 8888;

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const origins = new Set((options.uiOrigins ?? []).map(normalizeOrigin));
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: `codec server error: ${err instanceof Error ? err.message : String(err)}` });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      // A browser page of any other origin gets no answer it could read, and no work done for it either.
      if (!origins.has(origin)) return send(res, 403, { error: `origin ${origin} is not allowed; start the codec server with --ui-origin ${origin}` });
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    const operation = path === '/encode' ? 'encode' : path === '/decode' ? 'decode' : undefined;
    if (req.method === 'OPTIONS') {
      // Preflights carry no credentials, so they are answered before the token check.
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (!operation) return send(res, 404, { error: 'not found: POST /encode or /decode' });
    if (req.method !== 'POST') return send(res, 405, { error: `${operation} takes POST` }, { Allow: 'POST, OPTIONS' });
    if (tokenDigest && !hasToken(req.headers.authorization, tokenDigest)) {
      return send(res, 401, { error: 'missing or wrong bearer token: send Authorization: Bearer <the codec server token>' }, { 'WWW-Authenticate': 'Bearer' });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes` }, { Connection: 'close' });
    let request: z.infer<typeof CodecRequest>;
    let payloads;
    try {
      request = CodecRequest.parse(JSON.parse(body.toString('utf8')));
      payloads = request.payloads.map(payloadFromJson);
    } catch {
      return send(res, 400, { error: 'expected a JSON body { "payloads": [{ "metadata": { "k": "base64" }, "data": "base64" }] }' });
    }
    try {
      const done = await options.codec[operation](payloads);
      send(res, 200, { payloads: done.map(payloadToJson) });
    } catch (err) {
      // Key errors name the key id and what to configure, never key material: the operator needs them as they are.
      if (err instanceof CodecKeyError) return send(res, 400, { error: err.message });
      throw err;
    }
  }

  server.listen(options.port ?? DEFAULT_CODEC_SERVER_PORT, options.host ?? '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => {
      throw new Error(`Cannot start the codec server on ${options.host ?? '127.0.0.1'}:${options.port ?? DEFAULT_CODEC_SERVER_PORT}: ${(err as Error).message}`);
    }),
  ]);
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    allowOrigin: (origin) => void origins.add(normalizeOrigin(origin)),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * The origins a browser may show a Web UI at: the URL's own, and for a loopback address its `localhost` and
 * `127.0.0.1` twins, since people type either.
 */
export function uiOriginsOf(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  const origins = [url.origin];
  const twin = url.hostname === 'localhost' ? '127.0.0.1' : ['127.0.0.1', '[::1]'].includes(url.hostname) ? 'localhost' : undefined;
  if (twin) origins.push(`${url.protocol}//${twin}${url.port ? `:${url.port}` : ''}`);
  return origins;
}

/**
 * A payload from its proto3 JSON form. Written here rather than taken from the SDK's proto-utils, which fails
 * ("type must be a Type") when npm installs two copies of protobufjs, as it does for SDK 1.24.
 */
export function payloadFromJson(json: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, bytes(value)]));
  return { metadata, data: bytes(json.data ?? '') };
}

export function payloadToJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, base64(value)]));
  return { metadata, data: base64(payload.data ?? new Uint8Array()) };
}

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const base64 = (value: Uint8Array): string => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');

function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    throw new Error(`"${origin}" is not a UI origin; give one like http://localhost:8233`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function hasToken(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  // Equal-length digests, so the comparison takes the same time whatever the token sent.
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
