/**
 * OAuth 2.0 configurations kept in the organization registry, end to end as an operator runs them: the compiled CLI
 * (`orgs`, `integrations`, `install`, `configure`, `authorize`, `call`) and a `custom-integrations worker` process,
 * against oidc-provider and an API that asks it about every token it receives.
 *
 * Client secrets are set as values, so the registry keeps them encrypted by the payload codec; the worker reads them
 * from the registry when a token workflow, one per organization and configuration (oauth-token/<org>/...), asks for
 * tokens. Each organization's calls carry a token issued to its own client. `authorize --organization` finds the
 * registry's configuration through the workers' own configuration source, for client credentials and for the
 * authorization code grant (the browser played by the test).
 *
 * This file runs its own dev server: the CLI always uses the default registry workflow, which test/registry-cli.test.ts
 * also uses on the shared server, with workers on another task queue.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { TOKEN_STATUS_QUERY, tokenWorkflowId, type TokenStatus, type TokenWorkflowKey } from '../src/auth/oauth/model';
import { createPayloadCodec } from '../src/codec/data-converter';
import { startDevServer, type DevServer } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import { REGISTRY_WORKFLOW_ID } from '../src/registry/model';
import { AUTH_STATE, ORGANIZATION } from '../src/temporal/search-attributes';
import type { Server } from './helpers/http-server';
import { authorizeInBrowser, printedAuthorizationUrl, startOidcServer, whoamiApi, type OidcServer, type TokenSeen } from './helpers/oidc';
import { CLI, run, start, type Finished, type Running } from './helpers/processes';
import { decrypted, rawHistoryOn, readable } from './helpers/raw-history';
import { testClient } from './helpers/temporal';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = { acme: secret('acme'), acmeEu: secret('acme-eu'), globex: secret('globex'), app: secret('app') };

let server: DevServer;
let oidc: OidcServer;
let api: Server;
let scratch: string;
let configFile: string;
let redirectUri: string;
let env: NodeJS.ProcessEnv;
let worker: Running | undefined;
let connection: Connection;
let client: Client;
/** The tokens the API received, with the client the authorization server issued each one to. */
let seen: TokenSeen[];
const outputs: string[] = [];

const cli = async (...args: string[]): Promise<Finished> => {
  const finished = await run(CLI, [...args, '--config', configFile], env);
  outputs.push(finished.stdout, finished.stderr);
  return finished;
};
const ok = async (...args: string[]): Promise<string> => {
  const finished = await cli(...args);
  if (finished.code !== 0) throw new Error(`${args.join(' ')} exited with ${finished.code}:\n${finished.stdout}${finished.stderr}`);
  return finished.stdout;
};
const whoami = async (integration: string, ...args: string[]) => JSON.parse(await ok('call', `${integration}.whoami`, ...args)) as unknown;
const tokenStatus = (key: TokenWorkflowKey) => client.workflow.getHandle(tokenWorkflowId(key)).query<TokenStatus>(TOKEN_STATUS_QUERY);

