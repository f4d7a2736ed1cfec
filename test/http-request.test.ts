import { Response } from 'undici';
import { Action } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import {
  HttpNetworkError,
  HttpStatusError,
  InvalidInputError,
  InvalidResponseError,
  TooManyRedirectsError,
  UnsafeUrlError,
} from '../src/http/errors';
import { executeHttp, type Credentials, type HttpRequest } from '../src/http/request';
import { buildRequest } from '../src/http/url';
import { json, serve, type Route, type Server } from './helpers/http-server';

const echo: Route = (req, res, body) =>
  json(res, 200, { method: req.method, url: req.url, headers: req.headers, body: body.toString() });
const redirect = (status: number, location: string | (() => string)): Route => (_req, res) =>
  res.writeHead(status, { location: typeof location === 'string' ? location : location() }).end('moved');

const NO_CREDENTIALS: Credentials = { headers: {}, query: [], cookies: {} };
const API_KEY = 'k-3f9a81c2d7e6b5a4';
const CREDENTIALS: Credentials = {
  headers: { 'X-API-Key': API_KEY, Authorization: 'Basic dXNlcjpodW50ZXIy' },
  query: [['api-key', API_KEY]],
  cookies: { sid: 'cookie-secret-77' },
};

const call = (url: string, fields: Partial<HttpRequest> = {}) =>
  executeHttp({ method: 'GET', url: new URL(url), headers: {}, timeoutMs: 5000, credentials: NO_CREDENTIALS, secrets: [], ...fields });

