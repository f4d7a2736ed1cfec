/**
 * `custom-integrations actions`, run in-process through its command function (main.ts does not route to it yet),
 * on copies of definition files: what it prints, and that files change exactly where the edit says.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../src/cli/args';
import { actionsCommand } from '../src/cli/commands/actions';
import type { CommandOptions } from '../src/cli/commands/types';
import { resolveTemporalConfig } from '../src/config/temporal-config';
import { ROOT } from './helpers/processes';

const config = resolveTemporalConfig({}, { env: {} });
let scratch: string;
let out: string[];
let err: string[];

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'cli-actions-'));
  out = [];
  err = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
});

afterEach(() => {
  jest.restoreAllMocks();
  rmSync(scratch, { recursive: true, force: true });
});

const actions = (args: string[], options: CommandOptions = {}) => actionsCommand({ config, args, options });

/** A copy of the shipped Pedro Aviary definition, with its icon file next to it. */
function pedroAviary(): string {
  for (const name of ['pedro-aviary.json', 'pedro-aviary.svg']) copyFileSync(path.join(ROOT, 'definitions', name), path.join(scratch, name));
  return path.join(scratch, 'pedro-aviary.json');
}

const YAML_DEFINITION = `# yaml-language-server: $schema=../definition.schema.json
name: aviary
description: Birds # who keeps them
hostname: api.aviary.example
actions:
  # the imported ones
  - name: photoRecordsGet
    title: Photo Records Get
    description: Photo records of a bird.
    method: GET
    path: /photos
    operationId: photoRecordsGet
  - name: birdsList
    description: Lists the birds.
    method: GET
    path: /birds
    operationId: GET /birds
import:
  source: aviary.yaml
`;

function yamlFile(): string {
  const file = path.join(scratch, 'aviary.yaml');
  writeFileSync(file, YAML_DEFINITION);
  return file;
}

const read = (file: string) => readFileSync(file, 'utf8');

test('rename previews a before -> after table and writes nothing without --apply', async () => {
  const file = pedroAviary();
  const before = read(file);
  const code = await actions(['rename', file], { pattern: '^get(\\w+)$', replacement: 'fetch$1' });
  expect(code).toBe(0);
  expect(out).toEqual([
    [
      'ACTION           FIELD  BEFORE               AFTER',
      'getBird          name   getBird          ->  fetchBird',
      'getPhotoRecords  name   getPhotoRecords  ->  fetchPhotoRecords',
    ].join('\n'),
    '2 changes previewed; nothing was written (add --apply to write them)',
  ]);
  expect(read(file)).toBe(before);
});

