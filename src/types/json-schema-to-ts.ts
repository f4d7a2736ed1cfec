/**
 * JSON Schema (OpenAPI 3.0 and 3.1 dialects) to TypeScript types, for the schemas of one integration.
 *
 * Every `$ref` becomes a named type rather than an inlined copy, so recursive schemas end. A schema this cannot
 * understand (a dangling or external ref, a keyword it does not know, plain garbage) becomes `unknown`: generating
 * types must never fail on a definition the loader accepted, and `unknown` only asks the caller to check.
 */
import { breakCycles } from './cycles';
import { NameAllocator, isIdentifier, upperFirst } from './names';
import { intersection, isKeyword, keyword, NEVER, union, UNKNOWN, type Doc, type NamedType, type Property, type TsType } from './ts-type';

/** The schema `#` refers to while converting: an action's parameter, body or response schema, or a shared schema. */
interface SchemaDocument {
  readonly id: string;
  readonly root: unknown;
  /** What to call the document's root if something refers to it. */
  readonly hint: string;
}

/** Where a ref points, and the schema there. */
interface Target {
  readonly document: SchemaDocument;
  readonly path: readonly string[];
  readonly schema: unknown;
}

interface Pending {
  readonly name: string;
  readonly schema: unknown;
  readonly document: SchemaDocument;
}

type Schema = Readonly<Record<string, unknown>>;

/** Deeper than any real schema; a guard against a runaway one (a YAML alias can make a structure share itself). */
const MAX_DEPTH = 64;

const TYPE_NAMES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const;
type TypeName = (typeof TYPE_NAMES)[number];

/** Pointer segments that say where a subschema sits, not what it is: no use for naming it. */
const STRUCTURAL = new Set([
  'properties', 'patternProperties', 'additionalProperties', 'items', 'prefixItems', 'additionalItems', '$defs',
  'definitions', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contains', 'propertyNames',
]);

export class SchemaConverter {
  private readonly names = new NameAllocator();
  /** Named type of each ref target, keyed by document and pointer, so every target is converted once. */
  private readonly targets = new Map<string, string>();
  private readonly pending: Pending[] = [];
  private readonly shared = new Map<string, SchemaDocument>();
  private documents = 0;

  /** `schemas`: the integration's shared schemas, `{"$ref": "#/schemas/Name"}` from any schema. */
  constructor(schemas: Readonly<Record<string, unknown>> = {}) {
    const entries = Object.entries(schemas);
    const names = new Map<string, string>();
    // Names that are identifiers already are taken first, so a sanitized one ("a-b" -> "a_b") cannot displace them.
    for (const [key] of entries.filter(([key]) => isIdentifier(key))) names.set(key, this.names.take(key));
    for (const [key] of entries.filter(([key]) => !isIdentifier(key))) names.set(key, this.names.take(key));
    for (const [key, schema] of entries) {
      const document: SchemaDocument = { id: `schemas/${key}`, root: schema, hint: key };
      const name = names.get(key) as string;
      this.shared.set(key, document);
      this.targets.set(targetKey(document, []), name);
      this.pending.push({ name, schema, document });
    }
  }

  /** The type of a schema that is a document of its own; `hint` names its root should anything refer to it (`#`). */
  convert(schema: unknown, hint: string): TsType {
    const document: SchemaDocument = { id: String(this.documents++), root: schema, hint };
    const type = this.type(schema, document, 0);
    const named = this.targets.get(targetKey(document, []));
    return named === undefined ? type : { kind: 'ref', name: named };
  }

  /** The shared schemas, then every other ref target, in the order first met. Call once every schema is converted. */
  namedTypes(): NamedType[] {
    const named: NamedType[] = [];
    // Converting one may queue more, hence the index loop.
    for (let i = 0; i < this.pending.length; i++) {
      const { name, schema, document } = this.pending[i] as Pending;
      named.push({ name, type: this.type(schema, document, 0), doc: docOf(schema) });
    }
    return breakCycles(named);
  }

