/**
 * Crash tests of the durable pagination, with the worker in its own process:
 * - the worker is killed with SIGKILL at random pages, several times in one pagination; a new worker finishes it;
 * - the Temporal dev server is stopped mid-pagination, kept down a few seconds, and restarted on its SQLite file.
 * Either way every item reaches the forEachPage handler's store exactly once, and no finished page is fetched again.
 *
 * What may repeat: the pages in flight at an interruption. With read-ahead (on by default) those are two: the page
 * whose activity was running, and the next page, whose request that activity had already sent. The read-ahead page is
 * no finished page: its items reached no handler and the workflow never recorded it, so fetching it again is the
 * same as fetching again the page in flight. Hence the checks: a page is fetched again after its handler ran only
 * if it was one of the last two requested before an interruption, and at most two pages repeat per interruption.
 * (A fetch repeated before the page was handled, e.g. a read-ahead that expired on a machine too loaded to take it
 * within 10 s, costs a request but loses or repeats nothing: it is bounded by the count, not refused.)
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startDevServer, type DevServerOptions } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import type { PaginateRequest, PaginateResult } from '../workflows/paginate';
import { json, serve, type Server } from './helpers/http-server';
import { ROOT, start, type Running } from './helpers/processes';
import { testClient, testServer, uniqueTaskQueue, type TestServer } from './helpers/temporal';

const TOTAL = 400;
const PAGE_SIZE = 10;
const PAGES = TOTAL / PAGE_SIZE;
const JITI = path.join(ROOT, 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs');
const WORKER = path.join(__dirname, 'fixtures', 'pagination-worker.ts');

const REQUEST: PaginateRequest = {
  integration: 'crashy',
  action: 'listThings',
  handler: 'storeThings',
  pageLimit: 1000,
  pagesPerRun: 12,
  // A lost page (killed worker, server outage) is retried after this timeout rather than the 2-minute default.
  activityOptions: { startToCloseTimeout: '3 seconds', retry: { initialInterval: '200 ms', maximumInterval: '1 second' } },
};

// A fresh API and store per test: the checks read the API's request log and the store's files from the start.
let api: Server;
let outDir: string;

beforeEach(async () => {
  api = await serve({
    '/things': (req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      // A little latency per page, so kills and outages land while pages are in flight as well as between them.
      setTimeout(() => json(res, 200, { items: Array.from({ length: Math.max(0, Math.min(PAGE_SIZE, TOTAL - offset)) }, (_, i) => ({ id: offset + i })) }), 30);
    },
  });
  outDir = await mkdtemp(path.join(tmpdir(), 'pagination-crash-'));
});

afterEach(async () => {
  await api?.close();
  await rm(outDir, { recursive: true, force: true });
});

function startWorker(taskQueue: string, server: TestServer): Running {
  return start(JITI, [WORKER], {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    TASK_QUEUE: taskQueue,
    API_HOST: api.origin.slice('http://'.length),
    OUT_DIR: outDir,
  });
}

function startPagination(client: Client, taskQueue: string) {
  return client.workflow.start('paginate', { taskQueue, workflowId: `crash-${randomUUID()}`, args: [REQUEST], workflowTaskTimeout: '2 seconds' });
}

async function until(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

const offsetOf = (url: string) => Number(new URL(url, 'http://x').searchParams.get('offset'));

/** The pages of the last two requests the API received: the most that can be in flight at an interruption. */
const lastTwoRequested = () => api.received.slice(-2).map((r) => offsetOf(r.url));

/**
 * The pagination's result, the store and the API's log after `interruptions` kills or outages, `inFlight` holding
 * the pages of the last two requests before each.
 */
