/**
 * The codec server as the Temporal Web UI uses it: a CORS preflight from the UI's origin, then POST /encode and
 * /decode with proto3 JSON payloads and the UI's headers; a bearer token when configured; the `codec-server` CLI
 * command; and the dev server's Web UI, started by the `dev` command's code, pointed at a running codec server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../src/codec/aes-gcm-codec';
import { createPayloadCodec } from '../src/codec/data-converter';
import { loadKeyRing } from '../src/codec/keys';
import { payloadToJson, startCodecServer, uiOriginsOf, type CodecServer, type JsonPayload } from '../src/codec/server';
import { startConfiguredDevServer } from '../src/cli/commands/dev';
import { resolveTemporalConfig } from '../src/config/temporal-config';
import { CLI, start } from './helpers/processes';

const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = randomBytes(16).toString('hex');
const key = () => ({ id: `k-${randomBytes(3).toString('hex')}`, key: randomBytes(32).toString('base64') });
const secret = `sk-${randomBytes(12).toString('hex')}`;
const plainPayload = payloadToJson(defaultPayloadConverter.toPayload({ apiKey: secret }));
const base64 = (text: string) => Buffer.from(text).toString('base64');

let codec: AesGcmPayloadCodec;
let server: CodecServer;

beforeAll(async () => {
  codec = new AesGcmPayloadCodec(loadKeyRing({ keys: [key()] }, {}));
  server = await startCodecServer({ codec, port: 0, uiOrigins: [UI_ORIGIN], token: TOKEN });
});
afterAll(() => server?.close());

/** A request the way the Web UI's browser code makes it. */
function uiRequest(url: string, operation: 'encode' | 'decode', payloads: JsonPayload[], headers: Record<string, string> = {}) {
  return fetch(`${url}/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI_ORIGIN, ...headers },
    body: JSON.stringify({ payloads }),
  });
}

test('CORS preflight: the UI origin may send Content-Type, X-Namespace and Authorization; another origin may not', async () => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' },
    });
  const allowed = await preflight(UI_ORIGIN);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
  expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
  const headers = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
  expect(headers).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));

  const other = await preflight('http://evil.example');
  expect(other.status).toBe(403);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  expect((await uiRequest(server.url, 'decode', [], { Origin: 'http://evil.example', Authorization: `Bearer ${TOKEN}` })).status).toBe(403);
});

test('encode then decode over HTTP round-trips, with the bearer token; without it, 401', async () => {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const encoded = await uiRequest(server.url, 'encode', [plainPayload], auth);
  expect(encoded.status).toBe(200);
  expect(encoded.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  const { payloads } = (await encoded.json()) as { payloads: JsonPayload[] };
  expect(payloads[0]!.metadata!.encoding).toBe(base64(ENCRYPTED_ENCODING));
  expect(JSON.stringify(payloads)).not.toContain(base64(JSON.stringify({ apiKey: secret })).slice(0, 20));

  const decoded = await uiRequest(server.url, 'decode', payloads, auth);
  expect(decoded.status).toBe(200);
  expect(await decoded.json()).toEqual({ payloads: [plainPayload] });

  for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Record<string, string>[]) {
    const refused = await uiRequest(server.url, 'decode', payloads, headers);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(secret);
  }
});

test('a payload of an unknown key, or a malformed body, is a 400 that says what is wrong', async () => {
  const other = new AesGcmPayloadCodec(loadKeyRing({ keys: [{ id: 'elsewhere', key: randomBytes(32).toString('base64') }] }, {}));
  const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const unknown = await uiRequest(server.url, 'decode', [payloadToJson(foreign!)], auth);
  expect(unknown.status).toBe(400);
  expect(((await unknown.json()) as { error: string }).error).toMatch(/codec key "elsewhere": no key with that id is configured here/);
  const malformed = await fetch(`${server.url}/decode`, { method: 'POST', headers: auth, body: '{"payload": 1}' });
  expect(malformed.status).toBe(400);
  expect(await malformed.text()).toContain('expected a JSON body { \\"payloads\\"');
});

test('uiOriginsOf: a loopback UI is reachable as localhost and 127.0.0.1', () => {
  expect(uiOriginsOf('http://127.0.0.1:8233/')).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
  expect(uiOriginsOf('http://localhost:8233')).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
  expect(uiOriginsOf('https://temporal.example.com')).toEqual(['https://temporal.example.com']);
});

test('`custom-integrations codec-server` serves the configured keys', async () => {
  const running = start(CLI, ['codec-server', '--port', '0', '--ui-origin', UI_ORIGIN]);
  try {
    await running.waitFor(/Codec server on (http:\/\/\S+) /);
    const url = /Codec server on (http:\/\/\S+) /.exec(running.output())![1]!;
    // The CLI reads the same keys as this test process (the generated key of the run, see test/global-setup.ts).
    const local = createPayloadCodec(undefined)!;
    expect(running.output()).toContain(`codec key "${local.currentKeyId}" current`);
    const [sealed] = await local.encode([defaultPayloadConverter.toPayload({ apiKey: secret })]);
    const decoded = await uiRequest(url, 'decode', [payloadToJson(sealed!)]);
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: [plainPayload] });
  } finally {
    await running.stop();
  }
});

test("the dev server's Web UI is given the codec endpoint, which answers requests from the UI's origin", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'codec-dev-'));
  const fileConfig = resolveTemporalConfig(
    { devServer: { port: 0, uiPort: 0, dbFilename: path.join(dataDir, 'dev.sqlite') } },
    { env: { ...process.env, TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' }, baseDir: dataDir },
  );
  const { server: devServer, config } = await startConfiguredDevServer(fileConfig);
  let endpoint: string | undefined;
  try {
    // What the UI's browser code reads to find its codec server.
    const settings = (await (await fetch(`${config.uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    endpoint = settings.Codec?.Endpoint;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const local = createPayloadCodec(undefined)!;
    const [sealed] = await local.encode([defaultPayloadConverter.toPayload({ apiKey: secret })]);
    for (const origin of uiOriginsOf(config.uiUrl)) {
      const decoded = await uiRequest(endpoint!, 'decode', [payloadToJson(sealed!)], { Origin: origin });
      expect(decoded.status).toBe(200);
      expect(decoded.headers.get('access-control-allow-origin')).toBe(origin);
      expect(await decoded.json()).toEqual({ payloads: [plainPayload] });
    }
  } finally {
    await devServer.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  // Stopping the dev server stopped its codec server too.
  await expect(fetch(`${endpoint}/decode`, { method: 'POST' })).rejects.toThrow();
});
