import { Action, type DefinitionInput } from '../src/definition/model';
import { InvalidInputError, UnsafeUrlError } from '../src/http/errors';
import { buildCustomRequest, buildRequest, type Target } from '../src/http/url';

const target: Target = { scheme: 'https', hostname: 'api.example.com', basePath: '/v1' };

type ActionInput = NonNullable<DefinitionInput['actions']>[number];
const action = (fields: Partial<ActionInput> & Pick<ActionInput, 'path'>): Action =>
  Action.parse({ name: 'act', description: 'test action', method: 'GET', ...fields });

describe('buildRequest: path', () => {
  const getItem = action({
    path: '/items/{id}/parts/{part}',
    parameters: [
      { name: 'id', in: 'path' },
      { name: 'part', in: 'path' },
    ],
  });

  it.each([['a string', 'abc'], ['an array', [1]], ['null', null]])('refuses %s as input: inputs are an object', (_kind, input) => {
    expect(() => buildRequest(target, getItem, input as never)).toThrow(InvalidInputError);
    expect(() => buildRequest(target, getItem, input as never)).toThrow(`act takes one object of inputs keyed by parameter name`);
  });

  it('fills placeholders, encoding the value into its own segment', () => {
    const { url, method } = buildRequest(target, getItem, { id: 'a/../b?c=1#d', part: 42 });
    expect(method).toBe('GET');
    expect(url.href).toBe('https://api.example.com/v1/items/a%2F..%2Fb%3Fc%3D1%23d/parts/42');
  });

  it.each(['//evil.example', 'https://evil.example/x', '\\\\evil.example', '%2F%2Fevil.example', '@evil.example'])(
    'keeps the host when a path value is %s',
    (id) => {
      const { url } = buildRequest(target, getItem, { id, part: true });
      expect(url.host).toBe('api.example.com');
      expect(url.pathname.startsWith('/v1/items/')).toBe(true);
      expect(url.pathname.endsWith('/parts/true')).toBe(true);
    },
  );

  it.each(['..', '.', ''])('refuses the path value %j', (id) => {
    expect(() => buildRequest(target, getItem, { id, part: 1 })).toThrow(UnsafeUrlError);
  });

  it('refuses objects in the path', () => {
    expect(() => buildRequest(target, getItem, { id: { a: 1 }, part: 1 })).toThrow(/input "id" goes into the URL path/);
  });

  it('names a missing path parameter', () => {
    expect(() => buildRequest(target, getItem, { id: 'x' })).toThrow(new InvalidInputError('action "act" needs input "part" (path parameter)'));
  });

  it('joins the base path without doubling slashes and keeps a query in the template', () => {
    const search = action({ path: '/search?type=user', parameters: [{ name: 'q', in: 'query' }] });
    const { url } = buildRequest({ ...target, basePath: '/api/v2/' }, search, { q: 'a b' });
    expect(url.href).toBe('https://api.example.com/api/v2/search?type=user&q=a%20b');
  });

  it.each(['https://evil.example/x', '//evil.example/x', '/\\evil.example/x', '/x#frag'])('refuses the action path %s', (path) => {
    const unsafe: Action = { ...action({ path: '/x' }), path };
    expect(() => buildRequest(target, unsafe, {})).toThrow(UnsafeUrlError);
  });

  it.each([
    { ...target, hostname: 'api.example.com@evil.example' },
    { ...target, hostname: 'api.example.com/evil' },
    { ...target, hostname: 'evil.example#api.example.com' },
    { ...target, basePath: '//evil.example' },
    { ...target, basePath: '/v1?x=1' },
  ])('refuses the target %j', (bad) => {
    expect(() => buildRequest(bad, action({ path: '/x' }), {})).toThrow(UnsafeUrlError);
  });
});

