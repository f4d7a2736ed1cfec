/**
 * OpenID Connect discovery in the OpenAPI import (`--discover`), against the real oidc-provider: the imported
 * definition gets the provider's authorization code flow and then works end to end (authorization with PKCE through
 * the exported callback handler, an action called on a loopback API with the token). Without --discover the import
 * stays offline; a discovery document that cannot be used is a located warning, never a failed import.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { authorizationSetup, completeAuthorization, startAuthorization } from '../src/auth/oauth/authorization';
import { tokenWorkflowId, type TokenWorkflowKey } from '../src/auth/oauth/model';
import type { ConfigurationInput } from '../src/configurations/model';
import { closeHttpAgent } from '../src/http/agent';
import { importSpec, type ImportOptions } from '../src/openapi/import';
import type { ImportMessage } from '../src/openapi/messages';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import type { callAction } from '../workflows/workflows';
import { json, serve, type Server } from './helpers/http-server';
import { authorizeInBrowser, startOidcServer, type OidcServer } from './helpers/oidc';
import { CLI, run } from './helpers/processes';
import { startTestWorker, type TestWorker } from './helpers/temporal';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const SECRET_ENV = `TEST_OIDC_SECRET_${randomUUID().replace(/-/g, '')}`;
const REDIRECT = 'http://127.0.0.1:9/callback';
const NAME = `pets${randomBytes(4).toString('hex')}`;
const WELL_KNOWN = '/.well-known/openid-configuration';

let oidc: OidcServer;
/** The API the imported definition calls: it accepts only live tokens of the provider. */
let api: Server;
/** Discovery documents of every kind, good and bad, served under their issuer path. */
let provider: Server;
const tokensSeen: string[] = [];

