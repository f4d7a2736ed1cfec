/**
 * `custom-integrations authorize` as a person runs it, for the authorization code grant: the compiled CLI in its own
 * process next to a `custom-integrations worker` process, on the real dev server, against oidc-provider. The test
 * plays the browser (oidc-provider's login and consent finished without a person) from the URL the CLI prints to the
 * CLI's loopback callback server; the token workflow then holds the tokens and the next call carries the token to a
 * loopback API. Also what a person hits when it goes wrong: a callback with another state, the provider answering
 * access_denied, a redirect URI the CLI cannot serve. The CLI never opens a browser here (stderr is not a terminal),
 * and neither it nor the worker prints a token or the client secret.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import { TOKEN_STATUS_QUERY, tokenWorkflowId, type TokenStatus } from '../src/auth/oauth/model';
import { freePort } from '../src/devserver/free-port';
import { AUTH_STATE } from '../src/temporal/search-attributes';
import type { Server } from './helpers/http-server';
import { authorizeInBrowser, printedAuthorizationUrl, startOidcServer, whoamiApi, type OidcServer, type TokenSeen } from './helpers/oidc';
import { CLI, run, start, type Finished, type Running } from './helpers/processes';
import { testClient, uniqueTaskQueue } from './helpers/temporal';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const SECRET_ENV = 'OAUTH_CLI_CLIENT_SECRET';
const INTEGRATION = `codeCli${randomBytes(4).toString('hex')}`;

let oidc: OidcServer;
let api: Server;
let scratch: string;
let configFile: string;
let browserOpened: string;
let redirectUri: string;
let worker: Running | undefined;
let connection: Connection;
let client: Client;
/** The tokens the API received, with the client the authorization server issued each one to. */
let seen: TokenSeen[];
/** Every output of a CLI process, to look for secrets in at the end. */
const outputs: string[] = [];

/**
 * The CLI's environment: no client secret (only the worker has it), a PATH whose `xdg-open` and `open` record being
 * run, and CI unset, so the terminal check alone keeps the browser closed.
 */
let cliEnv: NodeJS.ProcessEnv;
const cli = async (...args: string[]): Promise<Finished> => {
  const finished = await run(CLI, [...args, '--config', configFile], cliEnv);
  outputs.push(finished.stdout, finished.stderr);
  return finished;
};
const authorizeProcess = (configuration: string) => start(CLI, ['authorize', INTEGRATION, '--configuration', configuration, '--config', configFile], cliEnv);
const finish = async (running: Running): Promise<Finished> => {
  const finished = await running.finished;
  outputs.push(finished.stdout, finished.stderr);
  return finished;
};
const tokenWorkflow = (configuration: string) => client.workflow.getHandle(tokenWorkflowId({ integration: INTEGRATION, configuration }));

