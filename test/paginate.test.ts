/**
 * Durable pagination end to end: the paginate workflow and its page activity on the real dev server, against a real
 * local API that serves every pagination type, its stop conditions and its faults.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { Definition, type DefinitionInput } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { PROGRESS_QUERY, type Page } from '../src/pagination/model';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { withIntegrationContext } from '../src/temporal/client-context';
import type { PaginateProgress, PaginateRequest, PaginateResult } from '../workflows/paginate';
import { json, serve, type Server } from './helpers/http-server';
import { startTestWorker, type TestWorker } from './helpers/temporal';
import type * as workflows from './fixtures/paginate-workflows';

const KEY = `key-${randomBytes(12).toString('hex')}`;
const OTHER_KEY = `other-${randomBytes(12).toString('hex')}`;
const ITEMS = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
/** Short activity timeouts and retries: faults are retried in seconds, not minutes. */
const activityOptions = { startToCloseTimeout: '10 seconds', retry: { initialInterval: '100 ms', maximumInterval: '1 second', maximumAttempts: 5 } };

let api: Server;
let elsewhere: Server;
let client: Client;
let testWorker: TestWorker | undefined;
let taskQueue: string;
const handled: { handler: string; pageIndex: number; ids: number[] }[] = [];
/** Pages of the read-ahead tests: how many requests their API path had received when the page's handler ran. */
const requestedAtHandler: { action: string; pageIndex: number; requested: number }[] = [];
const AHEAD_PAGES = 4;
const AHEAD_PATHS: Record<string, string> = { ahead: '/ahead', aheadOff: '/ahead-off', aheadPost: '/ahead-post' };

const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;
const int = (value: string | null, fallback: number) => (value === null ? fallback : Number(value));
const slice = (from: number, size: number) => ITEMS.slice(from, from + size);
const hits = (path: string) => api.received.filter((r) => new URL(r.url, 'http://x').pathname === path);
const counters = new Map<string, number>();
const count = (name: string) => {
  const n = (counters.get(name) ?? 0) + 1;
  counters.set(name, n);
  return n;
};

function routes(): Record<string, (req: IncomingMessage, res: ServerResponse) => void> {
  return {
    '/index': (req, res) => {
      const q = query(req);
      json(res, 200, { data: { items: slice(int(q.get('offset'), 0), int(q.get('limit'), 10)) } });
    },
    '/pages': (req, res) => {
      const q = query(req);
      const size = int(q.get('size'), 10);
      json(res, 200, { results: slice(int(q.get('p'), 0) * size, size) });
    },
    '/link': (req, res) => {
      const from = int(query(req).get('from'), 0);
      const more = from + 5 < ITEMS.length;
      json(res, 200, { results: slice(from, 5) }, more ? { link: `<link?from=${from + 5}>; rel="next", </link?from=0>; rel="first"` } : {});
    },
    '/link-body': (req, res) => {
      const from = int(query(req).get('from'), 0);
      json(res, 200, { results: slice(from, 10), paging: { next: from + 10 < ITEMS.length ? `${api.origin}/link-body?from=${from + 10}` : null } });
    },
    '/pointer': (req, res) => {
      const after = int(query(req).get('after'), 0);
      const next = after + 7 < ITEMS.length ? String(after + 7) : undefined;
      json(res, 200, { results: slice(after, 7), meta: { next_cursor: next } });
    },
    '/has-more': (req, res) => {
      const q = query(req);
      const offset = int(q.get('offset'), 0);
      // Pages of 3 although 10 were asked: only the has-more flag knows when it ends.
      json(res, 200, { data: { items: slice(offset, 3) }, more: offset + 3 < 9 });
    },
    ...Object.fromEntries(
      Object.values(AHEAD_PATHS).map((path) => [path, (req: IncomingMessage, res: ServerResponse) => json(res, 200, { data: { items: slice(int(query(req).get('offset'), 0), 2) } })]),
    ),
    '/endless': (req, res) => json(res, 200, { data: { items: slice(int(query(req).get('offset'), 0) % 20, 2) } }),
    '/loop': (req, res) => json(res, 200, { results: [1], meta: { next_cursor: query(req).get('after') === 'b' ? 'a' : 'b' } }),
    '/away': (_req, res) => json(res, 200, { results: [1] }, { link: `<${elsewhere.origin}/steal>; rel="next"` }),
    '/not-array': (_req, res) => json(res, 200, { data: { items: 'nope' } }),
    '/bad-json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": '),
    '/gone-later': (req, res) => (int(query(req).get('offset'), 0) > 0 ? json(res, 404, { error: 'no such page' }) : json(res, 200, { data: { items: slice(0, 2) } })),
    '/limited': (req, res) => {
      const offset = int(query(req).get('offset'), 0);
      if (offset === 2 && count('limited') === 1) return json(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      if (offset === 4 && count('flaky') === 1) return json(res, 503, { error: 'busy' });
      json(res, 200, { data: { items: slice(offset, 2) } });
    },
  };
}

