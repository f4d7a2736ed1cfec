/**
 * `custom-integrations types`: JSON Schema to TypeScript, and the generated module as workflow code sees it. Every
 * printed type is also compiled, with values it must accept and values it must refuse, so a test cannot pass on
 * text that merely looks right.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { typesCommand } from '../src/cli/commands/types-command';
import { resolveTemporalConfig } from '../src/config/temporal-config';
import { loadDefinitions } from '../src/definition/load';
import { Definition, type DefinitionInput } from '../src/definition/model';
import { SchemaConverter } from '../src/types/json-schema-to-ts';
import { generateTypes, GENERATED_HEADER } from '../src/types/generate';
import { jsdoc, printType } from '../src/types/print';
import { ROOT } from './helpers/processes';
import { typeCheck, type TypeChecked } from './helpers/typecheck';

/** Where the in-memory files are placed: one level below the root, so '../workflows' is the package's module. */
const DIR = path.join(ROOT, 'test');

const collapse = (text: string) => text.replace(/\s+/g, ' ');

interface Case {
  readonly name: string;
  readonly schema: unknown;
  readonly schemas?: Record<string, unknown>;
  /** The printed type, whitespace collapsed; unchecked where the text is beside the point. */
  readonly type?: string;
  /** The named types it needs, whitespace collapsed, in declaration order. */
  readonly named?: readonly string[];
  /** TypeScript expressions the type must accept, and ones it must refuse. */
  readonly accepts?: readonly string[];
  readonly refuses?: readonly string[];
}

const PET = { type: 'object', description: 'A pet.', properties: { name: { type: 'string' } }, required: ['name'] };
const PET_NAMED = '/** A pet. */ type Pet = { name: string; };';

const GARBAGE: readonly unknown[] = [
  null, 5, 'string', [], { type: 5 }, { type: ['file'] }, { enum: 'x' }, { enum: [{ a: 1 }, 'x'] }, { allOf: 'x' },
  { allOf: [5, null] }, { anyOf: [] }, { $ref: 5 }, { $ref: '#/%E0%A4%A' }, { $ref: '#/schemas/toString' }, { $ref: '#/schemas' },
];

