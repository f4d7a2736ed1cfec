/**
 * `npm run bench:oauth [-- --configurations N --minutes M --ttl S --call-every S]`: N OAuth 2.0 configurations
 * (client credentials, default 1,000) with S-second tokens (default 30) for M minutes (default 10), against a local
 * token endpoint and API in a child process (bench/oauth-server.ts). Every configuration has a workflow calling the
 * API (default every 30 s: each token is used at least once, and 1,000 callers at 5 s, 400 workflow tasks a second,
 * measure the callers' load on a small machine rather than the token workflows); each configuration's token workflow
 * refreshes its tokens.
 *
 * Reports: requests the API received with an expired token (target 0), refreshes per configuration against the
 * expected count (the run time after its first token divided by the refresh period: half the token's life, since the
 * smallest refresh buffer, 30 s, is not shorter than it), refresh lateness (each refresh against its un-jittered due
 * time; jitter makes refreshes up to 10% early), the least life a token had left when it was replaced, and the worker
 * process's RSS at start and end. A dedicated Temporal dev server runs in its own process.
 *
 * Exits 0 whatever the figures, unless --check is given: then 1 when a request carried an expired token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Definition } from '../src/definition/model';
import { startDevServer } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import { closeHttpAgent } from '../src/http/agent';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { startChildServer } from './child-server';
import { whole } from './numbers';
import type { keepCalling } from './oauth-workflows';
import type { OAuthBenchStats } from './oauth-server';

const SECRET_ENV = 'BENCH_OAUTH_CLIENT_SECRET';
const BUFFER_SECONDS = 30;
const MB = 1024 * 1024;

interface Options {
  configurations: number;
  seconds: number;
  ttl: number;
  callEvery: number;
  check: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      configurations: { type: 'string' },
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      ttl: { type: 'string' },
      'call-every': { type: 'string' },
      check: { type: 'boolean' },
    },
  });
  return {
    configurations: whole('--configurations', values.configurations ?? '1000', 1),
    seconds: values.seconds !== undefined ? whole('--seconds', values.seconds, 10) : whole('--minutes', values.minutes ?? '10', 1) * 60,
    ttl: whole('--ttl', values.ttl ?? '30', 10),
    callEvery: whole('--call-every', values['call-every'] ?? '30', 1),
    check: values.check ?? false,
  };
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const secret = `bench-${Math.random().toString(36).slice(2)}`;
  process.env[SECRET_ENV] = secret;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-oauth-'));
  const server = await startDevServer({ port: await freePort(), headless: true, dbFilename: path.join(dataDir, 'temporal.sqlite') });
  const api = await startChildServer(path.join(__dirname, 'oauth-server.js'), { BENCH_TOKEN_TTL: String(options.ttl), BENCH_CLIENT_SECRET: secret });
  const origin = `http://127.0.0.1:${api.port}`;
  const names = Array.from({ length: options.configurations }, (_, i) => `c${i}`);
  const plugin = new CustomIntegrationsPlugin({
    definitions: [
      Definition.parse({
        name: 'benchOAuth',
        description: 'an API behind client credentials',
        hostname: `127.0.0.1:${api.port}`,
        scheme: 'http',
        auth: { type: 'oauth2', grantType: 'client_credentials', tokenUrl: `${origin}/token`, refresh: { strategy: 'automatic', bufferSeconds: BUFFER_SECONDS } },
        actions: [{ name: 'ping', description: 'a call with the token', method: 'GET', path: '/api' }],
      }),
    ],
    configurations: names.map((name) => ({ integration: 'benchOAuth', name, clientId: name, clientSecret: { env: SECRET_ENV } })),
  });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, plugins: [plugin] });
  const taskQueue = 'bench-oauth';
  const worker = await Worker.create({
    connection: native,
    namespace: server.namespace,
    taskQueue,
    workflowsPath: require.resolve('./oauth-workflows'),
    plugins: [plugin],
  });
  const running = worker.run();
  const memoryStart = process.memoryUsage();
  const start = Date.now();
  const until = start + options.seconds * 1000;
  console.log(`${options.configurations} configurations, ${options.ttl}-second tokens, a call every ${options.callEvery} s each, for ${options.seconds} s`);

  let results: { calls: number; failures: number }[];
  let stats: OAuthBenchStats;
  let memoryEnd: NodeJS.MemoryUsage;
  let cachedEnd: number;
  // RSS over the run, one sample per tenth: growth that flattens once every token workflow is cached is the cache;
  // growth that keeps going is a leak. (Workflows run in worker threads: their heaps show in RSS, not in heapUsed.)
  const rssByTenth: number[] = [];
  const sampler = setInterval(() => rssByTenth.push(process.memoryUsage().rss), (options.seconds * 1000) / 10);
  try {
    const handles = await Promise.all(
      names.map((name) =>
        client.workflow.start<typeof keepCalling>('keepCalling', { taskQueue, workflowId: `caller-${name}`, args: [name, until, options.callEvery * 1000] }),
      ),
    );
    results = await Promise.all(handles.map((handle) => handle.result()));
    memoryEnd = process.memoryUsage();
    cachedEnd = worker.getStatus().numCachedWorkflows;
    stats = (await (await fetch(`${origin}/stats`)).json()) as OAuthBenchStats;
  } finally {
    clearInterval(sampler);
    worker.shutdown();
    await running;
    await closeHttpAgent();
    await native.close();
    await connection.close();
    await api.stop();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const ttlMs = options.ttl * 1000;
  const periodMs = Math.max(ttlMs - BUFFER_SECONDS * 1000, ttlMs / 2);
  const refreshes: number[] = [];
  const ratios: number[] = [];
  const lateness: number[] = [];
  let leastLifeLeft = Infinity;
  for (const name of names) {
    const grants = (stats.grants[name] ?? []).filter((at) => at <= until);
    if (!grants.length) continue;
    refreshes.push(grants.length - 1);
    const expected = Math.floor((until - grants[0]!) / periodMs);
    if (expected > 0) ratios.push((grants.length - 1) / expected);
    for (let i = 1; i < grants.length; i++) {
      lateness.push(grants[i]! - (grants[i - 1]! + periodMs));
      leastLifeLeft = Math.min(leastLifeLeft, grants[i - 1]! + ttlMs - grants[i]!);
    }
  }
  lateness.sort((a, b) => a - b);
  refreshes.sort((a, b) => a - b);
  ratios.sort((a, b) => a - b);
  const calls = results.reduce((sum, r) => sum + r.calls, 0);
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

  console.log();
  console.log(`API requests: ${stats.api.ok} ok, ${stats.api.expired} with an expired token (target 0), ${stats.api.unknown} with an unknown token`);
  console.log(`calls: ${calls}, failed: ${failures}`);
  console.log(
    `refreshes per configuration: mean ${mean(refreshes).toFixed(1)}, min ${refreshes[0]}, max ${refreshes.at(-1)}; ` +
      `against expected (one per ${seconds(periodMs)}): mean ${mean(ratios).toFixed(3)}, min ${ratios[0]?.toFixed(3)}, max ${ratios.at(-1)?.toFixed(3)}`,
  );
  console.log(
    `refresh lateness against the un-jittered due time (${lateness.length} refreshes): p50 ${seconds(percentile(lateness, 50))}, p99 ${seconds(percentile(lateness, 99))}, max ${seconds(lateness.at(-1) ?? NaN)}`,
  );
  console.log(`least life left on a token when it was replaced: ${seconds(leastLifeLeft)}`);
  const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
  console.log(
    `worker RSS: ${mb(memoryStart.rss)} at start, ${mb(memoryEnd.rss)} at end (main-thread JS heap ${mb(memoryStart.heapUsed)} -> ${mb(memoryEnd.heapUsed)}; ` +
      `${cachedEnd} workflows cached at end)`,
  );
  console.log(`worker RSS every tenth of the run time, until the callers finished: ${rssByTenth.map((bytes) => (bytes / MB).toFixed(0)).join(', ')} MB`);
  if (options.check && stats.api.expired > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
