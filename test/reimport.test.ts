import { Definition } from '../src/definition/model';
import { mergeReimport } from '../src/openapi/reimport';

const integer = { type: 'integer' };
const birdSchema = { type: 'object', properties: { id: integer, name: { type: 'string' } } };
const featherSchema = { type: 'object', properties: { colour: { type: 'string' } } };

/** As the user has it: imported from version 1 of the spec, then edited. */
const current = Definition.parse({
  name: 'aviary',
  displayName: 'My Aviary',
  description: 'Our birds, as we call them.',
  status: 'published',
  hostname: 'localhost:4010',
  scheme: 'http',
  basePath: '/v1',
  headers: { Accept: 'application/json' },
  auth: { type: 'apiKey', name: 'X-API-Key' },
  pagination: { type: 'index', resultsKey: 'results', indexParam: 'offset' },
  actions: [
    {
      name: 'fetchBirds', // renamed from listBirds
      title: 'Fetch birds',
      description: 'Every bird, page by page.',
      method: 'GET',
      path: '/birds',
      parameters: [
        { name: 'limit', in: 'query', schema: integer },
        { name: 'offset', in: 'query', schema: integer },
      ],
      paginated: true,
      pagination: { resultsKey: 'items', pageLimit: 5 },
      timeoutMs: 5000,
      tags: ['mine'],
      operationId: 'listBirds',
    },
    {
      name: 'getBird',
      description: 'One bird.',
      method: 'GET',
      path: '/birds/{birdId}',
      parameters: [{ name: 'birdId', in: 'path', required: true, schema: integer }],
      responseSchema: { $ref: '#/schemas/Bird' },
      deprecated: true, // by the user
      operationId: 'getBird',
    },
    {
      name: 'getNest',
      description: 'One nest.',
      method: 'GET',
      path: '/nests/{nestId}',
      parameters: [{ name: 'nestId', in: 'path', required: true }],
      operationId: 'GET /nests/{nestId}', // version 1 gave it no operationId
    },
    { name: 'deleteBird', description: 'Deletes a bird.', method: 'DELETE', path: '/birds', operationId: 'deleteBird' },
    {
      name: 'getFeather',
      description: 'A feather.',
      method: 'GET',
      path: '/feather',
      responseSchema: { $ref: '#/schemas/Feather' },
      operationId: 'getFeather',
    },
    {
      name: 'ping',
      title: 'Ping',
      description: 'Written by hand.',
      method: 'GET',
      path: '/ping',
      responseSchema: { $ref: '#/schemas/Pong' },
      timeoutMs: 1000,
    },
  ],
  schemas: {
    Bird: birdSchema,
    Feather: featherSchema,
    Pong: { type: 'object', properties: { at: { $ref: '#/schemas/Time' } } },
    Time: { type: 'string' },
  },
  import: { source: 'aviary-v1.yaml', title: 'Aviary', version: '1', removedOperations: ['feedBirds'] },
});

/** What importing version 2 of the spec generates. */
const fresh = Definition.parse({
  name: 'aviaryApi',
  displayName: 'Aviary API',
  description: 'The Aviary API.',
  hostname: 'api.aviary.example',
  actions: [
    {
      name: 'listBirds',
      title: 'List birds',
      description: 'Lists birds.',
      method: 'GET',
      path: '/birds',
      parameters: [
        { name: 'limit', in: 'query', schema: { ...integer, maximum: 100 } },
        { name: 'species', in: 'query', schema: { type: 'string' } },
      ],
      tags: ['birds'],
      operationId: 'listBirds',
    },
    {
      name: 'getBird',
      title: 'Get bird',
      description: 'Gets a bird.',
      method: 'GET',
      path: '/birds/{birdId}',
      parameters: [{ name: 'birdId', in: 'path', required: true, schema: integer }],
      responseSchema: { $ref: '#/schemas/Bird' },
      operationId: 'getBird',
    },
    {
      name: 'getNest',
      description: 'Gets a nest.',
      method: 'GET',
      path: '/nests/{nestId}',
      parameters: [{ name: 'nestId', in: 'path', required: true }],
      deprecated: true,
      operationId: 'getNest',
    },
    { name: 'feedBirds', description: 'Feeds the birds.', method: 'POST', path: '/birds/food', operationId: 'feedBirds' },
    { name: 'fetchBirds', description: 'Searches birds.', method: 'GET', path: '/birds/search', operationId: 'fetchBirds' },
    {
      name: 'createBird',
      description: 'Creates a bird.',
      method: 'POST',
      path: '/birds',
      requestBody: { schema: { $ref: '#/schemas/Bird' } },
      deprecated: true,
      operationId: 'createBird',
    },
    {
      name: 'getFeather',
      description: 'Gets a feather.',
      method: 'GET',
      path: '/feather',
      responseSchema: { $ref: '#/schemas/Feather' },
      operationId: 'getFeather',
    },
  ],
  schemas: { Bird: { ...birdSchema, required: ['id'] }, Feather: featherSchema },
  import: { source: 'aviary-v2.yaml', title: 'Aviary', version: '2', removedOperations: [] },
});