/** Runs `promise`, expecting it to fail, and returns the error. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

let api: Server;
let other: Server;

beforeAll(async () => {
  other = await serve({
    '/echo': echo,
    '/back': redirect(307, () => `${api.origin}/echo`),
  });
  api = await serve({
    '/echo': echo,
    '/same': redirect(302, '/echo?from=same'),
    '/away': redirect(307, () => `${other.origin}/echo`),
    '/bounce': redirect(302, () => `${other.origin}/back`),
    '/see-other': redirect(303, '/echo'),
    '/found': redirect(302, '/echo'),
    '/temporary': redirect(307, '/echo'),
    '/loop': redirect(302, '/loop'),
    '/ftp': redirect(302, 'ftp://127.0.0.1/file'),
    '/headers': (_req, res) =>
      res
        .writeHead(200, [
          ['Content-Type', 'text/plain'],
          ['X-Multi', 'a'],
          ['X-Multi', 'b'],
          ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2035 07:28:00 GMT'],
          ['Set-Cookie', 'b=2'],
        ])
        .end('plain text'),
    '/empty': (_req, res) => res.writeHead(204).end(),
    '/problem': (_req, res) => res.writeHead(200, { 'content-type': 'application/problem+json; charset=utf-8' }).end('{"ok":true}'),
    '/missing': (_req, res) => json(res, 404, { error: 'no such item', detail: 'x'.repeat(1000) }),
    '/unavailable': (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('down for maintenance'),
    '/limited': (_req, res) => res.writeHead(429, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }).end(),
    '/garbage': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>'),
    '/leaky': (req, res) => res.writeHead(401).end(`bad key ${req.headers['x-api-key']} / ${req.headers.authorization} / ${req.url}`),
    '/hang': () => undefined,
    '*': echo,
  });
});

afterAll(async () => {
  await closeHttpAgent();
  await Promise.all([api.close(), other.close()]);
});

describe('responses', () => {
  it('parses JSON and gives lower-case, joined headers and the final URL', async () => {
    const res = await call(`${api.origin}/echo?x=1`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'GET', url: '/echo?x=1' });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.url.href).toBe(`${api.origin}/echo?x=1`);

    const text = await call(`${api.origin}/headers`);
    expect(text.body).toBe('plain text');
    expect(text.headers['x-multi']).toBe('a, b');
    expect(text.headers['set-cookie']).toBe('a=1; Expires=Wed, 21 Oct 2035 07:28:00 GMT\nb=2');
  });

  it('gives null for an empty body and parses +json types', async () => {
    expect((await call(`${api.origin}/empty`)).body).toBeNull();
    expect((await call(`${api.origin}/problem`)).body).toEqual({ ok: true });
  });
});

describe('credentials and redirects', () => {
  it('sends credentials to the configured origin, also after a same-origin redirect', async () => {
    const res = await call(`${api.origin}/same`, { credentials: CREDENTIALS, headers: { Cookie: 'theme=dark' } });
    expect(res.url.href).toBe(`${api.origin}/echo?from=same`);
    const final = api.last();
    expect(final.url).toBe(`/echo?from=same&api-key=${API_KEY}`);
    expect(final.headers['x-api-key']).toBe(API_KEY);
    expect(final.headers.authorization).toBe('Basic dXNlcjpodW50ZXIy');
    expect(final.headers.cookie).toBe('theme=dark; sid=cookie-secret-77');
  });

  it('sends no credential to another origin, and none back after it', async () => {
    const res = await call(`${api.origin}/away`, { credentials: CREDENTIALS, headers: { Cookie: 'theme=dark', 'X-Other': 'kept' } });
    expect(res.url.origin).toBe(other.origin);
    const atOther = other.last();
    expect(atOther.url).toBe('/echo');
    expect(atOther.headers['x-api-key']).toBeUndefined();
    expect(atOther.headers.authorization).toBeUndefined();
    expect(atOther.headers.cookie).toBeUndefined();
    expect(atOther.headers['x-other']).toBe('kept');

    await call(`${api.origin}/bounce`, { credentials: CREDENTIALS });
    const back = api.last();
    expect(back.url).toBe('/echo');
    expect(back.headers['x-api-key']).toBeUndefined();
    expect(back.headers.authorization).toBeUndefined();
  });

  it('turns a POST into a GET without body on 303 and 302, and keeps it on 307', async () => {
    const post = { method: 'POST', body: { contentType: 'application/json', value: { a: 1 } } } as const;
    for (const path of ['/see-other', '/found']) {
      await call(`${api.origin}${path}`, post);
      const final = api.last();
      expect(final.method).toBe('GET');
      expect(final.body.length).toBe(0);
      expect(final.headers['content-type']).toBeUndefined();
    }
    await call(`${api.origin}/temporary`, post);
    expect(api.last()).toMatchObject({ method: 'POST', body: Buffer.from('{"a":1}') });
  });

  it('stops a redirect loop', async () => {
    const before = api.received.length;
    const err = await failure(call(`${api.origin}/loop`, { maxRedirects: 3 }));
    expect(err).toBeInstanceOf(TooManyRedirectsError);
    expect(err).toMatchObject({ retryable: false, maxRedirects: 3, path: '/loop' });
    expect(api.received.length - before).toBe(4);
  });

  it('does not follow a redirect to another scheme', async () => {
    expect(await failure(call(`${api.origin}/ftp`))).toBeInstanceOf(UnsafeUrlError);
  });
});

describe('errors', () => {
  it('reports a 404 as a non-retryable status error with an excerpt and no query string', async () => {
    const err = await failure(call(`${api.origin}/missing?token=${API_KEY}`));
    expect(err).toBeInstanceOf(HttpStatusError);
    const status = err as HttpStatusError;
    expect(status).toMatchObject({ status: 404, retryable: false, method: 'GET', path: '/missing', retryAfterMs: undefined, code: 'HTTP_STATUS' });
    expect(status.excerpt.startsWith('{"error":"no such item"')).toBe(true);
    expect(status.excerpt.length).toBeLessThanOrEqual(300);
    expect(status.message).toContain(`GET ${api.origin}/missing answered 404 Not Found: nothing at this path`);
    expect(status.message).not.toContain(API_KEY);
  });

  it('marks 503 and 429 retryable with their Retry-After', async () => {
    const unavailable = (await failure(call(`${api.origin}/unavailable`))) as HttpStatusError;
    expect(unavailable).toMatchObject({ status: 503, retryable: true, retryAfterMs: 7000, excerpt: 'down for maintenance' });
    expect(unavailable.message).toContain('will be retried after 7 s');

    const limited = (await failure(call(`${api.origin}/limited`))) as HttpStatusError;
    expect(limited).toMatchObject({ status: 429, retryable: true });
    expect(limited.retryAfterMs).toBeGreaterThan(110_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('reports a JSON content type with a body that is not JSON', async () => {
    const err = await failure(call(`${api.origin}/garbage`));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ retryable: false, excerpt: '<html>not json</html>', status: 200 });
  });

  it('redacts secrets echoed by the server, in plain, base64 and URL-encoded forms', async () => {
    const secret = 'p@ss word';
    const err = (await failure(
      call(`${api.origin}/leaky`, { credentials: { ...CREDENTIALS, query: [['key', secret]] }, secrets: ['user:hunter2'] }),
    )) as HttpStatusError;
    expect(err.excerpt).toBe('bad key [redacted] / [redacted] / /leaky?key=[redacted]');
    for (const leaked of [API_KEY, 'dXNlcjpodW50ZXIy', 'p%40ss%20word', secret]) expect(err.message).not.toContain(leaked);
  });

  it('times out as a retryable network error', async () => {
    const started = Date.now();
    const err = await failure(call(`${api.origin}/hang`, { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(HttpNetworkError);
    expect(err).toMatchObject({ retryable: true, timeout: true, path: '/hang' });
    expect(err.message).toContain("raise the action's timeoutMs");
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = await serve({});
    await closed.close();
    const err = await failure(call(`${closed.origin}/x`));
    expect(err).toBeInstanceOf(HttpNetworkError);
    expect(err).toMatchObject({ retryable: true, timeout: false, causeCode: 'ECONNREFUSED' });
    expect(err.message).toContain('connection refused');
  });

  it('throws the reason of a cancellation by the caller as is', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 50);
    expect(await failure(call(`${api.origin}/hang`, { signal: controller.signal }))).toBe(reason);
  });

  it('refuses a header value with a line break before sending', async () => {
    const err = await failure(call(`${api.origin}/echo`, { headers: { 'X-Evil': 'a\r\nInjected: 1' } }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain('x-evil header');
  });
});

describe('bodies', () => {
  const post = (body: HttpRequest['body'], headers: Record<string, string> = {}) =>
    call(`${api.origin}/echo`, { method: 'POST', body, headers });

  it('sends JSON, and lets a content type given by the caller win', async () => {
    await post({ contentType: 'application/json', value: { a: [1, 'é'] } });
    expect(api.last().headers['content-type']).toBe('application/json');
    expect(JSON.parse(api.last().body.toString())).toEqual({ a: [1, 'é'] });

    await post({ contentType: 'application/json', value: { a: 1 } }, { 'Content-Type': 'application/vnd.api+json' });
    expect(api.last().headers['content-type']).toBe('application/vnd.api+json');
  });

  it('sends a form', async () => {
    await post({ contentType: 'application/x-www-form-urlencoded', value: { q: 'a b&c', n: 1, tag: ['x', 'y'], skip: null } });
    const received = api.last();
    expect(received.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(received.body.toString())]).toEqual([
      ['q', 'a b&c'],
      ['n', '1'],
      ['tag', 'x'],
      ['tag', 'y'],
    ]);
  });

  it('sends multipart with files, replacing a content type given by the caller', async () => {
    const file = { filename: 'hello.txt', contentType: 'text/plain', base64: Buffer.from('hello file').toString('base64') };
    await post({ contentType: 'multipart/form-data', value: { title: 'doc', meta: { a: 1 }, file } }, { 'content-type': 'multipart/form-data' });
    const received = api.last();
    expect(received.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(received.body, { headers: { 'content-type': received.headers['content-type'] ?? '' } }).formData();
    expect(form.get('title')).toBe('doc');
    expect(form.get('meta')).toBe('{"a":1}');
    const part = form.get('file') as File;
    expect(part.name).toBe('hello.txt');
    expect(part.type).toBe('text/plain');
    expect(await part.text()).toBe('hello file');
  });

  it('sends text', async () => {
    await post({ contentType: 'text/plain', value: 'just text' });
    expect(api.last()).toMatchObject({ body: Buffer.from('just text'), headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('refuses a form body that is not an object', async () => {
    expect(await failure(post({ contentType: 'multipart/form-data', value: [1] }))).toBeInstanceOf(InvalidInputError);
  });
});

describe('an action end to end', () => {
  it('arrives with its path, query, header and cookie parameters as written', async () => {
    const action = Action.parse({
      name: 'find',
      description: 'find items',
      method: 'GET',
      path: '/items/{id}',
      parameters: [
        { name: 'id', in: 'path' },
        { name: 'tag', in: 'query' },
        { name: 'ids', in: 'query', explode: false },
        { name: 'X-Trace', in: 'header' },
        { name: 'pref', in: 'cookie' },
      ],
    });
    const target = { scheme: 'http', hostname: api.origin.slice('http://'.length), basePath: '' } as const;
    const prepared = buildRequest(target, action, { id: 'a/b?c', tag: ['x', 'y'], ids: [1, 2], 'X-Trace': 't1', pref: 'a b' });
    const res = await executeHttp({ ...prepared, timeoutMs: 5000, credentials: CREDENTIALS, secrets: [] });
    expect(res.body).toMatchObject({ url: `/items/a%2Fb%3Fc?tag=x&tag=y&ids=1,2&api-key=${API_KEY}` });
    expect(api.last().headers).toMatchObject({ 'x-trace': 't1', cookie: 'pref=a%20b; sid=cookie-secret-77', 'x-api-key': API_KEY });
  });
});
