/**
 * `npm run bench:paginate [-- --pages N --latency 0,50 --long 10000 --check]`: the durable pagination (the `paginate`
 * workflow with a forEachPage handler, one activity per page) against a plain undici loop over the same pages, in the
 * same run, against an API in a child process (bench/pages-server.ts) that takes `latency` ms to answer each page.
 * The durable pagination runs twice: as it comes (each page activity reads the next page ahead), and with
 * `readAhead: false`, which shows Temporal's own cost per page (activity completion, workflow task, dispatch).
 *
 * A dedicated Temporal dev server (free port, throwaway SQLite file) and the worker run here, so the RSS reported is
 * the worker process's; it is read after a warm-up and after each run. History events per page are counted over the
 * whole continue-as-new chain. `--long N` then runs one N-page pagination at 0 ms latency and samples the RSS every
 * second: memory is flat when the RSS over the last tenth of the pages is within 10% of the RSS over the second tenth
 * (after start-up growth), each the median of its samples, as the RSS moves by tens of MB between collections.
 *
 * Exits 0 whatever the figures (benchmarks do not fail CI), unless --check is given: then 1 when a target is missed.
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import { Definition } from '../src/definition/model';
import { startDevServer, type DevServer } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { BUILTIN_WORKFLOWS_PATH } from '../src/temporal/worker';
import type { paginate, PaginateRequest } from '../workflows/paginate';
import { startChildServer } from './child-server';
import { whole, wholeList } from './numbers';

const TARGET_RATIO = 0.85;
const TARGET_LATENCY_MS = 50;
const FLAT_GROWTH = 0.1;
const PAGE_SIZE = 20;
const WARM_UP_PAGES = 20;
const MB = 1024 * 1024;

interface Options {
  pages: number;
  latencies: number[];
  long: number | undefined;
  check: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { pages: { type: 'string' }, latency: { type: 'string' }, long: { type: 'string' }, check: { type: 'boolean' } },
  });
  return {
    pages: whole('--pages', values.pages ?? '300', 1),
    latencies: wholeList('--latency', values.latency ?? '0,50', 0),
    long: values.long === undefined ? undefined : whole('--long', values.long, 1),
    check: values.check ?? false,
  };
}

interface Run {
  seconds: number;
  rssStart: number;
  rssEnd: number;
  /** History events of a durable run. */
  events?: number;
}

interface Row {
  latency: number;
  pages: number;
  plain: Run;
  durable: Run;
  withoutReadAhead: Run;
}

/** One API (at one latency) and a worker paginating it, on a task queue of their own. */
interface Bench {
  plainLoop(pages: number): Promise<void>;
  /** Returns the pagination's history events, a figure taken after the pagination ended (and not timed). */
  durable(pages: number, readAhead?: boolean): Promise<() => Promise<number>>;
  /** Items the page handler has received so far. */
  handled(): number;
  close(): Promise<void>;
}

