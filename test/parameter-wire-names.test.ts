/**
 * Parameter names that are not identifiers (`page[size]`, `$top`, `expand[]`, `X-Request-Id`, `user-id`,
 * `session.id`): the import keeps them as the spec writes them, inputs are keyed by them, typed inputs quote them, and
 * the request carries them exactly, in query, header, path and cookie, checked on a real loopback server through a
 * workflow calling the imported action. Parameters sharing a name in several locations (and with the body) keep it on
 * the wire and take their values from input names of their own.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Definition } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { buildRequest, queryName } from '../src/http/url';
import { importSpec, type ImportResult } from '../src/openapi/import';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { generateTypes } from '../src/types/generate';
import { json, serve, type Server } from './helpers/http-server';
import { startTestWorker, type TestWorker } from './helpers/temporal';

function wireSpec(origin: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Wire', version: '1' },
    servers: [{ url: origin }],
    paths: {
      '/users/{user-id}/items': {
        get: {
          operationId: 'listItems',
          parameters: [
            { name: 'user-id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'page[size]', in: 'query', schema: { type: 'integer' } },
            { name: '$top', in: 'query', schema: { type: 'integer' } },
            { name: 'expand[]', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
            { name: 'api-version', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'filter[created:gte]', in: 'query', schema: { type: 'string' } },
            { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
            { name: 'session.id', in: 'cookie', schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
  };
}

/** `id` in path, query, header and cookie, a query parameter named `body`, and a body. */
function sharedSpec(origin: string) {
  const string = { type: 'string' };
  return {
    openapi: '3.0.3',
    info: { title: 'Shared', version: '1' },
    servers: [{ url: origin }],
    paths: {
      '/things/{id}': {
        put: {
          operationId: 'putThing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: string },
            { name: 'id', in: 'query', required: true, schema: { type: 'integer' } },
            { name: 'id', in: 'header', schema: string },
            { name: 'id', in: 'cookie', schema: string },
            { name: 'body', in: 'query', schema: string },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
  };
}

const SHARED_INPUT = { id_path: 'a b', id: 7, id_header: 'h-1', id_cookie: 'c 1', body_query: 'q&r', body: { name: 'x' } };

const INPUT = {
  'user-id': 'u-1',
  'page[size]': 10,
  $top: 5,
  'expand[]': ['owner', 'tags'],
  'api-version': '2024-01-01',
  'filter[created:gte]': '2026-01-01T00:00:00Z',
  'X-Request-Id': 'req-42',
  'session.id': 'abc',
};
/** As the request line carries it: `$` and `:` literal, brackets percent-encoded (JSON:API asks for that). */
const RAW_QUERY =
  'page%5Bsize%5D=10&$top=5&expand%5B%5D=owner&expand%5B%5D=tags&api-version=2024-01-01&filter%5Bcreated:gte%5D=2026-01-01T00%3A00%3A00Z';

let api: Server;
let client: Client;
let testWorker: TestWorker | undefined;
let taskQueue: string;
let result: ImportResult;
let definition: Definition;
let shared: ImportResult;
let sharedDefinition: Definition;

beforeAll(async () => {
  api = await serve({ '*': (_req, res) => json(res, 200, { ok: true }) });
  result = await importSpec({ text: JSON.stringify(wireSpec(api.origin)), fileName: 'wire.json' });
  definition = Definition.parse(result.definition);
  shared = await importSpec({ text: JSON.stringify(sharedSpec(api.origin)), fileName: 'shared.json' });
  sharedDefinition = Definition.parse(shared.definition);
  const plugin = new CustomIntegrationsPlugin({ definitions: [definition, sharedDefinition] });
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/action-workflows'), prefix: 'wire-names' });
  ({ client, taskQueue } = testWorker);
});

afterAll(async () => {
  await testWorker?.stop();
  await closeHttpAgent();
  await api?.close();
});

test('the import keeps every name as the spec writes it, with no renaming', () => {
  const action = definition.actions.find((a) => a.name === 'listItems')!;
  expect(action.path).toBe('/users/{user-id}/items');
  expect(action.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
    'path:user-id',
    'query:page[size]',
    'query:$top',
    'query:expand[]',
    'query:api-version',
    'query:filter[created:gte]',
    'header:X-Request-Id',
    'cookie:session.id',
  ]);
  expect(result.messages.filter((m) => m.code.startsWith('parameter-'))).toEqual([]);
});

test('buildRequest writes the names exactly: query keys, header, path, cookie', () => {
  const action = definition.actions.find((a) => a.name === 'listItems')!;
  const request = buildRequest(definition, action, INPUT);
  expect(request.url.href).toBe(`${api.origin}/users/u-1/items?${RAW_QUERY}`);
  expect(request.headers).toEqual({ 'X-Request-Id': 'req-42', cookie: 'session.id=abc' });
  // What must stay encoded in a name still is: a name holding & = + # or a space cannot split the query.
  expect(queryName('a&b=c+d#e f')).toBe('a%26b%3Dc%2Bd%23e%20f');
  expect(queryName('$filter')).toBe('$filter');
});

test('a workflow calling the imported action sends every name exactly', async () => {
  await expect(
    client.workflow.execute('callAction', {
      taskQueue,
      workflowId: `wire-${randomUUID()}`,
      args: [{ integration: definition.name, action: 'listItems', input: INPUT }],
    }),
  ).resolves.toEqual({ ok: true });
  const got = api.last();
  expect(got.url).toBe(`/users/u-1/items?${RAW_QUERY}`);
  const query = new URL(got.url, 'http://x').searchParams;
  expect([...query.keys()]).toEqual(['page[size]', '$top', 'expand[]', 'expand[]', 'api-version', 'filter[created:gte]']);
  expect(query.getAll('expand[]')).toEqual(['owner', 'tags']);
  expect(got.headers['x-request-id']).toBe('req-42');
  expect(got.headers.cookie).toBe('session.id=abc');
});

test('typed inputs quote the names that are not identifiers', () => {
  const types = generateTypes([definition]);
  for (const line of ['"user-id": string;', '"page[size]"?: number;', '$top?: number;', '"expand[]"?: string[];', '"api-version": string;', '"X-Request-Id"?: string;', '"session.id"?: string;']) {
    expect(types).toContain(line);
  }
});

describe('parameters sharing a name', () => {
  test('import with the spec\'s path and names; those that cannot keep theirs as input name get <name>_<location>', () => {
    const action = sharedDefinition.actions.find((a) => a.name === 'putThing')!;
    expect(action.path).toBe('/things/{id}');
    expect(action.parameters.map((p) => `${p.in}:${p.name} <- ${p.input ?? p.name}`)).toEqual([
      'path:id <- id_path',
      'query:id <- id',
      'header:id <- id_header',
      'cookie:id <- id_cookie',
      'query:body <- body_query',
    ]);
    expect(shared.messages.filter((m) => m.code.startsWith('parameter-')).map((m) => [m.severity, m.code])).toEqual(Array(4).fill(['info', 'parameter-input']));
  });

  test('a workflow calling the action sends each to its place under the spec\'s name', async () => {
    await expect(
      client.workflow.execute('callAction', {
        taskQueue,
        workflowId: `shared-${randomUUID()}`,
        args: [{ integration: sharedDefinition.name, action: 'putThing', input: SHARED_INPUT }],
      }),
    ).resolves.toEqual({ ok: true });
    const got = api.last();
    expect(`${got.method} ${got.url}`).toBe('PUT /things/a%20b?id=7&body=q%26r');
    expect(got.headers.id).toBe('h-1');
    expect(got.headers.cookie).toBe('id=c%201');
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(got.body.toString('utf8'))).toEqual({ name: 'x' });
  });

  test('a missing input is named by its input name, with where it goes', () => {
    const action = sharedDefinition.actions.find((a) => a.name === 'putThing')!;
    const { id_path: _omitted, ...rest } = SHARED_INPUT;
    expect(() => buildRequest(sharedDefinition, action, rest)).toThrow('action "putThing" needs input "id_path" (path parameter "id")');
    expect(() => buildRequest(sharedDefinition, action, { ...SHARED_INPUT, id_query: 1 })).toThrow(
      'action "putThing" has no input "id_query"; its inputs are: id_path, id, id_header, id_cookie, body_query, body',
    );
  });

  test('typed inputs use the input names and say where each goes', () => {
    const types = generateTypes([sharedDefinition]);
    for (const line of ['id_path: string;', 'id: number;', 'id_header?: string;', 'id_cookie?: string;', 'body_query?: string;', 'body: {']) {
      expect(types).toContain(line);
    }
    expect(types).toContain('/** Sent as cookie parameter `id`. */');
  });
});
