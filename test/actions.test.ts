/**
 * Actions as activities, end to end: a real Temporal dev server, a real worker with the plugin, real HTTP servers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { Definition, type DefinitionInput } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { withIntegrationContext } from '../src/temporal/client-context';
import { startTestWorker, type TestWorker } from './helpers/temporal';
import { json, serve, type Server } from './helpers/http-server';
import type * as workflows from './fixtures/action-workflows';
import { workerLogs } from './setup-logging';


const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  apiKey: secret('key'),
  secondaryKey: secret('key2'),
  queryKey: secret('qkey'),
  bearer: secret('bearer'),
  username: 'aviary-bot',
  password: secret('pw'),
  token: secret('token'),
};
const BASIC = Buffer.from(`${SECRETS.username}:${SECRETS.password}`).toString('base64');
const ENV_KEY = `TEST_ACTIONS_API_KEY_${randomUUID().replace(/-/g, '')}`;

let api: Server;
let elsewhere: Server;
let client: Client;
let testWorker: TestWorker | undefined;
let taskQueue: string;
const handles: WorkflowHandle[] = [];

const hits = (path: string) => api.received.filter((r) => new URL(r.url, 'http://x').pathname === path);

function definition(name: string, auth: DefinitionInput['auth'], actions: [string, string][]): Definition {
  const [, host] = api.origin.split('//');
  return Definition.parse({
    name,
    description: `test integration ${name}`,
    hostname: host,
    scheme: 'http',
    auth,
    actions: actions.map(([action, path]) => ({ name: action, description: `${action} action`, method: 'GET', path })),
  });
}

beforeAll(async () => {
  const flaky = new Map<string, number>();
  const countCall = (path: string) => {
    const n = (flaky.get(path) ?? 0) + 1;
    flaky.set(path, n);
    return n;
  };
  elsewhere = await serve({ '*': (_req, res) => json(res, 200, { elsewhere: true }) });
  api = await serve({
    '/whoami': (_req, res) => json(res, 200, { ok: true }),
    '/missing': (_req, res) => json(res, 404, { error: 'not_found', message: 'no such bird' }),
    '/flaky': (_req, res) => (countCall('/flaky') <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: 'after retries' })),
    '/limited': (_req, res) =>
      countCall('/limited') === 1
        ? json(res, 429, { error: 'slow down' }, { 'retry-after': '2' })
        : json(res, 200, { ok: 'after waiting' }),
    '/redirect-away': (_req, res) => res.writeHead(302, { location: `${elsewhere.origin}/collect` }).end(),
    '/echo-key': (req, res) => json(res, 400, { error: `bad key ${String(req.headers['x-api-key'])}` }),
  });
  process.env[ENV_KEY] = SECRETS.apiKey;

  const plugin = new CustomIntegrationsPlugin({
    definitions: [
      definition('open', { type: 'none' }, [
        ['whoami', '/whoami'],
        ['missing', '/missing'],
        ['flaky', '/flaky'],
        ['limited', '/limited'],
      ]),
      definition('keyed', { type: 'apiKey', in: 'header', name: 'X-API-Key' }, [
        ['whoami', '/whoami'],
        ['redirectAway', '/redirect-away'],
        ['echoKey', '/echo-key'],
      ]),
      definition('queryKeyed', { type: 'apiKey', in: 'query', name: 'api_key' }, [['whoami', '/whoami']]),
      definition('bearer', { type: 'apiKey', in: 'header', name: 'Authorization', preamble: 'Bearer' }, [['whoami', '/whoami']]),
      definition('basic', { type: 'basic' }, [['whoami', '/whoami']]),
      definition('token', { type: 'oauth2', grantType: 'none' }, [['whoami', '/whoami']]),
    ],
    configurations: [
      { integration: 'keyed', apiKey: { env: ENV_KEY } },
      { integration: 'keyed', name: 'Secondary', apiKey: SECRETS.secondaryKey },
      { integration: 'queryKeyed', apiKey: SECRETS.queryKey },
      { integration: 'bearer', apiKey: SECRETS.bearer },
      { integration: 'basic', username: SECRETS.username, password: SECRETS.password },
      { integration: 'token', accessToken: SECRETS.token },
    ],
  });
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/action-workflows'), prefix: 'actions' });
  ({ client, taskQueue } = testWorker);
});

afterAll(async () => {
  await testWorker?.stop();
  await closeHttpAgent();
  await Promise.all([api?.close(), elsewhere?.close()]);
});

/** Starts a workflow of the fixture module and remembers it for the history check at the end. */
async function start<W extends keyof typeof workflows>(
  workflow: W,
  args: Parameters<(typeof workflows)[W]>,
  context?: Parameters<typeof withIntegrationContext>[0],
): Promise<WorkflowHandle> {
  const begin = () => client.workflow.start(workflow, { taskQueue, workflowId: `${workflow}-${randomUUID()}`, args });
  const handle = await (context ? withIntegrationContext(context, begin) : begin());
  handles.push(handle);
  return handle;
}

