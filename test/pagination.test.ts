/**
 * The pagination engine on its own: requests per position, stop conditions per type, the repeated-cursor guard and
 * the refusal of next links to other origins. The workflow and activity are tested end to end in paginate.test.ts.
 */
import { getEventListeners } from 'node:events';
import { Pagination, type Action } from '../src/definition/model';
import { admitKey, NEW_GUARD, RECENT_KEYS, type GuardState } from '../src/pagination/guard';
import type { Position } from '../src/pagination/model';
import { positionKey, readPage, type PageCounts } from '../src/pagination/page';
import { UnsafeUrlError } from '../src/http/errors';
import { firstPosition, linkWithoutCredentials, pageRequest, pageSize } from '../src/pagination/request';
import { ReadAhead } from '../src/pagination/read-ahead';
import type { HttpResponse } from '../src/http/request';

const target = { scheme: 'https', hostname: 'api.example.com', basePath: '/v1' } as const;
const action = { name: 'listThings', method: 'GET', path: '/things', parameters: [{ name: 'q', in: 'query' }] } as unknown as Action;
const url = new URL('https://api.example.com/v1/things?limit=2');
const counts: PageCounts = { pageIndex: 0, pageLimit: 20, pageSize: 2 };
const read = (p: Pagination, position: Position | undefined, body: unknown, headers: Record<string, string> = {}, c = counts) =>
  readPage(p, target, position, { body, headers, url }, c);

const index = Pagination.parse({ type: 'index', resultsKey: 'data.items', indexParam: 'offset', pageSizeParam: 'limit', defaultPageSize: 2 });
const page = Pagination.parse({ type: 'page', resultsKey: 'results', pageParam: 'p', startPage: 0, pageSizeParam: 'size', defaultPageSize: 2 });
const link = Pagination.parse({ type: 'link', resultsKey: 'results', pageSizeParam: 'limit', defaultPageSize: 2 });
const bodyLink = Pagination.parse({ type: 'link', resultsKey: 'results', location: 'body', nextPageKey: 'paging.next' });
const pointer = Pagination.parse({ type: 'pointer', resultsKey: 'results', afterParam: 'after', pointerPath: '$.meta.next_cursor' });

describe('requests', () => {
  it('index: offset and page size params, starting at 0 or at the caller offset', () => {
    const start = firstPosition(action, index, { q: 'x y' });
    expect(start).toEqual({ type: 'index', offset: 0 });
    expect(pageRequest(target, action, index, { q: 'x y' }, start).url.href).toBe('https://api.example.com/v1/things?q=x%20y&limit=2&offset=0');
    expect(firstPosition(action, index, { offset: 40 })).toEqual({ type: 'index', offset: 40 });
    // A caller's page size wins over the default, and undeclared pagination inputs are not refused.
    expect(pageRequest(target, action, index, { limit: 5 }, { type: 'index', offset: 10 }).url.search).toBe('?limit=5&offset=10');
  });

  it('page: page param from its start', () => {
    expect(firstPosition(action, page, {})).toEqual({ type: 'page', page: 0 });
    expect(pageRequest(target, action, page, {}, { type: 'page', page: 3 }).url.search).toBe('?size=2&p=3');
  });

  it('pointer: no cursor on the first page, then the after param', () => {
    expect(firstPosition(action, pointer, {})).toBeUndefined();
    expect(pageRequest(target, action, pointer, {}, undefined).url.search).toBe('');
    expect(pageRequest(target, action, pointer, {}, { type: 'pointer', cursor: 'a b&c' }).url.search).toBe('?after=a%20b%26c');
  });

  it('pagination parameters declared under another input name are read from it, and sent once under their own', () => {
    const keyed = {
      ...action,
      path: '/things/{offset}',
      parameters: [
        { name: 'offset', in: 'path', input: 'offset_path' },
        { name: 'offset', in: 'query', input: 'start' },
        { name: 'limit', in: 'query', input: 'size' },
      ],
    } as unknown as Action;
    const start = firstPosition(keyed, index, { offset_path: 'o', start: 40 });
    expect(start).toEqual({ type: 'index', offset: 40 });
    expect(pageSize(keyed, index, { offset_path: 'o', size: 5 })).toBe(5);
    expect(pageRequest(target, keyed, index, { offset_path: 'o', start: 40, size: 5 }, start).url.href).toBe(
      'https://api.example.com/v1/things/o?limit=5&offset=40',
    );
  });

  it('link: the next link replaces the URL, and one to another origin is refused', () => {
    const next = 'https://api.example.com/v1/things?page=2&limit=2';
    expect(pageRequest(target, action, link, {}, { type: 'link', url: next }).url.href).toBe(next);
    expect(() => pageRequest(target, action, link, {}, { type: 'link', url: 'https://evil.example.com/v1/things' })).toThrow(
      /next link to https:\/\/evil\.example\.com\/v1\/things refused: it leaves the API at https:\/\/api\.example\.com/,
    );
  });
});

