/**
 * The faster reftools helpers swagger2openapi is given (src/openapi/reftools-fast.ts) behave as reftools' own: same
 * callbacks in the same order with the same state, same copies. A difference would change converted specs silently.
 * So do the other shortcuts of the conversion: converting the original in place, with only an outline of it kept
 * for locating messages, and loading the modules swagger2openapi does not use only when they are used.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { convertSwagger2, originalPointer } from '../src/openapi/convert';
import { circularClone, recurse, type RecurseState } from '../src/openapi/reftools-fast';
import { requireBuild, ROOT } from './helpers/processes';

const reftoolsDir = path.dirname(require.resolve('reftools/package.json', { paths: [path.dirname(require.resolve('swagger2openapi/package.json'))] }));
const original = require(path.join(reftoolsDir, 'lib/recurse.js')) as { recurse: typeof recurse };
const originalClone = require(path.join(reftoolsDir, 'lib/clone.js')) as { circularClone: typeof circularClone };

function sample(): Record<string, unknown> {
  const shared = { type: 'string', nullable: null };
  const document: Record<string, unknown> = {
    swagger: '2.0',
    paths: {
      '/items/{id}': { get: { parameters: [{ name: 'id', in: 'path', schema: shared }, { $ref: '#/parameters/q' }], 'x-y~z': null } },
      '/a b/ü%20': { post: { responses: { '200': { description: 'ok', schema: shared, example: null } } } },
    },
    definitions: { "it's": { properties: { 'with/slash': { type: 'integer' }, empty: {} } }, list: [1, [2, [3]], null] },
  };
  return document;
}

/** What a callback sees, recorded; the callback also deletes nulls as swagger2openapi's does. */
function trace(run: typeof recurse, identityDetection: boolean): unknown[] {
  const seen: unknown[] = [];
  const document = sample();
  run(document, { identityDetection, payload: { marker: 1 } }, (object, key, state: RecurseState) => {
    // Whether parent[pkey] is the object walked: swagger2openapi replaces objects through it.
    const parentHolds = (state.parent as Record<string, unknown> | undefined)?.[state.pkey] === object;
    seen.push([key, state.path, state.depth, state.pkey, state.identity, state.identityPath, state.parent === undefined, parentHolds, state.payload]);
    if (object[key] === null) delete object[key];
  });
  seen.push(JSON.stringify(document));
  return seen;
}

test('recurse: same callbacks, pointers, depths, parents and identity detection as reftools', () => {
  expect(trace(recurse, false)).toEqual(trace(original.recurse, false));
  expect(trace(recurse, true)).toEqual(trace(original.recurse, true));
  // Shared objects are found: the second use of `shared` is reported with the pointer of the first.
  expect(trace(recurse, true).some((entry) => Array.isArray(entry) && entry[4] === true && entry[5] === '#/paths/~1items~1%7Bid%7D/get/parameters/0/schema')).toBe(true);
});

test('circularClone: a deep copy that keeps shared and circular references, as reftools', () => {
  const document = sample();
  const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
  (document as { self?: unknown }).self = document;
  const copy = circularClone(document);
  const theirs = originalClone.circularClone(document);
  expect(copy).not.toBe(document);
  expect(copy.self).toBe(copy);
  const copiedPaths = copy.paths as typeof paths;
  const schemaA = (copiedPaths['/items/{id}']?.get?.parameters as { schema?: unknown }[])[0]?.schema;
  const schemaB = (copiedPaths['/a b/ü%20']?.post?.responses as Record<string, { schema?: unknown }>)['200']?.schema;
  expect(schemaA).toBe(schemaB);
  expect(schemaA).not.toBe((paths['/items/{id}']?.get?.parameters as { schema?: unknown }[])[0]?.schema);
  const { self: _mine, ...mine } = copy;
  const { self: _their, ...their } = theirs;
  expect(mine).toEqual(their);
});

