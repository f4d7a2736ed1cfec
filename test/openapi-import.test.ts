/**
 * Importing OpenAPI specs: each defect class of the reference docs and of the real specs, on small specs written
 * here; auth inference, pagination suggestions, Swagger 2.0, YAML, locations, and the import and lint commands.
 * The real specs have their own suite (test/specs, `npm run test:specs`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { importCommand } from '../src/cli/commands/import';
import { lintCommand } from '../src/cli/commands/lint';
import { resolveTemporalConfig } from '../src/config/temporal-config';
import { parseDefinition } from '../src/definition/load';
import type { Action } from '../src/definition/model';
import { importSpec, type ImportOptions, type ImportResult } from '../src/openapi/import';
import { ImportError, type ImportMessage } from '../src/openapi/messages';
import { humanize } from '../src/openapi/naming';
import { SourceLocator } from '../src/source-location';

type Json = Record<string, unknown>;

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'openapi-import-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An OpenAPI 3.0 spec with the given paths (and anything else given). */
function spec(paths: Json, rest: Json = {}): Json {
  return { openapi: '3.0.3', info: { title: 'Test API', version: '1.2.3' }, servers: [{ url: 'https://api.example.com/v1' }], paths, ...rest };
}

function importJson(document: Json, options: ImportOptions = {}): Promise<ImportResult> {
  return importSpec({ text: JSON.stringify(document, null, 2), fileName: 'spec.json' }, options);
}

const ok = (description = 'OK', schema?: Json): Json => ({ description, ...(schema && { content: { 'application/json': { schema } } }) });

function action(result: ImportResult, name: string): Action {
  const found = result.definition.actions.find((a) => a.name === name);
  if (!found) throw new Error(`no action ${name}; actions: ${result.definition.actions.map((a) => a.name).join(', ')}`);
  return found;
}

function messagesOf(result: { messages: readonly ImportMessage[] }, code: string): ImportMessage[] {
  return result.messages.filter((m) => m.code === code);
}

function message(result: { messages: readonly ImportMessage[] }, code: string): ImportMessage {
  const found = messagesOf(result, code)[0];
  if (!found) throw new Error(`no ${code} message; got ${result.messages.map((m) => m.code).join(', ')}`);
  return found;
}