beforeAll(async () => {
  oidc = await startOidcServer({
    ttl: 3600,
    scopes: ['read:pets'],
    clients: [{ client_id: 'app', client_secret: SECRET, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [REDIRECT] }],
  });
  api = await serve({
    '/pets/mine': async (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      tokensSeen.push(token);
      const check = await oidc.check(token);
      if (check.issued && !check.expired) json(res, 200, { pets: [{ name: 'Rex' }] });
      else json(res, 401, { error: 'invalid_token' });
    },
  });
  // Each document is served under its issuer's path, the issuer built from the server's origin once it listens.
  const document = (name: string, fields: (issuer: string) => Record<string, unknown>) => (_req: unknown, res: Parameters<typeof json>[0]) => {
    const issuer = `${provider.origin}/${name}`;
    json(res, 200, { issuer, ...fields(issuer) });
  };
  const codeFlow = (issuer: string) => ({ authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, response_types_supported: ['code'] });
  provider = await serve({
    [`/missing${WELL_KNOWN}`]: (_req, res) => json(res, 404, { error: 'not found' }),
    [`/garbage${WELL_KNOWN}`]: (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
    [`/impostor${WELL_KNOWN}`]: document('impostor', (issuer) => ({ ...codeFlow(issuer), issuer: 'https://id.example.com' })),
    [`/no-endpoints${WELL_KNOWN}`]: document('no-endpoints', () => ({ response_types_supported: ['code'] })),
    [`/relative${WELL_KNOWN}`]: document('relative', () => ({ authorization_endpoint: '/authorize', token_endpoint: 'token', response_types_supported: ['code'] })),
    [`/machine${WELL_KNOWN}`]: document('machine', (issuer) => ({ token_endpoint: `${issuer}/token`, response_types_supported: ['token'], grant_types_supported: ['client_credentials'] })),
    [`/basic-only${WELL_KNOWN}`]: document('basic-only', (issuer) => ({ ...codeFlow(issuer), token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'] })),
  });
  process.env[SECRET_ENV] = SECRET;
});

afterAll(async () => {
  await api?.close();
  await provider?.close();
  await oidc?.stop();
  delete process.env[SECRET_ENV];
});

function petsSpec(openIdConnectUrl: string, server = api.origin) {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1.0.0' },
    servers: [{ url: server }],
    components: { securitySchemes: { oidc: { type: 'openIdConnect', openIdConnectUrl } } },
    security: [{ oidc: ['read:pets'] }],
    paths: {
      '/pets/mine': {
        get: { operationId: 'listMyPets', summary: 'My pets', responses: { '200': { description: 'the pets', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
  };
}

const specText = (openIdConnectUrl: string, server?: string) => JSON.stringify(petsSpec(openIdConnectUrl, server), null, 2);

const importPets = (openIdConnectUrl: string, options: ImportOptions = {}, server?: string) =>
  importSpec({ text: specText(openIdConnectUrl, server), fileName: 'pets.json' }, { name: NAME, ...options });

function messagesOf(result: { messages: readonly ImportMessage[] }, code: string): ImportMessage[] {
  return result.messages.filter((m) => m.code === code);
}

/** Line and column (1-based) of `openIdConnectUrl`'s value in the spec text. */
function urlPosition(text: string): { line: number; column: number } {
  const before = text.slice(0, text.indexOf('"openIdConnectUrl": ') + '"openIdConnectUrl": '.length).split('\n');
  return { line: before.length, column: (before.at(-1) as string).length + 1 };
}

describe('without --discover', () => {
  test('the import stays offline: grant none, and the message says to import again with --discover', async () => {
    const url = `${provider.origin}/basic-only${WELL_KNOWN}`;
    const before = provider.received.length;
    const result = await importPets(url);
    expect(result.definition.auth).toMatchObject({ type: 'oauth2', grantType: 'none', scope: 'read:pets' });
    const [auth] = messagesOf(result, 'auth');
    expect(auth).toMatchObject({ severity: 'info', pointer: '/components/securitySchemes/oidc' });
    expect(auth?.message).toContain('--discover');
    expect(auth?.message).toContain(url);
    expect(messagesOf(result, 'openid-discovery')).toEqual([]);
    expect(provider.received.length).toBe(before);
  });
});

describe('with --discover, against oidc-provider', () => {
  let testWorker: TestWorker | undefined;
  let client: Client;
  const tokenWorkflows: TokenWorkflowKey[] = [];

  afterAll(async () => {
    // Token workflows run forever by design; they belong to this file's task queue, which goes away.
    await Promise.all(tokenWorkflows.map((key) => client?.workflow.getHandle(tokenWorkflowId(key)).terminate('test over').catch(() => undefined)));
    await testWorker?.stop();
    await closeHttpAgent();
  });

  test("the authorization code flow with the provider's URLs, and the imported definition gets a token and calls the API with it", async () => {
    const result = await importPets(`${oidc.issuer}${WELL_KNOWN}`, { discover: true });
    const { auth } = result.definition;
    expect(auth).toMatchObject({
      type: 'oauth2',
      grantType: 'authorization_code',
      authorizationUrl: oidc.authorizationUrl,
      tokenUrl: oidc.tokenUrl,
      scope: 'openid read:pets',
      // oidc-provider takes client_secret_post, the definition's default, and needs the client on refresh.
      basicAuthOnCodeExchange: false,
      includeClientConfigOnRefresh: true,
    });
    expect(messagesOf(result, 'openid-discovery')).toEqual([]);
    const [picked] = messagesOf(result, 'auth');
    expect(picked?.message).toContain('authorization code with PKCE, because the provider supports the code flow');

    // The imported definition as it is, on a worker: authorize without a person, then call the action.
    const configurations: ConfigurationInput[] = [{ integration: NAME, clientId: 'app', clientSecret: { env: SECRET_ENV }, redirectUri: REDIRECT }];
    const plugin = new CustomIntegrationsPlugin({ definitions: [result.definition], configurations });
    testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('../workflows/workflows'), prefix: 'openapi-oidc' });
    client = testWorker.client;
    const setup = authorizationSetup(plugin.integrations, configurations, { integration: NAME });
    tokenWorkflows.push(setup.key);
    const pending = await startAuthorization(setup);
    const authorizationUrl = new URL(pending.url);
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(oidc.authorizationUrl);
    expect(authorizationUrl.searchParams.get('scope')).toBe('openid read:pets');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const authorized = await completeAuthorization(client, pending, await authorizeInBrowser(pending.url, REDIRECT), { taskQueue: testWorker.taskQueue });
    expect(authorized).toMatchObject({ status: 'active', scope: 'openid read:pets' });

    const before = tokensSeen.length;
    const pets = await client.workflow.execute<typeof callAction>('callAction', {
      taskQueue: testWorker.taskQueue,
      workflowId: `openapi-oidc-${randomUUID()}`,
      args: [{ integration: NAME, action: 'listMyPets' }],
    });
    expect(pets).toEqual({ pets: [{ name: 'Rex' }] });
    const token = tokensSeen.at(before);
    expect(token).toBeDefined();
    expect(await oidc.check(token!)).toMatchObject({ issued: true, expired: false });
  });
});

describe('with --discover, provider variants', () => {
  test('a provider without the code flow but with client credentials gets client credentials, and says why', async () => {
    const result = await importPets(`${provider.origin}/machine${WELL_KNOWN}`, { discover: true });
    expect(result.definition.auth).toMatchObject({ type: 'oauth2', grantType: 'client_credentials', tokenUrl: `${provider.origin}/machine/token`, scope: 'read:pets' });
    expect(result.definition.auth).not.toHaveProperty('authorizationUrl');
    const [picked] = messagesOf(result, 'auth');
    expect(picked?.message).toContain('client credentials, because the provider does not offer the code flow (no authorization_endpoint;');
  });

  test('a provider that takes client_secret_basic only gets basic auth headers on the token requests', async () => {
    const result = await importPets(`${provider.origin}/basic-only${WELL_KNOWN}`, { discover: true });
    expect(result.definition.auth).toMatchObject({ grantType: 'authorization_code', basicAuthOnCodeExchange: true, tokenUrl: `${provider.origin}/basic-only/token` });
    expect(messagesOf(result, 'auth')[0]?.message).toContain('Basic Auth header');
  });

  test('a relative openIdConnectUrl is taken against the API host, with a warning', async () => {
    const result = await importPets(`/basic-only${WELL_KNOWN}`, { discover: true }, provider.origin);
    expect(result.definition.auth).toMatchObject({ grantType: 'authorization_code', authorizationUrl: `${provider.origin}/basic-only/authorize` });
    expect(messagesOf(result, 'relative-oauth-url')[0]).toMatchObject({ severity: 'warning', pointer: '/components/securitySchemes/oidc/openIdConnectUrl' });
  });
});

describe('with --discover, a discovery that fails is a located warning and the import still succeeds', () => {
  let closed: string;

  beforeAll(async () => {
    const gone = await serve({});
    await gone.close();
    closed = gone.origin;
  });

  test.each([
    ['an HTTP 404', () => `${provider.origin}/missing${WELL_KNOWN}`, /answered HTTP 404, not a discovery document/],
    ['an HTML page', () => `${provider.origin}/garbage${WELL_KNOWN}`, /did not answer a JSON discovery document/],
    ['another issuer', () => `${provider.origin}/impostor${WELL_KNOWN}`, /names the issuer "https:\/\/id\.example\.com", not http:\/\/127\.0\.0\.1:\d+\/impostor/],
    ['no endpoints', () => `${provider.origin}/no-endpoints${WELL_KNOWN}`, /offers neither the authorization code flow \(no authorization_endpoint; no token_endpoint\)/],
    ['relative endpoints', () => `${provider.origin}/relative${WELL_KNOWN}`, /authorization_endpoint "\/authorize" is not an absolute http\(s\) URL/],
    ['an unreachable provider', () => `${closed}${WELL_KNOWN}`, /could not be reached: ECONNREFUSED/],
    ['a URL that is not a discovery URL', () => `${provider.origin}/missing/config.json`, /is not a discovery URL/],
  ])('%s', async (_what, url, problem) => {
    const text = specText(url());
    const result = await importSpec({ text, fileName: 'pets.json' }, { name: NAME, discover: true });
    expect(result.definition.auth).toMatchObject({ type: 'oauth2', grantType: 'none', scope: 'read:pets' });
    expect(result.definition.actions.map((a) => a.name)).toEqual(['listMyPets']);
    const warnings = messagesOf(result, 'openid-discovery');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning', pointer: '/components/securitySchemes/oidc/openIdConnectUrl', ...urlPosition(text) });
    expect(warnings[0]?.message).toMatch(problem);
    expect(warnings[0]?.message).toContain('grant none');
    expect(warnings[0]?.fix).toMatch(/definition by hand/);
  });

  test('a URL that is not a discovery URL is not fetched', async () => {
    const before = provider.received.length;
    await importPets(`${provider.origin}/missing/config.json`, { discover: true });
    expect(provider.received.length).toBe(before);
  });
});

test('the CLI: import --discover writes the discovered flow', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'openapi-oidc-'));
  try {
    const file = path.join(scratch, 'pets.json');
    const out = path.join(scratch, 'pets-definition.json');
    writeFileSync(file, specText(`${oidc.issuer}${WELL_KNOWN}`));
    const { code, stdout, stderr } = await run(CLI, ['import', file, '--discover', '--out', out, '--name', NAME], {}, scratch);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`auth: OAuth 2.0, grant authorization_code, token URL ${oidc.tokenUrl}`);
    expect(JSON.parse(readFileSync(out, 'utf8')).auth).toMatchObject({ grantType: 'authorization_code', authorizationUrl: oidc.authorizationUrl, scope: 'openid read:pets' });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
