import { applyRename, deprecateActions, previewRename, removeActions, type RenameOptions } from '../src/definition/edit';
import { Definition } from '../src/definition/model';
import { applyPatches } from '../src/definition/patch';
import { EditError } from '../src/definition/validate';

const action = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: `The ${name} action.`,
  method: 'GET' as const,
  path: `/${name}`,
  ...extra,
});

const aviary = Definition.parse({
  name: 'aviary',
  description: 'Birds',
  hostname: 'api.aviary.example',
  actions: [
    action('photoRecordsGet', { title: 'Photo Records Get', description: 'Photo records: get them.', operationId: 'photoRecordsGet' }),
    action('birdsList', { title: 'Birds List', operationId: 'GET /birds' }),
    action('getNest', { title: 'Get Nest' }),
  ],
  import: { source: 'aviary.yaml', removedOperations: ['deleteEverything'] },
});

const rename = (options: Partial<RenameOptions> & Pick<RenameOptions, 'pattern' | 'replacement'>) =>
  previewRename(aviary, { target: 'name', ...options });

function editError(edit: () => unknown): string {
  try {
    edit();
  } catch (error) {
    if (error instanceof EditError) return error.message;
    throw error;
  }
  throw new Error('expected an EditError');
}

describe('regex rename preview', () => {
  test("the reference product's example: (.*?) Get -> Get $1 on titles", () => {
    expect(rename({ pattern: '(.*?) Get', replacement: 'Get $1', target: 'title' })).toEqual([
      { action: 'photoRecordsGet', field: 'title', before: 'Photo Records Get', after: 'Get Photo Records' },
    ]);
  });

  test('capture groups, named groups and flags follow String.prototype.replace', () => {
    expect(rename({ pattern: '^(\\w+?)(Get|List)$', replacement: '$2$1', target: 'name' }).map((c) => c.after)).toEqual([
      'GetphotoRecords',
      'Listbirds',
    ]);
    expect(rename({ pattern: '(?<verb>get)', flags: 'i', replacement: '<$<verb>>', target: 'title' }).map((c) => c.after)).toEqual([
      'Photo Records <Get>',
      '<Get> Nest',
    ]);
    // Without "g" only the first match of each text is replaced; with it, every one.
    expect(rename({ pattern: 'o', replacement: '0', target: 'title' }).map((c) => c.after)).toEqual(['Ph0to Records Get']);
    expect(rename({ pattern: 'o', flags: 'g', replacement: '0', target: 'title' })[0]?.after).toBe('Ph0t0 Rec0rds Get');
  });

  test('texts the pattern leaves alone, and actions without a title, are not listed', () => {
    const bare = Definition.parse({ ...aviary, actions: [action('untitled')] });
    expect(previewRename(bare, { pattern: '.*', replacement: 'x', target: 'title' })).toEqual([]);
    expect(rename({ pattern: 'nothing matches', replacement: 'x' })).toEqual([]);
  });

  test('"both" renames name and description; actions limits the rename', () => {
    expect(rename({ pattern: 'Get', flags: 'i', replacement: 'Fetch', target: 'both', actions: ['photoRecordsGet'] })).toEqual([
      { action: 'photoRecordsGet', field: 'name', before: 'photoRecordsGet', after: 'photoRecordsFetch' },
      { action: 'photoRecordsGet', field: 'description', before: 'Photo records: get them.', after: 'Photo records: Fetch them.' },
    ]);
  });

  test('a name that is not an identifier is refused, with the camelCase spelling suggested', () => {
    const [change] = rename({ pattern: '(.*)Get', replacement: 'Get $1 now' });
    expect(change).toMatchObject({ after: 'Get photoRecords now' });
    expect(change?.problem).toMatch(/^action name must be an identifier.*; the camelCase option would make it "getPhotoRecordsNow"$/);
  });

  test('camelCase turns the replaced text into an identifier', () => {
    expect(rename({ pattern: '(.*)Get', replacement: 'Get $1', camelCase: true })).toEqual([
      { action: 'photoRecordsGet', field: 'name', before: 'photoRecordsGet', after: 'getPhotoRecords' },
    ]);
    expect(rename({ pattern: '.*', replacement: 'get HTTPStatus_code-2', camelCase: true, actions: ['getNest'] })[0]?.after).toBe(
      'getHttpStatusCode2',
    );
    // Only what the pattern changes is respelt.
    const acronym = Definition.parse({ ...aviary, actions: [action('getHTTPStatus')] });
    expect(previewRename(acronym, { pattern: 'nothing', replacement: '', target: 'name', camelCase: true })).toEqual([]);
    // Descriptions are text: camelCase leaves them as replaced.
    expect(rename({ pattern: 'get', replacement: 'fetch all', target: 'both', camelCase: true, actions: ['photoRecordsGet'] })[0]).toMatchObject({
      field: 'description',
      after: 'Photo records: fetch all them.',
    });
  });

  test('a name that camelCase cannot save is refused without a suggestion', () => {
    const [change] = rename({ pattern: '.*', replacement: '2fa setup', camelCase: true, actions: ['getNest'] });
    expect(change).toMatchObject({ after: '2faSetup', problem: expect.stringMatching(/^action name must be an identifier/) });
    expect(change?.problem).not.toContain('camelCase');
  });

  test('duplicate names are refused: with an action kept, and between renamed actions', () => {
    expect(rename({ pattern: 'photoRecordsGet', replacement: 'getNest' })).toEqual([
      expect.objectContaining({ after: 'getNest', problem: 'action names must be unique, and "getNest" is already the name of getNest' }),
    ]);
    const both = rename({ pattern: '^(photoRecordsGet|birdsList)$', replacement: 'fetch' });
    expect(both.map((c) => c.problem)).toEqual([
      'action names must be unique, and birdsList would be renamed "fetch" too',
      'action names must be unique, and photoRecordsGet would be renamed "fetch" too',
    ]);
    // A name freed by the same rename may be taken.
    const nests = Definition.parse({ ...aviary, actions: [action('nest'), action('nestnest')] });
    const chain = previewRename(nests, { pattern: '^', replacement: 'nest', target: 'name' });
    expect(chain.map(({ after, problem }) => ({ after, problem }))).toEqual([{ after: 'nestnest' }, { after: 'nestnestnest' }]);
    expect(applyRename(nests, chain).actions.map((a) => a.name)).toEqual(['nestnest', 'nestnestnest']);
  });

  test('an empty description is refused; an invalid pattern or unknown action is an error', () => {
    expect(rename({ pattern: '.*', flags: 's', replacement: '', target: 'description', actions: ['getNest'] })[0]?.problem).toBe(
      'an action needs a description',
    );
    expect(editError(() => rename({ pattern: '(', replacement: '' }))).toMatch(/^invalid pattern: /);
    expect(editError(() => rename({ pattern: 'x', replacement: '', actions: ['getNst'] }))).toBe(
      'aviary has no action "getNst"; its actions are photoRecordsGet, birdsList, getNest',
    );
  });
});

