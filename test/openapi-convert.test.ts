/**
 * The faster reftools helpers swagger2openapi is given (src/openapi/reftools-fast.ts) behave as reftools' own: same
 * callbacks in the same order with the same state, same copies. A difference would change converted specs silently.
 */
import path from 'node:path';
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