/** Line and column (1-based) of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset === -1) throw new Error(`${needle} not in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// The basics

test('an operation becomes an action with its parameters, body, response, flags and tags', async () => {
  const result = await importJson(
    spec({
      '/birds/{birdId}': {
        parameters: [{ name: 'birdId', in: 'path', required: true, schema: { type: 'integer' } }],
        put: {
          operationId: 'updateBird',
          summary: 'Update a bird',
          description: 'Replaces a bird.',
          deprecated: true,
          tags: ['birds'],
          parameters: [
            { name: 'dryRun', in: 'query', schema: { type: 'boolean' } },
            { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'session', in: 'cookie', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Bird' } } } },
          responses: { '200': ok('the bird', { $ref: '#/components/schemas/Bird' }), '404': ok('not found') },
        },
      },
    }, { components: { schemas: { Bird: { type: 'object', properties: { name: { type: 'string' } } }, Unused: { type: 'string' } } } }),
  );
  const update = action(result, 'updateBird');
  expect(update).toMatchObject({
    title: 'Update a bird',
    description: 'Replaces a bird.',
    method: 'PUT',
    path: '/birds/{birdId}',
    deprecated: true,
    tags: ['birds'],
    operationId: 'updateBird',
    requestBody: { contentType: 'application/json', required: true, schema: { $ref: '#/schemas/Bird' } },
    responseSchema: { $ref: '#/schemas/Bird' },
  });
  expect(update.parameters).toEqual([
    { name: 'birdId', in: 'path', required: true, schema: { type: 'integer' } },
    { name: 'dryRun', in: 'query', schema: { type: 'boolean' } },
    { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
    { name: 'session', in: 'cookie', schema: { type: 'string' } },
  ]);
  // Only what the actions reach is kept.
  expect(result.definition.schemas).toEqual({ Bird: { type: 'object', properties: { name: { type: 'string' } } } });
  expect(result.definition).toMatchObject({
    name: 'testApi',
    displayName: 'Test API',
    hostname: 'api.example.com',
    scheme: 'https',
    basePath: '/v1',
    import: { source: 'spec.json', title: 'Test API', version: '1.2.3' },
  });
  expect(result.stats).toMatchObject({ version: 'openapi-3.0', operations: 1, actions: 1, skipped: 0, schemas: 1, declaredSchemas: 2 });
});

test('the definition passes the definition loader as written by the import command', async () => {
  const result = await importJson(spec({ '/birds': { get: { operationId: 'listBirds', responses: { '200': ok() } } } }));
  const text = JSON.stringify({ $schema: '../definition.schema.json', ...result.definition });
  expect(parseDefinition(text, { file: path.join(scratch, 'birds.json') }).actions[0]?.name).toBe('listBirds');
});

test('request bodies prefer JSON, then form, multipart and text; a type actions cannot send leaves the body out', async () => {
  const body = (content: Json) => ({ post: { responses: { '201': ok() }, requestBody: { content } } });
  const schema = { type: 'object' };
  const result = await importJson(
    spec({
      '/json': body({ 'application/xml': { schema }, 'application/vnd.api+json; charset=utf-8': { schema }, 'application/x-www-form-urlencoded': { schema } }),
      '/form': body({ 'multipart/form-data': { schema }, 'application/x-www-form-urlencoded': { schema } }),
      '/multipart': body({ 'text/plain': { schema }, 'multipart/form-data': { schema } }),
      '/text': body({ 'text/plain': { schema: { type: 'string' } } }),
      '/binary': body({ 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }),
    }),
  );
  expect(action(result, 'postJson').requestBody?.contentType).toBe('application/json');
  expect(action(result, 'postForm').requestBody?.contentType).toBe('application/x-www-form-urlencoded');
  expect(action(result, 'postMultipart').requestBody?.contentType).toBe('multipart/form-data');
  expect(action(result, 'postText').requestBody).toEqual({ contentType: 'text/plain', schema: { type: 'string' } });
  expect(action(result, 'postBinary').requestBody).toBeUndefined();
  expect(message(result, 'unsupported-body')).toMatchObject({ severity: 'warning', pointer: '/paths/~1binary/post/requestBody/content' });
});

test('3.0 schemas are given their 3.1 form: nullable, boolean exclusive bounds', async () => {
  const result = await importJson(
    spec({
      '/x': {
        get: {
          parameters: [{ name: 'n', in: 'query', schema: { type: 'integer', minimum: 0, exclusiveMinimum: true, nullable: true } }],
          responses: { '200': ok('ok', { type: 'string', enum: ['a', 'b'], nullable: true }) },
        },
      },
    }),
  );
  const get = action(result, 'getX');
  expect(get.parameters[0]?.schema).toEqual({ type: ['integer', 'null'], exclusiveMinimum: 0 });
  expect(get.responseSchema).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
});

// ---------------------------------------------------------------------------------------------------------------
// Defect classes

describe('operationIds', () => {
  test('a missing operationId gives a stable name from method and path, and "METHOD /path" as re-import key', async () => {
    const document = spec({
      '/users/{id}/repos': { get: { responses: { '200': ok() } } },
      '/users/{id}': { get: { responses: { '200': ok() } }, delete: { responses: { '204': ok() } } },
    });
    const result = await importJson(document);
    expect(result.definition.actions.map((a) => [a.name, a.operationId])).toEqual([
      ['getUsersRepos', 'GET /users/{id}/repos'],
      ['getUsersById', 'GET /users/{id}'],
      ['deleteUsersById', 'DELETE /users/{id}'],
    ]);
    expect(message(result, 'missing-operation-id')).toMatchObject({ severity: 'info', pointer: '/paths/~1users~1{id}~1repos/get' });
    expect(message(result, 'missing-operation-id').message).toContain('3 operations');
    expect((await importJson(document)).definition.actions.map((a) => a.name)).toEqual(result.definition.actions.map((a) => a.name));
  });

  test('duplicate operationIds are disambiguated the same way whatever the order of the paths', async () => {
    const paths = {
      '/v2/images/{id}/similar': { get: { operationId: 'getSimilarImages', responses: { '200': ok() } } },
      '/v2/cv/similar/images': { get: { operationId: 'getSimilarImages', responses: { '200': ok() } } },
    };
    const reversed = Object.fromEntries(Object.entries(paths).reverse());
    const names = async (p: Json) => {
      const result = await importJson(spec(p));
      return Object.fromEntries(result.definition.actions.map((a) => [a.path, [a.name, a.operationId]]));
    };
    const first = await names(paths);
    expect(first).toEqual({
      '/v2/cv/similar/images': ['getSimilarImages', 'GET /v2/cv/similar/images'],
      '/v2/images/{id}/similar': ['getSimilarImages2', 'GET /v2/images/{id}/similar'],
    });
    expect(await names(reversed)).toEqual(first);
    const result = await importJson(spec(paths));
    expect(messagesOf(result, 'duplicate-operation-id')).toHaveLength(2);
    expect(message(result, 'duplicate-operation-id').pointer).toBe('/paths/~1v2~1images~1{id}~1similar/get/operationId');
  });

  test('operationIds that are not identifiers are camelCased', async () => {
    const ids = {
      '/a': 'Get all device groups',
      '/b': 'repos/get',
      '/c': 'get-/crm/v3/objects/contacts/{contactId}',
      '/d': 'post_oauth2_token#refresh',
      '/e': 'account-billing-profile-(-deprecated)-billing-profile-details',
      '/f': '2fa.enable',
      '/g': 'users.onenote.notebooks.sections.pages.parentNotebook.sectionGroups.sections.ListPages',
      '/h': 'POST-design',
    };
    const result = await importJson(spec(Object.fromEntries(Object.entries(ids).map(([p, id]) => [p, { get: { operationId: id, responses: { '200': ok() } } }]))));
    expect(result.definition.actions.map((a) => a.name)).toEqual([
      'getAllDeviceGroups',
      'reposGet',
      'getCrmV3ObjectsContactsContactId',
      'postOauth2TokenRefresh',
      'accountBillingProfileDeprecatedBillingProfileDetails',
      'n2faEnable',
      'usersPagesParentNotebookSectionGroupsSectionsListPages',
      'postDesign',
    ]);
    for (const a of result.definition.actions) expect(a.name.length).toBeLessThanOrEqual(64);
    expect(result.definition.actions.map((a) => a.operationId)).toEqual(Object.values(ids));
    expect(message(result, 'operation-id-not-identifier').message).toContain('8 operationIds');
  });
});

describe('schemas', () => {
  test('circular and self-referencing schemas stay refs: no loop, nothing circular in the definition', async () => {
    const result = await importJson(
      spec(
        { '/nodes': { get: { responses: { '200': ok('ok', { $ref: '#/components/schemas/Node' }) } } } },
        {
          components: {
            schemas: {
              Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, event: { $ref: '#/components/schemas/Event' } } },
              Event: { type: 'object', properties: { calendar: { $ref: '#/components/schemas/Calendar' } } },
              Calendar: { type: 'object', properties: { events: { type: 'array', items: { $ref: '#/components/schemas/Event' } }, alias: { $ref: '#/components/schemas/Loop' } } },
              Loop: { $ref: '#/components/schemas/Loop2' },
              Loop2: { $ref: '#/components/schemas/Loop' },
            },
          },
        },
      ),
    );
    expect(result.definition.schemas.Node).toEqual({
      type: 'object',
      properties: { children: { type: 'array', items: { $ref: '#/schemas/Node' } }, event: { $ref: '#/schemas/Event' } },
    });
    expect(result.definition.schemas.Calendar?.properties).toEqual({ events: { type: 'array', items: { $ref: '#/schemas/Event' } }, alias: { $ref: '#/schemas/Loop' } });
    expect(result.definition.schemas.Loop).toEqual({});
    expect(result.definition.schemas.Loop2).toEqual({});
    expect(message(result, 'ref-cycle')).toMatchObject({ severity: 'warning', pointer: '/components/schemas/Loop' });
    expect(() => JSON.stringify(result.definition)).not.toThrow();
  });

  test('invalid regex patterns are reported and left out; valid ones are kept', async () => {
    const result = await importJson(
      spec({
        '/x': {
          get: {
            parameters: [
              { name: 'id', in: 'query', schema: { type: 'string', pattern: '(?i)^[0-9a-f]{8}$' } },
              { name: 'batch', in: 'query', schema: { type: 'string', pattern: '^[a-z\\_]+$' } },
              { name: 'code', in: 'query', schema: { type: 'string', pattern: '^[A-Z]{3}$' } },
            ],
            responses: { '200': ok() },
          },
        },
      }),
    );
    expect(action(result, 'getX').parameters.map((p) => p.schema)).toEqual([{ type: 'string' }, { type: 'string' }, { type: 'string', pattern: '^[A-Z]{3}$' }]);
    const [inlineFlag, unicode] = messagesOf(result, 'invalid-pattern');
    expect(inlineFlag).toMatchObject({ severity: 'warning', pointer: '/paths/~1x/get/parameters/0/schema/pattern' });
    expect(inlineFlag?.message).toContain('is not a valid regular expression');
    expect(unicode?.message).toContain('u (Unicode) flag');
  });

  test('required names that are not properties are dropped, except where a sibling may define them', async () => {
    const result = await importJson(
      spec(
        {
          '/paging': { get: { responses: { '200': ok('ok', { $ref: '#/components/schemas/Paging' }) } } },
          '/app': { get: { responses: { '200': ok('ok', { $ref: '#/components/schemas/App' }) } } },
        },
        {
          components: {
            schemas: {
              Paging: { type: 'object', required: ['items', 'total'], properties: { total: { type: 'integer' } } },
              App: {
                allOf: [{ type: 'object', properties: { label: { type: 'string' } } }, { type: 'object', required: ['label'], properties: { id: { type: 'string' } } }],
              },
            },
          },
        },
      ),
    );
    expect(result.definition.schemas.Paging?.required).toEqual(['total']);
    expect((result.definition.schemas.App?.allOf as Json[])[1]?.required).toEqual(['label']);
    expect(messagesOf(result, 'required-undefined')).toEqual([expect.objectContaining({ severity: 'warning', pointer: '/components/schemas/Paging/required' })]);
  });

  test('type names that are not JSON Schema types are read as the type meant', async () => {
    const result = await importJson(
      spec({ '/x': { get: { parameters: [{ name: 'n', in: 'query', schema: { type: 'int' } }, { name: 'b', in: 'query', schema: { type: 'bool' } }], responses: { '200': ok() } } } }),
    );
    expect(action(result, 'getX').parameters.map((p) => p.schema)).toEqual([{ type: 'integer' }, { type: 'boolean' }]);
    expect(message(result, 'invalid-type').message).toContain('2 types');
  });
});

test('operations without description get one from summary, else from method and path', async () => {
  const result = await importJson(
    spec({
      '/a': { get: { operationId: 'a', summary: 'Lists the a things\nover two lines', responses: { '200': ok() } } },
      '/b': { get: { operationId: 'b', responses: { '200': ok() } } },
    }),
  );
  expect(action(result, 'a')).toMatchObject({ title: 'Lists the a things', description: 'Lists the a things' });
  expect(action(result, 'b')).toMatchObject({ title: 'B', description: 'GET /b' });
  expect(message(result, 'missing-description')).toMatchObject({ severity: 'info', pointer: '/paths/~1b/get' });
});

test('paths ending with "/" are kept as they are, with a warning', async () => {
  const result = await importJson(spec({ '/marketing/v3/emails/': { get: { operationId: 'list', responses: { '200': ok() } } } }));
  expect(action(result, 'list').path).toBe('/marketing/v3/emails/');
  expect(message(result, 'trailing-slash')).toMatchObject({ severity: 'warning', pointer: '/paths/~1marketing~1v3~1emails~1' });
});

describe('$refs', () => {
  test('a dangling schema ref becomes {} with a warning; operations that do not need it import as usual', async () => {
    const result = await importJson(
      spec(
        {
          '/rows': { get: { operationId: 'rows', responses: { '200': ok('ok', { $ref: '#/components/schemas/Rows' }) } } },
          '/tables': { get: { operationId: 'tables', responses: { '200': ok('ok', { type: 'array', items: { type: 'string' } }) } } },
        },
        { components: { schemas: { Rows: { type: 'object', properties: { results: { type: 'array', items: { $ref: '#/components/schemas/RowWrapper' } } } } } } },
      ),
    );
    expect(result.definition.schemas.Rows).toEqual({ type: 'object', properties: { results: { type: 'array', items: {} } } });
    expect(message(result, 'dangling-ref')).toMatchObject({ severity: 'warning', pointer: '/components/schemas/Rows/properties/results/items/$ref' });
    expect(action(result, 'tables').responseSchema).toEqual({ type: 'array', items: { type: 'string' } });
  });

  test('a dangling parameter ref leaves the parameter out; a ref loop among parameters does not hang', async () => {
    const result = await importJson(
      spec(
        { '/x': { get: { operationId: 'x', parameters: [{ $ref: '#/components/parameters/missing' }, { $ref: '#/components/parameters/a' }, { $ref: '#/components/parameters/ok' }], responses: { '200': ok() } } } },
        { components: { parameters: { a: { $ref: '#/components/parameters/b' }, b: { $ref: '#/components/parameters/a' }, ok: { name: 'q', in: 'query', schema: { type: 'string' } } } } },
      ),
    );
    expect(action(result, 'x').parameters).toEqual([{ name: 'q', in: 'query', schema: { type: 'string' } }]);
    expect(message(result, 'dangling-ref').pointer).toBe('/paths/~1x/get/parameters/0/$ref');
    expect(message(result, 'ref-cycle').pointer).toBe('/paths/~1x/get/parameters/1');
  });

  test('external refs are read from local files next to the spec; missing files are reported', async () => {
    const dir = mkdtempSync(path.join(scratch, 'multi-'));
    writeFileSync(path.join(dir, 'models.yaml'), 'Droplet:\n  type: object\n  properties:\n    id: { type: integer }\n    region: { $ref: "#/Region" }\nRegion:\n  type: string\n');
    writeFileSync(path.join(dir, 'list.yaml'), 'operationId: listDroplets\nresponses:\n  "200":\n    description: ok\n    content:\n      application/json:\n        schema: { $ref: "models.yaml#/Droplet" }\n');
    const file = path.join(dir, 'root.json');
    writeFileSync(
      file,
      JSON.stringify(spec({ '/droplets': { get: { $ref: 'list.yaml' }, post: { $ref: 'resources/missing.yml' } }, '/sizes': { get: { operationId: 'sizes', responses: { '200': ok('ok', { $ref: 'absent.json#/Size' }) } } } })),
    );
    const result = await importSpec(file, {});
    expect(action(result, 'listDroplets').responseSchema).toEqual({ $ref: '#/schemas/Droplet' });
    expect(result.definition.schemas).toEqual({
      Droplet: { type: 'object', properties: { id: { type: 'integer' }, region: { $ref: '#/schemas/Region' } } },
      Region: { type: 'string' },
    });
    // The operation that is itself a missing file imports from its method and path alone.
    expect(action(result, 'postDroplets')).toMatchObject({ method: 'POST', path: '/droplets', operationId: 'POST /droplets', parameters: [] });
    expect(action(result, 'sizes').responseSchema).toEqual({});
    const external = messagesOf(result, 'external-ref');
    expect(external.map((m) => m.pointer)).toEqual(['/paths/~1droplets/post/$ref', '/paths/~1sizes/get/responses/200/content/application~1json/schema/$ref']);
    expect(external[0]?.message).toContain('resources/missing.yml does not exist');
  });
});

test('security requirements naming undefined schemes are reported and ignored', async () => {
  const result = await importJson(
    spec(
      { '/a': { get: { operationId: 'a', security: [{ apiKey: [] }], responses: { '200': ok() } } }, '/b': { get: { operationId: 'b', responses: { '200': ok() } } } },
      { security: [{ bearerAuth: [] }], components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } } },
    ),
  );
  expect(message(result, 'undefined-security-scheme')).toMatchObject({ severity: 'warning', pointer: '/paths/~1a/get/security/0' });
  expect(result.definition.auth).toEqual({ type: 'apiKey', in: 'header', name: 'Authorization', preamble: 'Bearer' });
});

test('path placeholders no parameter declares are declared; parameters the path lacks are left out', async () => {
  const result = await importJson(
    spec({ '/endpoints/{endpointId}/state': { get: { operationId: 'state', parameters: [{ name: 'other', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': ok() } } } }),
  );
  expect(action(result, 'state').parameters).toEqual([{ name: 'endpointId', in: 'path', required: true, schema: { type: 'string' } }]);
  expect(message(result, 'undeclared-path-parameter')).toMatchObject({ severity: 'warning', pointer: '/paths/~1endpoints~1{endpointId}~1state/get' });
  expect(message(result, 'unused-path-parameter').pointer).toBe('/paths/~1endpoints~1{endpointId}~1state/get/parameters/0');
});

test('parameters sharing a name across locations all import, each under its own input name', async () => {
  const result = await importJson(
    spec({
      '/items/{id}': {
        post: {
          operationId: 'update',
          parameters: [
            { name: 'id', in: 'query', schema: { type: 'string' } },
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'header', schema: { type: 'string' } },
            { name: 'id', in: 'cookie', schema: { type: 'string' } },
            { name: 'body', in: 'query', schema: { type: 'string' } },
          ],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': ok() },
        },
      },
    }),
  );
  const update = action(result, 'update');
  // The spec's path and names, unchanged: only the input names differ.
  expect(update.path).toBe('/items/{id}');
  expect(update.parameters.map((p) => [p.in, p.name, p.input])).toEqual([
    ['query', 'id', undefined],
    ['path', 'id', 'id_path'],
    ['header', 'id', 'id_header'],
    ['cookie', 'id', 'id_cookie'],
    ['query', 'body', 'body_query'],
  ]);
  const inputs = messagesOf(result, 'parameter-input');
  expect(inputs.map((m) => [m.severity, m.pointer])).toEqual([
    ['info', '/paths/~1items~1{id}/post/parameters/1'],
    ['info', '/paths/~1items~1{id}/post/parameters/2'],
    ['info', '/paths/~1items~1{id}/post/parameters/3'],
    ['info', '/paths/~1items~1{id}/post/parameters/4'],
  ]);
  expect(inputs[2]?.message).toBe(
    'POST /items/{id}: cookie parameter "id" has the same name as query parameter "id"; the action takes it as input "id_cookie" (the request still sends "id" in cookie)',
  );
  expect(inputs[3]?.message).toContain('has the same name as the request body (input "body"); the action takes it as input "body_query"');
  expect(result.messages.filter((m) => m.code === 'parameter-dropped' || m.code === 'parameter-renamed')).toEqual([]);
});

test('an input name a parameter already has is numbered', async () => {
  const result = await importJson(
    spec({
      '/items/{id}': {
        get: {
          operationId: 'get',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'query', schema: { type: 'string' } },
            { name: 'id_path', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': ok() },
        },
      },
    }),
  );
  expect(action(result, 'get').parameters.map((p) => p.input ?? p.name)).toEqual(['id_path_2', 'id', 'id_path']);
});

describe('servers', () => {
  test('a templated server takes its variables\' defaults, with a warning', async () => {
    const result = await importJson(spec({ '/x': { get: { responses: { '200': ok() } } } }, { servers: [{ url: 'https://{subdomain}.{domain}.com/api/v2/', variables: { subdomain: { default: 'example' }, domain: { default: 'zendesk' } } }] }));
    expect(result.definition).toMatchObject({ hostname: 'example.zendesk.com', basePath: '/api/v2' });
    expect(message(result, 'server-template')).toMatchObject({ severity: 'warning', pointer: '/servers/0/url' });
  });

  test('a relative or missing server needs --hostname; without it, a placeholder and an error', async () => {
    const relative = await importJson(spec({ '/x': { get: { responses: { '200': ok() } } } }, { servers: [{ url: '/api' }] }));
    expect(relative.definition).toMatchObject({ hostname: 'api.example.invalid', basePath: '/api' });
    expect(message(relative, 'no-host')).toMatchObject({ severity: 'error', pointer: '/servers/0/url' });
    const given = await importJson(spec({ '/x': { get: { responses: { '200': ok() } } } }, { servers: undefined }), { hostname: 'tenant.halopsa.com' });
    expect(given.definition.hostname).toBe('tenant.halopsa.com');
    expect(messagesOf(given, 'no-host')).toEqual([]);
    await expect(importJson(spec({}), { hostname: 'https://x.com/api' })).rejects.toThrow('is not a host name');
  });

  test('operations served from another host are reported', async () => {
    const result = await importJson(
      spec({
        '/a': { servers: [{ url: 'https://uploads.example.com' }], get: { responses: { '200': ok() } }, put: { responses: { '200': ok() } } },
        '/b': { get: { servers: [{ url: 'https://api.example.com/v1' }], responses: { '200': ok() } } },
      }),
    );
    expect(messagesOf(result, 'operation-server')).toEqual([
      expect.objectContaining({ severity: 'warning', pointer: '/paths/~1a/get', message: expect.stringMatching(/^2 operations are served from another host than api\.example\.com \(uploads\.example\.com\)/) }),
    ]);
  });

  test('server path variables without a default start every action path', async () => {
    const result = await importJson(spec({ '/sync': { post: { operationId: 'sync', responses: { '200': ok() } } } }, { servers: [{ url: 'https://terminal.example.com/v1/merchants/{merchantAccount}/devices/{deviceId}' }] }));
    expect(result.definition.basePath).toBe('/v1/merchants');
    expect(action(result, 'sync')).toMatchObject({ path: '/{merchantAccount}/devices/{deviceId}/sync', operationId: 'sync' });
    expect(action(result, 'sync').parameters.map((p) => p.name)).toEqual(['merchantAccount', 'deviceId']);
    expect(message(result, 'server-variables').severity).toBe('warning');
  });
});

test('an operation whose path has an unnamed placeholder is left out with an error; the others import', async () => {
  const result = await importJson(spec({ '/items/{}': { get: { responses: { '200': ok() } } }, '/ok': { get: { operationId: 'fine', responses: { '200': ok() } } } }));
  expect(result.definition.actions.map((a) => a.name)).toEqual(['fine']);
  expect(message(result, 'invalid-path')).toMatchObject({ severity: 'error', pointer: '/paths/~1items~1{}' });
  expect(result.stats).toMatchObject({ operations: 2, actions: 1, skipped: 1 });
});

test('a spec with no importable operation fails with its messages; so does a file that is not a spec', async () => {
  const empty = importJson(spec({ '/x': { trace: { responses: { '200': ok() } } } }));
  await expect(empty).rejects.toBeInstanceOf(ImportError);
  await expect(empty).rejects.toThrow(/no operation could be imported[\s\S]*TRACE operations cannot be actions/);
  await expect(importJson({ hello: 'world' })).rejects.toThrow('not an OpenAPI spec');
  const broken = importSpec({ text: '{\n  "openapi": "3.0.0",\n  "paths": {,}\n}', fileName: 'broken.json' }, {});
  await expect(broken).rejects.toMatchObject({ messages: [{ severity: 'error', line: 3, column: 13 }] });
});

// ---------------------------------------------------------------------------------------------------------------
// Auth

describe('auth inference', () => {
  const withSchemes = (schemes: Json, security?: unknown[]) =>
    importJson(spec({ '/x': { get: { operationId: 'x', responses: { '200': ok() } } } }, { components: { securitySchemes: schemes }, ...(security && { security }) }));

  test.each([
    [{ type: 'apiKey', in: 'header', name: 'X-API-Key' }, { type: 'apiKey', in: 'header', name: 'X-API-Key' }],
    [{ type: 'apiKey', in: 'query', name: 'api-key' }, { type: 'apiKey', in: 'query', name: 'api-key' }],
    [{ type: 'apiKey', in: 'cookie', name: 'sessionKey' }, { type: 'apiKey', in: 'cookie', name: 'sessionKey' }],
    [{ type: 'http', scheme: 'basic' }, { type: 'basic' }],
    [{ type: 'http', scheme: 'Bearer' }, { type: 'apiKey', in: 'header', name: 'Authorization', preamble: 'Bearer' }],
    [
      { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', scopes: { read: '', write: '' } } } },
      { type: 'oauth2', grantType: 'authorization_code', authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token' },
    ],
    [
      { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: {} }, implicit: { authorizationUrl: 'https://auth.example.com/a', scopes: {} } } },
      { type: 'oauth2', grantType: 'client_credentials', tokenUrl: 'https://auth.example.com/token' },
    ],
    [{ type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' }, { type: 'oauth2', grantType: 'none' }],
  ])('%j', async (scheme, expected) => {
    const result = await withSchemes({ only: scheme });
    expect(result.definition.auth).toMatchObject(expected);
    expect(message(result, 'auth')).toMatchObject({ severity: 'info', pointer: '/components/securitySchemes/only' });
  });

  test('of several, the one usable alone by most operations and simplest to configure is picked, and the message says why', async () => {
    const result = await withSchemes(
      {
        oauth: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://a.example.com/auth', tokenUrl: 'https://a.example.com/token', scopes: { 'read:x': '' } } } },
        email: { type: 'apiKey', in: 'header', name: 'X-Auth-Email' },
        key: { type: 'apiKey', in: 'header', name: 'X-Auth-Key' },
        token: { type: 'http', scheme: 'bearer' },
      },
      [{ email: [], key: [] }, { oauth: ['read:x'] }, { token: [] }],
    );
    expect(result.definition.auth).toEqual({ type: 'apiKey', in: 'header', name: 'Authorization', preamble: 'Bearer' });
    const picked = message(result, 'auth');
    expect(picked.pointer).toBe('/components/securitySchemes/token');
    expect(picked.message).toContain('also declared: oauth (OAuth 2.0 authorization code');
    expect(picked.message).toContain('several schemes at once cannot be expressed: email + key');
    // The alternatives, and how to switch to one of them.
    expect(picked.fix).toContain('--auth oauth');
    expect(picked.fix).toContain('--auth email');
  });

  test('--auth picks the scheme asked for; an unknown name is an error listing the usable ones', async () => {
    const schemes = {
      key: { type: 'apiKey', in: 'header', name: 'X-Key' },
      oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://a.example.com/token', scopes: {} } } },
    };
    const document = spec({ '/x': { get: { operationId: 'x', responses: { '200': ok() } } } }, { components: { securitySchemes: schemes } });
    expect((await importJson(document)).definition.auth).toMatchObject({ type: 'apiKey', name: 'X-Key' });
    const chosen = await importJson(document, { auth: 'oauth' });
    expect(chosen.definition.auth).toMatchObject({ type: 'oauth2', grantType: 'client_credentials', tokenUrl: 'https://a.example.com/token' });
    expect(message(chosen, 'auth').message).toContain('you chose it (--auth)');
    expect(message(chosen, 'auth').fix).toContain('--auth key');
    await expect(importJson(document, { auth: 'nope' })).rejects.toThrow('--auth nope: the spec declares no usable security scheme of that name (usable: key, oauth)');
  });

  test('OAuth scopes the operations require are requested; relative OAuth URLs are taken on the API host', async () => {
    const result = await withSchemes(
      { oauth: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: '/oauth2/v1/authorize', tokenUrl: '/oauth2/v1/token', scopes: { a: '', b: '', c: '' } } } } },
      [{ oauth: ['a', 'b'] }],
    );
    expect(result.definition.auth).toMatchObject({ authorizationUrl: 'https://api.example.com/oauth2/v1/authorize', tokenUrl: 'https://api.example.com/oauth2/v1/token', scope: 'a b' });
    expect(messagesOf(result, 'relative-oauth-url')).toHaveLength(2);
  });

  test('no scheme at all: auth none, and a warning saying so', async () => {
    const result = await importJson(spec({ '/x': { get: { responses: { '200': ok() } } } }));
    expect(result.definition.auth).toEqual({ type: 'none' });
    expect(message(result, 'no-auth').severity).toBe('warning');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Pagination

describe('pagination suggestions', () => {
  const list = (parameters: string[], body: Json, extra: Json = {}) => ({
    get: {
      parameters: parameters.map((name) => ({ name, in: 'query', schema: { type: name.includes('cursor') || name.includes('after') || name.includes('token') ? 'string' : 'integer' } })),
      responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: body } } }, ...extra } },
    },
  });
  const items = { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } };

  test('each style is recognized, with its parameters and results key', async () => {
    const result = await importJson(
      spec({
        '/offset': list(['offset', 'limit'], { data: items, total: { type: 'integer' } }),
        '/offset2': list(['offset', 'limit'], { data: items }),
        '/page': list(['page', 'per_page'], { results: items }),
        '/cursor': list(['cursor', 'limit'], { items, response_metadata: { type: 'object', properties: { next_cursor: { type: 'string' } } } }),
        '/next': list(['pagelen'], { values: items, next: { type: 'string', format: 'uri' } }),
        '/link': list(['per_page'], { entries: items }, { headers: { Link: { schema: { type: 'string' } } } }),
        '/graph': { get: { 'x-ms-pageable': { nextLinkName: '@odata.nextLink', itemName: 'value' }, responses: { '200': ok() } } },
        '/stripe': list(['starting_after', 'limit'], { data: items, has_more: { type: 'boolean' } }),
        '/single': { get: { responses: { '200': ok('ok', { type: 'object', properties: { id: { type: 'string' } } }) } } },
      }),
    );
    const paginationOf = (name: string) => {
      const a = action(result, name);
      return a.paginated ? { ...result.definition.pagination, ...(a.pagination ?? {}) } : undefined;
    };
    expect(paginationOf('getOffset')).toMatchObject({ type: 'index', indexParam: 'offset', pageSizeParam: 'limit', resultsKey: 'data' });
    expect(paginationOf('getPage')).toMatchObject({ type: 'page', pageParam: 'page', pageSizeParam: 'per_page', resultsKey: 'results' });
    expect(paginationOf('getCursor')).toMatchObject({ type: 'pointer', afterParam: 'cursor', pointerPath: '$.response_metadata.next_cursor', resultsKey: 'items' });
    expect(paginationOf('getNext')).toMatchObject({ type: 'link', location: 'body', nextPageKey: 'next', resultsKey: 'values', pageSizeParam: 'pagelen' });
    expect(paginationOf('getLink')).toMatchObject({ type: 'link', location: 'header', resultsKey: 'entries' });
    expect(paginationOf('getGraph')).toMatchObject({ type: 'link', location: 'body', nextPageKey: "['@odata.nextLink']", resultsKey: 'value' });
    expect(paginationOf('getStripe')).toMatchObject({ type: 'pointer', afterParam: 'starting_after', pointerPath: '$.data[-1:].id', hasMorePath: 'has_more' });
    expect(paginationOf('getSingle')).toBeUndefined();
    // The most common suggestion is the default: those actions need no override.
    expect(result.definition.pagination).toEqual({ type: 'index', indexParam: 'offset', pageSizeParam: 'limit', resultsKey: 'data', pageLimit: 20 });
    expect(action(result, 'getOffset').pagination).toBeUndefined();
    expect(action(result, 'getPage').pagination).toMatchObject({ type: 'page' });
    const info = messagesOf(result, 'pagination').find((m) => m.pointer === '/paths/~1cursor/get');
    expect(info?.message).toMatch(/^paginated \(high confidence\): cursor parameter cursor and response_metadata\.next_cursor/);
  });

  test('a bare-array list (GitHub) is paginated with its results at "$": Link header, or page and size parameters', async () => {
    const linked = { ...list(['per_page', 'page'], {}), get: { ...list(['per_page', 'page'], {}).get, responses: { '200': { ...ok('ok', items), headers: { Link: { schema: { type: 'string' } } } } } } };
    const paged = { get: { parameters: list(['page', 'per_page'], {}).get.parameters, responses: { '200': ok('ok', items) } } };
    const pageOnly = { get: { parameters: list(['page'], {}).get.parameters, responses: { '200': ok('ok', items) } } };
    const result = await importJson(spec({ '/repos': linked, '/repos/{id}/forks': paged, '/gists': pageOnly }));
    expect(result.definition.pagination).toEqual({ type: 'link', location: 'header', headerName: 'link', rel: 'next', resultsKey: '$', pageSizeParam: 'per_page', pageLimit: 20 });
    expect(action(result, 'getRepos')).toMatchObject({ paginated: true });
    expect(action(result, 'getRepos').pagination).toBeUndefined();
    expect(messagesOf(result, 'pagination').find((m) => m.pointer === '/paths/~1repos/get')?.message).toBe(
      'paginated (high confidence): Link response header, page size per_page, results in the response body itself (a bare array); as the integration default',
    );
    expect(action(result, 'getReposForks')).toMatchObject({ paginated: true, pagination: { type: 'page', pageParam: 'page', resultsKey: '$', pageSizeParam: 'per_page' } });
    // A page parameter alone is a weak guess, reported and left off.
    expect(action(result, 'getGists').paginated).toBe(false);
    expect(messagesOf(result, 'pagination-guess').map((m) => m.message)).toEqual([
      'may be paginated (medium confidence): page parameter page, results in the response body itself (a bare array); not switched on',
    ]);
    expect(messagesOf(result, 'pagination-bare-array')).toEqual([]);
    expect(() => parseDefinition(JSON.stringify(result.definition), { file: 'def.json' })).not.toThrow();
  });

  test('Microsoft Graph: results in value and the next link at @odata.nextLink, a key with dots, with or without x-ms-pageable', async () => {
    const graphBody = { value: items, '@odata.nextLink': { type: 'string', nullable: true }, '@odata.count': { type: 'integer' } };
    const plain = list(['$top', '$skip'], graphBody);
    const pageable = { get: { ...plain.get, 'x-ms-pageable': { nextLinkName: '@odata.nextLink', operationName: 'listMore' } } };
    const result = await importJson(spec({ '/users': plain, '/groups': pageable }));
    const expected = { type: 'link', location: 'body', nextPageKey: "['@odata.nextLink']", resultsKey: 'value', pageSizeParam: '$top' };
    expect(result.definition.pagination).toMatchObject(expected);
    expect(action(result, 'getUsers')).toMatchObject({ paginated: true });
    expect(action(result, 'getGroups')).toMatchObject({ paginated: true });
    expect(action(result, 'getUsers').pagination).toBeUndefined();
    expect(action(result, 'getGroups').pagination).toBeUndefined();
    expect(messagesOf(result, 'pagination').find((m) => m.pointer === '/paths/~1users/get')?.message).toContain("next page URL at ['@odata.nextLink'] in the response, page size $top, results in value");
  });

  test('a weak guess is reported, not switched on', async () => {
    const result = await importJson(spec({ '/offset': list(['offset'], { data: items }) }));
    expect(action(result, 'getOffset').paginated).toBe(false);
    expect(result.definition.pagination).toEqual({ type: 'none' });
    expect(message(result, 'pagination-guess').message).toMatch(/^may be paginated \(medium confidence\)/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Formats and locations

describe('Swagger 2.0', () => {
  const swagger = {
    swagger: '2.0',
    info: { title: 'Old API', version: '1' },
    host: 'old.example.com',
    basePath: '/api/',
    schemes: ['http', 'https'],
    securityDefinitions: { basic: { type: 'basic' } },
    security: [{ basic: [] }],
    paths: {
      '/pets/{petId}': {
        post: {
          operationId: 'updatePet',
          consumes: ['application/json'],
          parameters: [
            { name: 'petId', in: 'path', required: true, type: 'integer' },
            { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } },
            { name: 'verbose', in: 'query', type: 'boolean' },
          ],
          responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Missing' } } },
        },
      },
      '/upload': {
        post: {
          operationId: 'upload',
          consumes: ['multipart/form-data'],
          parameters: [{ name: 'file', in: 'formData', type: 'file' }],
          responses: { '204': { description: 'done' } },
        },
      },
    },
    definitions: { Pet: { type: 'object', required: ['name', 'ghost'], properties: { name: { type: 'string', 'x-nullable': true } } } },
  };

  test('is converted: host, base path and scheme, body and form parameters, definitions, security', async () => {
    const result = await importJson(swagger);
    expect(result.stats.version).toBe('swagger-2.0');
    expect(result.definition).toMatchObject({ hostname: 'old.example.com', scheme: 'https', basePath: '/api', auth: { type: 'basic' } });
    expect(action(result, 'updatePet')).toMatchObject({
      parameters: [
        { name: 'petId', in: 'path', required: true, schema: { type: 'integer' } },
        { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
      ],
      requestBody: { contentType: 'application/json', required: true, schema: { $ref: '#/schemas/Pet' } },
      responseSchema: {},
    });
    expect(action(result, 'upload').requestBody).toMatchObject({ contentType: 'multipart/form-data', schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } });
    expect(result.definition.schemas.Pet).toEqual({ type: 'object', required: ['name'], properties: { name: { type: ['string', 'null'] } } });
  });

  test('messages point into the original file', async () => {
    const text = JSON.stringify(swagger, null, 2);
    const result = await importSpec({ text, fileName: 'swagger.json' }, {});
    const dangling = message(result, 'dangling-ref');
    expect(dangling.pointer).toBe('/paths/~1pets~1{petId}/post/responses/200/schema/$ref');
    expect(dangling.message).toContain('#/definitions/Missing');
    expect(dangling).toMatchObject(positionOf(text, '"#/definitions/Missing"'));
    const required = message(result, 'required-undefined');
    expect(required.pointer).toBe('/definitions/Pet/required');
    expect(required).toMatchObject(positionOf(text, '[\n        "name",\n        "ghost"'));
  });

  test('with --validate, the original is validated as it was in the file, and messages point at the same places', async () => {
    const text = JSON.stringify(swagger, null, 2);
    const plain = await importSpec({ text, fileName: 'swagger.json' }, {});
    // An import converts the parsed file in place; a validating one keeps it, for scalar's Swagger 2.0 validation.
    const validated = await importSpec({ text, fileName: 'swagger.json' }, { validate: true });
    expect(messagesOf(validated, 'openapi-schema')).toEqual([]);
    const places = (result: ImportResult) => result.messages.filter((m) => m.code !== 'openapi-schema').map((m) => [m.code, m.pointer, m.line, m.column]);
    expect(places(validated)).toEqual(places(plain));
    expect(validated.definition).toEqual(plain.definition);
  });
});

describe('YAML', () => {
  const yaml = [
    'openapi: 3.0.3',
    'info:',
    '  title: Zendesk-like',
    '  version: 2024-01-01',
    'servers:',
    '  - url: https://example.zendesk.com',
    'paths:',
    '  /tickets:',
    '    get:',
    '      operationId: listTickets',
    '      responses:',
    '        "200":',
    '          description: ok',
    '          content:',
    '            application/json:',
    '              schema:',
    '                type: object',
    '                properties:',
    '                  change: { type: string, enum: [=, "+"] }',
    '                  id:',
    '                    type: string',
    '                    # a comment before the pattern',
    '                    pattern: "(?i)^[a-f]+$"',
    '',
  ].join('\n');

  test('reads YAML 1.2: dates stay strings, "=" is a string; messages have their line and column', async () => {
    const result = await importSpec({ text: yaml, fileName: 'zendesk.yaml' }, {});
    expect(result.definition.import?.version).toBe('2024-01-01');
    expect(action(result, 'listTickets').responseSchema).toEqual({ type: 'object', properties: { change: { type: 'string', enum: ['=', '+'] }, id: { type: 'string' } } });
    expect(message(result, 'invalid-pattern')).toMatchObject({ pointer: '/paths/~1tickets/get/responses/200/content/application~1json/schema/properties/id/pattern', line: 23, column: 30 });
  });

  test('a YAML syntax error is located', async () => {
    await expect(importSpec({ text: 'openapi: 3.0.0\npaths:\n  /x: [unclosed\n', fileName: 'bad.yml' }, {})).rejects.toMatchObject({ messages: [{ code: 'file', line: 4 }] });
  });

  test('gzip-compressed files and URLs are read too', async () => {
    const file = path.join(scratch, 'spec.yaml.gz');
    writeFileSync(file, gzipSync(yaml));
    expect((await importSpec(file, {})).definition.actions[0]?.name).toBe('listTickets');
    const server: Server = createServer((_, response) => response.end(gzipSync(yaml)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.yaml.gz`;
      const result = await importSpec(url, {});
      expect(result.definition.import?.source).toBe(url);
      expect(result.definition.actions[0]?.name).toBe('listTickets');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

test('JSON messages are located at their line and column', async () => {
  const document = spec({ '/x/': { get: { operationId: 'x', parameters: [{ name: 'p', in: 'query', schema: { type: 'string', pattern: '(?i)x' } }], responses: { '200': ok() } } } });
  const text = JSON.stringify(document, null, 2);
  const result = await importSpec({ text, fileName: 'spec.json' }, {});
  expect(message(result, 'trailing-slash')).toMatchObject({ pointer: '/paths/~1x~1', ...positionOf(text, '{\n      "get"') });
  expect(message(result, 'invalid-pattern')).toMatchObject(positionOf(text, '"(?i)x"'));
});

test('a locator told every pointer first (one pass over the text) places each as locating it alone does', () => {
  const document = spec({
    '/a/{id}': { parameters: [{ name: 'id', in: 'path', required: true }], get: { operationId: 'a', responses: { '200': ok() } } },
    '/b': { get: { operationId: 'b', parameters: [{ name: 'q', in: 'query' }, { name: 'r', in: 'query' }], responses: { '200': ok() } }, post: { responses: { '201': ok() } } },
  });
  const text = JSON.stringify(document, null, 2);
  const pointers = ['/paths/~1a~1{id}/get', '/paths/~1b/get/parameters/1', '/paths/~1b/get/parameters/7', '/paths/~1b/nope/deeper', '/info/title', '/paths/~1b/post/responses/201', 'no pointer', ''];
  const place = (locator: SourceLocator, pointer: string) => {
    try {
      return locator.locate(pointer);
    } catch {
      return 'not a pointer';
    }
  };
  const alone = pointers.map((pointer) => place(new SourceLocator(text, 'json'), pointer));
  expect(alone[1]).toMatchObject({ exact: true, ...positionOf(text, '{\n            "name": "r"') });
  const prepared = new SourceLocator(text, 'json');
  prepared.prepare(pointers);
  expect(pointers.map((pointer) => place(prepared, pointer))).toEqual(alone);
  // Containers read before (by locate) are gone through, not read again.
  const partly = new SourceLocator(text, 'json');
  place(partly, '/paths/~1b/get');
  partly.prepare(pointers);
  expect(pointers.map((pointer) => place(partly, pointer))).toEqual(alone);
});

test('paginated actions: each has its own copy of its pagination override, fields in the model\'s order', async () => {
  const listOf = (parameters: string[]) => ({
    get: { parameters: parameters.map((name) => ({ name, in: 'query', schema: { type: 'integer' } })), responses: { '200': ok('ok', { type: 'object', properties: { data: { type: 'array', items: {} } } }) } },
  });
  const result = await importJson(spec({ '/a': listOf(['offset', 'limit']), '/b': listOf(['offset', 'limit']), '/c': listOf(['offset', 'limit']), '/d': listOf(['page', 'limit']), '/e': listOf(['page', 'limit']) }));
  expect(result.definition.pagination).toMatchObject({ type: 'index', indexParam: 'offset' });
  const [d, e] = [action(result, 'getD'), action(result, 'getE')];
  expect(d.pagination).toEqual({ type: 'page', pageParam: 'page', resultsKey: 'data', pageSizeParam: 'limit' });
  expect(Object.keys(d.pagination ?? {})).toEqual(['type', 'resultsKey', 'pageSizeParam', 'pageParam']);
  expect(e.pagination).toEqual(d.pagination);
  expect(e.pagination).not.toBe(d.pagination);
  expect(action(result, 'getA')).toMatchObject({ paginated: true });
  expect(action(result, 'getA').pagination).toBeUndefined();
});

// ---------------------------------------------------------------------------------------------------------------
// Full validation and the commands

test('with validate, schemas no action reaches are checked too', async () => {
  const document = spec({ '/x': { get: { operationId: 'x', responses: { '200': ok() } } } }, { components: { schemas: { Unused: { type: 'string', pattern: '(?i)x' } } } });
  expect(messagesOf(await importJson(document), 'invalid-pattern')).toEqual([]);
  const validated = await importJson(document, { validate: true });
  expect(message(validated, 'invalid-pattern').pointer).toBe('/components/schemas/Unused/pattern');
  expect(validated.definition.schemas).toEqual({});
});

test('with validate, structural problems scalar finds are added as warnings', async () => {
  const result = await importJson(spec({ '/x': { get: { operationId: 'x', responses: { '200': { content: {} } } } } }, { info: { title: 'No version' } }), { validate: true });
  expect(result.stats.validated).toBe(true);
  expect(messagesOf(result, 'openapi-schema').length).toBeGreaterThan(0);
  expect(messagesOf(result, 'openapi-schema').every((m) => m.severity === 'warning')).toBe(true);
  const clean = await importJson(spec({ '/x': { get: { operationId: 'x', responses: { '200': ok() } } } }), { validate: true });
  expect(messagesOf(clean, 'openapi-schema')).toEqual([]);
});

describe('commands', () => {
  let logs: string[];
  beforeEach(() => {
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((text: string) => void logs.push(text));
    jest.spyOn(console, 'error').mockImplementation((text: string) => void logs.push(text));
  });
  afterEach(() => jest.restoreAllMocks());

  const context = (args: string[], options: Json = {}) => ({
    config: resolveTemporalConfig({ definitionsDir: path.join(scratch, 'definitions') }, { env: {} }),
    args,
    options,
  });
  const write = (name: string, document: Json) => {
    const file = path.join(scratch, name);
    writeFileSync(file, JSON.stringify(document, null, 2));
    return file;
  };

  test('import writes the definition into the definitions folder and prints messages and a summary', async () => {
    const file = write('cli-spec.json', spec({ '/x/': { get: { operationId: 'x', responses: { '200': ok() } } } }, { info: { title: 'Cli Test', version: '1' } }));
    expect(await importCommand(context([file]))).toBe(0);
    const written = JSON.parse(readFileSync(path.join(scratch, 'definitions', 'cliTest.json'), 'utf8')) as Json;
    expect(written).toMatchObject({ $schema: '../definition.schema.json', name: 'cliTest', actions: [{ name: 'x', path: '/x/' }] });
    const output = logs.join('\n');
    expect(output).toMatch(/warnings:\n(.*\n)* {2}\d+:\d+ \/paths\/~1x~1: path \/x\/ ends with "\/"/);
    expect(output).toContain('1 actions from 1 operations');
    expect(output).toContain('auth: none');
    // The default file is not replaced silently; an explicit --out is.
    await expect(importCommand(context([file]))).rejects.toThrow('exists; pass --out');
    expect(await importCommand(context([file], { out: path.join(scratch, 'definitions', 'cliTest.json'), name: 'renamed' }))).toBe(0);
    expect(JSON.parse(readFileSync(path.join(scratch, 'definitions', 'cliTest.json'), 'utf8'))).toMatchObject({ name: 'renamed' });
  });

  test('import of a spec with nothing to import exits 1', async () => {
    expect(await importCommand(context([write('nothing.json', spec({}))]))).toBe(1);
    expect(logs.join('\n')).toContain('no operation could be imported');
  });

  test('lint exits 0 with only infos, 1 with warnings, 2 with errors', async () => {
    const clean = write('clean.json', spec({ '/x': { get: { operationId: 'x', responses: { '200': ok() } } } }, { components: { securitySchemes: { k: { type: 'apiKey', in: 'header', name: 'X-Key' } } } }));
    expect(await lintCommand(context([clean]))).toBe(0);
    expect(await lintCommand(context([write('warning.json', spec({ '/x/': { get: { operationId: 'x', responses: { '200': ok() } } } }))]))).toBe(1);
    expect(await lintCommand(context([write('error.json', spec({ '/x': { get: { responses: { '200': ok() } } } }, { servers: [] }))]))).toBe(2);
    expect(await lintCommand(context([path.join(scratch, 'absent.json')]))).toBe(2);
    expect(await lintCommand(context([clean], { json: true }))).toBe(0);
    expect(JSON.parse(logs[logs.length - 1] as string)).toMatchObject({ source: clean, messages: expect.arrayContaining([expect.objectContaining({ code: 'auth', severity: 'info' })]) });
  });
});

test('titles from operationIds: words break at case changes, runs of capitals stay, the rest is lowercased', () => {
  expect(humanize('getAllDeviceGroups')).toBe('Get all device groups');
  expect(humanize('ActionTypes_QueryFieldDefinitions')).toBe('Action types query field definitions');
  expect(humanize('HTTPServerGetV2Users')).toBe('HTTP server get V2 users');
  expect(humanize('repos/get')).toBe('Repos get');
  expect(humanize('listAPIKeys')).toBe('List API keys');
  expect(humanize('créerUnÉlément')).toBe('Creer un element');
  expect(humanize('x')).toBe('X');
  expect(humanize('')).toBe('');
});