async function expectEachItemOnce(result: PaginateResult, interruptions: number, inFlight: readonly number[]): Promise<void> {
  expect(result).toEqual({ pages: PAGES + 1, itemCount: TOTAL, stop: 'empty page' });

  // Exactly once per item in the handler's store.
  const files = (await readdir(outDir)).filter((f) => /^page-\d+\.json$/.test(f));
  const ids: number[] = [];
  for (const file of files) ids.push(...(JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as { id: number }[]).map((item) => item.id));
  expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));

  // The handler itself ran again only for pages in flight at an interruption.
  const calls = (await readFile(path.join(outDir, 'calls.log'), 'utf8')).trim().split('\n').map((line) => line.split(' ').map(Number) as [number, number]);
  const handled = calls.map(([pageIndex]) => pageIndex);
  expect(handled.length - new Set(handled).size).toBeLessThanOrEqual(interruptions);

  // No finished page is fetched again, unless in flight at an interruption (see the top of this file).
  const handledAt = new Map<number, number>();
  for (const [pageIndex, at] of calls) if (!handledAt.has(pageIndex)) handledAt.set(pageIndex, at);
  const afterHandled = api.received
    .map((r) => ({ offset: offsetOf(r.url), at: r.at }))
    .filter(({ offset, at }) => at > (handledAt.get(offset / PAGE_SIZE) ?? Infinity) && !inFlight.includes(offset));
  expect(afterHandled).toEqual([]);
  const fetched = api.received.map((r) => offsetOf(r.url));
  const repeated = [...new Set(fetched.filter((offset, i) => fetched.indexOf(offset) !== i))];
  expect(repeated.length).toBeLessThanOrEqual(2 * interruptions);
  expect(new Set(fetched).size).toBe(PAGES + 1);
}

it('survives SIGKILLs of its worker at random pages: each item handled once, no finished page fetched again', async () => {
  const { connection, client } = await testClient();
  const taskQueue = uniqueTaskQueue('pagination-crash');
  const handle = await startPagination(client, taskQueue);
  const kills = [...new Set(Array.from({ length: 3 }, () => 3 + Math.floor(Math.random() * (PAGES - 8))))].sort((a, b) => a - b);
  let worker = startWorker(taskQueue, testServer());
  const inFlight: number[] = [];
  try {
    for (const page of kills) {
      await until(() => api.received.length >= page, `page ${page}`);
      await worker.stop('SIGKILL');
      // Read once the worker is dead and what it had sent has been read: nothing it sent can arrive later.
      await api.drained();
      inFlight.push(...lastTwoRequested());
      worker = startWorker(taskQueue, testServer());
    }
    await expectEachItemOnce((await handle.result()) as PaginateResult, kills.length, inFlight);
  } finally {
    await worker.stop('SIGTERM');
    await connection.close();
  }
}, 300_000);

it('survives a restart of the Temporal server on its SQLite file mid-pagination', async () => {
  // The same port and file both times: the worker and the client reconnect to the address they were given.
  const options: DevServerOptions = { port: await freePort(), headless: true, dbFilename: path.join(outDir, 'temporal.sqlite') };
  let server = await startDevServer(options);
  const { connection, client } = await testClient(server);
  const taskQueue = uniqueTaskQueue('pagination-restart');
  const worker = startWorker(taskQueue, server);
  try {
    const handle = await startPagination(client, taskQueue);
    await until(() => api.received.length >= 10, 'page 10');
    await server.stop();
    const fetchedAtStop = api.received.length;
    await delay(3_000);
    // Nothing moves while the server is down: at most the read-ahead of the page whose activity was running.
    expect(api.received.length).toBeLessThanOrEqual(fetchedAtStop + 1);
    const inFlight = lastTwoRequested();
    server = await startDevServer(options);

    await expectEachItemOnce((await handle.result()) as PaginateResult, 1, inFlight);
    // The same worker process finished the pagination, so an outage needs no worker restart: the SDK's core retries
    // its polls and task completions with backoff while the server refuses connections (it logs "retried N times"),
    // and a completion the restarted server no longer knows ("Workflow task not found") is dropped and the task redone.
    expect(worker.child.exitCode).toBeNull();
  } finally {
    await worker.stop('SIGTERM');
    await connection.close();
    await server.stop();
  }
}, 300_000);
