/**
 * `custom-integrations authorize <integration> [--configuration NAME] [--organization ORG]`: gets a configuration's
 * OAuth 2.0 tokens into its token workflow, the first time or after "reauthorization required".
 *
 * - Authorization code: serves the configuration's loopback redirect URI, prints (and on a terminal opens) the
 *   authorization URL, checks the callback's state and has the token workflow exchange the code on a worker.
 * - Client credentials and no grant type: asks the token workflow to get tokens again (a new grant, or the tokens of
 *   the configuration), once the client secret or the supplied tokens were fixed on the workers.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { AuthorizationError, authorizationSetup, authorize, completeAuthorization, startAuthorization, type AuthorizationSetup } from '../../auth/oauth/authorization';
import { describeKey, type AuthorizeResult } from '../../auth/oauth/model';
import { compileDefinitions } from '../../definition/compile';
import { loadDefinitions } from '../../definition/load';
import { connectClient } from '../../temporal/client';
import { UsageError } from '../args';
import { warnWithoutWorker } from './call';
import type { Command } from './types';

/** How long the command waits for the person to finish in the browser. */
const CALLBACK_TIMEOUT_MS = 10 * 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const authorizeCommand: Command = async ({ config, args, options }) => {
  const integration = args[0];
  if (!integration || args.length > 1) throw new UsageError('authorize expects one integration name, e.g. authorize pedroAviary --configuration EU');
  const integrations = compileDefinitions(loadDefinitions(config.definitionsDir));
  let setup: AuthorizationSetup;
  try {
    setup = authorizationSetup(integrations, config.configurations, {
      integration,
      ...(options.configuration !== undefined && { configuration: options.configuration }),
      ...(options.organization !== undefined && { organization: options.organization }),
    });
  } catch (err) {
    if (err instanceof AuthorizationError) throw new UsageError(err.message);
    throw err;
  }

  const client = await connectClient(config);
  try {
    await warnWithoutWorker(client, config.namespace, config.taskQueue);
    const where = describeKey(setup.key);
    let result: AuthorizeResult;
    try {
      result =
        setup.auth.grantType === 'authorization_code'
          ? await authorizeInBrowser(setup, (pending, callbackUrl) => completeAuthorization(client, pending, callbackUrl, { taskQueue: config.taskQueue }))
          : await authorize(client, setup.key, { kind: 'configured' }, { taskQueue: config.taskQueue });
    } catch (err) {
      if (!(err instanceof AuthorizationError)) throw err;
      console.error(`authorize ${where} failed: ${err.message}`);
      return 1;
    }
    if (result.status !== 'active') {
      console.error(`authorize ${where} failed: ${result.message ?? result.status}`);
      return 1;
    }
    const expiry = result.expiresAt === undefined ? 'its expiry is unknown' : `it expires at ${new Date(result.expiresAt).toISOString()}`;
    console.log(`Authorized ${where}: the token workflow holds a new access token; ${expiry}, and it is refreshed before then.`);
    return 0;
  } finally {
    await client.connection.close();
  }
};

type Complete = (pending: Awaited<ReturnType<typeof startAuthorization>>, callbackUrl: string) => Promise<AuthorizeResult>;

/** Serves the loopback redirect URI for one callback, and sends the person to the authorization URL. */
async function authorizeInBrowser(setup: AuthorizationSetup, complete: Complete): Promise<AuthorizeResult> {
  const redirect = new URL(setup.redirectUri);
  if (redirect.protocol !== 'http:' || !LOOPBACK.has(redirect.hostname) || !redirect.port) {
    throw new UsageError(
      `the CLI serves the callback on this machine, so redirectUri must be a loopback URL with a port, such as http://127.0.0.1:8765/callback (got ${setup.redirectUri}); ` +
        'register one with the provider, or complete the authorization in your web app with completeAuthorization()',
    );
  }
  const pending = await startAuthorization(setup);
  let settle: (outcome: { result?: AuthorizeResult; error?: unknown }) => void = () => {};
  const outcome = new Promise<{ result?: AuthorizeResult; error?: unknown }>((resolve) => (settle = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirect);
    if (url.pathname !== redirect.pathname) return void res.writeHead(404).end();
    complete(pending, url.href).then(
      (result) => {
        page(res, 200, result.status === 'active' ? 'Authorized. You can close this tab.' : `Not authorized: ${result.message ?? result.status}`);
        settle({ result });
      },
      (error: unknown) => {
        page(res, 400, `Not authorized: ${error instanceof Error ? error.message : String(error)}`);
        settle({ error });
      },
    );
  });
  server.listen(Number(redirect.port), redirect.hostname.replace(/^\[|\]$/g, ''));
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(new UsageError(`cannot listen on ${redirect.host} for the callback: ${(err as Error).message}`)))]);
  try {
    console.error(`Open this URL to authorize ${describeKey(setup.key)} (waiting for the callback on ${redirect.origin}${redirect.pathname}):\n\n  ${pending.url}\n`);
    openBrowser(pending.url);
    const timer = setTimeout(() => settle({ error: new AuthorizationError('no callback within 10 minutes; run authorize again') }), CALLBACK_TIMEOUT_MS);
    const { result, error } = await outcome.finally(() => clearTimeout(timer));
    if (error !== undefined) throw error;
    return result as AuthorizeResult;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function page(res: ServerResponse, status: number, text: string): void {
  const escaped = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>custom-integrations authorize</title><p>${escaped}</p>`);
}

/** Only for a person at a terminal; a failure to open is fine, the URL is printed. */
function openBrowser(url: string): void {
  if (!process.stderr.isTTY || process.env.CI) return;
  const [command, ...args] = process.platform === 'darwin' ? ['open'] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""'] : ['xdg-open'];
  spawn(command!, [...args, url], { detached: true, stdio: 'ignore' })
    .on('error', () => {})
    .unref();
}