beforeAll(async () => {
  redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  oidc = await startOidcServer({
    ttl: 300,
    deny: ['refused-app'],
    clients: ['app', 'refused-app'].map((id) => ({
      client_id: id,
      client_secret: SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
    })),
  });
  ({ api, seen } = await whoamiApi(oidc));

  scratch = mkdtempSync(path.join(tmpdir(), 'oauth-cli-'));
  const definitions = path.join(scratch, 'definitions');
  mkdirSync(definitions);
  writeFileSync(
    path.join(definitions, `${INTEGRATION}.json`),
    JSON.stringify({
      name: INTEGRATION,
      description: 'authorization code',
      hostname: api.origin.slice('http://'.length),
      scheme: 'http',
      auth: { type: 'oauth2', grantType: 'authorization_code', tokenUrl: oidc.tokenUrl, authorizationUrl: oidc.authorizationUrl, scope: 'openid', includeClientConfigOnRefresh: true },
      actions: [{ name: 'whoami', description: 'who the token is for', method: 'GET', path: '/whoami' }],
    }),
  );
  const entry = (name: string, fields: Record<string, unknown> = {}) => ({
    integration: INTEGRATION,
    name,
    clientId: 'app',
    clientSecret: { env: SECRET_ENV },
    redirectUri,
    ...fields,
  });
  configFile = path.join(scratch, 'temporal.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      taskQueue: uniqueTaskQueue('oauth-cli'),
      definitionsDir: definitions,
      configurations: [
        entry('Default'),
        entry('Forged'),
        entry('Refused', { clientId: 'refused-app' }),
        entry('Remote', { redirectUri: 'https://app.example.com/oauth/callback' }),
      ],
    }),
  );

  const bin = path.join(scratch, 'bin');
  mkdirSync(bin);
  browserOpened = path.join(scratch, 'browser-opened');
  for (const opener of ['xdg-open', 'open']) {
    writeFileSync(path.join(bin, opener), `#!/bin/sh\necho "$@" >> '${browserOpened}'\n`);
    chmodSync(path.join(bin, opener), 0o755);
  }
  cliEnv = { CUSTOM_INTEGRATIONS_LOG_LEVEL: 'WARN', CI: '', PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };

  worker = start(CLI, ['worker', '--config', configFile], { ...cliEnv, [SECRET_ENV]: SECRET });
  await worker.waitFor(/Worker polling task queue/);
  ({ connection, client } = await testClient());
});

afterAll(async () => {
  // Token workflows run until terminated; this one belongs to this run's task queue, which goes away.
  await tokenWorkflow('Default').terminate('test over').catch(() => undefined);
  await connection?.close();
  await worker?.stop();
  await api?.close();
  await oidc?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('authorize prints the URL, serves the callback, and the next call carries the token', async () => {
  const authorizing = authorizeProcess('Default');
  const url = await printedAuthorizationUrl(authorizing, oidc);
  expect(authorizing.output()).toContain(`Open this URL to authorize ${INTEGRATION}/Default (waiting for the callback on ${redirectUri})`);
  expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: 'code', client_id: 'app', redirect_uri: redirectUri, scope: 'openid', code_challenge_method: 'S256' });
  expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
  expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);

  const callback = await authorizeInBrowser(url.href, redirectUri);
  expect(new URL(callback).searchParams.get('state')).toBe(url.searchParams.get('state'));
  const grantsBefore = (await oidc.events()).accessTokens;
  // A reload of the callback page arrives as a second request: only the first is exchanged.
  const pages = await Promise.all([fetch(callback), fetch(callback)]);
  expect(pages.map((p) => p.status).sort()).toEqual([200, 409]);
  const texts = await Promise.all(pages.map((p) => p.text()));
  expect(texts[pages.findIndex((p) => p.status === 200)]).toContain('Authorized. You can close this tab.');
  expect(texts[pages.findIndex((p) => p.status === 409)]).toContain('already answered');

  const done = await finish(authorizing);
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(new RegExp(`^Authorized ${INTEGRATION}/Default: the token workflow holds a new access token; it expires at \\S+Z, and it is refreshed before then\\.\\n$`));
  expect(await tokenWorkflow('Default').query<TokenStatus>(TOKEN_STATUS_QUERY)).toMatchObject({ status: 'active', generation: 1, hasRefreshToken: true });
  expect((await tokenWorkflow('Default').describe()).typedSearchAttributes.get(AUTH_STATE)).toBe('active');
  expect((await oidc.events()).grantErrors).toEqual([]);

  const call = await cli('call', `${INTEGRATION}.whoami`);
  expect(call.code).toBe(0);
  expect(JSON.parse(call.stdout)).toEqual({ clientId: 'app' });
  // The call used the token the code exchange got: one token issued in all.
  expect((await oidc.events()).accessTokens).toBe(grantsBefore + 1);
  expect(seen).toHaveLength(1);
  expect(seen[0]!.clientId).toBe('app');
}, 120_000);