test('the check for YAML anchors is skipped only for JSON, and skipping it changes nothing', async () => {
  const text = JSON.stringify({
    swagger: '2.0',
    info: { title: 'T', version: '1' },
    paths: {
      '/a': { get: { parameters: [{ name: 'q', in: 'query', type: 'string' }], responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/A' } } } } },
      '/b': { post: { parameters: [{ name: 'body', in: 'body', schema: { $ref: '#/definitions/A' } }], responses: { '201': { description: 'ok' } } } },
    },
    definitions: { A: { type: 'object', properties: { id: { type: 'string', 'x-nullable': true } } } },
  });
  const skipped = await convertSwagger2(JSON.parse(text) as Record<string, unknown>, text, 'json');
  const checked = await convertSwagger2(JSON.parse(text) as Record<string, unknown>, text, 'yaml');
  expect(JSON.stringify(skipped.document)).toBe(JSON.stringify(checked.document));

  // YAML aliases share objects: swagger2openapi's check still runs and copies them apart.
  const yaml = `swagger: "2.0"
info: { title: T, version: "1" }
paths:
  /a:
    get:
      parameters: [&q { name: q, in: query, type: string }]
      responses: { "200": { description: ok } }
  /b:
    get:
      parameters: [*q]
      responses: { "200": { description: ok } }
`;
  type Spec = { paths: Record<string, { get: { parameters: unknown[] } }> };
  const parameter = (spec: Spec, path: string) => spec.paths[path]?.get.parameters[0];
  const data = load(yaml, { schema: CORE_SCHEMA }) as Spec;
  expect(parameter(data, '/a')).toBe(parameter(data, '/b'));
  const converted = (await convertSwagger2(data as unknown as Record<string, unknown>, yaml, 'yaml')).document as unknown as Spec;
  expect(parameter(converted, '/a')).not.toBe(parameter(converted, '/b'));
  expect(parameter(converted, '/b')).toEqual({ name: 'q', in: 'query', schema: { type: 'string' } });
});

/** A Swagger 2.0 spec with what the conversion moves or renumbers: body and formData parameters, shared ones, components. */
const MOVING = JSON.stringify({
  swagger: '2.0',
  info: { title: 'T', version: '1' },
  host: 'api.example.com',
  basePath: '/v1',
  securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
  parameters: {
    q: { name: 'q', in: 'query', type: 'string', pattern: '(?i)x' },
    item: { name: 'item', in: 'body', schema: { $ref: '#/definitions/Item' } },
  },
  responses: { gone: { description: 'gone', schema: { $ref: '#/definitions/Missing' } } },
  paths: {
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }],
      get: {
        parameters: [{ $ref: '#/parameters/q' }, { name: 'limit', in: 'query', type: 'integer' }],
        responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Item' } }, '410': { $ref: '#/responses/gone' } },
      },
      put: {
        parameters: [{ name: 'If-Match', in: 'header', type: 'string' }, { $ref: '#/parameters/item' }, { $ref: '#/paths/~1items~1{id}/get/parameters/1' }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/upload/a~b': {
      post: {
        consumes: ['multipart/form-data'],
        parameters: [{ name: 'file', in: 'formData', type: 'file' }, { name: 'note', in: 'formData', type: 'string', required: true }],
        responses: { '201': { description: 'created' } },
      },
    },
  },
  definitions: { Item: { type: 'object', required: ['id', 'nope'], properties: { id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } },
});

/** Every JSON pointer in `value`. */
function pointers(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  return [prefix, ...Object.entries(value).flatMap(([key, member]) => pointers(member, `${prefix}/${escape(key)}`))];
}

test('converting the original in place gives the same document, and messages point at the same places of the file', async () => {
  const kept = await convertSwagger2(JSON.parse(MOVING) as Record<string, unknown>, MOVING, 'json', { keepOriginal: true });
  const input = JSON.parse(MOVING) as Record<string, unknown>;
  const inPlace = await convertSwagger2(input, MOVING, 'json');

  expect(JSON.stringify(inPlace.document)).toBe(JSON.stringify(kept.document));
  // keepOriginal leaves the original as it was; otherwise swagger2openapi works on it rather than on a copy.
  expect(kept.original).toEqual(JSON.parse(MOVING));
  expect(input).not.toEqual(JSON.parse(MOVING));
  expect(inPlace.document.paths).toBe(input.paths);

  // A document with nulls gets them dropped either way (without any, the walk dropping them is skipped).
  const withNulls = MOVING.replace('"type":"integer"}', '"type":"integer","description":null,"x-keep":null}');
  expect(withNulls).not.toBe(MOVING);
  const nullsKept = await convertSwagger2(JSON.parse(withNulls) as Record<string, unknown>, withNulls, 'json', { keepOriginal: true });
  const nullsInPlace = await convertSwagger2(JSON.parse(withNulls) as Record<string, unknown>, withNulls, 'json');
  expect(JSON.stringify(nullsInPlace.document)).toBe(JSON.stringify(nullsKept.document));
  expect(JSON.stringify(nullsInPlace.document)).toContain('"x-keep":null');
  expect(JSON.stringify(nullsInPlace.document)).not.toContain('"description":null');

  const all = pointers(kept.document);
  expect(all.length).toBeGreaterThan(100);
  const mapped = (conversion: typeof kept) => all.map((pointer) => originalPointer(conversion.original, conversion.document, pointer));
  expect(mapped(inPlace)).toEqual(mapped(kept));
  // The outline leads where the whole file does, including through parameters that moved to request bodies.
  const put = '/paths/~1items~1{id}/put';
  expect(originalPointer(inPlace.original, inPlace.document, `${put}/requestBody/content/application~1json/schema`)).toBe(`${put}/parameters/1/schema`);
  expect(originalPointer(inPlace.original, inPlace.document, `${put}/parameters/1/schema`)).toBe(`${put}/parameters/2`);
  expect(originalPointer(inPlace.original, inPlace.document, '/paths/~1upload~1a~0b/post/requestBody/content/multipart~1form-data/schema/properties/note')).toBe(
    '/paths/~1upload~1a~0b/post/parameters/1',
  );
});

test('modules swagger2openapi loads but does not use are loaded when used, and work then', () => {
  const convert = path.join(ROOT, 'dist', 'src', 'openapi', 'convert.js');
  requireBuild(convert);
  // A process of its own: Jest has its own module registry, where require.cache cannot be written.
  const script = `
    const path = require('node:path');
    const { convertSwagger2 } = require(${JSON.stringify(convert)});
    const from = (name, user) => require.resolve(name, { paths: [path.dirname(require.resolve(user + '/package.json'))] });
    const loaded = (file) => Object.keys(require.cache).some((f) => f !== file && f.startsWith(path.dirname(file) + path.sep));
    const yamlFile = from('yaml', 'swagger2openapi');
    const fetchFile = from('node-fetch-h2', 'swagger2openapi');
    const text = ${JSON.stringify(MOVING)};
    (async () => {
      const ours = await convertSwagger2(JSON.parse(text), text, 'json');
      const before = { yaml: loaded(yamlFile), fetch: loaded(fetchFile) };
      // Without the text, swagger2openapi prints the document as YAML: through the stand-in, with the real yaml.
      const theirs = await require('swagger2openapi').convertObj(JSON.parse(text), { patch: true, warnOnly: true, direct: true });
      const fetch = require(fetchFile);
      const server = require('node:http').createServer((request, response) => response.end('fetched')).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const response = await fetch('http://127.0.0.1:' + server.address().port + '/').then((r) => r.text());
      server.close();
      console.log(JSON.stringify({ before, after: { yaml: loaded(yamlFile) }, same: JSON.stringify(ours.document) === JSON.stringify(theirs), response }));
    })();
  `;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(result).toEqual({ before: { yaml: false, fetch: false }, after: { yaml: true }, same: true, response: 'fetched' });
});