const CASES: readonly Case[] = [
  // type
  { name: 'string', schema: { type: 'string' }, type: 'string', accepts: ['"x"'], refuses: ['1'] },
  { name: 'integer', schema: { type: 'integer' }, type: 'number', accepts: ['1'], refuses: ['"1"'] },
  { name: 'number, boolean and null', schema: { type: ['number', 'boolean', 'null'] }, type: 'number | boolean | null', accepts: ['1.5', 'true', 'null'], refuses: ['"x"'] },
  { name: "type: [x, 'null']", schema: { type: ['string', 'null'] }, type: 'string | null', accepts: ['"a"', 'null'], refuses: ['1', 'undefined'] },
  { name: 'nullable (OpenAPI 3.0)', schema: { type: 'integer', nullable: true }, type: 'number | null', accepts: ['null', '3'], refuses: ['"3"'] },
  { name: 'format is a string', schema: { type: 'string', format: 'date-time' }, type: 'string', accepts: ['"2024-01-01T00:00:00Z"'], refuses: ['new Date()'] },
  { name: 'no schema at all', schema: {}, type: 'unknown', accepts: ['1', 'null', '{ a: 1 }'] },
  { name: 'true', schema: true, type: 'unknown' },
  { name: 'false', schema: false, type: 'never', refuses: ['null'] },
  // enum and const
  { name: 'string enum', schema: { type: 'string', enum: ['available', 'sold'] }, type: '"available" | "sold"', accepts: ['"sold"'], refuses: ['"lost"'] },
  { name: 'mixed enum', schema: { enum: [1, -2, true, null, 'a"b'] }, type: '1 | -2 | true | null | "a\\"b"', accepts: ['-2', 'null', '"a\\"b"'], refuses: ['2', 'false'] },
  { name: 'empty enum', schema: { enum: [] }, type: 'never', refuses: ['"a"'] },
  { name: 'string const', schema: { const: 'fixed' }, type: '"fixed"', accepts: ['"fixed"'], refuses: ['"other"'] },
  { name: 'null const', schema: { const: null }, type: 'null', accepts: ['null'], refuses: ['0'] },
  { name: 'object const', schema: { const: { a: 1 } }, type: 'unknown' },
  // objects
  {
    name: 'object: properties, required, descriptions, quoted names, readOnly and writeOnly ignored',
    schema: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string', description: 'The name. */ not code', writeOnly: true },
        'x-trace': { type: 'string', deprecated: true },
        class: { type: 'boolean' },
      },
    },
    type: '{ id: number; /** The name. *\\/ not code */ name?: string; /** @deprecated */ "x-trace"?: string; class?: boolean; }',
    accepts: ['{ id: 1 }', '{ id: 1, name: "a", "x-trace": "t", class: true }'],
    refuses: ['{}', '{ id: "1" }', '{ id: 1, nmae: "a" }'],
  },
  { name: 'required but not declared', schema: { properties: { a: { type: 'string' } }, required: ['a', 'b'] }, type: '{ a: string; b: unknown; }', accepts: ['{ a: "x", b: 1 }'], refuses: ['{ a: "x" }'] },
  { name: 'bare object', schema: { type: 'object' }, type: '{ [key: string]: unknown }', accepts: ['{ any: 1 }'], refuses: ['"x"'] },
  { name: 'object that allows nothing', schema: { type: 'object', additionalProperties: false }, type: '{ [key: string]: never }', accepts: ['{}'], refuses: ['{ a: 1 }'] },
  { name: 'additionalProperties alone', schema: { type: 'object', additionalProperties: { type: 'number' } }, type: '{ [key: string]: number }', accepts: ['{ a: 1 }'], refuses: ['{ a: "1" }'] },
  {
    name: 'additionalProperties beside properties',
    schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: { type: 'number' } },
    type: '{ a: string; [key: string]: number | string; }',
    accepts: ['{ a: "x", b: 1 }'],
    refuses: ['{ a: "x", b: true }', '{ a: 1 }'],
  },
  {
    name: 'additionalProperties beside optional properties',
    schema: { properties: { a: { type: 'string' } }, additionalProperties: { type: 'number' } },
    type: '{ a?: string; [key: string]: number | string | undefined; }',
    accepts: ['{ b: 1 }', '{ a: "x" }'],
    refuses: ['{ b: true }'],
  },
  { name: 'additionalProperties: true', schema: { properties: { a: { type: 'string' } }, additionalProperties: true }, type: '{ a?: string; [key: string]: unknown; }', accepts: ['{ a: "x", other: [1] }'], refuses: ['{ a: 1 }'] },
  { name: 'patternProperties', schema: { type: 'object', patternProperties: { '^x-': { type: 'string' } } }, type: '{ [key: string]: string }', accepts: ['{ "x-a": "b" }'], refuses: ['{ "x-a": 1 }'] },
  { name: 'object or null', schema: { type: ['object', 'null'], properties: { a: { type: 'string' } } }, type: '{ a?: string; } | null', accepts: ['null', '{}'], refuses: ['"x"'] },
  // arrays
  { name: 'array of strings', schema: { type: 'array', items: { type: 'string' } }, type: 'string[]', accepts: ['["a"]'], refuses: ['[1]'] },
  { name: 'array of a union', schema: { type: 'array', items: { type: ['string', 'integer'] } }, type: '(string | number)[]', accepts: ['["a", 1]'], refuses: ['[true]'] },
  { name: 'array without items', schema: { type: 'array' }, type: 'unknown[]', accepts: ['[1, "a"]'], refuses: ['{}'] },
  { name: 'array of a negative literal', schema: { type: 'array', items: { const: -1 } }, type: '(-1)[]', accepts: ['[-1]'], refuses: ['[1]'] },
  {
    name: 'prefixItems, closed',
    schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 1, items: false },
    type: '[string, number?]',
    accepts: ['["a"]', '["a", 1]'],
    refuses: ['["a", 1, 2]', '[1]', '[]'],
  },
  { name: 'prefixItems with items', schema: { prefixItems: [{ type: 'string' }], items: { type: 'boolean' }, minItems: 1 }, type: '[string, ...boolean[]]', accepts: ['["a", true, false]'], refuses: ['["a", 1]'] },
  { name: 'prefixItems, open', schema: { type: 'array', prefixItems: [{ type: 'string' }] }, type: '[string?, ...unknown[]]', accepts: ['[]', '["a", 1]'], refuses: ['[1]'] },
  { name: 'draft 7 tuple', schema: { type: 'array', items: [{ type: 'string' }], additionalItems: false, minItems: 1 }, type: '[string]', accepts: ['["a"]'], refuses: ['["a", "b"]'] },
  // combinators
  {
    name: 'allOf is an intersection',
    schema: { allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'number' } }, required: ['b'] }] },
    type: '{ a: string; } & { b: number; }',
    accepts: ['{ a: "x", b: 1 }'],
    refuses: ['{ a: "x" }'],
  },
  { name: 'oneOf is a union', schema: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, type: 'string | number', accepts: ['"a"', '1'], refuses: ['true'] },
  {
    name: 'anyOf beside properties',
    schema: {
      type: 'object',
      properties: { kind: { type: 'string' } },
      required: ['kind'],
      anyOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'number' } }, required: ['b'] }],
    },
    type: '{ kind: string; } & ({ a: string; } | { b: number; })',
    accepts: ['{ kind: "x", a: "y" }', '{ kind: "x", b: 1 }'],
    refuses: ['{ kind: "x" }'],
  },
  // refs
  { name: '$ref to a shared schema', schema: { $ref: '#/schemas/Pet' }, schemas: { Pet: PET }, type: 'Pet', named: [PET_NAMED], accepts: ['{ name: "Rex" }'], refuses: ['{ name: 1 }'] },
  {
    name: '$ref into a shared schema',
    schema: { $ref: '#/schemas/Pet/properties/name', description: 'ignored' },
    schemas: { Pet: PET },
    type: 'Name',
    named: [PET_NAMED, 'type Name = string;'],
  },
  { name: 'nullable $ref (OpenAPI 3.0)', schema: { nullable: true, allOf: [{ $ref: '#/schemas/Pet' }] }, schemas: { Pet: PET }, type: 'Pet | null', accepts: ['null'] },
  { name: 'bare object beside a $ref', schema: { type: 'object', allOf: [{ $ref: '#/schemas/Pet' }] }, schemas: { Pet: PET }, type: 'Pet', refuses: ['{ name: "Rex", nmae: "x" }'] },
  {
    name: '$ref beside properties',
    schema: { $ref: '#/schemas/Pet', properties: { age: { type: 'integer' } }, required: ['age'] },
    schemas: { Pet: PET },
    type: '{ age: number; } & Pet',
    accepts: ['{ name: "Rex", age: 3 }'],
    refuses: ['{ name: "Rex" }'],
  },
  {
    name: 'local $defs',
    schema: {
      type: 'object',
      properties: { results: { type: 'array', items: { $ref: '#/$defs/Bird' } } },
      required: ['results'],
      $defs: { Bird: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } },
    },
    type: '{ results: Bird[]; }',
    named: ['type Bird = { id: number; };'],
    accepts: ['{ results: [{ id: 1 }] }'],
    refuses: ['{ results: [{ id: "1" }] }'],
  },
  {
    name: 'dangling, external and unknown refs',
    schema: {
      type: 'object',
      properties: {
        a: { $ref: '#/schemas/Missing' },
        b: { $ref: '#/$defs/Missing' },
        c: { $ref: 'other.json#/X' },
        d: { $ref: '#anchor' },
        e: { $ref: '#/properties/constructor' },
      },
    },
    type: '{ a?: unknown; b?: unknown; c?: unknown; d?: unknown; e?: unknown; }',
    named: [],
    accepts: ['{ a: 1, b: "x", c: null, d: [], e: {} }'],
  },
  {
    name: 'schema names sanitized and made distinct',
    // Percent-encoded as in a URI fragment, or not as the OpenAPI import writes them; ~1 is "/" in a JSON Pointer.
    schema: { anyOf: ['pet-status', 'pet_status', '200', 'class', 'pet%20status', '100%', 'a~1b'].map((n) => ({ $ref: `#/schemas/${n}` })) },
    schemas: {
      'pet-status': { enum: ['a'] },
      pet_status: { type: 'string' },
      '200': { type: 'number' },
      class: { type: 'boolean' },
      'pet status': { type: 'null' },
      '100%': { const: 1 },
      'a/b': { const: 2 },
    },
    type: 'pet_status_2 | pet_status | _200 | class_ | pet_status_3 | _100_ | a_b',
    // Object key order: an integer-like key first.
    named: ['type _200 = number;', 'type pet_status_2 = "a";', 'type pet_status = string;', 'type class_ = boolean;', 'type pet_status_3 = null;', 'type _100_ = 1;', 'type a_b = 2;'],
  },
  // recursion
  {
    name: 'recursive shared schema',
    schema: { $ref: '#/schemas/Node' },
    schemas: {
      Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/schemas/Node' } } }, required: ['name', 'children'] },
    },
    type: 'Node',
    named: ['type Node = { name: string; children: Node[]; };'],
    accepts: ['{ name: "a", children: [{ name: "b", children: [] }] }'],
    refuses: ['{ name: "a", children: [{ name: 1, children: [] }] }'],
  },
  {
    name: 'recursion through the root (#)',
    schema: { type: 'object', properties: { value: { type: 'number' }, next: { $ref: '#' } } },
    type: 'Root',
    named: ['type Root = { value?: number; next?: Root; };'],
    accepts: ['{ next: { next: { value: 1 } } }'],
    refuses: ['{ next: { next: { value: "1" } } }'],
  },
  {
    name: 'mutual recursion through inline $defs',
    schema: { $ref: '#/$defs/A', $defs: { A: { type: 'object', properties: { b: { $ref: '#/$defs/B' } } }, B: { type: 'array', items: { $ref: '#/$defs/A' } } } },
    type: 'A',
    named: ['type A = { b?: B; };', 'type B = A[];'],
    accepts: ['{ b: [{ b: [] }, {}] }'],
    refuses: ['{ b: [{ b: {} }] }'],
  },
  {
    name: 'schemas that are themselves through unions and intersections end as unknown there',
    schema: { type: 'array', items: { $ref: '#/schemas/Loop' } },
    schemas: {
      Loop: { anyOf: [{ $ref: '#/schemas/Loop' }, { type: 'string' }] },
      Ping: { $ref: '#/schemas/Pong' },
      Pong: { allOf: [{ $ref: '#/schemas/Ping' }, { type: 'object', properties: { n: { type: 'number' } } }] },
      Self: { $ref: '#' },
    },
    type: 'Loop[]',
    named: ['type Loop = unknown;', 'type Ping = Pong;', 'type Pong = { n?: number; };', 'type Self = unknown;'],
  },
  // garbage: never a crash, unknown where nothing can be said
  ...GARBAGE.map((schema): Case => ({ name: `garbage ${JSON.stringify(schema)}`, schema, type: 'unknown' })),
  { name: 'garbage {"properties":"x","required":"y"}', schema: { properties: 'x', required: 'y' }, type: '{ [key: string]: unknown }' },
  { name: 'garbage {"items":5}', schema: { items: 5 }, type: 'unknown[]' },
  { name: 'runaway nesting', schema: nested(1000), type: `unknown${'[]'.repeat(65)}` },
  { name: 'a structure that contains itself', schema: selfContaining() },
];

