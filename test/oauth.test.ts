/**
 * OAuth 2.0 end to end on the real dev server, against oidc-provider (5-second access tokens, refresh-token rotation
 * with reuse detection) and an API that checks every token it receives with the authorization server:
 * client credentials refreshed before expiry, concurrent 401s causing one refresh, invalid_client and invalid_grant
 * putting the configuration in "reauthorization required" (search attribute, non-retryable failures naming the
 * command), the authorization code grant with PKCE through the exported callback handler, and no token or client
 * secret in the worker's logs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { authorizationSetup, completeAuthorization, startAuthorization } from '../src/auth/oauth/authorization';
import { authorizationCodeGrant } from '../src/auth/oauth/token-endpoint';
import { TOKEN_REJECTED_UPDATE, TOKEN_STATUS_QUERY, tokenWorkflowId, type TokenStatus, type TokenWorkflowKey } from '../src/auth/oauth/model';
import type { ConfigurationInput } from '../src/configurations/model';
import { Definition } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { AUTH_STATE } from '../src/temporal/search-attributes';
import { EVENTS_PER_RUN } from '../workflows/oauth-token';
import type { callAction } from '../workflows/workflows';
import { json, serve, type Server } from './helpers/http-server';
import { authorizeInBrowser, startOidcServer, type OidcServer } from './helpers/oidc';
import { decrypted, rawHistory, readable } from './helpers/raw-history';
import { startTestWorker, testNativeConnection, testServer, uniqueTaskQueue, type TestWorker } from './helpers/temporal';
import type { callConcurrently, callEachOnce } from './fixtures/oauth-workflows';
import { workerLogs } from './setup-logging';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const SECRET_ENV = `TEST_OAUTH_SECRET_${randomUUID().replace(/-/g, '')}`;
const WRONG_ENV = `${SECRET_ENV}_WRONG`;
const RUN = randomBytes(4).toString('hex');
const MACHINE = `machine${RUN}`;
const APP = `app${RUN}`;
const SUPPLIED = `supplied${RUN}`;
const ACCESS_ENV = `${SECRET_ENV}_ACCESS`;
/** Configurations whose first calls outnumber a worker's activity slots (test below). */
const BUSY = ['Busy1', 'Busy2', 'Busy3', 'Busy4'];
const REFRESH_ENV = `${SECRET_ENV}_REFRESH`;

let oidc: OidcServer;
let api: Server;
let testWorker: TestWorker;
let client: Client;
let plugin: CustomIntegrationsPlugin;
let configurations: ConfigurationInput[];
/** Every Authorization header the API received, with what the authorization server said of it then. */
const seen: { token: string; issued: boolean; expired: boolean; answered: number }[] = [];
/** Tokens the API refuses (as an API does when a token was revoked on its side). */
const refused = new Set<string>();
const tokenWorkflows: TokenWorkflowKey[] = [];