const merged = mergeReimport(current, fresh);
const actionNamed = (name: string) => merged.definition.actions.find((a) => a.name === name);

test('the report says precisely what was added, removed, changed and kept', () => {
  expect(merged.report).toEqual({
    added: ['fetchBirds_2', 'createBird'],
    removed: ['deleteBird'],
    changed: [
      {
        action: 'fetchBirds',
        what: ['query parameter "limit" changed: schema', 'query parameter "species" added', 'query parameter "offset" removed'],
      },
      { action: 'getBird', what: ['schema Bird changed'] },
      { action: 'getNest', what: ['operationId GET /nests/{nestId} -> getNest', 'deprecated in the spec'] },
    ],
    kept: ['getFeather', 'ping'],
  });
});

test("the user's names, titles, descriptions, pagination, timeouts and tags are kept; the structure is the spec's", () => {
  expect(actionNamed('fetchBirds')).toEqual({
    ...fresh.actions[0],
    name: 'fetchBirds',
    title: 'Fetch birds',
    description: 'Every bird, page by page.',
    paginated: true,
    pagination: { resultsKey: 'items', pageLimit: 5 },
    timeoutMs: 5000,
    tags: ['mine'],
  });
  // The user had no title for getBird: the spec's new one does not come in.
  expect(actionNamed('getBird')).not.toHaveProperty('title');
  expect(actionNamed('getBird')?.description).toBe('One bird.');
});

test('deprecated by the user or by the spec stays deprecated', () => {
  expect(actionNamed('getBird')?.deprecated).toBe(true);
  expect(actionNamed('getNest')?.deprecated).toBe(true);
  expect(actionNamed('createBird')?.deprecated).toBe(true);
  expect(actionNamed('getFeather')?.deprecated).toBe(false);
});

test('removed operations stay removed; operations gone from the spec are dropped', () => {
  const names = merged.definition.actions.map((a) => a.name);
  expect(names).toEqual(['fetchBirds', 'getBird', 'getNest', 'getFeather', 'ping', 'fetchBirds_2', 'createBird']);
  expect(names).not.toContain('feedBirds');
  expect(merged.definition.import).toEqual({ source: 'aviary-v2.yaml', title: 'Aviary', version: '2', removedOperations: ['feedBirds'] });
});

test('a hand-written action is kept untouched', () => {
  expect(actionNamed('ping')).toEqual(current.actions[5]);
});

test('a new operation whose generated name a renamed action took gets a suffix', () => {
  expect(actionNamed('fetchBirds_2')).toEqual({ ...fresh.actions[4], name: 'fetchBirds_2' });
});

test("integration settings are the user's; the shared schemas are the spec's, and those of hand-written actions", () => {
  const { actions: _a, schemas, import: _i, ...settings } = merged.definition;
  const { actions: _b, schemas: _s, import: _j, ...before } = current;
  expect(settings).toEqual(before);
  expect(schemas).toEqual({ ...fresh.schemas, Pong: current.schemas.Pong, Time: current.schemas.Time });
});

