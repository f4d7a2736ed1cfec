/**
 * OpenAPI schemas as the definition's JSON Schemas (2020-12, OpenAPI 3.1 dialect).
 *
 * Every schema a `$ref` names becomes one entry of `definition.schemas`, referenced as `{"$ref": "#/schemas/Name"}`:
 * the spec's `components.schemas` keep their names, anything else a `$ref` points at (another file, a schema inside
 * an operation) gets one. Refs stay refs, so recursive schemas need no unrolling and no payload is ever circular.
 * Only what the imported actions reach is translated: schemas are queued when first referenced.
 *
 * On the way, the defects that would break validation of calls are repaired and reported: patterns JavaScript cannot
 * compile, `required` naming properties that do not exist, type names that are not JSON Schema types, refs that name
 * nothing. OpenAPI 3.0's `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` become their 3.1 forms.
 */
import type { JsonSchemaObject } from '../definition/model';
import { counted, type Messages } from './messages';
import type { SpecFile } from './load';
import { at, isObject, type Json, type Location, type Refs } from './refs';

/** Keywords whose value is a map of schemas, a list of schemas, or a schema (`items`: one or a list). */
const KEYWORDS = new Map<string, 'map' | 'list' | 'schema'>([
  ...['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'].map((k) => [k, 'map'] as const),
  ...['allOf', 'anyOf', 'oneOf', 'prefixItems'].map((k) => [k, 'list'] as const),
  ...['items', 'additionalItems', 'additionalProperties', 'unevaluatedItems', 'unevaluatedProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'contentSchema'].map(
    (k) => [k, 'schema'] as const,
  ),
]);
/** OpenAPI 3.0 keywords whose meaning 3.1 changed. */
const UPGRADED = new Set(['nullable', 'exclusiveMinimum', 'exclusiveMaximum']);
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Type names specs use that are not JSON Schema's, and what they mean. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  int32: 'integer',
  int64: 'integer',
  long: 'integer',
  bool: 'boolean',
  double: 'number',
  float: 'number',
  decimal: 'number',
  str: 'string',
  date: 'string',
  datetime: 'string',
  obj: 'object',
  file: 'string',
};
const COMPONENT_SCHEMA = /^\/components\/schemas\/([^/]+)$/;

export class SchemaRegistry {
  /** Schema name of every `$ref` target met (and of every component schema, reserved up front), by document#pointer. */
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly queue: { name: string; value: unknown; at: Location }[] = [];
  /** Translated schemas by name; undefined while queued. */
  private readonly translated = new Map<string, unknown>();
  private readonly locations = new Map<string, Location>();
  /** `#/schemas/...` of each `$ref` string already met, by document: big specs repeat the same refs thousands of times. */
  private readonly referenced = new Map<SpecFile, Map<string, string>>();
  /**
   * Translations by source object: a shared parameter or response schema is translated (and reported) once. A Map,
   * not a WeakMap: the spec outlives the registry anyway, and a weak map of 10,000 entries costs the collector more.
   */
  private readonly memo = new Map<object, JsonSchemaObject>();
  /** Why a pattern cannot be used, by pattern; '' when it can. */
  private readonly patterns = new Map<string, string>();

  constructor(
    private readonly refs: Refs,
    private readonly messages: Messages,
    /** OpenAPI 3.0 (and converted Swagger 2.0): `nullable` and boolean exclusive bounds are rewritten. */
    private readonly openapi30: boolean,
  ) {
    const components = refs.main.data as Json;
    const schemas = isObject(components.components) ? components.components.schemas : undefined;
    // Component schemas keep their names whatever order they are met in, so they are named before anything else.
    if (isObject(schemas)) {
      for (const key of Object.keys(schemas)) this.names.set(targetKey(refs.main.path ?? refs.main.name, `/components/schemas/${escape(key)}`), this.unique(key));
    }
  }

