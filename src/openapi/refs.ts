/**
 * `$ref` resolution across the spec and the local files it names. Nothing is dereferenced in place: callers follow
 * a ref when they need what it names, so recursive schemas stay finite and a ref loop is met once, not forever.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parsePointer, toPointer } from '../source-location';
import { readLocalSpec, type SpecFile } from './load';
import { ImportError, type Messages } from './messages';

export type Json = Record<string, unknown>;

/** A value's place: the document and the JSON pointer in it. */
export interface Location {
  doc: SpecFile;
  pointer: string;
}

export type Resolved = { value: unknown; at: Location } | { problem: string };

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at the pointer `segments` (unescaped) in `document`; undefined when there is none. */
export function valueAt(document: unknown, segments: readonly string[]): unknown {
  let value = document;
  for (const segment of segments) {
    if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(segment)) value = value[Number(segment)];
    else if (isObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else return undefined;
  }
  return value;
}

type Segment = string | number;

/**
 * The location of a member: `at(loc, 'paths', '/users')`. Its pointer is written when first read: this is called for
 * every parameter and schema node of big specs, and only the few places a message is about are ever read (writing
 * them all was a tenth of Microsoft Graph's import, most of it garbage to collect). Up to four segments as plain
 * arguments, not a rest array: one less allocation per call.
 */
export function at(location: Location, a: Segment, b?: Segment, c?: Segment, d?: Segment): Location {
  let place: Location = new Member(location.doc, location, a);
  if (b !== undefined) place = new Member(location.doc, place, b);
  if (c !== undefined) place = new Member(location.doc, place, c);
  if (d !== undefined) place = new Member(location.doc, place, d);
  return place;
}

class Member implements Location {
  private written: string | undefined;

  constructor(
    readonly doc: SpecFile,
    private readonly parent: Location,
    private readonly segment: Segment,
  ) {}

  get pointer(): string {
    if (this.written === undefined) {
      const segment = this.segment;
      // Most segments need no escaping, and testing is cheaper than replacing.
      this.written = this.parent.pointer + (typeof segment === 'string' && /[~/]/.test(segment) ? toPointer([segment]) : `/${segment}`);
    }
    return this.written;
  }
}

/** A place as a string, to compare places: its document and pointer. */
function placeKey(place: Location): string {
  return `${place.doc.path ?? place.doc.name}#${place.pointer}`;
}

export class Refs {
  /** External documents by absolute path; an Error when the file cannot be used. */
  private readonly documents = new Map<string, SpecFile | Error>();
  /** Each `$ref` string's resolution, by the document it is in: big specs repeat the same refs thousands of times. */
  private readonly resolved = new Map<SpecFile, Map<string, Resolved>>();

  constructor(
    readonly main: SpecFile,
    private readonly messages: Messages,
  ) {}

  /** The `file` of a message about `location`: unset for the spec itself. */
  fileOf(location: Location): string | undefined {
    return location.doc === this.main ? undefined : location.doc.name;
  }

  /** The external documents read so far (for locating messages in them). */
  externalDocuments(): SpecFile[] {
    return [...this.documents.values()].filter((doc): doc is SpecFile => !(doc instanceof Error));
  }

  root(): Location {
    return { doc: this.main, pointer: '' };
  }

  /** What a `$ref` found at `from` names, or why it names nothing. */
  resolve(ref: unknown, from: Location): Resolved {
    if (typeof ref !== 'string') return { problem: 'it is not a string' };
    let known = this.resolved.get(from.doc);
    if (!known) this.resolved.set(from.doc, (known = new Map()));
    let resolved = known.get(ref);
    if (!resolved) known.set(ref, (resolved = this.lookUp(ref, from.doc)));
    return resolved;
  }

  private lookUp(ref: string, from: SpecFile): Resolved {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    let fragment: string;
    try {
      fragment = decodeURIComponent(hash === -1 ? '' : ref.slice(hash + 1));
    } catch {
      return { problem: 'its fragment is not a valid URI fragment' };
    }
    let doc = from;
    if (target !== '') {
      const external = this.document(target, from);
      if (external instanceof Error) return { problem: external.message };
      doc = external;
    }
    let segments: string[];
    try {
      segments = parsePointer(fragment);
    } catch (error) {
      return { problem: (error as Error).message };
    }
    const value = valueAt(doc.data, segments);
    if (value === undefined) return { problem: `${target ? `${target} has` : 'the spec has'} nothing at #${fragment}` };
    return { value, at: { doc, pointer: fragment } };
  }

  /**
   * Follows `$ref`s from `value` (a parameter, response, request body, path item...) to the object they lead to.
   * Undefined when one cannot be resolved or they loop; both are reported, saying `consequence`.
   */
  follow(value: unknown, location: Location, consequence: string): { value: Json; at: Location } | undefined {
    let current = value;
    let here = location;
    // Only a chain can loop: most objects have no $ref, most refs lead to an object at once, so places are compared
    // (and their pointers written) from the second $ref on.
    let seen: Set<string> | undefined;
    for (let hops = 0; isObject(current) && current.$ref !== undefined; hops++) {
      if (hops > 0) seen ??= new Set([placeKey(location)]);
      if (seen?.has(placeKey(here))) {
        this.messages.warning(
          'ref-cycle',
          location.pointer,
          `$ref ${String(current.$ref)} leads back to itself through other $refs, so it names nothing; ${consequence}`,
          'Make one of the $refs in the loop point to a real definition.',
          this.fileOf(location),
        );
        return undefined;
      }
      seen?.add(placeKey(here));
      const resolved = this.resolve(current.$ref, here);
      if ('problem' in resolved) {
        this.unresolved(current.$ref, here, resolved.problem, consequence);
        return undefined;
      }
      current = resolved.value;
      here = resolved.at;
    }
    if (!isObject(current)) {
      this.messages.warning(
        'invalid-object',
        here.pointer,
        `expected an object here; ${consequence}`,
        'Correct the spec at this place.',
        this.fileOf(here),
      );
      return undefined;
    }
    return { value: current, at: here };
  }

  /** Reports a `$ref` (held by the object at `from`) that names nothing. */
  unresolved(ref: unknown, from: Location, problem: string, consequence: string): void {
    const external = typeof ref === 'string' && !ref.startsWith('#');
    this.messages.warning(
      external ? 'external-ref' : 'dangling-ref',
      `${from.pointer}/$ref`,
      `$ref ${JSON.stringify(ref)} cannot be resolved (${problem}); ${consequence}`,
      external
        ? 'Put the referenced file next to the spec (external references are read only from local files), or import a bundled spec.'
        : 'Define what the $ref names, or correct it.',
      this.fileOf(from),
    );
  }

  /** The document a relative reference names, read once. */
  private document(target: string, from: SpecFile): SpecFile | Error {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return new Error(`${target} is not a local file; only local files are read`);
    if (!from.path) return new Error(`${target} is relative to a spec that is not a local file`);
    let file: string;
    try {
      file = path.resolve(path.dirname(from.path), decodeURI(target));
    } catch {
      return new Error(`${target} is not a valid file reference`);
    }
    let doc = this.documents.get(file);
    if (!doc && !existsSync(file)) {
      doc = new Error(`${target} does not exist`);
      this.documents.set(file, doc);
    }
    if (!doc) {
      try {
        doc = readLocalSpec(file, path.relative(path.dirname(this.main.path ?? file), file) || file);
      } catch (error) {
        doc = new Error(error instanceof ImportError ? (error.messages[0]?.message ?? error.message) : (error as Error).message);
      }
      this.documents.set(file, doc);
    }
    return doc;
  }
}