beforeAll(async () => {
  server = await startDevServer({ port: 0, headless: true });
  redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const machine = (id: string, clientSecret: string) => ({ client_id: id, client_secret: clientSecret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });
  oidc = await startOidcServer({
    ttl: 600,
    clients: [
      machine('acme-client', SECRETS.acme),
      machine('acme-eu-client', SECRETS.acmeEu),
      machine('globex-client', SECRETS.globex),
      { client_id: 'app', client_secret: SECRETS.app, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [redirectUri] },
    ],
  });
  ({ api, seen } = await whoamiApi(oidc));

  scratch = mkdtempSync(path.join(tmpdir(), 'registry-oauth-'));
  const definitions = path.join(scratch, 'definitions');
  mkdirSync(definitions);
  const definition = (name: string, auth: Record<string, unknown>) =>
    writeFileSync(
      path.join(definitions, `${name}.json`),
      JSON.stringify({
        name,
        description: `OAuth 2.0 ${auth.grantType}`,
        hostname: api.origin.slice('http://'.length),
        scheme: 'http',
        auth: { type: 'oauth2', tokenUrl: oidc.tokenUrl, ...auth },
        actions: [{ name: 'whoami', description: 'who the token is for', method: 'GET', path: '/whoami' }],
      }),
    );
  definition('machineApi', { grantType: 'client_credentials' });
  definition('appApi', { grantType: 'authorization_code', authorizationUrl: oidc.authorizationUrl, scope: 'openid', includeClientConfigOnRefresh: true });
  configFile = path.join(scratch, 'temporal.config.json');
  // No configurations here: every one is in the registry.
  writeFileSync(configFile, JSON.stringify({ taskQueue: 'registry-oauth', definitionsDir: definitions }));
  env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, CUSTOM_INTEGRATIONS_LOG_LEVEL: 'WARN', CI: '1' };

  worker = start(CLI, ['worker', '--config', configFile], env);
  await worker.waitFor(/Worker polling task queue/);
  ({ connection, client } = await testClient({ address: server.address, namespace: server.namespace }));

  await ok('orgs', 'add', 'msp');
  await ok('orgs', 'add', 'acme', '--parent', 'msp');
  await ok('orgs', 'add', 'globex', '--parent', 'msp');
  for (const integration of ['machineApi', 'appApi']) {
    await ok('integrations', 'register', integration, '--organization', 'msp');
    await ok('integrations', 'finalize', integration, '--status', 'published');
  }
}, 180_000);