beforeAll(async () => {
  oidc = await startOidcServer({
    ttl: 5,
    ttlByClient: { steady: 3600 },
    clients: [
      { client_id: 'machine', client_secret: SECRET, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      { client_id: 'steady', client_secret: SECRET, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      { client_id: 'app', client_secret: SECRET, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://127.0.0.1:9/callback'] },
    ],
  });
  api = await serve({
    '/whoami': async (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const check = await oidc.check(token);
      const ok = check.issued && !check.expired && !refused.has(token);
      seen.push({ token, issued: check.issued, expired: check.expired === true, answered: ok ? 200 : 401 });
      if (ok) json(res, 200, { ok: true });
      else json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    },
  });
  process.env[SECRET_ENV] = SECRET;
  process.env[WRONG_ENV] = `${SECRET}-wrong`;
  const hostname = api.origin.slice('http://'.length);
  const actions = [{ name: 'whoami', description: 'who the token is for', method: 'GET', path: '/whoami' }];
  const appAuth = {
    type: 'oauth2',
    grantType: 'authorization_code',
    tokenUrl: oidc.tokenUrl,
    authorizationUrl: oidc.authorizationUrl,
    scope: 'openid',
    includeClientConfigOnRefresh: true,
  } as const;

  // Tokens a user got elsewhere and writes in the configuration (no grant type).
  const appDefinition = Definition.parse({ name: APP, description: 'authorization code', hostname, scheme: 'http', auth: appAuth, actions });
  if (appDefinition.auth.type !== 'oauth2') throw new Error('unreachable');
  const endpoint = { auth: appDefinition.auth, clientId: 'app', clientSecret: SECRET, redirectUri: 'http://127.0.0.1:9/callback' };
  const pending = await startAuthorization({ auth: endpoint.auth, clientId: 'app', redirectUri: endpoint.redirectUri, key: { integration: SUPPLIED, configuration: 'Default' } });
  const callback = new URL(await authorizeInBrowser(pending.url, endpoint.redirectUri));
  const supplied = await authorizationCodeGrant(endpoint, { query: callback.search, state: pending.state, codeVerifier: pending.codeVerifier, redirectUri: endpoint.redirectUri });
  process.env[ACCESS_ENV] = supplied.accessToken;
  process.env[REFRESH_ENV] = supplied.refreshToken;
  configurations = [
    { integration: MACHINE, clientId: 'machine', clientSecret: { env: SECRET_ENV } },
    { integration: MACHINE, name: 'Steady', clientId: 'steady', clientSecret: { env: SECRET_ENV } },
    { integration: MACHINE, name: 'Wrong', clientId: 'machine', clientSecret: { env: WRONG_ENV } },
    ...BUSY.map((name) => ({ integration: MACHINE, name, clientId: 'steady', clientSecret: { env: SECRET_ENV } })),
    { integration: APP, clientId: 'app', clientSecret: { env: SECRET_ENV }, redirectUri: 'http://127.0.0.1:9/callback' },
    { integration: SUPPLIED, clientId: 'app', clientSecret: { env: SECRET_ENV }, accessToken: { env: ACCESS_ENV }, refreshToken: { env: REFRESH_ENV } },
  ];
  plugin = new CustomIntegrationsPlugin({
    definitions: [
      Definition.parse({
        name: MACHINE,
        description: 'client credentials',
        hostname,
        scheme: 'http',
        auth: { type: 'oauth2', grantType: 'client_credentials', tokenUrl: oidc.tokenUrl, refresh: { strategy: 'automatic', bufferSeconds: 30 } },
        actions,
      }),
      appDefinition,
      Definition.parse({ name: SUPPLIED, description: 'supplied tokens', hostname, scheme: 'http', auth: { ...appAuth, grantType: 'none' }, actions }),
    ],
    configurations,
  });
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/oauth-workflows'), prefix: 'oauth' });
  client = testWorker.client;
});

afterAll(async () => {
  // Token workflows run forever by design; these belong to this run's task queue, which goes away.
  await Promise.all(tokenWorkflows.map((key) => client?.workflow.getHandle(tokenWorkflowId(key)).terminate('test over').catch(() => undefined)));
  await testWorker?.stop();
  await api?.close();
  await oidc?.stop();
  await closeHttpAgent();
  delete process.env[SECRET_ENV];
  delete process.env[WRONG_ENV];
  delete process.env[ACCESS_ENV];
  delete process.env[REFRESH_ENV];
});

function key(integration: string, configuration = 'Default'): TokenWorkflowKey {
  const k = { integration, configuration };
  tokenWorkflows.push(k);
  return k;
}

const call = (integration: string, configuration = 'Default') =>
  client.workflow.execute<typeof callAction>('callAction', {
    taskQueue: testWorker.taskQueue,
    workflowId: `oauth-call-${randomUUID()}`,
    args: [{ integration, action: 'whoami', configuration }],
  });

const status = (k: TokenWorkflowKey) => client.workflow.getHandle(tokenWorkflowId(k)).query<TokenStatus>(TOKEN_STATUS_QUERY);
const authState = async (k: TokenWorkflowKey) => (await client.workflow.getHandle(tokenWorkflowId(k)).describe()).typedSearchAttributes.get(AUTH_STATE);

async function until<T>(what: string, get: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 120; i++) {
    const value = await get();
    if (done(value)) return value;
    await sleep(250);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function failure(run: Promise<unknown>): Promise<{ message: string; nonRetryable: boolean }> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let current = err as Error & { nonRetryable?: boolean };
  while (current.cause instanceof Error) current = current.cause as typeof current;
  return { message: current.message, nonRetryable: current.nonRetryable === true };
}

test('client credentials: the token workflow refreshes before expiry; the API never receives an expired token', async () => {
  const k = key(MACHINE);
  const before = seen.length;
  // 12 s of calls with 5-second tokens: several refreshes, each before its token expired.
  for (let i = 0; i < 7; i++) {
    await call(MACHINE);
    await sleep(2_000);
  }
  const requests = seen.slice(before);
  expect(requests.every((r) => r.answered === 200 && r.issued && !r.expired)).toBe(true);
  expect(new Set(requests.map((r) => r.token)).size).toBeGreaterThanOrEqual(3);
  const s = await status(k);
  expect(s).toMatchObject({ status: 'active', hasRefreshToken: false });
  expect(s.refreshes).toBeGreaterThanOrEqual(3);
  expect(await authState(k)).toBe('active');
  // The worker asked by update once (to start the workflow and wait for its first token); each later token came by
  // query, which leaves nothing in history.
  const { events } = await client.workflow.getHandle(tokenWorkflowId(k)).fetchHistory();
  const updates = events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  expect(updates).toHaveLength(1);
});

test('concurrent 401s for one token cause one refresh, and every call succeeds on its retry', async () => {
  const k = key(MACHINE, 'Steady');
  await call(MACHINE, 'Steady');
  const rejected = seen.at(-1)!.token;
  const { generation } = await status(k);
  const grants = async () => (await oidc.events()).clientCredentialsByClient.steady ?? 0;
  const grantsBefore = await grants();
  refused.add(rejected);
  const before = seen.length;

  const results = await client.workflow.execute<typeof callConcurrently>('callConcurrently', {
    taskQueue: testWorker.taskQueue,
    workflowId: `oauth-burst-${randomUUID()}`,
    args: [MACHINE, 'whoami', 'Steady', 8],
  });
  expect(results).toHaveLength(8);
  expect((await grants()) - grantsBefore).toBe(1);
  expect((await status(k)).generation).toBe(generation + 1);
  const burst = seen.slice(before);
  expect(burst.filter((r) => r.answered === 401).every((r) => r.token === rejected)).toBe(true);
  expect(burst.filter((r) => r.answered === 200)).toHaveLength(8);
});

test('first calls that outnumber the worker\'s activity slots all get their tokens (token requests do not wait for those slots)', async () => {
  // Two slots, four configurations without a token yet: the four calls wait for their token workflows while holding
  // the slots, so the token requests must not need one (they are local activities). Each call has one attempt and
  // waits at most 30 s for its token: a starved request fails it.
  const taskQueue = uniqueTaskQueue('oauth-busy');
  const worker = await Worker.create({
    connection: await testNativeConnection(),
    namespace: testServer().namespace,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/oauth-workflows'),
    plugins: [plugin],
    maxConcurrentActivityTaskExecutions: 2,
  });
  const keys = BUSY.map((name) => key(MACHINE, name));
  await worker.runUntil(async () => {
    const results = await client.workflow.execute<typeof callEachOnce>('callEachOnce', { taskQueue, workflowId: `oauth-busy-${randomUUID()}`, args: [MACHINE, 'whoami', BUSY] });
    expect(results).toEqual(BUSY.map(() => ({ ok: true })));
    // The token workflows run on this worker's task queue: asked while it polls.
    // One grant each, at the first attempt.
    for (const k of keys) expect(await status(k)).toMatchObject({ status: 'active', generation: 1 });
  });
});

test('invalid_client: reauthorization required in the search attribute, and a non-retryable failure naming the fix', async () => {
  const k = key(MACHINE, 'Wrong');
  const { message, nonRetryable } = await failure(call(MACHINE, 'Wrong'));
  expect(nonRetryable).toBe(true);
  expect(message).toContain('invalid_client');
  expect(message).toContain(`custom-integrations authorize ${MACHINE} --configuration Wrong`);
  expect(message).not.toContain(SECRET);
  expect(await authState(k)).toBe('reauthorization_required');
  expect((await status(k)).status).toBe('reauthorization_required');
});

test('no grant type: the supplied tokens are used, and the 401 once the access token expired refreshes with the supplied refresh token', async () => {
  const k = key(SUPPLIED);
  const supplied = process.env[ACCESS_ENV]!;
  const consumed = (await oidc.events()).refreshTokensConsumed;
  const before = seen.length;
  await expect(call(SUPPLIED)).resolves.toEqual({ ok: true });
  // The supplied token's expiry is unknown: it is used until the API refuses it.
  // (oidc-provider forgets an expired token soon after: "not issued" then.)
  await until('the supplied access token to expire', () => oidc.check(supplied), (c) => c.expired === true || !c.issued);
  await expect(call(SUPPLIED)).resolves.toEqual({ ok: true });
  const requests = seen.slice(before);
  expect(requests[0]!.token).toBe(supplied);
  // One 401, for the supplied token; every other request carried a token the refresh got.
  expect(requests.filter((r) => r.answered === 401).map((r) => r.token)).toEqual([supplied]);
  expect(requests.filter((r) => r.token !== supplied).every((r) => r.answered === 200)).toBe(true);
  expect((await oidc.events()).refreshTokensConsumed).toBeGreaterThan(consumed);
  expect(await status(k)).toMatchObject({ status: 'active', hasRefreshToken: true });
});

describe('authorization code with PKCE', () => {
  const k = () => key(APP);

  test('the exported callback handler has the token workflow exchange the code; tokens then rotate on every refresh', async () => {
    const setup = authorizationSetup(plugin.integrations, configurations, { integration: APP });
    const pending = await startAuthorization(setup);
    expect(new URL(pending.url).searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await authorizeInBrowser(pending.url, setup.redirectUri);
    const result = await completeAuthorization(client, pending, callback, { taskQueue: testWorker.taskQueue });
    expect(result).toMatchObject({ authorized: true, status: 'active' });
    expect(result.expiresAt).toBeGreaterThan(Date.now());

    const eventsBefore = await oidc.events();
    const before = seen.length;
    for (let i = 0; i < 5; i++) {
      await call(APP);
      await sleep(2_000);
    }
    const requests = seen.slice(before);
    expect(requests.every((r) => r.answered === 200 && !r.expired)).toBe(true);
    const events = await oidc.events();
    // Each refresh consumed the previous refresh token, and none was ever used twice (that would revoke the grant).
    expect(events.refreshTokensConsumed - eventsBefore.refreshTokensConsumed).toBeGreaterThanOrEqual(2);
    expect(events.grantsRevoked).toBe(eventsBefore.grantsRevoked);
    expect((await status(k())).hasRefreshToken).toBe(true);
  });

  test('a replayed or forged callback is refused', async () => {
    const setup = authorizationSetup(plugin.integrations, configurations, { integration: APP });
    const pending = await startAuthorization(setup);
    const callback = new URL(await authorizeInBrowser(pending.url, setup.redirectUri));
    callback.searchParams.set('state', 'forged');
    await expect(completeAuthorization(client, pending, callback, { taskQueue: testWorker.taskQueue })).rejects.toThrow(/state differs/);
  });

  test('the token workflow continues as new before its history grows long, and the new run refreshes with the rotated refresh token', async () => {
    const handle = client.workflow.getHandle(tokenWorkflowId(k()));
    const firstRun = (await handle.describe()).runId;
    const eventsBefore = await oidc.events();
    // Each rejected token is one refresh, each with its rotated refresh token: about 8 events of the run.
    let refreshes = 0;
    while ((await handle.describe()).runId === firstRun) {
      expect(refreshes).toBeLessThan(EVENTS_PER_RUN);
      const { generation } = await status(k());
      await handle.executeUpdate(TOKEN_REJECTED_UPDATE, { args: [{ generation }] });
      refreshes++;
    }
    const { events } = await client.workflow.getHandle(tokenWorkflowId(k()), firstRun).fetchHistory();
    expect(events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    // Ended soon after passing the limit: the run waits only for the handlers in flight.
    expect(events!.length).toBeGreaterThan(EVENTS_PER_RUN);
    expect(events!.length).toBeLessThan(EVENTS_PER_RUN + 40);

    // The new run holds the tokens of the old one: it refreshes with the last refresh token issued, which a reuse would
    // have made the server revoke.
    const carried = await status(k());
    expect(carried).toMatchObject({ status: 'active', hasRefreshToken: true });
    await handle.executeUpdate(TOKEN_REJECTED_UPDATE, { args: [{ generation: carried.generation }] });
    expect((await status(k())).generation).toBe(carried.generation + 1);
    await expect(call(APP)).resolves.toEqual({ ok: true });
    const eventsAfter = await oidc.events();
    // At least: the 5-second tokens may also have been refreshed on time meanwhile.
    expect(eventsAfter.refreshTokensConsumed - eventsBefore.refreshTokensConsumed).toBeGreaterThanOrEqual(refreshes + 1);
    expect(eventsAfter.grantsRevoked).toBe(eventsBefore.grantsRevoked);
  });

  test('invalid_grant (the grant was revoked): reauthorization required, then authorizing again brings it back', async () => {
    await oidc.revokeGrants();
    await until('the refresh to fail', () => status(k()), (s) => s.status !== 'active');
    expect(await authState(k())).toBe('reauthorization_required');
    const { message, nonRetryable } = await failure(call(APP));
    expect(nonRetryable).toBe(true);
    expect(message).toContain('invalid_grant');
    expect(message).toContain(`custom-integrations authorize ${APP} --configuration Default`);

    const setup = authorizationSetup(plugin.integrations, configurations, { integration: APP });
    const pending = await startAuthorization(setup);
    await completeAuthorization(client, pending, await authorizeInBrowser(pending.url, setup.redirectUri), { taskQueue: testWorker.taskQueue });
    expect(await authState(k())).toBe('active');
    await expect(call(APP)).resolves.toEqual({ ok: true });
  });
});

test('tokens are encrypted in the token workflow history and absent from the calling workflow history', async () => {
  const k = key(MACHINE);
  const workflowId = `oauth-call-${randomUUID()}`;
  const before = seen.length;
  await client.workflow.execute<typeof callAction>('callAction', { taskQueue: testWorker.taskQueue, workflowId, args: [{ integration: MACHINE, action: 'whoami' }] });
  const token = seen[before]!.token;
  const tokenHistory = await rawHistory(tokenWorkflowId(k));
  const callerHistory = await rawHistory(workflowId);
  for (const history of [tokenHistory, callerHistory]) {
    const raw = readable(history).join('\n');
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(SECRET);
  }
  // With the key, the token workflow's history holds the token: the check above reads real payloads.
  expect((await decrypted(plugin.codec!, tokenHistory)).join('\n')).toContain(token);
  // The calling workflow never had it, not even encrypted.
  expect((await decrypted(plugin.codec!, callerHistory)).join('\n')).not.toContain(token);
});

test('no access token, refresh token or client secret in the worker logs', () => {
  const logs = JSON.stringify(workerLogs.map((entry) => [entry.message, entry.meta]));
  expect(seen.length).toBeGreaterThan(10);
  expect(logs).not.toContain(SECRET);
  for (const { token } of seen) expect(logs).not.toContain(token);
  expect(logs).not.toContain(process.env[REFRESH_ENV]);
});