function nested(depth: number): unknown {
  let schema: unknown = { type: 'string' };
  for (let i = 0; i < depth; i++) schema = { type: 'array', items: schema };
  return schema;
}

function selfContaining(): unknown {
  const schema = { type: 'object', properties: {} as Record<string, unknown> };
  schema.properties.self = schema;
  return schema;
}

interface Converted {
  readonly type: string;
  readonly named: readonly string[];
}

function convert({ schema, schemas }: Case): Converted {
  const converter = new SchemaConverter(schemas);
  const type = printType(converter.convert(schema, 'Root'));
  return { type, named: converter.namedTypes().map(({ name, type: t, doc }) => `${jsdoc(doc, '')}type ${name} = ${printType(t)};`) };
}

/** A module that declares the type and assigns it what it must accept and, expecting an error each, what it must refuse. */
function caseModule(c: Case, { type, named }: Converted): string {
  const refused = (c.refuses ?? []).map((value, i) => `// @ts-expect-error\nexport const refused${i}: Subject__ = ${value};`);
  return ['export {};', ...named, `type Subject__ = ${type};`, `export const accepted: Subject__[] = [${(c.accepts ?? []).join(', ')}];`, ...refused].join('\n');
}

describe('JSON Schema to TypeScript', () => {
  const converted = CASES.map(convert);
  let checked: TypeChecked;

  beforeAll(() => {
    checked = typeCheck(Object.fromEntries(CASES.map((c, i) => [`converter-case-${i}.ts`, caseModule(c, converted[i] as Converted)])), DIR);
  });

  test.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = CASES[i] as Case;
    const { type, named } = converted[i] as Converted;
    if (c.type !== undefined) expect(collapse(type)).toBe(c.type);
    if (c.named !== undefined) expect(named.map(collapse)).toEqual(c.named);
    // Accepted values compile, each refused one fails (an unused @ts-expect-error is itself an error).
    expect(checked.problems(`converter-case-${i}.ts`)).toEqual([]);
  });

  test('the same schemas give the same text', () => {
    expect(CASES.map(convert)).toEqual(converted);
  });
});

