/**
 * The faster reftools helpers swagger2openapi is given (src/openapi/reftools-fast.ts) behave as reftools' own: same
 * callbacks in the same order with the same state, same copies. A difference would change converted specs silently.
 */
import path from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { convertSwagger2 } from '../src/openapi/convert';
import { circularClone, recurse, type RecurseState } from '../src/openapi/reftools-fast';

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
    seen.push([key, state.path, state.depth, state.pkey, state.identity, state.identityPath, state.parent === undefined, state.payload]);
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
  expect(JSON.stringify(skipped)).toBe(JSON.stringify(checked));

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
  const converted = (await convertSwagger2(data as unknown as Record<string, unknown>, yaml, 'yaml')) as unknown as Spec;
  expect(parameter(converted, '/a')).not.toBe(parameter(converted, '/b'));
  expect(parameter(converted, '/b')).toEqual({ name: 'q', in: 'query', schema: { type: 'string' } });
});