async function run<W extends keyof typeof workflows>(
  workflow: W,
  args: Parameters<(typeof workflows)[W]>,
  context?: Parameters<typeof withIntegrationContext>[0],
): Promise<unknown> {
  return (await start(workflow, args, context)).result();
}

/** The ApplicationFailure an activity raised, from the failure of the workflow that called it. */
async function activityFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const activity = (err as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const cause = (activity as ActivityFailure).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('each auth kind', () => {
  test('a workflow calls an action of each kind, and each request carries its credentials', async () => {
    const before = api.received.length;
    const results = await run('callMany', [
      ['open', 'keyed', 'queryKeyed', 'bearer', 'basic', 'token'].map((integration) => ({ integration, action: 'whoami' })),
    ]);
    expect(results).toEqual(Array(6).fill({ ok: true }));
    const [open, keyed, queryKeyed, bearer, basic, token] = api.received.slice(before);
    expect(open?.headers['x-api-key']).toBeUndefined();
    expect(open?.headers.authorization).toBeUndefined();
    expect(keyed?.headers['x-api-key']).toBe(SECRETS.apiKey);
    expect(new URL(queryKeyed?.url ?? '', 'http://x').searchParams.get('api_key')).toBe(SECRETS.queryKey);
    expect(bearer?.headers.authorization).toBe(`Bearer ${SECRETS.bearer}`);
    expect(basic?.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(token?.headers.authorization).toBe(`Bearer ${SECRETS.token}`);
  });
});

test('each activity carries a readable summary for the Web UI', async () => {
  const handle = await start('callMany', [[{ integration: 'open', action: 'whoami' }]]);
  await handle.result();
  const { events } = await handle.fetchHistory();
  const scheduled = events?.find((e) => e.activityTaskScheduledEventAttributes)?.userMetadata?.summary;
  // Summaries are payloads, encrypted like the rest; the Web UI reads them through the codec server.
  expect(scheduled?.data && Buffer.from(scheduled.data).toString()).not.toContain('open.whoami');
  expect(await decodeOptionalSinglePayload(client.options.loadedDataConverter, scheduled)).toBe('open.whoami');
});

describe('failures', () => {
  test('a 404 fails at once, not retried, with status, method, path and the body excerpt', async () => {
    const failure = await activityFailure(run('callAction', [{ integration: 'open', action: 'missing' }]));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('HttpStatusError');
    expect(failure.message).toContain('404');
    expect(failure.message).toContain('GET');
    expect(failure.message).toContain('/missing');
    expect(failure.message).toContain('no such bird');
    expect(hits('/missing')).toHaveLength(1);
  });

  test('a 503 is retried until the API answers', async () => {
    await expect(run('callAction', [{ integration: 'open', action: 'flaky' }])).resolves.toEqual({ ok: 'after retries' });
    expect(hits('/flaky')).toHaveLength(3);
  });

  test('a 429 with Retry-After waits that long before the retry', async () => {
    await expect(run('callAction', [{ integration: 'open', action: 'limited' }])).resolves.toEqual({ ok: 'after waiting' });
    const [first, second] = hits('/limited');
    expect(second).toBeDefined();
    // The default first retry interval is 1 s; only Retry-After: 2 explains a gap of about 2 s.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1900);
  });

  test('an unknown configuration fails at once and lists the ones that exist', async () => {
    const failure = await activityFailure(run('callAction', [{ integration: 'keyed', action: 'whoami', configuration: 'Nope' }]));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('"Nope"');
    expect(failure.message).toContain('Default, Secondary');
  });

  test('customApiRequest on an unknown integration fails at once and lists the known ones', async () => {
    const failure = await activityFailure(run('customRequest', [{ integration: 'nope', method: 'GET', path: '/whoami' }]));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('unknown integration "nope" (known: open, keyed, queryKeyed, bearer, basic, token)');
  });

  test('an API that echoes the key gets it redacted from the failure message', async () => {
    const failure = await activityFailure(run('callAction', [{ integration: 'keyed', action: 'echoKey' }]));
    expect(failure.message).toContain('[redacted]');
    expect(failure.message).not.toContain(SECRETS.apiKey);
  });
});

describe('credentials stay on the configured origin', () => {
  test.each([
    ['a protocol-relative path', () => `//${elsewhere.origin.split('//')[1]}/collect`],
    ['an absolute URL to another host', () => `${elsewhere.origin}/collect`],
  ])('customApiRequest with %s is refused and nothing is sent', async (_label, path) => {
    const failure = await activityFailure(run('customRequest', [{ integration: 'keyed', method: 'GET', path: path() }]));
    expect(failure.type).toBe('UnsafeUrlError');
    expect(failure.nonRetryable).toBe(true);
    expect(elsewhere.received.filter((r) => r.url === '/collect' && r.headers['x-api-key'] !== undefined)).toHaveLength(0);
  });

  test('customApiRequest on the configured origin works and returns status, headers and body', async () => {
    const response = (await run('customRequest', [{ integration: 'keyed', method: 'GET', path: '/whoami', query: { probe: 1 } }])) as {
      status: number;
      headers: Record<string, string>;
      body: unknown;
    };
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({ ok: true });
    expect(hits('/whoami').at(-1)?.headers['x-api-key']).toBe(SECRETS.apiKey);
  });

  test('a cross-origin redirect is followed without the API key', async () => {
    const before = elsewhere.received.length;
    await expect(run('callAction', [{ integration: 'keyed', action: 'redirectAway' }])).resolves.toEqual({ elsewhere: true });
    const arrived = elsewhere.received.slice(before);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]?.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(arrived[0]?.headers)).not.toContain(SECRETS.apiKey);
    expect(hits('/redirect-away').at(-1)?.headers['x-api-key']).toBe(SECRETS.apiKey);
  });
});

