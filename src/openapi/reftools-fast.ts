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
 *
 * More of swagger2openapi 7.0.8's work is avoided, in that version only: the deep copy of its input and, on a
 * document without nulls, the walk that deletes them, when the caller hands its document over (handOver); and
 * loading modules it needs only to fetch or to print YAML, which a conversion given the document's text and no
 * `resolve` never does (deferUnusedModules).
 */
import Module from 'node:module';
import path from 'node:path';

const CHECKED_VERSION = '1.1.9';
/** The swagger2openapi whose first walk of its input is its check for YAML anchors (see skipAnchorCheck). */
const CHECKED_CONVERTER = '7.0.8';
let converterChecked = false;

/** Documents whose next identity-detecting walk is skipped: see skipAnchorCheck. */
const anchorFree = new WeakSet<object>();
/** Documents whose next copy is the document itself: see handOver. */
const handedOver = new WeakSet<object>();
/** Handed-over documents that hold no null: see handOver. */
const nullFree = new WeakSet<object>();
/** The `paths` of handed-over, null-free documents whose next walk (the one dropping nulls) is skipped. */
const nullWalkSkipped = new WeakSet<object>();

/**
 * Skips swagger2openapi's check for YAML anchors on `document`, which must hold no object twice (JSON.parse's
 * output). The first thing convertObj does is walk its whole input with identity detection, cloning every object met
 * twice (aliases it cannot convert otherwise); on a tree that walk finds nothing and changes nothing, and it was 5% of
 * Autotask's import. Only the next identity-detecting walk of `document` is skipped, and only in the swagger2openapi
 * version read to be sure that walk is that check.
 */
export function skipAnchorCheck(document: object): void {
  if (converterChecked) anchorFree.add(document);
}

/**
 * Lets swagger2openapi convert `document` itself rather than a deep copy of it. convertObj first copies its whole
 * input so that the caller's stays as it was; a caller that does not need its document afterwards saves the copy
 * and the garbage it makes, a tenth of Autotask's import. Only the next copy of `document` is skipped, and only in
 * the swagger2openapi version read to be sure that copy is that one. The conversion then changes `document`.
 *
 * `holdsNoNull`: the document has no null anywhere (its JSON text has no "null"). Right after that copy, convertObj
 * walks the whole document to delete nulls; on such a document that walk deletes nothing, and it is skipped.
 */
export function handOver(document: object, { holdsNoNull = false } = {}): void {
  if (!converterChecked) return;
  handedOver.add(document);
  if (holdsNoNull) nullFree.add(document);
}

/** What reftools' recurse passes to its callback; swagger2openapi reads path, parent, pkey, payload. */
export interface RecurseState {
  readonly path: string;
  depth: number;
  pkey: string;
  parent: unknown;
  payload: unknown;
  /** reftools' is a WeakMap; ours a Map (see recurse). */
  seen: WeakMap<object, unknown> | Map<object, unknown>;
  identity: boolean;
  identityDetection: boolean;
  readonly identityPath?: string;
  key?: string;
}

type Callback = (object: Record<string, unknown>, key: string, state: RecurseState) => void;