describe('stop conditions', () => {
  it('index: advances by the items received; stops on an empty or short page', () => {
    expect(read(index, { type: 'index', offset: 4 }, { data: { items: [1, 2] } })).toEqual({ items: [1, 2], next: { type: 'index', offset: 6 } });
    expect(read(index, { type: 'index', offset: 4 }, { data: { items: [1] } }).stop).toBe('short page');
    expect(read(index, { type: 'index', offset: 4 }, { data: { items: [] } }).stop).toBe('empty page');
  });

  it('page: next page number; short page stops', () => {
    expect(read(page, { type: 'page', page: 0 }, { results: [1, 2] }).next).toEqual({ type: 'page', page: 1 });
    expect(read(page, { type: 'page', page: 0 }, { results: [1] }).stop).toBe('short page');
  });

  it('has-more path: false stops, true continues past a short page', () => {
    const flagged = Pagination.parse({ ...index, hasMorePath: 'meta.has_more' });
    expect(read(flagged, undefined, { data: { items: [1, 2] }, meta: { has_more: false } }).stop).toBe('has more is false');
    expect(read(flagged, undefined, { data: { items: [1] }, meta: { has_more: true } }).next).toEqual({ type: 'index', offset: 1 });
  });

  it('page limit stops even when there is a next page', () => {
    expect(read(page, { type: 'page', page: 4 }, { results: [1, 2] }, {}, { ...counts, pageIndex: 19 }).stop).toBe('page limit');
  });

  it('link in a header: RFC 8288 with a configurable header and rel, relative to the request URL', () => {
    expect(read(link, undefined, { results: [1, 2] }, { link: '</v1/things?page=2>; rel="next", </v1/things?page=9>; rel="last"' }).next).toEqual({
      type: 'link',
      url: 'https://api.example.com/v1/things?page=2',
    });
    const custom = Pagination.parse({ ...link, headerName: 'X-Pages', rel: 'forward' });
    expect(read(custom, undefined, { results: [1] }, { 'x-pages': '<things?page=3>; rel=forward' }).next).toEqual({
      type: 'link',
      url: 'https://api.example.com/v1/things?page=3',
    });
    expect(read(link, undefined, { results: [1] }, { link: '</v1/things?page=9>; rel="last"' }).stop).toBe('no next link');
    expect(read(link, undefined, { results: [1] }).stop).toBe('no next link');
    // http-link-header throws on garbage: no next link, not a crash.
    expect(read(link, undefined, { results: [1] }, { link: 'garbage<<' }).stop).toBe('no next link');
  });

  it('link in the body; a next link to another origin is refused', () => {
    expect(read(bodyLink, undefined, { results: [1], paging: { next: '?page=2' } }).next).toEqual({
      type: 'link',
      url: 'https://api.example.com/v1/things?page=2',
    });
    expect(read(bodyLink, undefined, { results: [1], paging: { next: null } }).stop).toBe('no next link');
    expect(() => read(bodyLink, undefined, { results: [1], paging: { next: 'https://attacker.test/steal' } })).toThrow(/refused/);
    expect(() => read(bodyLink, undefined, { results: [1], paging: { next: 'http://api.example.com/v1/things' } })).toThrow(/refused/);
  });

  it('pointer: cursor by JSONPath, absent cursor stops, scripts refused', () => {
    expect(read(pointer, undefined, { results: [1], meta: { next_cursor: 'c2' } }).next).toEqual({ type: 'pointer', cursor: 'c2' });
    expect(read(pointer, undefined, { results: [1], meta: { next_cursor: 42 } }).next).toEqual({ type: 'pointer', cursor: '42' });
    expect(read(pointer, undefined, { results: [1], meta: { next_cursor: null } }).stop).toBe('no cursor');
    expect(read(pointer, undefined, { results: [1], meta: {} }).stop).toBe('no cursor');
    const scripted = Pagination.parse({ ...pointer, pointerPath: '$..[?(@.constructor)]' });
    expect(() => read(scripted, undefined, { results: [1] })).toThrow(/pointerPath .* cannot be evaluated .*filters and scripts are disabled/);
    expect(() => read(pointer, undefined, { results: [1], meta: { next_cursor: { id: 1 } } })).toThrow(/found an object, not a cursor string/);
  });

  it('results: a missing key or a non-array fails, naming the path', () => {
    expect(() => read(index, undefined, { data: {} })).toThrow(/no results at "data\.items" \(it is an object with keys data\)/);
    expect(() => read(index, undefined, { data: { items: 'x' } })).toThrow(/results at "data\.items" are a string, not an array/);
    expect(() => read(index, undefined, '<html>')).toThrow(/the response is a string, not a JSON object/);
  });

  it('none: one page', () => {
    expect(read({ type: 'none' }, undefined, [1, 2, 3])).toEqual({ items: [1, 2, 3], stop: 'single page' });
  });
});