describe('buildRequest: query, headers, cookies', () => {
  const list = action({
    path: '/list',
    parameters: [
      { name: 'str', in: 'query' },
      { name: 'num', in: 'query' },
      { name: 'flag', in: 'query' },
      { name: 'absent', in: 'query' },
      { name: 'nil', in: 'query' },
      { name: 'filter', in: 'query' },
      { name: 'tags', in: 'query' },
      { name: 'ids', in: 'query', explode: false },
      { name: 'words', in: 'query', style: 'spaceDelimited' },
      { name: 'pipes', in: 'query', style: 'pipeDelimited' },
      { name: 'spread', in: 'query', style: 'pipeDelimited', explode: true },
      { name: 'X-Trace', in: 'header' },
      { name: 'X-List', in: 'header' },
      { name: 'session', in: 'cookie' },
      { name: 'theme', in: 'cookie' },
    ],
  });

  it('writes every value type and array style', () => {
    const { url, headers } = buildRequest(target, list, {
      str: 'é & =',
      num: 1.5,
      flag: false,
      nil: null,
      filter: { a: 1 },
      tags: ['x', 'y z'],
      ids: [1, 2, 3],
      words: ['a', 'b'],
      pipes: ['a', 'b'],
      spread: ['a', 'b'],
      'X-Trace': 'abc',
      'X-List': [1, 2],
      session: 'a;b',
      theme: 'dark',
    });
    expect(url.search).toBe(
      '?str=%C3%A9%20%26%20%3D&num=1.5&flag=false&filter=%7B%22a%22%3A1%7D&tags=x&tags=y%20z&ids=1,2,3&words=a%20b&pipes=a|b&spread=a&spread=b',
    );
    expect(headers).toEqual({ 'X-Trace': 'abc', 'X-List': '1,2', cookie: 'session=a%3Bb; theme=dark' });
  });

  it('leaves out empty arrays and absent values', () => {
    const { url, headers } = buildRequest(target, list, { tags: [], ids: [] });
    expect(url.href).toBe('https://api.example.com/v1/list');
    expect(headers).toEqual({});
  });

  it('names a missing required query parameter', () => {
    const needsQ = action({ path: '/s', parameters: [{ name: 'q', in: 'query', required: true }] });
    expect(() => buildRequest(target, needsQ, { q: null })).toThrow(new InvalidInputError('action "act" needs input "q" (query parameter)'));
  });

  it('names the known inputs when given an unknown one', () => {
    const post = action({ path: '/p', method: 'POST', parameters: [{ name: 'q', in: 'query' }], requestBody: { contentType: 'application/json' } });
    expect(() => buildRequest(target, post, { q: 1, qq: 2 })).toThrow(new InvalidInputError('action "act" has no input "qq"; its inputs are: q, body'));
    expect(() => buildRequest(target, action({ path: '/x' }), { body: {} })).toThrow('action "act" has no input "body"; it takes no inputs');
  });
});

describe('buildRequest: body', () => {
  const create = action({ path: '/items', method: 'POST', requestBody: { contentType: 'multipart/form-data', required: true } });

  it('passes the body with its content type', () => {
    expect(buildRequest(target, create, { body: { a: 1 } }).body).toEqual({ contentType: 'multipart/form-data', value: { a: 1 } });
    expect(buildRequest(target, action({ path: '/x', method: 'POST', requestBody: {} }), {}).body).toBeUndefined();
  });

  it('refuses a missing required body', () => {
    expect(() => buildRequest(target, create, {})).toThrow('action "act" needs input "body" (the multipart/form-data request body)');
  });
});

describe('buildCustomRequest', () => {
  it('appends the path to the base path and merges the query', () => {
    const built = buildCustomRequest(target, {
      method: 'PATCH',
      path: '/users/7?fields=a',
      query: { tag: ['x', 'y'], skip: undefined, n: 2 },
      headers: { 'X-One': '1' },
      body: 'hi',
      contentType: 'text/plain',
    });
    expect(built.url.href).toBe('https://api.example.com/v1/users/7?fields=a&tag=x&tag=y&n=2');
    expect(built.headers).toEqual({ 'X-One': '1' });
    expect(built.body).toEqual({ contentType: 'text/plain', value: 'hi' });
    expect(buildCustomRequest(target, { method: 'GET', path: '/x', body: { a: 1 } }).body?.contentType).toBe('application/json');
  });

  it('accepts an absolute URL on the same origin as is', () => {
    const built = buildCustomRequest(target, { method: 'GET', path: 'https://API.example.com:443/other?page=2' });
    expect(built.url.href).toBe('https://api.example.com/other?page=2');
  });

  it.each([
    'https://evil.example/x',
    'http://api.example.com/x',
    'https://api.example.com.evil.example/x',
    'https://api.example.com@evil.example/x',
    'https://api.example.com:8443/x',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example/x',
    '/%2F%2Fevil.example',
    '/%2fevil.example',
    '%2F%2Fevil.example',
    '/%5C%5Cevil.example',
    'users/1',
    'javascript:alert(1)',
  ])('refuses %s', (path) => {
    expect(() => buildCustomRequest(target, { method: 'GET', path })).toThrow(UnsafeUrlError);
  });
});