function definition(): Definition {
  const [, host] = api.origin.split('//');
  const paged = (name: string, path: string, pagination: Record<string, unknown>, method: 'GET' | 'POST' = 'GET') => ({
    name,
    description: `${name} action`,
    method,
    path,
    paginated: true,
    pagination,
  });
  const index = { type: 'index' as const, resultsKey: 'data.items', indexParam: 'offset', pageSizeParam: 'limit', defaultPageSize: 2 };
  const input: DefinitionInput = {
    name: 'paged',
    description: 'paginated test API',
    hostname: host!,
    scheme: 'http',
    auth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    pagination: index,
    actions: [
      paged('byIndex', '/index', {}),
      paged('byPage', '/pages', { type: 'page', resultsKey: 'results', pageParam: 'p', startPage: 0, pageSizeParam: 'size', defaultPageSize: 4 }),
      paged('byLink', '/link', { type: 'link', resultsKey: 'results' }),
      paged('byBodyLink', '/link-body', { type: 'link', resultsKey: 'results', location: 'body', nextPageKey: 'paging.next' }),
      paged('byPointer', '/pointer', { type: 'pointer', resultsKey: 'results', afterParam: 'after', pointerPath: '$.meta.next_cursor' }),
      paged('hasMore', '/has-more', { defaultPageSize: 10, hasMorePath: 'more' }),
      paged('endless', '/endless', { pageLimit: 3 }),
      paged('loop', '/loop', { type: 'pointer', resultsKey: 'results', afterParam: 'after', pointerPath: '$.meta.next_cursor' }),
      paged('away', '/away', { type: 'link', resultsKey: 'results' }),
      paged('notArray', '/not-array', {}),
      paged('badJson', '/bad-json', {}),
      paged('goneLater', '/gone-later', {}),
      paged('limited', '/limited', {}),
      paged('ahead', AHEAD_PATHS.ahead!, { pageLimit: AHEAD_PAGES }),
      paged('aheadOff', AHEAD_PATHS.aheadOff!, { pageLimit: AHEAD_PAGES }),
      paged('aheadPost', AHEAD_PATHS.aheadPost!, { pageLimit: AHEAD_PAGES }, 'POST'),
    ],
  };
  return Definition.parse(input);
}

beforeAll(async () => {
  elsewhere = await serve({ '*': (_req, res) => json(res, 200, { results: [{ stolen: true }] }) });
  api = await serve(routes());
  const record = (handler: string) => async (page: Page) => {
    handled.push({ handler, pageIndex: page.pageIndex, ids: page.items.map((item) => (item as { id: number }).id) });
  };
  const plugin = new CustomIntegrationsPlugin({
    definitions: [definition()],
    configurations: [
      { integration: 'paged', apiKey: KEY },
      { integration: 'paged', name: 'Other', apiKey: OTHER_KEY },
    ],
    pageHandlers: {
      recordIds: record('recordIds'),
      // The handler of a page that is not the last waits for the API to receive the next page's request: only a
      // read-ahead sends it before this handler returns. Where one is expected, it waits long enough for a loaded
      // machine; elsewhere only the moment a request sent too early would take to arrive. Then it notes the count.
      awaitNext: async (page) => {
        const path = AHEAD_PATHS[page.action]!;
        const patience = page.action === 'ahead' ? 8_000 : 300;
        const wanted = page.pageIndex < AHEAD_PAGES - 1 ? page.pageIndex + 2 : page.pageIndex + 1;
        for (let waited = 0; hits(path).length < wanted && waited < patience; waited += 10) await delay(10);
        requestedAtHandler.push({ action: page.action, pageIndex: page.pageIndex, requested: hits(path).length });
      },
    },
  });
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/paginate-workflows'), prefix: 'paginate' });
  ({ client, taskQueue } = testWorker);
});

afterAll(async () => {
  await testWorker?.stop();
  await closeHttpAgent();
  await Promise.all([api?.close(), elsewhere?.close()]);
});