// -----------------------------------------------------------------------------------------------------------------

const SHOP: DefinitionInput = {
  name: 'shop',
  description: 'A shop. Its description ends a comment: */ and goes on.',
  hostname: 'shop.example.com',
  schemas: {
    Node: {
      type: 'object',
      description: 'A category tree.',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/schemas/Node' } } },
      required: ['name', 'children'],
    },
    'pet-status': { type: 'string', enum: ['available', 'sold'] },
    Broken: { $ref: '#/schemas/Missing' },
  },
  actions: [
    {
      name: 'getNode',
      description: 'Gets a node.',
      method: 'GET',
      path: '/nodes/{nodeId}',
      parameters: [
        // Not marked required: a path parameter is required all the same.
        { name: 'nodeId', in: 'path', schema: { type: 'integer' }, description: 'Which node.' },
        { name: 'depth', in: 'query', schema: { type: 'integer' } },
        { name: 'X-Trace-Id', in: 'header', required: true, schema: { type: 'string' } },
      ],
      responseSchema: { $ref: '#/schemas/Node' },
    },
    {
      name: 'updatePet',
      description: 'Updates a pet.',
      method: 'PUT',
      path: '/pet',
      requestBody: {
        required: true,
        schema: {
          type: 'object',
          properties: { status: { $ref: '#/schemas/pet-status' }, meta: { type: 'object', additionalProperties: { type: 'number' } } },
          required: ['status'],
        },
      },
      responseSchema: {
        $ref: '#/$defs/Category',
        $defs: { Category: { type: 'object', properties: { name: { type: 'string' }, parent: { $ref: '#/$defs/Category' } }, required: ['name'] } },
      },
    },
    { name: 'oldThing', description: 'Does the old thing.', method: 'POST', path: '/old', deprecated: true },
    {
      name: 'updateItem',
      description: 'Three parameters named id, each under its own input name.',
      method: 'PUT',
      path: '/items/{id}',
      parameters: [
        { name: 'id', in: 'path', input: 'id_path', schema: { type: 'string' } },
        { name: 'id', in: 'query', schema: { type: 'integer' } },
        { name: 'id', in: 'cookie', input: 'id_cookie', schema: { type: 'string', description: 'The session.' } },
      ],
      requestBody: { schema: { type: 'object' } },
    },
    {
      name: 'dangling',
      description: 'Answers with what its schema cannot say.',
      method: 'GET',
      path: '/dangling',
      parameters: [{ name: 'q', in: 'query', schema: { $ref: 'https://example.com/q.json' } }],
      requestBody: { schema: { $ref: '#/schemas/Broken' } },
      responseSchema: { $ref: '#/$defs/Nope' },
    },
  ],
};

