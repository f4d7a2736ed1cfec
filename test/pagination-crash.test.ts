/**
 * Crash test of the durable pagination: the worker runs in its own process and is killed with SIGKILL at random
 * pages, several times in one pagination; a new worker finishes it. Every item reaches the forEachPage handler's
 * store exactly once, and no finished page is fetched again (only the page in flight at a kill may repeat).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PaginateRequest, PaginateResult } from '../workflows/paginate';
import { json, serve, type Server } from './helpers/http-server';
import { ROOT, start, type Running } from './helpers/processes';
import { testClient, testServer, uniqueTaskQueue } from './helpers/temporal';

const TOTAL = 400;
const PAGE_SIZE = 10;
const PAGES = TOTAL / PAGE_SIZE;
const JITI = path.join(ROOT, 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs');
const WORKER = path.join(__dirname, 'fixtures', 'pagination-worker.ts');

let api: Server;
let client: Client;
let closeClient: () => Promise<void>;
let outDir: string;

beforeAll(async () => {
  api = await serve({
    '/things': (req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      // A little latency per page, so kills land while pages are in flight as well as between them.
      setTimeout(() => json(res, 200, { items: Array.from({ length: Math.max(0, Math.min(PAGE_SIZE, TOTAL - offset)) }, (_, i) => ({ id: offset + i })) }), 30);
    },
  });
  const { connection, client: connected } = await testClient();
  client = connected;
  closeClient = () => connection.close();
  outDir = await mkdtemp(path.join(tmpdir(), 'pagination-crash-'));
});

afterAll(async () => {
  await closeClient?.();
  await api?.close();
  await rm(outDir, { recursive: true, force: true });
});

function startWorker(taskQueue: string, address: string): Running {
  return start(JITI, [WORKER], {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: testServer().namespace,
    TASK_QUEUE: taskQueue,
    API_HOST: api.origin.slice('http://'.length),
    OUT_DIR: outDir,
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

const offsets = () => api.received.map((r) => Number(new URL(r.url, 'http://x').searchParams.get('offset')));

it('survives SIGKILLs of its worker at random pages: each item handled once, no finished page fetched again', async () => {
  const taskQueue = uniqueTaskQueue('pagination-crash');
  const request: PaginateRequest = {
    integration: 'crashy',
    action: 'listThings',
    handler: 'storeThings',
    pageLimit: 1000,
    pagesPerRun: 12,
    // A killed worker's page is retried after this timeout rather than the 2-minute default.
    activityOptions: { startToCloseTimeout: '3 seconds', retry: { initialInterval: '200 ms', maximumInterval: '1 second' } },
  };
  const handle = await client.workflow.start('paginate', {
    taskQueue,
    workflowId: `crash-${randomUUID()}`,
    args: [request],
    workflowTaskTimeout: '2 seconds',
  });
  const kills = [...new Set(Array.from({ length: 3 }, () => 3 + Math.floor(Math.random() * (PAGES - 8))))].sort((a, b) => a - b);
  let worker = startWorker(taskQueue, testServer().address);
  try {
    for (const page of kills) {
      await until(() => api.received.length >= page, `page ${page}`);
      await worker.stop('SIGKILL');
      worker = startWorker(taskQueue, testServer().address);
    }
    const result = (await handle.result()) as PaginateResult;
    expect(result).toEqual({ pages: PAGES + 1, itemCount: TOTAL, stop: 'empty page' });
  } finally {
    await worker.stop('SIGTERM');
  }

  // Exactly once per item in the handler's store.
  const files = (await readdir(outDir)).filter((f) => /^page-\d+\.json$/.test(f));
  const ids: number[] = [];
  for (const file of files) ids.push(...(JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as { id: number }[]).map((item) => item.id));
  expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));

  // The handler itself ran again only for pages in flight at a kill.
  const calls = (await readFile(path.join(outDir, 'calls.log'), 'utf8')).trim().split('\n').map(Number);
  expect(calls.length - new Set(calls).size).toBeLessThanOrEqual(kills.length);

  // Only a page in flight at a kill is fetched again: at most one repeated page per kill.
  const fetched = offsets();
  const repeated = [...new Set(fetched.filter((offset, i) => fetched.indexOf(offset) !== i))];
  expect(repeated.length).toBeLessThanOrEqual(kills.length);
  expect(new Set(fetched).size).toBe(PAGES + 1);
}, 300_000);