  /** The definition's form of the schema at `location`; the schemas it references are queued. */
  translate(value: unknown, location: Location): JsonSchemaObject {
    let translated = isObject(value) ? this.memo.get(value) : undefined;
    if (!translated) {
      const schema = this.schema(value, location, false, location.doc.format === 'yaml' ? new Set() : undefined);
      translated = schema === false ? { not: {} } : isObject(schema) ? schema : {};
      if (isObject(value)) this.memo.set(value, translated);
    }
    return translated;
  }

  /** The referenced schemas, all translated (with what they reference in turn), by name. */
  schemas(): Record<string, JsonSchemaObject> {
    this.drain();
    return Object.fromEntries([...this.translated].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Record<string, JsonSchemaObject>;
  }

  /** Translates the component schemas no action reaches, for their messages only: a lint reports the whole spec. */
  checkUnreached(): void {
    const components = (this.refs.main.data as Json).components;
    const schemas = isObject(components) ? components.schemas : undefined;
    if (!isObject(schemas)) return;
    for (const key of Object.keys(schemas)) this.reference(`#/components/schemas/${escape(key)}`, this.refs.root());
    this.drain();
  }

  private drain(): void {
    for (let i = 0; i < this.queue.length; i++) {
      const { name, value, at: location } = this.queue[i] as (typeof this.queue)[number];
      this.translated.set(name, this.translate(value, location));
    }
    this.queue.length = 0;
    this.breakAliasLoops();
  }

  /**
   * The schema a `$ref` found at `from` points to, as a `#/schemas/...` reference, queued for translation.
   * Undefined (reported) when it names nothing.
   */
  private reference(ref: unknown, from: Location): string | undefined {
    let known = this.referenced.get(from.doc);
    if (!known) this.referenced.set(from.doc, (known = new Map()));
    const cached = typeof ref === 'string' ? known.get(ref) : undefined;
    if (cached !== undefined) return cached;
    const resolved = this.refs.resolve(ref, from);
    if ('problem' in resolved) {
      this.refs.unresolved(ref, from, resolved.problem, 'that schema is taken as {} (any value)');
      return undefined;
    }
    const key = targetKey(resolved.at.doc.path ?? resolved.at.doc.name, resolved.at.pointer);
    let name = this.names.get(key);
    if (name === undefined) {
      name = this.unique(nameFor(resolved.at));
      this.names.set(key, name);
    }
    if (!this.translated.has(name)) {
      this.translated.set(name, undefined);
      this.locations.set(name, resolved.at);
      this.queue.push({ name, value: resolved.value, at: resolved.at });
    }
    const reference = `#/schemas/${escape(name)}`;
    known.set(ref as string, reference);
    return reference;
  }

  /** `ancestors` is set for YAML, where aliases can make a parsed spec circular; JSON cannot be. */
  private schema(value: unknown, location: Location, inAllOf: boolean, ancestors: Set<object> | undefined): unknown {
    if (typeof value === 'boolean') return value;
    if (!isObject(value)) {
      this.warn(
        'invalid-schema',
        location,
        `a schema must be an object, not ${JSON.stringify(value)?.slice(0, 40)}; taken as {} (any value)`,
        'Write a schema object here.',
      );
      return {};
    }
    // A schema inside itself would make the definition circular.
    if (ancestors?.has(value)) {
      this.warn(
        'circular-schema',
        location,
        'this schema contains itself through a YAML alias; the inner one is taken as {} (any value)',
        'Use a $ref for a recursive schema.',
      );
      return {};
    }
    ancestors?.add(value);
    let out: Json = {};
    let upgrade = false;
    // for...in over parsed JSON and YAML objects (own keys only, in order), and loops, not Object.entries and
    // closures: this runs for every node of every schema translated.
    for (const key in value) {
      const member = value[key];
      const kind = KEYWORDS.get(key);
      if (kind === 'map' && isObject(member)) {
        const map: Json = {};
        const mapAt = at(location, key);
        for (const name in member) map[name] = this.schema(member[name], at(mapAt, name), false, ancestors);
        out[key] = map;
      } else if (kind !== undefined && Array.isArray(member)) {
        const list: unknown[] = [];
        const listAt = at(location, key);
        for (let i = 0; i < member.length; i++) list.push(this.schema(member[i], at(listAt, i), key === 'allOf', ancestors));
        out[key] = list;
      } else if (kind === 'schema') {
        out[key] = this.schema(member, at(location, key), false, ancestors);
      } else if (key === '$ref') {
        const ref = this.reference(member, location);
        if (ref !== undefined) out.$ref = ref;
      } else if (key === 'discriminator' && isObject(member) && isObject(member.mapping)) {
        out[key] = { ...member, mapping: this.mapping(member.mapping, at(location, key, 'mapping')) };
      } else if (key === 'pattern' && typeof member === 'string') {
        const problem = this.patternProblem(member);
        if (!problem) out[key] = member;
        else {
          this.warn(
            'invalid-pattern',
            at(location, key),
            `pattern ${JSON.stringify(member)} ${problem}; it is left out, so values are not checked against it`,
            'Write the pattern in ECMAScript syntax (no inline flags such as (?i), no needless escapes).',
          );
        }
      } else if (key === 'type') {
        const type = this.type(member, location);
        if (type !== undefined) out[key] = type;
      } else {
        upgrade ||= UPGRADED.has(key);
        out[key] = member;
      }
    }
    if (upgrade && this.openapi30) out = upgrade30(out);
    this.checkRequired(value, out, location, inAllOf);
    ancestors?.delete(value);
    return out;
  }

  private mapping(mapping: Json, location: Location): Json {
    const out: Json = {};
    for (const [value, target] of Object.entries(mapping)) {
      // A mapping value is a $ref, or the bare name of a component schema.
      const ref = typeof target === 'string' && !target.includes('/') && !target.includes('#') ? `#/components/schemas/${escape(target)}` : target;
      const resolved = this.reference(ref, at(location, value));
      if (resolved !== undefined) out[value] = resolved;
    }
    return out;
  }

  /** The `type` of the schema at `location` (whose place is computed only for a message: nearly every schema has a type). */
  private type(type: unknown, location: Location): unknown {
    if (typeof type === 'string' && JSON_TYPES.has(type)) return type;
    const fix = (name: unknown): string | undefined => {
      if (typeof name !== 'string' || JSON_TYPES.has(name)) return name as string | undefined;
      const alias = TYPE_ALIASES[name.toLowerCase()] ?? (/^(list|array)</i.test(name) ? 'array' : undefined);
      this.messages.tally(
        'warning',
        'invalid-type',
        at(location, 'type'),
        `${name} -> ${alias ?? 'left out'}`,
        (count, examples) => `${counted(count, 'type', examples)} ${count === 1 ? 'is' : 'are'} not JSON Schema; read as the type meant, or left out`,
        'Use string, number, integer, boolean, object, array or null.',
        this.refs.fileOf(location),
      );
      return alias;
    };
    if (Array.isArray(type)) return type.map(fix).filter((t) => t !== undefined);
    return fix(type);
  }

  /** `required` names that no property defines, where nothing else could define them, are dropped. */
  private checkRequired(source: Json, out: Json, location: Location, inAllOf: boolean): void {
    const { required, properties } = source;
    if (required === undefined) return;
    if (!Array.isArray(required)) {
      delete out.required;
      this.warn(
        'invalid-required',
        at(location, 'required'),
        `required must be a list of property names, not ${JSON.stringify(required)}; left out`,
        'Mark required properties in the object\'s "required" list.',
      );
      return;
    }
    // Members of an allOf, and schemas combining others, may require what a sibling defines.
    if (inAllOf || !isObject(properties) || 'allOf' in source || 'anyOf' in source || 'oneOf' in source || '$ref' in source) return;
    const missing = required.filter((name) => typeof name !== 'string' || !Object.hasOwn(properties, name));
    if (missing.length === 0) return;
    out.required = required.filter((name) => !missing.includes(name));
    this.warn(
      'required-undefined',
      at(location, 'required'),
      `required lists ${missing.map((m) => JSON.stringify(m)).join(', ')}, which ${missing.length === 1 ? 'is not a property' : 'are not properties'} of this schema; left out of required`,
      'Define the property under "properties", or remove it from "required".',
    );
  }

  private patternProblem(pattern: string): string {
    let problem = this.patterns.get(pattern);
    if (problem === undefined) {
      problem = '';
      try {
        new RegExp(pattern, 'u');
      } catch {
        // JSON Schema validators compile patterns with the u flag; some specs are valid only without it.
        try {
          new RegExp(pattern);
          problem = 'is not valid with the u (Unicode) flag JSON Schema validators use';
        } catch (error) {
          problem = `is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`;
        }
      }
      this.patterns.set(pattern, problem);
    }
    return problem;
  }

  /** A schema that is only a `$ref` to itself, directly or through others like it, names nothing: it becomes {}. */
  private breakAliasLoops(): void {
    const target = (name: string): string | undefined => {
      const schema = this.translated.get(name);
      if (!isObject(schema) || Object.keys(schema).length !== 1 || typeof schema.$ref !== 'string') return undefined;
      return unescape(schema.$ref.slice('#/schemas/'.length));
    };
    for (const name of this.translated.keys()) {
      const chain: string[] = [];
      let next: string | undefined = name;
      while (next !== undefined && !chain.includes(next)) {
        chain.push(next);
        next = target(next);
      }
      if (next === undefined) continue;
      const loop = chain.slice(chain.indexOf(next));
      for (const member of loop) this.translated.set(member, {});
      this.warn(
        'ref-cycle',
        this.locations.get(next) ?? this.refs.root(),
        `schema ${next} is only a $ref that leads back to itself (${[...loop, next].join(' -> ')}); taken as {} (any value)`,
        'Give the schema a definition of its own.',
      );
    }
  }

  private warn(code: string, location: Location, message: string, fix: string): void {
    this.messages.warning(code, location.pointer, message, fix, this.refs.fileOf(location));
  }

  /** `name`, made a plain name (letters, digits, . _ -) and unique among the schema names. */
  private unique(name: string): string {
    const base = name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'schema';
    let unique = base;
    for (let n = 2; this.taken.has(unique); n++) unique = `${base}_${n}`;
    this.taken.add(unique);
    return unique;
  }
}

const EXCLUSIVE_BOUNDS = [
  ['exclusiveMinimum', 'minimum'],
  ['exclusiveMaximum', 'maximum'],
] as const;

/** 3.0's `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` in their 3.1 (JSON Schema 2020-12) forms. */
function upgrade30(schema: Json): Json {
  // Fields are left out by copying the others, not with delete: a deleted field makes the object a slow dictionary,
  // and Microsoft Graph has tens of thousands of nullable properties.
  const removed: string[] = [];
  if (schema.nullable === true && schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    schema.type = types.includes('null') ? types : [...types, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    removed.push('nullable');
  } else if (schema.nullable === false) {
    removed.push('nullable');
  }
  for (const [exclusive, bound] of EXCLUSIVE_BOUNDS) {
    if (schema[exclusive] === true && typeof schema[bound] === 'number') {
      schema[exclusive] = schema[bound];
      removed.push(bound);
    } else if (typeof schema[exclusive] === 'boolean') {
      removed.push(exclusive);
    }
  }
  if (removed.length === 0) return schema;
  const upgraded: Json = {};
  for (const key in schema) if (!removed.includes(key)) upgraded[key] = schema[key];
  return upgraded;
}

function targetKey(document: string, pointer: string): string {
  return `${document}#${pointer}`;
}

/** A name for a schema that is not a component schema: its key, or its file's name. */
function nameFor(location: Location): string {
  const component = COMPONENT_SCHEMA.exec(location.pointer);
  if (component) return unescape(component[1] as string);
  const segments = location.pointer.split('/').slice(1).map(unescape);
  const last = segments.filter((s) => !['schema', 'content', 'properties', 'items'].includes(s) && !s.includes('/')).pop();
  return last ?? location.doc.name.replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '');
}

function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescape(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