afterAll(async () => {
  await connection?.close();
  await worker?.stop();
  await server?.stop();
  await api?.close();
  await oidc?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('client credentials configured per organization in the registry', () => {
  beforeAll(async () => {
    await ok('install', 'acme', 'machineApi', '--set', 'clientId=acme-client', '--set', `clientSecret=${SECRETS.acme}`);
    await ok('configure', 'acme', 'machineApi', '--configuration', 'EU', '--set', 'clientId=acme-eu-client', '--set', `clientSecret=${SECRETS.acmeEu}`);
    await ok('install', 'globex', 'machineApi', '--set', 'clientId=globex-client', '--set', `clientSecret=${SECRETS.globex}`);
  }, 120_000);

  test('authorize --organization finds the registry configuration; calls carry a token of their organization client', async () => {
    expect(await ok('list', 'acme')).toContain('Default  {"clientId":"acme-client","clientSecret":"[redacted]"}');

    const authorized = await cli('authorize', 'machineApi', '--organization', 'acme');
    expect(authorized.code).toBe(0);
    expect(authorized.stdout).toContain('Authorized acme/machineApi/Default: the token workflow holds a new access token');
    const acme = { organization: 'acme', integration: 'machineApi', configuration: 'Default' };
    expect(await tokenStatus(acme)).toMatchObject({ status: 'active', generation: 1 });
    expect(tokenWorkflowId(acme)).toBe('oauth-token/acme/machineApi/Default');

    expect(await whoami('machineApi', '--organization', 'acme')).toEqual({ clientId: 'acme-client' });
    expect(await whoami('machineApi', '--organization', 'acme', '--override', 'machineApi=EU')).toEqual({ clientId: 'acme-eu-client' });
    expect(await whoami('machineApi', '--organization', 'globex')).toEqual({ clientId: 'globex-client' });

    // One token workflow, one grant and one token per organization's configuration; authorize's token was the one used.
    const keys = [acme, { ...acme, configuration: 'EU' }, { ...acme, organization: 'globex' }];
    for (const key of keys) {
      const description = await client.workflow.getHandle(tokenWorkflowId(key)).describe();
      expect(description.typedSearchAttributes.get(ORGANIZATION)).toBe(key.organization);
      expect(description.typedSearchAttributes.get(AUTH_STATE)).toBe('active');
      expect(await tokenStatus(key)).toMatchObject({ status: 'active', generation: 1 });
    }
    expect((await oidc.events()).clientCredentials).toBe(3);
    expect(seen.map((s) => s.clientId)).toEqual(['acme-client', 'acme-eu-client', 'globex-client']);
    expect(new Set(seen.map((s) => s.token)).size).toBe(3);
  }, 120_000);

  test('an organization cannot reach another one configuration, through authorize or an override', async () => {
    const override = await cli('call', 'machineApi.whoami', '--organization', 'globex', '--override', 'machineApi=EU');
    expect(override.code).toBe(1);
    expect(override.stderr).toContain('machineApi of organization globex has no configuration "EU" (configurations: Default)');

    const authorize = await cli('authorize', 'machineApi', '--organization', 'globex', '--configuration', 'EU');
    expect(authorize.code).toBe(2);
    expect(authorize.stderr).toContain('integration machineApi has no configuration "EU" for organization globex (configurations available: Default)');
    const notInstalled = await cli('authorize', 'machineApi', '--organization', 'msp');
    expect(notInstalled.code).toBe(2);
    expect(notInstalled.stderr).toContain('no configuration msp/machineApi/Default is declared (an organization\'s configurations are installed in the organization registry: custom-integrations install msp machineApi)');
    await expect(client.workflow.getHandle(tokenWorkflowId({ organization: 'globex', integration: 'machineApi', configuration: 'EU' })).describe()).rejects.toThrow(/not found/);
  }, 120_000);

  test('no client secret in the raw histories of the token workflows and the registry; the tokens only encrypted', async () => {
    const codec = createPayloadCodec(undefined)!;
    const acme = { organization: 'acme', integration: 'machineApi', configuration: 'Default' };
    const tokenHistory = await rawHistoryOn(server, tokenWorkflowId(acme));
    const registryHistory = await rawHistoryOn(server, REGISTRY_WORKFLOW_ID);
    for (const history of [tokenHistory, registryHistory]) {
      const raw = readable(history).join('\n');
      for (const value of Object.values(SECRETS)) expect(raw).not.toContain(value);
      for (const { token } of seen) expect(raw).not.toContain(token);
    }
    // Read with the key, the same histories hold what the checks above looked for: they read real payloads.
    expect((await decrypted(codec, tokenHistory)).join('\n')).toContain(seen[0]!.token);
    expect((await decrypted(codec, tokenHistory)).join('\n')).not.toContain(SECRETS.acme);
    expect((await decrypted(codec, registryHistory)).join('\n')).toContain(SECRETS.acme);
  }, 60_000);
});

test('authorization code configured in the registry: authorize --organization serves the callback', async () => {
  await ok('install', 'acme', 'appApi', '--set', 'clientId=app', '--set', `clientSecret=${SECRETS.app}`, '--set', `redirectUri=${redirectUri}`);
  const authorizing = start(CLI, ['authorize', 'appApi', '--organization', 'acme', '--config', configFile], env);
  const url = await printedAuthorizationUrl(authorizing, oidc);
  expect(url.searchParams.get('client_id')).toBe('app');
  expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
  const page = await fetch(await authorizeInBrowser(url.href, redirectUri));
  expect(page.status).toBe(200);
  await page.body?.cancel();
  const done = await authorizing.finished;
  outputs.push(done.stdout, done.stderr);
  expect(done.code).toBe(0);
  expect(done.stdout).toContain('Authorized acme/appApi/Default');

  expect(await tokenStatus({ organization: 'acme', integration: 'appApi', configuration: 'Default' })).toMatchObject({ status: 'active', generation: 1, hasRefreshToken: true });
  expect(await whoami('appApi', '--organization', 'acme')).toEqual({ clientId: 'app' });
  // globex has not installed it: its workflows cannot use acme's authorization.
  const other = await cli('call', 'appApi.whoami', '--organization', 'globex');
  expect(other.code).toBe(1);
  expect(other.stderr).toContain('organization globex has not installed integration appApi');
}, 120_000);

test('no token or client secret printed by the CLI or the worker', () => {
  const printed = [...outputs, worker!.output()].join('\n');
  for (const value of Object.values(SECRETS)) expect(printed).not.toContain(value);
  expect(seen.length).toBeGreaterThanOrEqual(4);
  for (const { token } of seen) expect(printed).not.toContain(token);
});