/** Keys that `encodeURIComponent(jpescape(key))` leaves as they are: no escaping to do. */
const PLAIN_KEY = /^[A-Za-z0-9_.!*'()-]*$/;

function pointerSegment(key: string): string {
  return PLAIN_KEY.test(key) ? key : encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/**
 * The state of one object's walk. Its JSON pointer is built only when read: swagger2openapi's callbacks read it for
 * a handful of the document's keys (a null to drop, a $ref with siblings), and building it for every key was most of
 * recurse's time. A level knows the level above and the key it was reached by, which is all a pointer needs.
 * `seen` maps each object met to the state of its walk rather than to its pointer, for the same reason;
 * `identityPath` reads the pointer from it.
 */
class Walk implements RecurseState {
  key: string | undefined = undefined;
  identity = false;
  private own: string | undefined;
  /** What `seen` holds for the member being visited. */
  private found: unknown = undefined;
  /** The state of this object's members, reused from one member to the next when `seen` does not keep states. */
  private below: Walk | undefined;

  constructor(
    private readonly up: Walk | undefined,
    base: string | undefined,
    public parent: unknown,
    public depth: number,
    public pkey: string,
    public payload: unknown,
    public seen: WeakMap<object, unknown> | Map<object, unknown>,
    public identityDetection: boolean,
  ) {
    this.own = base;
  }

  /** The pointer of the object this state walks. */
  private get at(): string {
    return (this.own ??= (this.up as Walk).at + '/' + pointerSegment(this.pkey));
  }

  /** The pointer of the member being visited; between members, of the object itself (as reftools has it). */
  get path(): string {
    return this.key === undefined ? this.at : this.at + '/' + pointerSegment(this.key);
  }

  get identityPath(): string | undefined {
    // A `seen` given by the caller may hold reftools' pointers.
    return this.found instanceof Walk ? this.found.at : (this.found as string | undefined);
  }

  /** Visits the members of `members` (this state's object) depth first, as reftools does. */
  walk(members: Record<string, unknown>, callback: Callback): void {
    const { seen, identityDetection } = this;
    for (const key in members) {
      this.key = key;
      const before = members[key];
      const found = typeof before === 'object' && before !== null ? seen.get(before) : undefined;
      this.found = found;
      this.identity = found !== undefined;
      if (Object.hasOwn(members, key)) callback(members, key, this);
      // Read again: the callback may have replaced or deleted the value.
      const value = members[key];
      if (typeof value === 'object' && value !== null && !this.identity) {
        const inner = this.inner(members, key);
        if (identityDetection && !Array.isArray(value)) seen.set(value, inner);
        inner.walk(value as Record<string, unknown>, callback);
      }
    }
    this.key = undefined;
    this.found = undefined;
  }

  /**
   * The state for walking `members[key]`. A walk without identity detection reuses one state per level: a state a
   * callback kept would change under it, but none of swagger2openapi's keeps one, and a state per object was a
   * fifth of the memory its conversion of Autotask allocates.
   */
  private inner(members: Record<string, unknown>, key: string): Walk {
    const depth = this.depth ? this.depth + 1 : 1;
    if (this.identityDetection || !this.below) {
      const inner = new Walk(this, undefined, members, depth, key, this.payload, this.seen, this.identityDetection);
      if (!this.identityDetection) this.below = inner;
      return inner;
    }
    const inner = this.below;
    inner.parent = members;
    inner.pkey = key;
    inner.own = undefined;
    return inner;
  }
}

/** reftools' `recurse(object, state, callback)`: same order, same state as its callback reads it, same pointers. */
export function recurse(object: unknown, state: Partial<RecurseState> | null, callback: Callback): void {
  if (typeof object !== 'object' || object === null) return;
  const given = state ?? {};
  if (given.identityDetection === true && anchorFree.delete(object)) return;
  // The walk dropping nulls is the first after the copy: it goes over the converted document, which holds the
  // handed-over document's members, its paths among them.
  const { paths } = object as Record<string, unknown>;
  if (given.identityDetection !== true && typeof paths === 'object' && paths !== null && nullWalkSkipped.delete(paths)) return;
  const walk = new Walk(
    undefined,
    given.path ?? '#',
    given.parent ?? {},
    given.depth ?? 0,
    given.pkey ?? '',
    given.payload ?? {},
    // A Map, not reftools' WeakMap: it lives only as long as the walk, and V8's weak maps cost more to fill and to collect.
    given.seen ?? new Map(),
    given.identityDetection ?? false,
  );
  walk.walk(object as Record<string, unknown>, callback);
}

/** reftools' `circularClone`: a deep copy that keeps shared and circular references shared and circular. */
export function circularClone<T>(value: T, copies?: Map<object, unknown>): T {
  if (copies === undefined && typeof value === 'object' && value !== null && handedOver.delete(value)) {
    const { paths } = value as Record<string, unknown>;
    if (nullFree.delete(value) && typeof paths === 'object' && paths !== null) nullWalkSkipped.add(paths);
    return value;
  }
  return deepCopy(value, copies ?? new Map());
}

function deepCopy<T>(value: T, copies: Map<object, unknown>): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = copies.get(value);
  if (known !== undefined) return known as T;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const key of Object.keys(value)) copy[Number(key)] = deepCopy(value[Number(key)], copies);
    return copy as T;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  copies.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = deepCopy((value as Record<string, unknown>)[key], copies);
  return copy as T;
}

/** Puts the two in the reftools that swagger2openapi requires; call before swagger2openapi is first loaded. */
export function useFastReftools(): void {
  let directory: string;
  let recurseModule: { recurse?: unknown };
  let cloneModule: { circularClone?: unknown };
  try {
    const converter = require.resolve('swagger2openapi/package.json');
    directory = path.dirname(converter);
    const manifest = require(require.resolve('reftools/package.json', { paths: [directory] })) as { version?: string };
    if (manifest.version !== CHECKED_VERSION) return;
    converterChecked = (require(converter) as { version?: string }).version === CHECKED_CONVERTER;
    recurseModule = require(require.resolve('reftools/lib/recurse.js', { paths: [directory] })) as typeof recurseModule;
    cloneModule = require(require.resolve('reftools/lib/clone.js', { paths: [directory] })) as typeof cloneModule;
  } catch {
    return;
  }
  recurseModule.recurse = recurse;
  cloneModule.circularClone = circularClone;
}

/**
 * swagger2openapi and oas-resolver load node-fetch-h2 (with http2-client) and their own copies of `yaml` at start-up,
 * 20-40 ms of an import, for what our conversions never do: fetch external refs (`resolve` is off) and print the
 * document as YAML (its text is given). Each of those modules gets a stand-in that loads it when first used.
 * Call after useFastReftools (which reads the versions) and before swagger2openapi is first loaded.
 */
export function deferUnusedModules(): void {
  if (!converterChecked) return;
  try {
    const converter = path.dirname(require.resolve('swagger2openapi/package.json'));
    const resolver = path.dirname(require.resolve('oas-resolver/package.json', { paths: [converter] }));
    for (const directory of [converter, resolver]) {
      for (const name of ['node-fetch-h2', 'yaml']) defer(require.resolve(name, { paths: [directory] }));
    }
  } catch {
    // Laid out otherwise than in the version checked: everything is loaded as usual.
  }
}

/** Puts in require's cache, as `file`, a module whose exports load the real module when first read or called. */
function defer(file: string): void {
  if (require.cache[file]) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file) as object;
    }
    return real;
  };
  // A function, so that a module that is one (node-fetch-h2's fetch) can be called through it.
  const exports = new Proxy(function deferred() {}, {
    get: (_target, key) => Reflect.get(load(), key) as unknown,
    has: (_target, key) => Reflect.has(load(), key),
    apply: (_target, self, args) => Reflect.apply(load() as (...args: unknown[]) => unknown, self, args),
  });
  const stand = new Module(file);
  stand.filename = file;
  stand.loaded = true;
  stand.exports = exports;
  require.cache[file] = stand;
}