test('rename --apply changes the JSON file only where the rename does', async () => {
  const file = pedroAviary();
  const before = JSON.parse(read(file));
  const code = await actions(['rename', file], { pattern: '(.*?) (\\w+)$', replacement: '$2 $1', target: 'title', apply: true });
  expect(code).toBe(0);
  expect(out.at(-1)).toBe(`4 changes written to ${file}`);
  const after = JSON.parse(read(file));
  // Same keys in the same order; the icon is still the file name, no defaults were filled in.
  expect(after).toEqual({
    ...before,
    actions: before.actions.map((a: object, i: number) => ({
      ...a,
      title: ['birds List', 'bird Get', 'records Get photo', 'sighting Create'][i],
    })),
  });
  expect(JSON.stringify(Object.keys(after))).toBe(JSON.stringify(Object.keys(before)));
  expect(read(file)).toMatch(/^\{\n {2}"\$schema"/);
  expect(readdirSync(scratch).sort()).toEqual(['pedro-aviary.json', 'pedro-aviary.svg']); // no temporary file left
});

test('rename --apply on YAML keeps it YAML, with its comments', async () => {
  const file = yamlFile();
  const options = { pattern: '(.*)Get', replacement: 'Get $1', 'camel-case': true, apply: true };
  const code = await actions(['rename', file, 'photoRecordsGet'], options);
  expect(code).toBe(0);
  expect(out).toEqual([
    ['ACTION           FIELD  BEFORE               AFTER', 'photoRecordsGet  name   photoRecordsGet  ->  getPhotoRecords'].join('\n'),
    `1 change written to ${file}`,
  ]);
  expect(read(file)).toBe(YAML_DEFINITION.replace('- name: photoRecordsGet', '- name: getPhotoRecords'));
});

test('a rename with problems shows them and writes nothing, even with --apply', async () => {
  const file = yamlFile();
  const code = await actions(['rename', file], { pattern: '.*', replacement: 'Same Name', apply: true });
  expect(code).toBe(1);
  expect(out[0]).toContain('PROBLEM');
  expect(out[0]).toContain('the camelCase option would make it "sameName"');
  expect(err).toEqual(['2 changes of 2 cannot be made; nothing was written']);
  expect(read(file)).toBe(YAML_DEFINITION);
});

test('deprecate, --undo, and nothing written when nothing changes', async () => {
  const file = yamlFile();
  expect(await actions(['deprecate', file, 'birdsList'])).toBe(0);
  expect(read(file)).toContain('    operationId: GET /birds\n    deprecated: true\n');
  expect(await actions(['deprecate', file, 'birdsList'])).toBe(0);
  expect(out.at(-1)).toBe('birdsList: already deprecated; nothing was written');
  expect(await actions(['deprecate', file, 'birdsList'], { undo: true })).toBe(0);
  expect(out.at(-1)).toBe(`no longer deprecated in ${file}: birdsList`);
  expect(read(file)).toContain('    deprecated: false\n');
});

test('remove records imported operations in import.removedOperations', async () => {
  const file = yamlFile();
  expect(await actions(['remove', file, 'birdsList'])).toBe(0);
  expect(out).toEqual([`removed from ${file}: birdsList`, 're-imports will leave out GET /birds (recorded in import.removedOperations)']);
  expect(read(file)).not.toContain('birdsList');
  expect(read(file)).toMatch(/import:\n {2}source: aviary\.yaml\n {2}removedOperations:\n {4}- GET \/birds\n$/);
});

test('list shows the actions and the removed operations', async () => {
  const file = yamlFile();
  await actions(['remove', file, 'birdsList']);
  out = [];
  expect(await actions(['list', file])).toBe(0);
  expect(out).toEqual([
    'aviary: 1 action',
    [
      'NAME             METHOD  PATH     TITLE              OPERATION        FLAGS',
      'photoRecordsGet  GET     /photos  Photo Records Get  photoRecordsGet',
    ].join('\n'),
    'removed operations, left out of re-imports: GET /birds',
  ]);
});

test('unknown actions, subcommands and options are usage errors', async () => {
  const file = yamlFile();
  await expect(actions(['remove', file, 'nope'])).rejects.toMatchObject({
    name: 'UsageError',
    message: 'aviary has no action "nope"; its actions are photoRecordsGet, birdsList',
  });
  await expect(actions(['rename', file], { pattern: 'x' })).rejects.toThrow('actions rename needs --pattern and --replacement');
  await expect(actions(['rename', file], { pattern: 'x', replacement: 'y', target: 'names' })).rejects.toThrow(
    '--target must be one of name, title, description, both; got "names"',
  );
  await expect(actions(['rename', file], { pattern: '(', replacement: 'y' })).rejects.toThrow(/^invalid pattern/);
  await expect(actions(['frobnicate', file])).rejects.toThrow(UsageError);
  await expect(actions(['list'])).rejects.toThrow(/^Usage:/);
  await expect(actions(['deprecate', file])).rejects.toThrow('actions deprecate needs the names of the actions');
  expect(read(file)).toBe(YAML_DEFINITION);
});

test('an invalid file is reported with line and column, and left alone', async () => {
  const file = path.join(scratch, 'broken.yaml');
  writeFileSync(file, YAML_DEFINITION.replace('method: GET\n    path: /birds', 'method: FETCH\n    path: /birds'));
  await expect(actions(['deprecate', file, 'birdsList'])).rejects.toThrow(/15:13 \/actions\/1\/method: must be one of/);
});