function start<W extends keyof typeof workflows>(workflow: W, args: Parameters<(typeof workflows)[W]>, overrides?: Record<string, string>) {
  const begin = () => client.workflow.start(workflow, { taskQueue, workflowId: `${workflow}-${randomUUID()}`, args });
  return overrides ? withIntegrationContext({ overrides }, begin) : begin();
}

const paginate = async (action: string, request: Partial<PaginateRequest> = {}) =>
  (await start('paginate', [{ integration: 'paged', action, activityOptions, ...request }])).result() as Promise<PaginateResult>;

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let current = err as Error;
  while (current.cause instanceof Error) current = current.cause;
  return current.message;
}

const ids = (items: unknown[] | undefined) => (items ?? []).map((item) => (item as { id: number }).id);
const ALL_IDS = ITEMS.map((item) => item.id);

describe('each pagination type collects every item', () => {
  it('index: offset advanced by items received, stops on the short page', async () => {
    const result = await paginate('byIndex');
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result).toMatchObject({ pages: 12, itemCount: 23, stop: 'short page' });
    expect(hits('/index').map((r) => new URL(r.url, 'http://x').search).slice(0, 2)).toEqual(['?limit=2&offset=0', '?limit=2&offset=2']);
    expect(hits('/index').every((r) => r.headers['x-api-key'] === KEY)).toBe(true);
  });

  it('page: from its start page; an exact last page ends with an empty page', async () => {
    const result = await paginate('byPage', { pageLimit: 100 });
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result).toMatchObject({ pages: 6, stop: 'short page' });
    expect(new URL(hits('/pages')[0]!.url, 'http://x').search).toBe('?size=4&p=0');
  });

  it('link in a Link header, relative to the request URL, until there is no next link', async () => {
    const result = await paginate('byLink');
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result).toMatchObject({ pages: 5, stop: 'no next link' });
  });

  it('link in the JSON body', async () => {
    const result = await paginate('byBodyLink');
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result).toMatchObject({ pages: 3, stop: 'no next link' });
  });

  it('pointer: cursor by JSONPath sent back in the after param, until no cursor', async () => {
    const result = await paginate('byPointer');
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result).toMatchObject({ pages: 4, stop: 'no cursor' });
    expect(hits('/pointer').map((r) => new URL(r.url, 'http://x').search)).toEqual(['', '?after=7', '?after=14', '?after=21']);
  });
});