  private type(schema: unknown, document: SchemaDocument, depth: number): TsType {
    if (schema === false) return NEVER;
    if (!isSchema(schema) || depth > MAX_DEPTH) return UNKNOWN;
    const sub = (s: unknown) => this.type(s, document, depth + 1);
    // All keywords apply at once (2020-12 semantics, $ref included), so each contributes to an intersection.
    const parts: TsType[] = [];
    if (typeof schema.$ref === 'string') parts.push(this.reference(schema.$ref, document));
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map(sub));
    for (const alternatives of [schema.anyOf, schema.oneOf]) {
      if (Array.isArray(alternatives) && alternatives.length > 0) parts.push(union(alternatives.map(sub)));
    }
    const own = ownType(schema, sub);
    // A bare `type: object` beside refs and combinators adds nothing they do not say, and its index signature would
    // switch off TypeScript's check of misspelt property names.
    const type = intersection(parts.length > 0 && isAnyObject(own) ? parts : [own, ...parts]);
    // OpenAPI 3.0's spelling of `type: [..., 'null']`.
    return schema.nullable === true ? union([type, keyword('null')]) : type;
  }

  private reference(ref: string, document: SchemaDocument): TsType {
    const target = this.resolve(ref, document);
    if (!target) return UNKNOWN;
    const key = targetKey(target.document, target.path);
    const known = this.targets.get(key);
    if (known !== undefined) return { kind: 'ref', name: known };
    const hint = [...target.path].reverse().find((segment) => !STRUCTURAL.has(segment) && !/^\d+$/.test(segment));
    const name = this.names.take(upperFirst(hint ?? target.document.hint));
    this.targets.set(key, name);
    this.pending.push({ name, schema: target.schema, document: target.document });
    return { kind: 'ref', name };
  }

  /** `#/schemas/X/...` is a shared schema wherever it is written; any other `#/...` points into the current document. */
  private resolve(ref: string, document: SchemaDocument): Target | undefined {
    // Refs to other files or URLs: nothing is fetched while generating types.
    if (!ref.startsWith('#')) return undefined;
    // A fragment is percent-encoded, but the OpenAPI import writes names as they are ("#/schemas/100%"): try both.
    for (const fragment of [ref.slice(1), percentDecoded(ref.slice(1))]) {
      const path = fragment === undefined ? undefined : parsePointer(fragment);
      const target = path && this.locate(path, document);
      if (target) return target;
    }
    return undefined;
  }

  private locate(path: readonly string[], document: SchemaDocument): Target | undefined {
    const [first, name, ...rest] = path;
    const [within, pointer] = first === 'schemas' && name !== undefined ? [this.shared.get(name), rest] : [document, path];
    if (!within) return undefined;
    const schema = at(within.root, pointer);
    return isSchema(schema) || typeof schema === 'boolean' ? { document: within, path: pointer, schema } : undefined;
  }
}

/** What `type`, `enum` and `const` say, with the object and array keywords, leaving out the combinators. */
function ownType(schema: Schema, sub: (s: unknown) => TsType): TsType {
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const declared = types.filter((t): t is TypeName => (TYPE_NAMES as readonly unknown[]).includes(t));
  if (declared.length > 0) return union(declared.map((name) => typeNamed(name, schema, sub)));
  // No (known) type: the keywords present say what was meant.
  if (['properties', 'additionalProperties', 'patternProperties', 'required'].some((k) => k in schema)) return objectType(schema, sub);
  if (['items', 'prefixItems'].some((k) => k in schema)) return arrayType(schema, sub);
  return UNKNOWN;
}

function isAnyObject(type: TsType): boolean {
  return type.kind === 'object' && type.properties.length === 0 && type.index !== undefined && isKeyword(type.index, 'unknown');
}

function typeNamed(name: TypeName, schema: Schema, sub: (s: unknown) => TsType): TsType {
  switch (name) {
    case 'integer':
      return keyword('number');
    case 'object':
      return objectType(schema, sub);
    case 'array':
      return arrayType(schema, sub);
    default:
      return keyword(name);
  }
}

function literal(value: unknown): TsType {
  if (value === null) return keyword('null');
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
    return { kind: 'literal', value };
  }
  return UNKNOWN;
}

function objectType(schema: Schema, sub: (s: unknown) => TsType): TsType {
  const declared = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const extra = additionalType(schema, sub);
  const properties: Property[] = Object.entries(declared).map(([name, s]) => ({
    name,
    type: sub(s),
    optional: !required.has(name),
    doc: docOf(s),
  }));
  for (const name of required) {
    if (!Object.hasOwn(declared, name)) properties.push({ name, type: extra ?? UNKNOWN, optional: false });
  }
  if (properties.length === 0) {
    return { kind: 'object', properties, index: extra ?? (schema.additionalProperties === false ? NEVER : UNKNOWN) };
  }
  if (!extra) return { kind: 'object', properties };
  // TypeScript refuses an index signature that does not admit every property, optional ones' undefined included.
  const optional = properties.some((p) => p.optional) ? [keyword('undefined')] : [];
  return { kind: 'object', properties, index: union([extra, ...properties.map((p) => p.type), ...optional]) };
}

/** The type of properties not listed, if the schema allows them and says something about them. */
function additionalType(schema: Schema, sub: (s: unknown) => TsType): TsType | undefined {
  const types: TsType[] = [];
  const additional = schema.additionalProperties;
  if (additional === true || isSchema(additional)) types.push(sub(additional));
  if (isSchema(schema.patternProperties)) types.push(...Object.values(schema.patternProperties).map(sub));
  return types.length > 0 ? union(types) : undefined;
}

function arrayType(schema: Schema, sub: (s: unknown) => TsType): TsType {
  // 2020-12 writes a tuple as prefixItems + items; earlier drafts as an array of items + additionalItems.
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  if (!prefix) return { kind: 'array', element: rest === undefined ? UNKNOWN : sub(rest) };
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
  return {
    kind: 'tuple',
    elements: prefix.map((s, i) => ({ type: sub(s), optional: i >= minItems })),
    ...(rest !== false && { rest: rest === undefined ? UNKNOWN : sub(rest) }),
  };
}

function docOf(schema: unknown): Doc {
  if (!isSchema(schema)) return {};
  return {
    ...(typeof schema.description === 'string' && { description: schema.description }),
    ...(schema.deprecated === true && { deprecated: true }),
  };
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function targetKey(document: SchemaDocument, path: readonly string[]): string {
  return JSON.stringify([document.id, ...path]);
}

/** A JSON Pointer (RFC 6901) as segments, or undefined if the text is not one (a plain-name anchor, say). */
function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function percentDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    // Own properties only: "#/properties/constructor" must not find Object.prototype.constructor.
    else if (isSchema(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}