describe('repeated-cursor guard', () => {
  const admitAll = (keys: string[]): number | undefined => {
    let guard: GuardState = NEW_GUARD;
    for (const [i, key] of keys.entries()) {
      const next = admitKey(guard, key);
      if (!next) return i;
      // Through JSON, as continue-as-new carries it.
      guard = JSON.parse(JSON.stringify(next)) as GuardState;
    }
    return undefined;
  };

  it('refuses a key seen recently at once', () => {
    expect(admitAll(['a', 'b', 'c', 'b'])).toBe(3);
  });

  it('catches a loop longer than its window, within two turns, with bounded state', () => {
    const loop = 5 * RECENT_KEYS + 3;
    const keys = [...Array.from({ length: 100 }, (_, i) => `tail${i}`), ...Array.from({ length: 4 * loop }, (_, i) => `k${i % loop}`)];
    const caught = admitAll(keys);
    expect(caught).toBeDefined();
    expect(caught!).toBeLessThan(100 + 3 * loop);
  });

  it('lets long non-repeating runs through and stays small', () => {
    let guard: GuardState = NEW_GUARD;
    for (let i = 0; i < 20_000; i++) guard = admitKey(guard, `k${i}`)!;
    expect(guard.recent).toHaveLength(RECENT_KEYS);
  });

  it('keys only links and cursors, compactly', () => {
    expect(positionKey({ type: 'index', offset: 3 })).toBeUndefined();
    const key = positionKey({ type: 'pointer', cursor: 'x'.repeat(5000) });
    expect(key).toHaveLength(16);
    expect(positionKey({ type: 'pointer', cursor: 'x'.repeat(4999) })).not.toBe(key);
  });
});

describe('next links kept in history carry no credential', () => {
  const credentials = { http: { headers: {}, query: [['api_key', 'k-secret-1']] as const, cookies: {} }, secrets: ['k-secret-1'] };

  test('the credential query parameter an API echoes into its link is removed, the rest kept', () => {
    expect(linkWithoutCredentials('https://api.example.com/v1/things?page=2&api_key=k-secret-1&q=a%20b', credentials)).toBe(
      'https://api.example.com/v1/things?page=2&q=a%20b',
    );
  });

  test('a link holding the secret under another name is refused, without quoting it', () => {
    const attempt = () => linkWithoutCredentials('https://api.example.com/v1/things?page=2&token=k-secret-1', credentials);
    expect(attempt).toThrow(UnsafeUrlError);
    expect(attempt).toThrow(/carries a credential/);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toContain('k-secret-1');
    }
  });

  test('links without credentials pass unchanged', () => {
    expect(linkWithoutCredentials('https://api.example.com/v1/things?page=3', credentials)).toBe('https://api.example.com/v1/things?page=3');
  });
});

describe('read-ahead cache', () => {
  const response: HttpResponse = { status: 200, headers: {}, body: { items: [] }, url };
  /** A request that answers at once, or, aborted, rejects with the abort reason as executeHttp does. */
  const sent: AbortSignal[] = [];
  const send = (signal: AbortSignal) => {
    sent.push(signal);
    return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve(response);
  };
  const live = () => new AbortController().signal;

  beforeEach(() => {
    sent.length = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  test('a response is taken once, by the same key only', async () => {
    const cache = new ReadAhead();
    cache.start('wf/1/GET /things?offset=2', send);
    cache.start('wf/1/GET /things?offset=2', send);
    expect(sent).toHaveLength(1);
    expect(cache.take('wf/1/GET /things?offset=4', live())).toBeUndefined();
    await expect(cache.take('wf/1/GET /things?offset=2', live())).resolves.toBe(response);
    expect(cache.take('wf/1/GET /things?offset=2', live())).toBeUndefined();
  });

  test('one not taken in time is dropped and its request aborted', () => {
    const cache = new ReadAhead();
    cache.start('k', send);
    jest.advanceTimersByTime(10_000);
    expect(sent[0]!.aborted).toBe(true);
    expect(cache.take('k', live())).toBeUndefined();
  });

  test("the taker's cancellation aborts the request with its reason, as it would its own request", () => {
    const cache = new ReadAhead();
    cache.start('k', send);
    const cancel = new AbortController();
    void cache.take('k', cancel.signal);
    cancel.abort(new Error('activity cancelled'));
    expect(sent[0]!.reason).toEqual(new Error('activity cancelled'));
  });

  test("once the response is settled, nothing of it hangs on the taker's signal", async () => {
    // Such a listener held the response and, through its async context, the activity that read it ahead: over a
    // long pagination, a chain of every page activity (a memory leak `bench:paginate --long` showed).
    const cache = new ReadAhead();
    cache.start('k', send);
    const cancel = new AbortController();
    const taken = cache.take('k', cancel.signal);
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(1);
    await taken;
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(0);
  });

  test('a bounded number of responses at once: more paginations go without read-ahead', () => {
    const cache = new ReadAhead();
    for (let i = 0; i < 100; i++) cache.start(`wf-${i}`, send);
    expect(sent).toHaveLength(64);
    expect(cache.take('wf-99', live())).toBeUndefined();
    // Taking one makes room for another.
    void cache.take('wf-0', live());
    cache.start('wf-100', send);
    expect(sent).toHaveLength(65);
  });
});