test('a callback with another state is refused: nothing is exchanged and the command says to start again', async () => {
  const authorizing = authorizeProcess('Forged');
  const url = await printedAuthorizationUrl(authorizing, oidc);
  const callback = new URL(await authorizeInBrowser(url.href, redirectUri));
  expect(callback.searchParams.get('code')).toBeTruthy();
  callback.searchParams.set('state', 'state-of-another-request');
  const before = await oidc.events();

  const page = await fetch(callback);
  expect(page.status).toBe(400);
  expect(await page.text()).toContain('state differs');
  const done = await finish(authorizing);
  expect(done.code).toBe(1);
  expect(done.stderr).toContain(
    `authorize ${INTEGRATION}/Forged failed: the callback does not answer this authorization request (state differs); start the authorization again`,
  );
  expect(done.stderr).not.toContain('    at ');
  // The code, valid as it is, was never sent to the token endpoint, and no token workflow was started.
  expect((await oidc.events()).accessTokens).toBe(before.accessTokens);
  await expect(tokenWorkflow('Forged').describe()).rejects.toThrow(WorkflowNotFoundError);
}, 120_000);

test('the provider answering access_denied ends the command with the provider error', async () => {
  const authorizing = authorizeProcess('Refused');
  const url = await printedAuthorizationUrl(authorizing, oidc);
  const callback = new URL(await authorizeInBrowser(url.href, redirectUri));
  expect(callback.searchParams.get('error')).toBe('access_denied');

  const page = await fetch(callback);
  expect(page.status).toBe(400);
  await page.body?.cancel();
  const done = await finish(authorizing);
  expect(done.code).toBe(1);
  expect(done.stderr).toContain(`authorize ${INTEGRATION}/Refused failed: the authorization server answered access_denied (the user refused access)`);
  expect(done.stderr).not.toContain('    at ');
  await expect(tokenWorkflow('Refused').describe()).rejects.toThrow(WorkflowNotFoundError);
}, 120_000);

test('with no callback within --wait seconds the command ends, frees the port and exchanged nothing', async () => {
  const before = await oidc.events();
  const waiting = start(CLI, ['authorize', INTEGRATION, '--configuration', 'Forged', '--wait', '1', '--config', configFile], cliEnv);
  await printedAuthorizationUrl(waiting, oidc);
  const done = await finish(waiting);
  expect(done.code).toBe(1);
  expect(done.stderr).toContain(`authorize ${INTEGRATION}/Forged failed: no callback within 1 s; run authorize again (--wait SECONDS gives more time)`);
  // The callback server is gone with the command.
  await expect(fetch(redirectUri)).rejects.toThrow();
  expect((await oidc.events()).accessTokens).toBe(before.accessTokens);

  const bad = await cli('authorize', INTEGRATION, '--configuration', 'Forged', '--wait', 'soon');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--wait is how many seconds to wait for the callback: a whole number, at least 1');
}, 60_000);

test('usage errors: a redirect URI the CLI cannot serve, a configuration that is not declared', async () => {
  const remote = await cli('authorize', INTEGRATION, '--configuration', 'Remote');
  expect(remote.code).toBe(2);
  expect(remote.stderr).toContain('redirectUri must be a loopback URL with a port, such as http://127.0.0.1:8765/callback (got https://app.example.com/oauth/callback)');
  expect(remote.stderr).toContain('completeAuthorization()');
  expect(remote.stderr).not.toContain('    at ');
  expect(remote.stderr).not.toContain(oidc.authorizationUrl); // refused before any authorization URL

  const missing = await cli('authorize', INTEGRATION, '--configuration', 'Nope');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`no configuration ${INTEGRATION}/Nope is declared`);
});

test('no browser was opened, and no token or client secret was printed by the CLI or the worker', () => {
  expect(existsSync(browserOpened)).toBe(false);
  const printed = [...outputs, worker!.output()].join('\n');
  expect(outputs.length).toBeGreaterThanOrEqual(10);
  expect(printed).not.toContain(SECRET);
  expect(seen.length).toBeGreaterThan(0);
  for (const { token } of seen) expect(printed).not.toContain(token);
});
