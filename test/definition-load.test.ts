import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefinitionError, type DefinitionProblem } from '../src/definition/errors';
import { DEFINITION_SCHEMA_ID, definitionJsonSchema } from '../src/definition/json-schema';
import { loadDefinitionFile, loadDefinitions, parseDefinition } from '../src/definition/load';
import { actionPagination } from '../src/definition/model';
import { findJsonSyntaxError, parsePointer, sourceLocation, SourceLocator, toPointer } from '../src/source-location';

let scratch: string;
let dirCount = 0;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'definition-load-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh folder holding the given files. */
function folder(files: Record<string, string | Buffer>): string {
  const dir = path.join(scratch, `definitions-${++dirCount}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

function problemsOf(load: () => unknown): DefinitionProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof DefinitionError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a DefinitionError');
}

/** `line:column pointer: message` of each problem, as the report shows them. */
function summary(problems: readonly DefinitionProblem[]): string[] {
  return problems.map((p) => `${p.line}:${p.column} ${p.pointer}: ${p.message}`);
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

const MINIMAL = { name: 'birdShop', description: 'Birds for sale', hostname: 'api.birds.example' };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const SVG = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="3"/></svg>\n';

describe('valid definitions', () => {
  test('a JSON definition loads with defaults filled in', () => {
    const dir = folder({
      'bird-shop.json': json({
        $schema: '../definition.schema.json',
        ...MINIMAL,
        actions: [{ name: 'getBird', description: 'One bird', method: 'GET', path: '/birds/{id}', parameters: [{ name: 'id', in: 'path' }] }],
      }),
    });
    const definition = loadDefinitionFile(path.join(dir, 'bird-shop.json'));
    expect(definition).toMatchObject({
      name: 'birdShop',
      status: 'draft',
      scheme: 'https',
      basePath: '',
      headers: {},
      auth: { type: 'none' },
      pagination: { type: 'none' },
    });
    expect(definition.actions[0]).toMatchObject({ paginated: false, deprecated: false, tags: [] });
  });

  test('a YAML definition loads with defaults filled in', () => {
    const yaml = [
      'name: birdShop',
      'description: Birds for sale',
      'hostname: api.birds.example',
      'auth:',
      '  type: oauth2',
      '  grantType: client_credentials',
      '  tokenUrl: https://auth.birds.example/token',
      'pagination: { type: page, resultsKey: data.items, pageParam: page }',
      'actions:',
      '  - name: listBirds',
      '    description: Lists birds',
      '    method: GET',
      '    path: /birds',
      '    paginated: true',
    ].join('\n');
    const definition = parseDefinition(yaml, { file: 'bird-shop.yaml' });
    expect(definition.auth).toMatchObject({
      type: 'oauth2',
      accessTokenScheme: 'Bearer',
      tokenKey: 'access_token',
      refresh: { strategy: 'automatic', bufferSeconds: 300 },
    });
    expect(definition.pagination).toEqual({ type: 'page', resultsKey: 'data.items', pageParam: 'page', startPage: 1, pageLimit: 20 });
    expect(definition.actions[0]?.parameters).toEqual([]);
  });

  test('loadDefinitions reads the JSON and YAML files of a folder in name order and nothing else', () => {
    const dir = folder({
      'b.yaml': 'name: second\ndescription: B\nhostname: b.example\n',
      'a.json': json({ ...MINIMAL, name: 'first' }),
      'c.yml': 'name: third\ndescription: C\nhostname: c.example\n',
      'notes.txt': 'not a definition',
    });
    expect(loadDefinitions(dir).map((d) => d.name)).toEqual(['first', 'second', 'third']);
  });
});

describe('validation problems', () => {
  const BAD_YAML = [
    'name: birdShop', // 1
    'description: Birds for sale', // 2
    'hostname: api.birds.example', // 3
    'status: live', // 4
    'auth:', // 5
    '  type: apiKey', // 6
    '  in: body', // 7
    'actions:', // 8
    '  - name: listBirds', // 9
    '    description: Lists birds', // 10
    '    method: FETCH', // 11
    '    path: /birds', // 12
    '    mehtod: GET', // 13
    '  - name: getBird', // 14
    '    method: get', // 15
    '    path: /birds/{id}', // 16
  ].join('\n');

  test('every problem of a file is listed, each at its line and column', () => {
    const problems = problemsOf(() => parseDefinition(BAD_YAML, { file: 'definitions/bird-shop.yaml' }));
    expect(summary(problems)).toEqual([
      '4:9 /status: must be one of "draft", "published", "hidden", "deprecated"; got "live"',
      '7:7 /auth/in: must be one of "header", "query", "cookie"; got "body"',
      '11:13 /actions/0/method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"; got "FETCH"',
      '13:13 /actions/0/mehtod: unknown key; did you mean "method"?',
      // A missing key is placed at the object that lacks it.
      '14:5 /actions/1/description: required, but missing (a string)',
      '15:13 /actions/1/method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"; got "get": did you mean "GET"?',
    ]);
    expect(problems.every((p) => p.file === 'definitions/bird-shop.yaml')).toBe(true);
  });

  test('the error message is a readable report that ends with what to do', () => {
    let message = '';
    try {
      parseDefinition(BAD_YAML, { file: 'definitions/bird-shop.yaml' });
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionError);
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('definitions/bird-shop.yaml: 6 problems');
    expect(lines[1]).toBe('  4:9 /status: must be one of "draft", "published", "hidden", "deprecated"; got "live"');
    expect(lines[2]).toMatch(/^ {2}7:7 \/auth\/in: /);
    expect(lines[lines.length - 1]).toMatch(/^Fix the problems above and load again\..*definition\.schema\.json/);
  });

  test('JSON problems are located too', () => {
    const text = [
      '{', // 1
      '  "name": "bird shop",', // 2
      '  "description": "Birds for sale",', // 3
      '  "hostname": "https://api.birds.example",', // 4
      '  "headers": { "X Trace": "1" },', // 5
      '  "actions": [', // 6
      '    { "name": "listBirds", "description": "", "method": "GET", "path": "/birds", "timeoutMs": "30" }', // 7
      '  ]', // 8
      '}', // 9
    ].join('\n');
    const problems = problemsOf(() => parseDefinition(text, { file: 'bird-shop.json' }));
    expect(summary(problems)).toEqual([
      '2:11 /name: integration name must be an identifier: a letter, then letters, digits or _ (it becomes part of a Temporal activity name)',
      '4:15 /hostname: hostname is the API host without scheme or path, e.g. "api.example.com" or "localhost:8080"',
      '5:27 /headers/X Trace: key "X Trace": not a valid HTTP header name',
      '7:43 /actions/0/description: an action needs a description',
      '7:95 /actions/0/timeoutMs: expected a number, got "30"',
    ]);
  });

  test('duplicate action names', () => {
    const text = json({
      ...MINIMAL,
      actions: [
        { name: 'listBirds', description: 'Lists birds', method: 'GET', path: '/birds' },
        { name: 'listBirds', description: 'Lists them again', method: 'GET', path: '/birds/all' },
      ],
    });
    expect(summary(problemsOf(() => parseDefinition(text, { file: 'bird-shop.json' })))).toEqual([
      '13:15 /actions/1/name: action name "listBirds" is already used by actions[0]',
    ]);
  });

  test('a path placeholder without its parameter', () => {
    const yaml = [
      'name: birdShop',
      'description: Birds for sale',
      'hostname: api.birds.example',
      'actions:',
      '  - name: getBird',
      '    description: One bird',
      '    method: GET',
      '    path: /birds/{birdId}',
      '    parameters:',
      '      - { name: id, in: path }',
    ].join('\n');
    expect(summary(problemsOf(() => parseDefinition(yaml, { file: 'bird-shop.yaml' })))).toEqual([
      '8:11 /actions/0/path: path placeholder {birdId} has no path parameter; declare { "name": "birdId", "in": "path" }',
      '10:17 /actions/0/parameters/0/name: path parameter "id" does not appear in path /birds/{birdId}',
    ]);
  });

  test('two parameters with one input name, or one named like the body, are refused with the fix; "input" sets them apart', () => {
    const yaml = (query: string) =>
      [
        'name: birdShop',
        'description: Birds for sale',
        'hostname: api.birds.example',
        'actions:',
        '  - name: updateBird',
        '    description: Updates a bird',
        '    method: PUT',
        '    path: /birds/{id}',
        '    requestBody: { schema: { type: object } }',
        '    parameters:',
        '      - { name: id, in: path }',
        `      - { name: id, in: query${query} }`,
        `      - { name: body, in: query${query ? ', input: body_query' : ''} }`,
        `      - { name: other, in: cookie, input: ${query ? 'other' : 'id'} }`,
      ].join('\n');
    expect(summary(problemsOf(() => parseDefinition(yaml(''), { file: 'bird-shop.yaml' })))).toEqual([
      '12:17 /actions/0/parameters/1/name: query parameter "id" has the same input name "id" as path parameter "id"; inputs are keyed by it, so set "input" on one of them, e.g. "id_query"',
      '13:17 /actions/0/parameters/2/name: query parameter "body" has the input name "body", which holds the request body; set "input" on it to another key, e.g. "body_query"',
      '14:43 /actions/0/parameters/3/input: cookie parameter "other" has the same input name "id" as path parameter "id"; inputs are keyed by it, so set "input" on one of them, e.g. "other_cookie"',
    ]);
    const action = parseDefinition(yaml(', input: id_query'), { file: 'bird-shop.yaml' }).actions[0];
    expect(action?.parameters.map((p) => [p.in, p.name, p.input])).toEqual([
      ['path', 'id', undefined],
      ['query', 'id', 'id_query'],
      ['query', 'body', 'body_query'],
      ['cookie', 'other', 'other'],
    ]);
  });

  test.each([
    [{ auth: { type: 'oauth2', grantType: 'none', refresh: { strategy: 'automatic', bufferSeconds: 29 } } }, '/auth/refresh/bufferSeconds', 'must be an integer from 30 to 3600; got 29'],
    [{ auth: { type: 'oauth2', grantType: 'none', refresh: { strategy: 'customInterval', intervalSeconds: 90000 } } }, '/auth/refresh/intervalSeconds', 'must be an integer from 300 to 86400; got 90000'],
    [{ pagination: { type: 'index', resultsKey: 'items', indexParam: 'offset', defaultPageSize: 1001 } }, '/pagination/defaultPageSize', 'must be an integer from 1 to 1000; got 1001'],
  ])('a value out of range is refused with the range: %#', (fields, pointer, message) => {
    const problems = problemsOf(() => parseDefinition(json({ ...MINIMAL, ...fields }), { file: 'bird-shop.json' }));
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([[pointer, message]]);
  });

  test('an action pagination that breaks the merged pagination is reported at the action', () => {
    const text = json({
      ...MINIMAL,
      pagination: { type: 'index', resultsKey: 'items', indexParam: 'offset' },
      actions: [{ name: 'listBirds', description: 'd', method: 'GET', path: '/birds', paginated: true, pagination: { defaultPageSize: 1001 } }],
    });
    expect(problemsOf(() => parseDefinition(text, { file: 'bird-shop.json' })).map((p) => [p.pointer, p.message])).toEqual([
      ['/actions/0/pagination/defaultPageSize', 'must be an integer from 1 to 1000; got 1001'],
    ]);
  });

  test('an action pagination override knows the pagination fields: a misspelt one is named, and it inherits the rest', () => {
    const base = { ...MINIMAL, pagination: { type: 'index', resultsKey: 'items', indexParam: 'offset', pageLimit: 7 } };
    const action = { name: 'listBirds', description: 'd', method: 'GET', path: '/birds', paginated: true };
    const bad = json({ ...base, actions: [{ ...action, pagination: { resultKey: 'birds' } }] });
    expect(problemsOf(() => parseDefinition(bad, { file: 'bird-shop.json' })).map((p) => [p.pointer, p.message])).toEqual([
      ['/actions/0/pagination/resultKey', 'unknown key; did you mean "resultsKey"?'],
    ]);
    const good = parseDefinition(json({ ...base, actions: [{ ...action, pagination: { resultsKey: 'birds' } }] }), { file: 'bird-shop.json' });
    expect(good.actions[0]?.pagination).toEqual({ resultsKey: 'birds' });
    expect(actionPagination(good, good.actions[0]!)).toEqual({ type: 'index', resultsKey: 'birds', indexParam: 'offset', pageLimit: 7 });
  });

  test('an empty file and a file that is not an object', () => {
    expect(summary(problemsOf(() => parseDefinition('\n', { file: 'empty.yaml' })))).toEqual([
      '1:1 : the file is empty; a definition is an object with name, description, hostname and actions',
    ]);
    expect(summary(problemsOf(() => parseDefinition('- a\n- b\n', { file: 'list.yaml' })))).toEqual(['1:1 : expected an object, got an array']);
  });
});

describe('syntax errors', () => {
  test.each([
    ['a missing comma', '{\n  "name": "x",\n  "description": "d"\n  "hostname": "h"\n}', '4:3', 'a comma is missing before this property'],
    ['a missing value', '{\n  "name": }', '2:11', 'expected a value (a string, number, object, array, true, false or null), found "}"'],
    ['a trailing comma', '{\n  "name": "x",\n}', '2:14', 'trailing comma: JSON allows no comma before }'],
    ['a comment', '{\n  // the name\n  "name": "x"\n}', '2:3', 'comments are not allowed in JSON'],
    ['an unclosed string', '{\n  "name": "x\n}', '2:13', 'line break inside a string: is the closing quote missing? (write \\n for a line break in the text)'],
    ['single quotes', "{\n  'name': 'x'\n}", '2:3', 'property names must be in double quotes, not single quotes'],
    ['a missing brace', '{\n  "name": "x"\n', '3:1', 'unexpected end of the text: "}" is missing'],
  ])('JSON: %s', (_, text, at, message) => {
    const problems = problemsOf(() => parseDefinition(text, { file: 'broken.json' }));
    expect(problems.map((p) => [`${p.line}:${p.column}`, p.pointer, p.message])).toEqual([[at, '', message]]);
  });

  test('JSON after a byte order mark is located as editors show it', () => {
    const problems = problemsOf(() => parseDefinition('\uFEFF{"name": }', { file: 'bom.json' }));
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['1:10']);
  });

  test('YAML: every error, located', () => {
    const yaml = ['name: birdShop', 'description: Birds', 'name: again', 'actions: [', '  { name: a'].join('\n');
    const problems = problemsOf(() => parseDefinition(yaml, { file: 'broken.yaml' }));
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['3:1', '5:12', '5:12']);
    expect(problems[0]).toMatchObject({ pointer: '', message: 'Map keys must be unique' });
  });

  test('YAML: an alias without its anchor, located', () => {
    const problems = problemsOf(() => parseDefinition('name: birdShop\nauth: *shared\n', { file: 'alias.yaml' }));
    expect(summary(problems)).toEqual(['2:7 : Unresolved alias (the anchor must be set before the alias): shared']);
  });

  test('findJsonSyntaxError accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', '0', '-1.5e+3', '"\\u00e9\\n"', ' [ true , false , null , {"a" : [ ] } ] ']) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
    for (const text of ['', '01', '1.', '-', '+1', '[1,]', '{"a" 1}', '"\\x"', 'nul', '[1] 2', '"\t"']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(findJsonSyntaxError(text)).toBeDefined();
    }
  });
});

describe('icons', () => {
  const withIcon = (icon: string) => json({ ...MINIMAL, icon });

  test('an SVG file next to the definition is accepted and inlined', () => {
    const dir = folder({ 'bird-shop.json': withIcon('bird.svg'), 'bird.svg': SVG });
    const definition = loadDefinitionFile(path.join(dir, 'bird-shop.json'));
    expect(definition.icon).toBe(SVG.slice(SVG.indexOf('<svg')));
  });

  test('a PNG is refused, naming the file', () => {
    const dir = folder({ 'bird-shop.json': withIcon('bird.png'), 'bird.png': PNG });
    const file = path.join(dir, 'bird-shop.json');
    expect(summary(problemsOf(() => loadDefinitionFile(file)))).toEqual([
      `5:11 /icon: icon file ${path.join(dir, 'bird.png')} is a PNG image; icons must be SVG`,
    ]);
  });

  test('a PNG named .svg is refused too, and so is a text file that is not SVG', () => {
    const dir = folder({ 'a.json': withIcon('bird.svg'), 'bird.svg': PNG, 'b.json': json({ ...MINIMAL, name: 'other', icon: 'notes.svg' }), 'notes.svg': '<html></html>' });
    expect(problemsOf(() => loadDefinitions(dir)).map((p) => p.message)).toEqual([
      `icon file ${path.join(dir, 'bird.svg')} is a PNG image; icons must be SVG`,
      `icon file ${path.join(dir, 'notes.svg')} is not SVG: it must be an <svg> element (after an optional XML declaration, comments or doctype)`,
    ]);
  });

  test('a missing icon file is reported', () => {
    const dir = folder({ 'bird-shop.json': withIcon('icons/bird.svg') });
    expect(problemsOf(() => loadDefinitions(dir)).map((p) => [p.pointer, p.message])).toEqual([
      ['/icon', `icon file ${path.join(dir, 'icons/bird.svg')} does not exist (an icon path is relative to the definition file)`],
    ]);
  });
});

describe('several files', () => {
  test('duplicate integration names across files name both files', () => {
    const dir = folder({ 'a.json': json(MINIMAL), 'b.yaml': 'description: Same name\nhostname: b.example\nname: birdShop\n' });
    expect(summary(problemsOf(() => loadDefinitions(dir)))).toEqual([
      `3:7 /name: integration name "birdShop" is already used by ${path.join(dir, 'a.json')}; integration names must be unique (they prefix activity names)`,
    ]);
    expect(problemsOf(() => loadDefinitions(dir))[0]?.file).toBe(path.join(dir, 'b.yaml'));
  });

  test('nothing is half loaded: the problems of every file are reported together', () => {
    const dir = folder({
      'a.json': json(MINIMAL),
      'b.json': json({ ...MINIMAL, name: 'second', scheme: 'ftp' }),
      'c.yaml': 'name: third\nhostname: [\n',
    });
    let error: unknown;
    try {
      loadDefinitions(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    const { problems, message } = error as DefinitionError;
    expect(new Set(problems.map((p) => path.basename(p.file)))).toEqual(new Set(['b.json', 'c.yaml']));
    expect(message).toContain(`${path.join(dir, 'b.json')}: 1 problem\n  5:13 /scheme: must be one of "https", "http"; got "ftp"`);
    expect(message).toContain(`${path.join(dir, 'c.yaml')}: `);
  });
});

describe('source locations', () => {
  const JSON_TEXT = [
    '{',
    '  "a\\"b": {"x/y": [1, "text with \\" and { [ ,", {"~k": true}]},',
    '  "\\u00e9t\\u00e9": "summer",',
    '  "dup": 1, "dup": 2,',
    '  "deep": [[[[{"z": null}]]]]',
    '}',
  ].join('\n');

  test.each([
    ['', 1, 1, true],
    ['/a"b/x~1y/2/~0k', 2, 56, true],
    ['/a"b/x~1y/1', 2, 23, true],
    ['/été', 3, 20, true],
    // JSON.parse keeps the last of repeated keys; so does the locator.
    ['/dup', 4, 20, true],
    ['/deep/0/0/0/0/z', 5, 21, true],
  ])('JSON %s', (pointer, line, column, exact) => {
    expect(sourceLocation(JSON_TEXT, 'json', pointer)).toEqual({ line, column, located: pointer, exact });
  });

  test('JSON: a missing key or index gives its closest existing ancestor', () => {
    const locator = new SourceLocator(JSON_TEXT, 'json');
    expect(locator.locate('/a"b/x~1y/7')).toEqual({ line: 2, column: 19, located: '/a"b/x~1y', exact: false });
    expect(locator.locate('/a"b/nope/deeper')).toEqual({ line: 2, column: 11, located: '/a"b', exact: false });
    expect(locator.locate('/été/0')).toEqual({ line: 3, column: 20, located: '/été', exact: false });
  });

  const YAML_TEXT = [
    'name: birdShop', // 1
    'actions:', // 2
    '  - name: getBird', // 3
    '    parameters: [ { name: id, in: path } ]', // 4
    '    responses:', // 5
    '      200: "ok: #1"', // 6
    'shared: &base', // 7
    '  a: 1', // 8
    'copy: *base', // 9
  ].join('\n');

  test.each([
    ['/name', 1, 7],
    ['/actions/0', 3, 5],
    ['/actions/0/parameters/0/in', 4, 35],
    ['/actions/0/responses/200', 6, 12],
    // Through an alias, the value is where its anchor is.
    ['/copy/a', 8, 6],
  ])('YAML %s', (pointer, line, column) => {
    expect(sourceLocation(YAML_TEXT, 'yaml', pointer)).toEqual({ line, column, located: pointer, exact: true });
  });

  test('YAML: a missing key gives its closest existing ancestor', () => {
    expect(sourceLocation(YAML_TEXT, 'yaml', '/actions/0/description')).toEqual({ line: 3, column: 5, located: '/actions/0', exact: false });
    expect(sourceLocation(YAML_TEXT, 'yaml', '/actions/3')).toEqual({ line: 3, column: 3, located: '/actions', exact: false });
  });

  test('pointers escape and unescape ~ and /', () => {
    expect(toPointer(['paths', '/birds/{id}', 'a~b', 0])).toBe('/paths/~1birds~1{id}/a~0b/0');
    expect(parsePointer('/paths/~1birds~1{id}/a~0b/0')).toEqual(['paths', '/birds/{id}', 'a~b', '0']);
    expect(parsePointer('/~01')).toEqual(['~1']);
    expect(toPointer([])).toBe('');
    expect(() => parsePointer('a/b')).toThrow(/not a JSON pointer/);
    expect(() => parsePointer('/a~2')).toThrow(/not a JSON pointer/);
  });

  test('a multi-MB JSON text: located values are the right ones', () => {
    const paths = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`/birds/${i}/{id}`, { get: { description: `"${'x'.repeat(400)}" {[`, parameters: [{ name: 'id', in: 'path' }] } }]),
    );
    const text = JSON.stringify({ openapi: '3.1.0', paths }, null, 2);
    expect(text.length).toBeGreaterThan(2_000_000);
    const locator = new SourceLocator(text, 'json');
    const lines = text.split('\n');
    // Out of order: line starts are found only as far as a located value needs.
    for (const i of [2500, 0, 4999, 1]) {
      const { line, column, exact } = locator.locate(toPointer(['paths', `/birds/${i}/{id}`, 'get', 'parameters', 0, 'in']));
      expect(exact).toBe(true);
      expect(lines[line - 1]?.slice(column - 1)).toBe('"path"');
    }
  });
});

test('definition.schema.json is the schema the model generates', () => {
  const committed = readFileSync(path.join(__dirname, '..', 'definition.schema.json'), 'utf8');
  if (committed !== `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`) {
    throw new Error('definition.schema.json is out of date with src/definition/model.ts: run `npm run schema` and commit the result');
  }
  expect(definitionJsonSchema()).toMatchObject({ $id: DEFINITION_SCHEMA_ID, type: 'object', additionalProperties: false });
});