describe('integration overrides choose the configuration', () => {
  const keyOfLastWhoami = () => hits('/whoami').at(-1)?.headers['x-api-key'];
  const whoami = { integration: 'keyed', action: 'whoami' };

  test('Default without overrides', async () => {
    await run('callAction', [whoami]);
    expect(keyOfLastWhoami()).toBe(SECRETS.apiKey);
  });

  test('an override chosen at start applies to the activities', async () => {
    await run('callAction', [whoami], { overrides: { keyed: 'Secondary' } });
    expect(keyOfLastWhoami()).toBe(SECRETS.secondaryKey);
  });

  test('a per-call configuration wins over the override', async () => {
    await run('callAction', [{ ...whoami, configuration: 'Default' }], { overrides: { keyed: 'Secondary' } });
    expect(keyOfLastWhoami()).toBe(SECRETS.apiKey);
  });

  test('the override reaches child workflows and continue-as-new runs', async () => {
    await run('viaChild', [whoami], { overrides: { keyed: 'Secondary' } });
    expect(keyOfLastWhoami()).toBe(SECRETS.secondaryKey);
    await run('afterContinueAsNew', [whoami], { overrides: { keyed: 'Secondary' } });
    expect(keyOfLastWhoami()).toBe(SECRETS.secondaryKey);
  });
});

describe('secrets', () => {
  /** Every string in a history, with payload bytes decoded: what an operator could read in the UI or the CLI. */
  function readable(value: unknown, out: string[] = []): string[] {
    if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => readable(v, out));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => readable(v, out));
    return out;
  }

  test('no secret appears in any workflow history or worker log line', async () => {
    expect(handles.length).toBeGreaterThan(10);
    const texts: string[] = [];
    for (const handle of handles) {
      const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
      readable(history, texts);
    }
    // The worker logged the failed calls: the log check below reads real lines.
    expect(workerLogs.some((entry) => entry.message === 'Activity failed')).toBe(true);
    readable(workerLogs.map((entry) => [entry.message, JSON.stringify(entry.meta ?? {})]), texts);
    const all = texts.join('\n');
    expect(all).toContain('keyed.whoami'); // the check reads real content
    for (const value of [...Object.entries(SECRETS).filter(([k]) => k !== 'username').map(([, v]) => v), BASIC]) {
      expect(all).not.toContain(value);
    }
  });
});