test('re-importing the same spec again changes nothing', () => {
  const again = mergeReimport(merged.definition, fresh);
  expect(again.definition).toEqual(merged.definition);
  expect(again.report).toEqual({ added: [], removed: [], changed: [], kept: merged.definition.actions.map((a) => a.name) });
});

test('method, path, body and response changes; schemas reached through other schemas', () => {
  const base = {
    name: 'shop',
    description: 'Shop',
    hostname: 'shop.example',
    schemas: { Order: { type: 'object', properties: { line: { $ref: '#/schemas/Line' } } }, Line: { type: 'object' } },
  };
  const before = Definition.parse({
    ...base,
    actions: [
      {
        name: 'saveOrder',
        description: 'Saves an order.',
        method: 'POST',
        path: '/orders',
        requestBody: { schema: { $ref: '#/schemas/Order' } },
        operationId: 'saveOrder',
      },
      {
        name: 'getOrder',
        description: 'An order.',
        method: 'GET',
        path: '/orders/latest',
        responseSchema: { type: 'object' },
        operationId: 'getOrder',
      },
    ],
  });
  const after = Definition.parse({
    ...base,
    schemas: { ...base.schemas, Line: { type: 'object', required: ['sku'] } },
    actions: [
      {
        name: 'saveOrder',
        description: 'Saves an order.',
        method: 'PUT',
        path: '/orders/current',
        requestBody: { contentType: 'application/x-www-form-urlencoded', schema: { $ref: '#/schemas/Order' } },
        operationId: 'saveOrder',
      },
      { name: 'getOrder', description: 'An order.', method: 'GET', path: '/orders/latest', operationId: 'getOrder' },
    ],
  });
  expect(mergeReimport(before, after).report.changed).toEqual([
    {
      action: 'saveOrder',
      what: ['method POST -> PUT', 'path /orders -> /orders/current', 'request body changed: contentType', 'schema Line changed'],
    },
    { action: 'getOrder', what: ['response removed'] },
  ]);
});

test('a first import into a hand-written definition: every operation is added, clashing names suffixed', () => {
  const handWritten = Definition.parse({
    name: 'aviary',
    description: 'Birds',
    hostname: 'aviary.example',
    actions: [{ name: 'getBird', description: 'By hand.', method: 'GET', path: '/birds/{birdId}', parameters: [{ name: 'birdId', in: 'path' }] }],
  });
  const { definition, report } = mergeReimport(handWritten, fresh);
  expect(report.kept).toEqual(['getBird']);
  expect(report.added).toEqual(['listBirds', 'getBird_2', 'getNest', 'feedBirds', 'fetchBirds', 'createBird', 'getFeather']);
  expect(definition.actions[0]).toEqual(handWritten.actions[0]);
  expect(definition.import).toEqual(fresh.import);
});

test('input names are kept, unless the spec now has a parameter of that name', () => {
  const item = (parameters: unknown[]) =>
    Definition.parse({
      name: 'shop',
      description: 'Shop',
      hostname: 'shop.example',
      actions: [{ name: 'getItem', description: 'An item.', method: 'GET', path: '/items/{id}', parameters, operationId: 'getItem' }],
    });
  const path = { name: 'id', in: 'path', required: true };
  const query = { name: 'id', in: 'query' };
  const chosen = item([{ ...path, input: 'itemId' }, query]);
  const spec = item([{ ...path, input: 'id_path' }, query, { name: 'expand', in: 'query' }]);
  const kept = mergeReimport(chosen, spec);
  expect(kept.definition.actions[0]?.parameters).toEqual([{ ...path, input: 'itemId' }, query, { name: 'expand', in: 'query' }]);
  expect(kept.report.changed).toEqual([{ action: 'getItem', what: ['query parameter "expand" added'] }]);

  const clash = mergeReimport(chosen, item([{ ...path, input: 'id_path' }, query, { name: 'itemId', in: 'query' }]));
  expect(clash.definition.actions[0]?.parameters.map((p) => p.input ?? p.name)).toEqual(['id_path', 'id', 'itemId']);
  expect(clash.report.changed).toEqual([{ action: 'getItem', what: ['path parameter "id" changed: input', 'query parameter "itemId" added'] }]);
});