/** Sorts before "shop" and would take the same namespace; has a schema named like one of shop's. */
const OTHER_SHOP: DefinitionInput = {
  name: 'Shop',
  description: 'Another shop.',
  hostname: 'other.example.com',
  schemas: { Node: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
  actions: [{ name: 'getNode', description: 'Gets a node.', method: 'GET', path: '/node', responseSchema: { $ref: '#/schemas/Node' } }],
};

const WORKFLOW_PREAMBLE = `import { integration } from '../workflows';
import './generated-types';
const shop = integration('shop');
`;

/** Each with one mistake, and the compiler error it must cause. */
const MISTAKES: Record<string, { code: string; expected: RegExp }> = {
  'a wrong parameter type': { code: `shop.getNode({ nodeId: 'one', 'X-Trace-Id': 't' });`, expected: /Type 'string' is not assignable to type 'number'/ },
  'a missing path parameter': { code: `shop.getNode({ 'X-Trace-Id': 't' });`, expected: /Property 'nodeId' is missing/ },
  'a missing required header': { code: `shop.getNode({ nodeId: 1 });`, expected: /Property '"X-Trace-Id"' is missing/ },
  'a misspelt parameter': { code: `shop.getNode({ nodeId: 1, 'X-Trace-Id': 't', deph: 2 });`, expected: /'deph' does not exist/ },
  'a missing required body': { code: `shop.updatePet({});`, expected: /Property 'body' is missing/ },
  'a path parameter given under its wire name, not its input name': { code: `shop.updateItem({ id: 1 });`, expected: /Property 'id_path' is missing/ },
  'a value outside an enum': { code: `shop.updatePet({ body: { status: 'lost' } });`, expected: /Type '"lost"' is not assignable to type 'pet_status'/ },
  'input to an action that takes none': { code: `shop.oldThing({ a: 1 });`, expected: /not assignable to type 'never'/ },
  'an unknown action': { code: `shop.nope({});`, expected: /Property 'nope' does not exist/ },
  'a misspelt output property': {
    code: `export async function f() { return (await shop.getNode({ nodeId: 1, 'X-Trace-Id': 't' })).nmae; }`,
    expected: /Property 'nmae' does not exist on type 'Node'/,
  },
  'an unchecked use of an unknown output': { code: `export async function f() { return (await shop.dangling({})).x; }`, expected: /is of type 'unknown'/ },
  'an output used as the wrong type': {
    code: `export async function f(): Promise<number> { return (await integration('Shop').getNode({})).id; }`,
    expected: /Type 'string' is not assignable to type 'number'/,
  },
};

const CORRECT = `${WORKFLOW_PREAMBLE}
export async function correct(): Promise<string[]> {
  const node = await shop.getNode({ nodeId: 1, 'X-Trace-Id': 't' });
  const withDepth = await shop.getNode({ nodeId: 1, depth: 2, 'X-Trace-Id': 't' });
  const grandchildren: string[] = [...node.children, ...withDepth.children].flatMap((c) => c.children.map((g) => g.name));
  const pet = await shop.updatePet({ body: { status: 'sold', meta: { weight: 3 } } });
  const grandparent: string | undefined = pet.parent?.parent?.name;
  const old: unknown = await shop.oldThing({});
  await shop.updateItem({ id_path: 'a', id: 2, id_cookie: 'c', body: {} });
  const dangling: unknown = await shop.dangling({ q: { anything: true }, body: [1] });
  const other: string = (await integration('Shop').getNode({})).id;
  // An integration without generated types stays untyped.
  const untyped: unknown = await integration('elsewhere').anything({ x: 1 });
  return [...grandchildren, grandparent ?? '', String(old), String(dangling), other, String(untyped)];
}
`;

describe('generated types in workflow code', () => {
  const generated = generateTypes([Definition.parse(SHOP), Definition.parse(OTHER_SHOP)], { moduleName: '../workflows' });
  const mistakes = Object.entries(MISTAKES);
  let checked: TypeChecked;

  beforeAll(() => {
    checked = typeCheck(
      {
        'generated-types.ts': generated,
        'correct-calls.ts': CORRECT,
        ...Object.fromEntries(mistakes.map(([, { code }], i) => [`mistake-${i}.ts`, `${WORKFLOW_PREAMBLE}${code}\n`])),
      },
      DIR,
    );
  });

  test('compile on their own and with correct calls', () => {
    expect(checked.problems('generated-types.ts')).toEqual([]);
    expect(checked.problems('correct-calls.ts')).toEqual([]);
  });

  test.each(mistakes.map(([name, { expected }], i) => [name, expected, i] as const))('refuse %s', (_name, expected, i) => {
    const problems = checked.problems(`mistake-${i}.ts`);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(expected);
  });

  test('namespace the schemas of each integration, in a stable order', () => {
    expect(generated.startsWith(`${GENERATED_HEADER}\n`)).toBe(true);
    // "Shop" sorts before "shop" and gets the plain namespace name.
    expect(generated).toMatch(/export declare namespace Shop \{\n {2}export type Node = \{\n {4}id: string;/);
    expect(generated).toMatch(/export declare namespace Shop_2 \{\n {2}\/\*\* A category tree\. \*\/\n {2}export type Node = /);
    expect(generated).toContain('export type Broken = unknown;');
    expect(generated.indexOf('    Shop: {')).toBeLessThan(generated.indexOf('    shop: {'));
    expect(generateTypes([Definition.parse(OTHER_SHOP), Definition.parse(SHOP)], { moduleName: '../workflows' })).toBe(generated);
  });

  test('carry descriptions and deprecation to the call site', () => {
    const file = checked.sourceFile('correct-calls.ts');
    const at = file.text.indexOf('oldThing');
    const call = findNode(file, (node) => ts.isIdentifier(node) && node.getStart() === at);
    const symbol = checked.program.getTypeChecker().getSymbolAtLocation(call);
    const checker = checked.program.getTypeChecker();
    expect(symbol?.getJsDocTags(checker).map((t) => t.name)).toEqual(['deprecated']);
    expect(ts.displayPartsToString(symbol?.getDocumentationComment(checker))).toBe('Does the old thing.\n\n`POST /old`');
    expect(generated).toContain('/** A shop. Its description ends a comment: *\\/ and goes on. */');
    expect(generated).toContain('/** Which node. */\n          nodeId: number;');
    expect(generated).toContain('/** Sent as path parameter `id`. */\n          id_path: string;');
    expect(generated).toContain('/**\n           * The session.\n           *\n           * Sent as cookie parameter `id`.\n           */\n          id_cookie?: string;');
  });

  test('refuse two integrations of the same name', () => {
    expect(() => generateTypes([Definition.parse(SHOP), Definition.parse(SHOP)])).toThrow('integration "shop" is defined twice');
  });

  test('augment the package module unless told otherwise', () => {
    expect(generateTypes([])).toContain(`declare module "temporal-custom-integrations/workflow" {\n  interface IntegrationRegistry {}\n}`);
  });
});

function findNode(root: ts.Node, matches: (node: ts.Node) => boolean): ts.Node {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (!found && matches(node)) found = node;
    else if (!found) ts.forEachChild(node, visit);
  };
  visit(root);
  if (!found) throw new Error('node not found');
  return found;
}

// -----------------------------------------------------------------------------------------------------------------

const DEMO_TYPES = path.join(ROOT, 'demo', 'pedro-aviary.types.ts');

test('demo/pedro-aviary.types.ts is what the command generates from definitions/', () => {
  const regenerated = generateTypes(loadDefinitions(path.join(ROOT, 'definitions')), { moduleName: '../workflows' });
  // On failure: npm run build && node dist/src/cli/main.js types --module ../workflows --out demo/pedro-aviary.types.ts
  expect(readFileSync(DEMO_TYPES, 'utf8')).toBe(regenerated);
});

describe('custom-integrations types', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'types-command-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('writes the types of the definitions folder to --out, with nothing left beside it, and says what it wrote', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const config = resolveTemporalConfig({ definitionsDir: path.join(ROOT, 'definitions') }, { env: {} });
    const out = path.join(scratch, 'types', 'integrations.d.ts');
    const options = { out, module: '../workflows' };
    expect(await typesCommand({ config, args: [], options })).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(DEMO_TYPES, 'utf8'));
    expect(readdirSync(path.dirname(out))).toEqual(['integrations.d.ts']);
    expect(log.mock.calls).toEqual([[expect.stringMatching(/^wrote \S*integrations\.d\.ts: types of 4 actions of 1 integration$/)]]);
  });

  test('writes integrations.d.ts in the current folder by default, for the package module', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const config = resolveTemporalConfig({ definitionsDir: path.join(ROOT, 'definitions') }, { env: {} });
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      await typesCommand({ config, args: [], options: {} });
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(path.join(scratch, 'integrations.d.ts'), 'utf8')).toContain('declare module "temporal-custom-integrations/workflow"');
  });

  test('keys inputs by input name, which may differ from the name on the wire', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const definitions = path.join(scratch, 'definitions');
    mkdirSync(definitions);
    const action = {
      name: 'getItem',
      description: 'Gets an item.',
      method: 'GET',
      path: '/items/{id}',
      parameters: [
        { name: 'id', in: 'path', input: 'itemId', schema: { type: 'string' } },
        { name: 'id', in: 'query', schema: { type: 'integer' } },
      ],
    };
    writeFileSync(path.join(definitions, 'items.json'), JSON.stringify({ name: 'items', description: 'Items', hostname: 'items.example', actions: [action] }));
    const out = path.join(scratch, 'integrations.d.ts');
    await typesCommand({ config: resolveTemporalConfig({ definitionsDir: definitions }, { env: {} }), args: [], options: { out } });
    expect(collapse(readFileSync(out, 'utf8'))).toContain('input: { /** Sent as path parameter `id`. */ itemId: string; id?: number; };');
  });

  test('leaves an existing file alone when the definitions are wrong', async () => {
    const definitions = path.join(scratch, 'definitions');
    const out = path.join(scratch, 'integrations.d.ts');
    mkdirSync(definitions);
    writeFileSync(path.join(definitions, 'bad.json'), '{"name": "bad"}');
    writeFileSync(out, 'before');
    const config = resolveTemporalConfig({ definitionsDir: definitions }, { env: {} });
    await expect(typesCommand({ config, args: [], options: { out } })).rejects.toThrow(/bad\.json/);
    expect(readFileSync(out, 'utf8')).toBe('before');
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });
});
