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
/** The swagger2openapi whose first walk of its input is its check for YAML anchors (see skipAnchorCheck). */
const CHECKED_CONVERTER = '7.0.8';
let converterChecked = false;

/** Documents whose next identity-detecting walk is skipped: see skipAnchorCheck. */
const anchorFree = new WeakSet<object>();

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
        const inner = new Walk(this, undefined, members, this.depth ? this.depth + 1 : 1, key, this.payload, seen, identityDetection);
        if (identityDetection && !Array.isArray(value)) seen.set(value, inner);
        inner.walk(value as Record<string, unknown>, callback);
      }
    }
    this.key = undefined;
    this.found = undefined;
  }
}

/** reftools' `recurse(object, state, callback)`: same order, same state as its callback reads it, same pointers. */
export function recurse(object: unknown, state: Partial<RecurseState> | null, callback: Callback): void {
  if (typeof object !== 'object' || object === null) return;
  const given = state ?? {};
  if (given.identityDetection === true && anchorFree.delete(object)) return;
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
