/**
 * The CLI as a user runs it: `custom-integrations worker` in one process, `call` in another, against the real dev
 * server and the shipped Pedro Aviary definition, pointed at a local Pedro Aviary API.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { startPedroAviary, type PedroAviaryServer } from '../demo/pedro-aviary-server';
import { parseParams } from '../src/cli/args';
import { Action } from '../src/definition/model';
import { INTEGRATION } from '../src/temporal/search-attributes';
import { CLI, ROOT, run, start, type Running } from './helpers/processes';
import { testClient, uniqueTaskQueue } from './helpers/temporal';

const apiKey = `cli-${randomBytes(12).toString('hex')}`;
let vendor: PedroAviaryServer;
let scratch: string;
let configFile: string;
let worker: Running | undefined;
const env = { PEDRO_AVIARY_API_KEY: apiKey, CUSTOM_INTEGRATIONS_LOG_LEVEL: 'WARN' };
const cli = (...args: string[]) => run(CLI, [...args, '--config', configFile], env);

beforeAll(async () => {
  vendor = await startPedroAviary({ apiKey });
  scratch = mkdtempSync(path.join(tmpdir(), 'cli-test-'));
  configFile = path.join(scratch, 'temporal.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      taskQueue: uniqueTaskQueue('cli'),
      definitionsDir: path.join(ROOT, 'definitions'),
      configurations: [{ integration: 'pedroAviary', apiKey: { env: 'PEDRO_AVIARY_API_KEY' }, hostname: vendor.hostname }],
    }),
  );
});

afterAll(async () => {
  await worker?.stop();
  await vendor?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('check lists the actions of the definitions folder', async () => {
  const { code, stdout } = await cli('check');
  expect(code).toBe(0);
  expect(stdout).toContain('pedroAviary.getBird  GET /birds/{birdId}');
  expect(stdout).toContain('pedroAviary.listBirds  GET /birds  (paginated: index)');
  expect(stdout).toContain('1 integrations OK');
});

test('a worker without its secret refuses to start and names the variable', async () => {
  const { code, stderr } = await run(CLI, ['worker', '--config', configFile], { PEDRO_AVIARY_API_KEY: '' });
  expect(code).toBe(1);
  expect(stderr).toContain('PEDRO_AVIARY_API_KEY, which is not set');
  expect(stderr).not.toContain('    at '); // a message, not a stack trace
});

describe('with a worker running', () => {
  beforeAll(async () => {
    worker = start(CLI, ['worker', '--config', configFile], env);
    await worker.waitFor(/Worker polling task queue/);
  });

  test('call runs the action in a workflow, prints the result and the Web UI link', async () => {
    const { code, stdout, stderr } = await cli('call', 'pedroAviary.getBird', '--param', 'birdId=3');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(stdout)).toEqual({ id: 3, name: 'Pedro 3', species: 'Zebra finch', wingspanCm: 32 });
    const link = stderr.match(/http:\/\/\S+\/namespaces\/default\/workflows\/(call-pedroAviary\.getBird-[\w-]+)\/[\w-]+\/history/);
    expect(link).not.toBeNull();

    // Operators find such runs by integration in the Web UI.
    const { client, connection } = await testClient();
    try {
      const description = await client.workflow.getHandle(link?.[1] ?? '').describe();
      expect(description.typedSearchAttributes.get(INTEGRATION)).toBe('pedroAviary');
    } finally {
      await connection.close();
    }
  });

  test('a request body and query parameters from --param', async () => {
    const created = await cli('call', 'pedroAviary.createSighting', '--param', 'body={"birdId":5,"location":"Porto"}');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ birdId: 5, location: 'Porto', count: 1 });
    const listed = await cli('call', 'pedroAviary.listBirds', '--param', 'limit=2', '--param', 'offset=4');
    expect(JSON.parse(listed.stdout).results.map((b: { id: number }) => b.id)).toEqual([5, 6]);
  });

  test('an API error fails the call with the status and the API message', async () => {
    const { code, stderr } = await cli('call', 'pedroAviary.getBird', '--param', 'birdId=999');
    expect(code).toBe(1);
    expect(stderr).toContain('404');
    expect(stderr).toContain('no bird 999');
  });

  test('paginate prints every item of every page as JSON, and its progress on stderr', async () => {
    const { code, stdout, stderr } = await cli('paginate', 'pedroAviary.listBirds', '--param', 'limit=10');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect((JSON.parse(stdout) as { id: number }[]).map((b) => b.id)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    // Four full pages and a short one; not a terminal, so the bar is printed as lines.
    expect(stderr).toMatch(/\] 5\/20 pages, 42 items, done \(short page\)$/m);
  });

  test('paginate --page-limit stops after that many pages', async () => {
    const { code, stdout, stderr } = await cli('paginate', 'pedroAviary.listBirds', '--param', 'limit=10', '--page-limit', '2');
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect((JSON.parse(stdout) as { id: number }[]).map((b) => b.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(stderr).toMatch(/\] 2\/2 pages, 20 items, done \(page limit\)$/m);
  });

  test('paginate --no-read-ahead has each page fetched by its own activity, and only that flag does', async () => {
    const readAheadOf = async (...flags: string[]) => {
      const { code, stderr } = await cli('paginate', 'pedroAviary.listBirds', '--param', 'limit=10', '--page-limit', '2', ...flags);
      expect({ code, stderr }).toMatchObject({ code: 0 });
      const workflowId = /as workflow (\S+)/.exec(stderr)?.[1];
      const { client, connection } = await testClient();
      try {
        const { events } = await client.workflow.getHandle(workflowId ?? '').fetchHistory();
        const inputs = await Promise.all(
          (events ?? [])
            .flatMap((e) => e.activityTaskScheduledEventAttributes?.input?.payloads ?? [])
            .map((payload) => decodeOptionalSinglePayload(client.options.loadedDataConverter, payload) as Promise<{ pageIndex: number; readAhead?: boolean }>),
        );
        return inputs.map((input) => [input.pageIndex, input.readAhead]);
      } finally {
        await connection.close();
      }
    };
    expect(await readAheadOf('--no-read-ahead')).toEqual([
      [0, false],
      [1, false],
    ]);
    expect(await readAheadOf()).toEqual([
      [0, undefined],
      [1, undefined],
    ]);
  });

  test('the worker stops cleanly on SIGTERM', async () => {
    const finished = await worker?.stop('SIGTERM');
    worker = undefined;
    expect(finished?.code).toBe(0);
  });
});

test.each([
  [['call', 'pedroAviary.fly'], 'pedroAviary has no action "fly" (actions: listBirds, getBird, getPhotoRecords, createSighting)'],
  [['call', 'parrots.getBird'], 'unknown integration "parrots" (known: pedroAviary)'],
  [['call', 'pedroAviary.getBird', '--param', 'birdId=abc'], '--param birdId: "abc" is not an integer'],
  [['call', 'pedroAviary.getBird', '--override', 'pedroAviary'], '--override expects integration=configuration'],
  [['launch'], 'unknown command "launch"'],
])('usage errors exit with 2 and say what is wrong: %j', async (args, message) => {
  const { code, stderr } = await cli(...args);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

test('dev starts its own dev server and a worker, answers calls, and stops both on Ctrl-C', async () => {
  const devConfig = path.join(scratch, 'dev.config.json');
  writeFileSync(
    devConfig,
    JSON.stringify({
      definitionsDir: path.join(ROOT, 'definitions'),
      configurations: [{ integration: 'pedroAviary', apiKey: { env: 'PEDRO_AVIARY_API_KEY' }, hostname: vendor.hostname }],
      devServer: { port: 0, uiPort: 0, dbFilename: path.join(scratch, 'dev.sqlite') },
    }),
  );
  // Its own server, not the suite's: TEMPORAL_ADDRESS must not point the worker elsewhere.
  const devEnv = { ...env, TEMPORAL_ADDRESS: '' };
  const dev = start(CLI, ['dev', '--config', devConfig], devEnv);
  try {
    await dev.waitFor(/Worker polling task queue/);
    const [, address, ui] = dev.output().match(/Temporal dev server on (\S+), Web UI (\S+)/) ?? [];
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe(process.env.TEMPORAL_ADDRESS);
    expect((await fetch(ui ?? '')).status).toBe(200);
    const called = await run(CLI, ['call', 'pedroAviary.getBird', '--param', 'birdId=2', '--config', devConfig], {
      ...devEnv,
      TEMPORAL_ADDRESS: address,
    });
    expect(JSON.parse(called.stdout)).toMatchObject({ id: 2, name: 'Pedro 2' });
  } finally {
    const finished = await dev.stop('SIGINT');
    expect(finished.code).toBe(0);
  }
  expect(dev.output()).not.toContain(apiKey);
});

test('--param takes input names and coerces each by the schema of its parameter', () => {
  const action = Action.parse({
    name: 'getItem',
    description: 'Gets an item',
    method: 'GET',
    path: '/items/{id}',
    parameters: [
      { name: 'id', in: 'path', input: 'id_path', schema: { type: 'string' } },
      { name: 'id', in: 'query', schema: { type: 'integer' } },
    ],
  });
  expect(parseParams(action, ['id_path=42', 'id=42'])).toEqual({ id_path: '42', id: 42 });
});