async function startBench(server: DevServer, native: NativeConnection, client: Client, latency: number): Promise<Bench> {
  const api = await startChildServer(path.join(__dirname, 'pages-server.js'), { BENCH_LATENCY_MS: String(latency) });
  const taskQueue = `bench-paginate-${latency}ms-${Date.now()}`;
  let handled = 0;
  const plugin = new CustomIntegrationsPlugin({
    definitions: [
      Definition.parse({
        name: 'bench',
        description: 'an endless paginated API',
        hostname: `127.0.0.1:${api.port}`,
        scheme: 'http',
        pagination: { type: 'index', resultsKey: 'items', indexParam: 'offset', pageSizeParam: 'limit', defaultPageSize: PAGE_SIZE },
        actions: [{ name: 'listThings', description: 'every thing', method: 'GET', path: '/things', paginated: true }],
      }),
    ],
    pageHandlers: {
      count: async (page) => {
        handled += page.items.length;
      },
    },
  });
  const worker = await Worker.create({ connection: native, namespace: server.namespace, taskQueue, workflowsPath: BUILTIN_WORKFLOWS_PATH, plugins: [plugin] });
  const running = worker.run();
  const agent = new Agent();

  return {
    handled: () => handled,
    async plainLoop(pages) {
      for (let page = 0; page < pages; page++) {
        const { statusCode, body } = await request(`http://127.0.0.1:${api.port}/things?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`, { dispatcher: agent });
        const { items } = (await body.json()) as { items: unknown[] };
        if (statusCode !== 200 || items.length !== PAGE_SIZE) throw new Error(`plain loop: HTTP ${statusCode}, ${items.length} items`);
      }
    },
    async durable(pages, readAhead = true) {
      const paginateRequest: PaginateRequest = { integration: 'bench', action: 'listThings', handler: 'count', pageLimit: pages, readAhead };
      const handle = await client.workflow.start<typeof paginate>('paginate', { taskQueue, workflowId: `${taskQueue}-${pages}-${handled}`, args: [paginateRequest] });
      const result = await handle.result();
      if (result.pages !== pages || result.stop !== 'page limit') throw new Error(`durable: ${JSON.stringify(result)}`);
      return () => historyEvents(client, handle.workflowId, handle.firstExecutionRunId);
    },
    async close() {
      worker.shutdown();
      await running;
      await agent.close();
      await api.stop();
    },
  };
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** Events of every run of the continue-as-new chain. */
async function historyEvents(client: Client, workflowId: string, firstRunId: string): Promise<number> {
  let events = 0;
  for (let runId: string | null | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const all = history.events ?? [];
    events += all.length;
    runId = all[all.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return events;
}

async function timed<T>(run: () => Promise<T>): Promise<Run & { result: T }> {
  const rssStart = process.memoryUsage().rss;
  const start = performance.now();
  const result = await run();
  return { seconds: (performance.now() - start) / 1000, rssStart, rssEnd: process.memoryUsage().rss, result };
}

async function measure(bench: Bench, latency: number, pages: number): Promise<Row> {
  await bench.plainLoop(WARM_UP_PAGES);
  await bench.durable(WARM_UP_PAGES);
  const plain = await timed(() => bench.plainLoop(pages));
  const { result: events, ...durable } = await timed(() => bench.durable(pages));
  const { result: eventsWithout, ...withoutReadAhead } = await timed(() => bench.durable(pages, false));
  return {
    latency,
    pages,
    plain,
    durable: { ...durable, events: await events() },
    withoutReadAhead: { ...withoutReadAhead, events: await eventsWithout() },
  };
}

interface LongRun {
  pages: number;
  seconds: number;
  /** RSS and the main thread's V8 heap (the worker's activities and its polling; workflows run in another thread). */
  samples: { pages: number; rss: number; heap: number }[];
}

/** One long pagination, the RSS sampled every second. */
async function longRun(bench: Bench, pages: number): Promise<LongRun> {
  const samples: LongRun['samples'] = [];
  const before = bench.handled();
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    samples.push({ pages: (bench.handled() - before) / PAGE_SIZE, rss, heap: heapUsed });
  };
  sample();
  const sampling = setInterval(sample, 1000);
  const start = performance.now();
  try {
    await bench.durable(pages);
  } finally {
    clearInterval(sampling);
  }
  sample();
  return { pages, seconds: (performance.now() - start) / 1000, samples };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-paginate-'));
  const server = await startDevServer({ port: await freePort(), headless: true, dbFilename: path.join(dataDir, 'temporal.sqlite') });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  // The plugin's codec, as the workers have it: results come back encrypted.
  const client = new Client({ connection, namespace: server.namespace, plugins: [new CustomIntegrationsPlugin()] });
  const rows: Row[] = [];
  let long: LongRun | undefined;
  try {
    for (const latency of options.latencies) {
      const bench = await startBench(server, native, client, latency);
      try {
        rows.push(await measure(bench, latency, options.pages));
        if (latency === 0 && options.long !== undefined) long = await longRun(bench, options.long);
      } finally {
        await bench.close();
      }
    }
    if (options.long !== undefined && !long) {
      const bench = await startBench(server, native, client, 0);
      try {
        long = await longRun(bench, options.long);
      } finally {
        await bench.close();
      }
    }
  } finally {
    await native.close();
    await connection.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  printTable(rows);
  const verdicts = [throughputVerdict(rows), memoryVerdict(long)];
  console.log();
  for (const { line } of verdicts) console.log(line);
  if (options.check && verdicts.some((v) => v.met === false)) process.exitCode = 1;
}

interface Verdict {
  /** Undefined when not measured. */
  met: boolean | undefined;
  line: string;
}

const verdictWord = (met: boolean) => (met ? 'met' : 'NOT MET');

function throughputVerdict(rows: readonly Row[]): Verdict {
  const target = `target: durable throughput >= ${TARGET_RATIO}x the plain loop's at ${TARGET_LATENCY_MS} ms`;
  const row = rows.find((r) => r.latency === TARGET_LATENCY_MS);
  if (!row) return { met: undefined, line: `${target}: not measured (add ${TARGET_LATENCY_MS} to --latency)` };
  const ratio = row.plain.seconds / row.durable.seconds;
  return { met: ratio >= TARGET_RATIO, line: `${target}: ${verdictWord(ratio >= TARGET_RATIO)} (${ratio.toFixed(2)}x)` };
}

function memoryVerdict(long: LongRun | undefined): Verdict {
  const target = `target: a 10,000-page pagination completes with flat worker memory`;
  if (!long) return { met: undefined, line: `${target}: not run (--long 10000 runs it)` };
  // Start-up (bundles, caches, JIT) grows memory first; flat means no growth with the pages after that.
  const tenth = (n: number) => long.samples.filter((s) => s.pages >= (long.pages * n) / 10 && s.pages <= (long.pages * (n + 1)) / 10);
  const settled = tenth(1);
  const end = tenth(9);
  const growth = median(end.map((s) => s.rss)) / median(settled.map((s) => s.rss)) - 1;
  const met = long.pages >= 10_000 && settled.length > 0 && end.length > 0 && growth <= FLAT_GROWTH;
  const byTenth = (of: 'rss' | 'heap') => Array.from({ length: 10 }, (_, n) => mb(median(tenth(n).map((s) => s[of])))).join(' ');
  return {
    met,
    line:
      `${target}: ${verdictWord(met)} (${long.pages} pages in ${long.seconds.toFixed(0)} s, ${(long.pages / long.seconds).toFixed(0)} pages/s; ` +
      `RSS ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% from the second tenth of the pages to the last, peak ${mb(Math.max(...long.samples.map((s) => s.rss)))} MB)\n` +
      `  median RSS MB by tenth of the pages:       ${byTenth('rss')}\n` +
      `  median main-thread heap MB by tenth:       ${byTenth('heap')}`,
  };
}

/** NaN for no values, which prints as such rather than as a figure. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
}

const mb = (bytes: number) => (bytes / MB).toFixed(0);

function printTable(rows: readonly Row[]): void {
  const header = ['latency', 'variant', 'pages', 'seconds', 'pages/s', 'ms/page', 'overhead ms/page', 'throughput ratio', 'events/page', 'RSS start MB', 'RSS end MB'];
  const lines = rows.flatMap((r) => {
    const line = (variant: string, run: Run) => [
      `${r.latency} ms`,
      variant,
      String(r.pages),
      run.seconds.toFixed(1),
      (r.pages / run.seconds).toFixed(1),
      ((run.seconds * 1000) / r.pages).toFixed(2),
      run === r.plain ? '' : (((run.seconds - r.plain.seconds) * 1000) / r.pages).toFixed(2),
      run === r.plain ? '' : (r.plain.seconds / run.seconds).toFixed(2),
      run.events === undefined ? '' : (run.events / r.pages).toFixed(2),
      mb(run.rssStart),
      mb(run.rssEnd),
    ];
    return [line('plain undici loop', r.plain), line('durable paginate', r.durable), line('  readAhead: false', r.withoutReadAhead)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `${PAGE_SIZE} items a page, after a ${WARM_UP_PAGES}-page warm-up of each; the worker runs in this process, the API in a child process; ` +
      `the package's dev server (eager activity execution, SQLite in WAL mode)\n`,
  );
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