describe('applying a rename', () => {
  test('makes the previewed changes and nothing else', () => {
    const preview = rename({ pattern: '(.*)Get', replacement: 'Get $1', camelCase: true, target: 'both' });
    const renamed = applyRename(aviary, preview);
    expect(renamed.actions.map((a) => a.name)).toEqual(['getPhotoRecords', 'birdsList', 'getNest']);
    expect(renamed.actions[0]).toEqual({ ...aviary.actions[0], name: 'getPhotoRecords' });
    expect(aviary.actions[0]?.name).toBe('photoRecordsGet'); // the input is left as it was
  });

  test('a preview with problems cannot be applied', () => {
    const preview = rename({ pattern: 'photoRecordsGet', replacement: 'getNest' });
    expect(editError(() => applyRename(aviary, preview))).toBe(
      'the rename cannot be applied:\n  photoRecordsGet name "getNest": action names must be unique, and "getNest" is already the name of getNest',
    );
  });

  test('a preview of another version of the definition is refused', () => {
    const preview = rename({ pattern: '^getNest$', replacement: 'getNests' });
    const changed = applyRename(aviary, preview);
    expect(editError(() => applyRename(changed, preview))).toMatch(/^the preview is out of date: getNest/);
  });

  test('a hand-made preview is still validated by the model', () => {
    const preview = [{ action: 'getNest', field: 'name' as const, before: 'getNest', after: 'birdsList' }];
    expect(editError(() => applyRename(aviary, preview))).toContain('/actions/2/name: action name "birdsList" is already used by actions[1]');
  });
});

describe('deprecate and remove', () => {
  test('deprecate, and undo', () => {
    const deprecated = deprecateActions(aviary, ['birdsList', 'getNest']);
    expect(deprecated.actions.map((a) => a.deprecated)).toEqual([false, true, true]);
    expect(deprecateActions(deprecated, ['getNest'], false).actions.map((a) => a.deprecated)).toEqual([false, true, false]);
  });

  test('unknown names are refused together, with the valid ones', () => {
    expect(editError(() => deprecateActions(aviary, ['getNest', 'nope', 'nada']))).toBe(
      'aviary has no action "nope", "nada"; its actions are photoRecordsGet, birdsList, getNest',
    );
    expect(editError(() => removeActions(aviary, ['nope']))).toMatch(/has no action "nope"/);
  });

  test('removing imported actions records their operations so that re-imports leave them out', () => {
    const removed = removeActions(aviary, ['photoRecordsGet', 'getNest', 'birdsList']);
    expect(removed.actions).toEqual([]);
    expect(removed.import).toEqual({
      source: 'aviary.yaml',
      removedOperations: ['deleteEverything', 'photoRecordsGet', 'GET /birds'],
    });
  });

  test('a hand-written action leaves no trace; a definition without import gets one when it loses an imported action', () => {
    expect(removeActions(aviary, ['getNest']).import).toEqual(aviary.import);
    const { import: _, ...unimported } = aviary;
    expect(removeActions(Definition.parse(unimported), ['getNest']).import).toBeUndefined();
    expect(removeActions(Definition.parse(unimported), ['birdsList']).import).toEqual({ removedOperations: ['GET /birds'] });
  });
});

describe('patches', () => {
  test('are made on a copy, in order; set creates what is missing, remove takes array items only', () => {
    const data = { list: [1, 2, 3] };
    expect(
      applyPatches(data, [
        { op: 'remove', path: ['list', 2] },
        { op: 'remove', path: ['list', 0] },
        { op: 'set', path: ['a', 'b'], value: true },
      ]),
    ).toEqual({ list: [2], a: { b: true } });
    expect(data).toEqual({ list: [1, 2, 3] });
    expect(() => applyPatches(data, [{ op: 'remove', path: ['list'] }])).toThrow('cannot remove /list: not an item of an array');
  });
});
