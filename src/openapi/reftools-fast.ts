/**
 * Faster versions of the two reftools helpers swagger2openapi spends most of its time in, with the same contracts.
 *
 * Profiled on Autotask's 3.7 MB Swagger 2.0 spec (117,000 keys), swagger2openapi's own conversion (parameters to
 * schemas, bodies to request bodies, responses to content) is a third of its time. The rest is four generic passes
 * over the whole document: `detectObjectReferences`, the deep copy of its input (`circularClone`), dropping nulls,
 * and `fixupRefs`, three of them through reftools' `recurse`. `recurse` spends its time building each key's JSON
 * pointer with two regex replaces and `encodeURIComponent`, also for the plain keys nearly all are; `circularClone`
 * allocates an object per key to `Object.assign` from. None of these passes can be turned off by an option.
 *
 * So the copy of reftools that swagger2openapi loads gets these two in place of its own before swagger2openapi
 * reads them (it keeps references taken at load time). The conversion itself stays swagger2openapi's, and its
 * output is the same (test/openapi-convert.test.ts checks both helpers against reftools' on real shapes). Only the
 * reftools version they were checked against is patched; another version is left as it is, slower but correct.
 */
import path from 'node:path';

const CHECKED_VERSION = '1.1.9';

/** What reftools' recurse passes to its callback; swagger2openapi reads path, parent, pkey, payload. */
export interface RecurseState {
  path: string;
  depth: number;
  pkey: string;
  parent: unknown;
  payload: unknown;
  seen: WeakMap<object, string>;
  identity: boolean;
  identityDetection: boolean;
  identityPath?: string;
  key?: string;
}

type Callback = (object: Record<string, unknown>, key: string, state: RecurseState) => void;

/** Keys that `encodeURIComponent(jpescape(key))` leaves as they are: no escaping to do. */
const PLAIN_KEY = /^[A-Za-z0-9_.!*'()-]*$/;

function pointerSegment(key: string): string {
  return PLAIN_KEY.test(key) ? key : encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** reftools' `recurse(object, state, callback)`, same order, same state, same pointers. */
export function recurse(object: unknown, state: Partial<RecurseState> | null, callback: Callback): void {
  const given: Partial<RecurseState> = state ?? { depth: 0 };
  const defaults: RecurseState = { path: '#', depth: 0, pkey: '', parent: {}, payload: {}, seen: new WeakMap(), identity: false, identityDetection: false };
  const current = given.depth ? (given as RecurseState) : Object.assign(defaults, given);
  if (typeof object !== 'object' || object === null) return;
  const members = object as Record<string, unknown>;
  const outer = current.path;
  for (const key in members) {
    const here = outer + '/' + pointerSegment(key);
    current.key = key;
    current.path = here;
    current.identityPath = current.seen.get(members[key] as object);
    current.identity = current.identityPath !== undefined;
    if (Object.hasOwn(members, key)) callback(members, key, current);
    // Read again: the callback may have replaced or deleted the value.
    const value = members[key];
    if (typeof value === 'object' && !current.identity) {
      if (current.identityDetection && value !== null && !Array.isArray(value)) current.seen.set(value, here);
      const inner: RecurseState = {
        parent: members,
        path: here,
        depth: current.depth ? current.depth + 1 : 1,
        pkey: key,
        payload: current.payload,
        seen: current.seen,
        identity: false,
        identityDetection: current.identityDetection,
      };
      recurse(value, inner, callback);
    }
    current.path = outer;
  }
}

/** reftools' `circularClone`: a deep copy that keeps shared and circular references shared and circular. */
export function circularClone<T>(value: T, copies = new Map<object, unknown>()): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = copies.get(value);
  if (known !== undefined) return known as T;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const key of Object.keys(value)) copy[Number(key)] = circularClone(value[Number(key)], copies);
    return copy as T;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  copies.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = circularClone((value as Record<string, unknown>)[key], copies);
  return copy as T;
}

/** Puts the two in the reftools that swagger2openapi requires; call before swagger2openapi is first loaded. */
export function useFastReftools(): void {
  let directory: string;
  let recurseModule: { recurse?: unknown };
  let cloneModule: { circularClone?: unknown };
  try {
    directory = path.dirname(require.resolve('swagger2openapi/package.json'));
    const manifest = require(require.resolve('reftools/package.json', { paths: [directory] })) as { version?: string };
    if (manifest.version !== CHECKED_VERSION) return;
    recurseModule = require(require.resolve('reftools/lib/recurse.js', { paths: [directory] })) as typeof recurseModule;
    cloneModule = require(require.resolve('reftools/lib/clone.js', { paths: [directory] })) as typeof cloneModule;
  } catch {
    return;
  }
  recurseModule.recurse = recurse;
  cloneModule.circularClone = circularClone;
}