describe('stop conditions', () => {
  it('has-more flag goes on past short pages and stops when false', async () => {
    const result = await paginate('hasMore');
    expect(ids(result.items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.stop).toBe('has more is false');
  });

  it('the page limit of the definition, raised or lowered by the caller', async () => {
    expect(await paginate('endless')).toMatchObject({ pages: 3, stop: 'page limit' });
    expect(await paginate('endless', { pageLimit: 7 })).toMatchObject({ pages: 7, itemCount: 14, stop: 'page limit' });
  });

  it('default page limit of 20 pages', async () => {
    expect(await paginate('byIndex', { input: { limit: 1 } })).toMatchObject({ pages: 20, itemCount: 20, stop: 'page limit' });
  });
});

describe('durability', () => {
  it('continues as new every few pages, carrying position, counts and items; progress answers a query', async () => {
    const handle = await start('paginate', [{ integration: 'paged', action: 'byIndex', activityOptions, pagesPerRun: 3 }]);
    const result = (await handle.result()) as PaginateResult;
    expect(ids(result.items)).toEqual(ALL_IDS);
    expect(result.pages).toBe(12);
    const progress = await handle.query<PaginateProgress>(PROGRESS_QUERY);
    expect(progress).toMatchObject({ pages: 12, items: 23, stop: 'short page' });
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
  });

  it('a repeated cursor fails the pagination, also across continue-as-new', async () => {
    const message = await failure(paginate('loop', { pagesPerRun: 1 }));
    expect(message).toMatch(/paged\.loop page 3 \(cursor a\) returned a cursor seen before \(cursor b\): the API is going round in a loop/);
    // Three pages, and the read-ahead of the fourth: the guard is the workflow's, which refuses it before its activity.
    expect(hits('/loop')).toHaveLength(4);
  });
});

describe('read-ahead', () => {
  const requests = (action: string) => hits(AHEAD_PATHS[action]!).map((r) => new URL(r.url, 'http://x').searchParams.get('offset'));
  const seen = (action: string) => requestedAtHandler.filter((r) => r.action === action).map(({ pageIndex, requested }) => ({ pageIndex, requested }));

  it('each page activity requests the next page before its handler runs; no page twice, none past the last', async () => {
    expect(await paginate('ahead', { handler: 'awaitNext' })).toEqual({ pages: AHEAD_PAGES, itemCount: 8, stop: 'page limit' });
    // While page k's handler ran, page k+1 had been requested already, by page k's activity.
    expect(seen('ahead')).toEqual([
      { pageIndex: 0, requested: 2 },
      { pageIndex: 1, requested: 3 },
      { pageIndex: 2, requested: 4 },
      { pageIndex: 3, requested: 4 },
    ]);
    // Every response read ahead was the one the next activity used: each page requested once, in order.
    expect(requests('ahead')).toEqual(['0', '2', '4', '6']);
    expect(hits(AHEAD_PATHS.ahead!).every((r) => r.headers['x-api-key'] === KEY)).toBe(true);
  });

  it('not with readAhead: false, nor for an action that is not a GET', async () => {
    for (const [action, request] of [['aheadOff', { readAhead: false }], ['aheadPost', {}]] as const) {
      expect(await paginate(action, { handler: 'awaitNext', ...request })).toMatchObject({ pages: AHEAD_PAGES, stop: 'page limit' });
      // Page k+1 was requested only after page k's activity had completed.
      expect(seen(action)).toEqual([0, 1, 2, 3].map((pageIndex) => ({ pageIndex, requested: pageIndex + 1 })));
      expect(requests(action)).toEqual(['0', '2', '4', '6']);
    }
  });
});

describe('faults', () => {
  it('a next link to another origin is refused, and nothing is sent there', async () => {
    const message = await failure(paginate('away'));
    expect(message).toMatch(/paged\.away page 1 \(first page\): next link to http:\/\/127\.0\.0\.1:\d+\/steal refused/);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('a results key that is not an array, and malformed JSON, fail at once naming the page and path', async () => {
    expect(await failure(paginate('notArray'))).toMatch(/paged\.notArray page 1 \(offset 0\): the results at "data\.items" are a string, not an array/);
    expect(hits('/not-array')).toHaveLength(1);
    expect(await failure(paginate('badJson'))).toMatch(/paged\.badJson page 1 \(offset 0\): GET .*\/bad-json answered 200 with/);
    expect(hits('/bad-json')).toHaveLength(1);
  });

  it('a 4xx fails with the page and position', async () => {
    expect(await failure(paginate('goneLater'))).toMatch(/paged\.goneLater page 2 \(offset 2\): GET .*\/gone-later answered 404/);
  });

  it('429 waits for Retry-After and 5xx is retried; no finished page is fetched again', async () => {
    const result = await paginate('limited', { pageLimit: 4 });
    expect(ids(result.items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const offsets = hits('/limited').map((r) => new URL(r.url, 'http://x').searchParams.get('offset'));
    expect(offsets).toEqual(['0', '2', '2', '4', '4', '6']);
    const [limited, retried] = hits('/limited').slice(1, 3);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(900);
  });
});

describe('from workflow code', () => {
  it('integration(x).action.paginate runs a child with a readable id, and the caller override reaches the pages', async () => {
    const before = hits('/pointer').length;
    const handle = await start('paginateFromParent', ['byPointer', {}, { activityOptions }], { paged: 'Other' });
    const result = (await handle.result()) as PaginateResult;
    expect(ids(result.items)).toEqual(ALL_IDS);
    const pages = hits('/pointer').slice(before);
    expect(pages.map((r) => r.headers['x-api-key'])).toEqual([OTHER_KEY, OTHER_KEY, OTHER_KEY, OTHER_KEY]);
    const child = client.workflow.getHandle(`${handle.workflowId}/paginate/paged.byPointer/1`);
    expect((await child.describe()).type).toBe('paginate');
  });

  it('forEachPage hands each page to the named handler with its index; no items in the result', async () => {
    const handle = await start('forEachPageFromParent', ['byLink', 'recordIds', { activityOptions, pagesPerRun: 2 }]);
    const result = (await handle.result()) as PaginateResult;
    expect(result).toEqual({ pages: 5, itemCount: 23, stop: 'no next link' });
    const pages = handled.filter((h) => h.handler === 'recordIds');
    expect(pages.map((p) => p.pageIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(pages.flatMap((p) => p.ids)).toEqual(ALL_IDS);
  });

  it('an unknown handler fails naming the registered ones', async () => {
    expect(await failure(paginate('byIndex', { handler: 'nope' }))).toMatch(/no page handler "nope" is registered .*\(registered: recordIds, awaitNext\)/);
  });
});
