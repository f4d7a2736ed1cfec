/**
 * `custom-integrations authorize <integration> [--configuration NAME] [--organization ORG] [--wait SECONDS]`: gets a configuration's
 * OAuth 2.0 tokens into its token workflow, the first time or after "reauthorization required".
 *
 * - Authorization code: serves the configuration's loopback redirect URI (one callback), prints (and on a terminal
 *   opens) the authorization URL, checks the callback's state and has the token workflow exchange the code on a worker.
 * - Client credentials and no grant type: asks the token workflow to get tokens again (a new grant, or the tokens of
 *   the configuration), once the client secret or the supplied tokens were fixed on the workers.
 * - With `--organization`, the configuration is found as the workers find it: in the organization registry, else in
 *   temporal.config.ts. The CLI reads no secret either way.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { AuthorizationError, authorizationSetup, authorize, completeAuthorization, startAuthorization, type AuthorizationSetup } from '../../auth/oauth/authorization';
import { describeKey, type AuthorizeResult } from '../../auth/oauth/model';
import type { ConfigurationInput } from '../../configurations/model';
import { RegistryConfigurations } from '../../configurations/registry-source';
import { ConfigurationError, ConfigurationNotFoundError } from '../../configurations/source';
import { DEFAULT_CONFIGURATION } from '../../context';
import { compileDefinitions, type CompiledIntegrations } from '../../definition/compile';
import { loadDefinitions } from '../../definition/load';
import { connectClient } from '../../temporal/client';
import { UsageError } from '../args';
import { warnWithoutWorker } from './call';
import type { Command } from './types';

/** How long the command waits, by default, for the person to finish in the browser. */
const DEFAULT_WAIT_SECONDS = 600;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

type Key = { integration: string; configuration?: string; organization?: string };
/** A configuration the command can authorize, and for the authorization code grant the redirect URI it serves. */
type Checked = { setup: AuthorizationSetup; redirect?: URL };

export const authorizeCommand: Command = async ({ config, args, options }) => {
  const integration = args[0];
  if (!integration || args.length > 1) throw new UsageError('authorize expects one integration name, e.g. authorize pedroAviary --configuration EU');
  const waitSeconds = options.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(options.wait);
  if (!(Number.isInteger(waitSeconds) && waitSeconds >= 1)) throw new UsageError('--wait is how many seconds to wait for the callback: a whole number, at least 1');
  const integrations = compileDefinitions(loadDefinitions(config.definitionsDir));
  const key: Key = {
    integration,
    ...(options.configuration !== undefined && { configuration: options.configuration }),
    ...(options.organization !== undefined && { organization: options.organization }),
  };
  // Without an organization the configuration is in temporal.config.ts: its mistakes are found before connecting.
  const fromConfig = key.organization === undefined ? checked(integrations, config.configurations, key) : undefined;
  const client = await connectClient(config);
  try {
    await warnWithoutWorker(client, config.namespace, config.taskQueue);
    const { setup, redirect } = fromConfig ?? (await organizationSetup(client, integrations, config.configurations, key));
    const where = describeKey(setup.key);
    let result: AuthorizeResult;
    try {
      result = redirect
        ? await authorizeInBrowser(setup, redirect, waitSeconds, (pending, callbackUrl) => completeAuthorization(client, pending, callbackUrl, { taskQueue: config.taskQueue }))
        : await authorize(client, setup.key, { kind: 'configured' }, { taskQueue: config.taskQueue });
    } catch (err) {
      if (!(err instanceof AuthorizationError)) throw err;
      console.error(`authorize ${where} failed: ${err.message}`);
      return 1;
    }
    if (!result.authorized) {
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

/** The setup, with what the command cannot do as a usage error. */
function checked(integrations: CompiledIntegrations, configurations: readonly ConfigurationInput[], key: Key): Checked {
  let setup: AuthorizationSetup;
  try {
    setup = authorizationSetup(integrations, configurations, key);
  } catch (err) {
    if (err instanceof AuthorizationError) throw new UsageError(err.message);
    throw err;
  }
  return setup.auth.grantType === 'authorization_code' ? { setup, redirect: loopbackRedirect(setup.redirectUri) } : { setup };
}

/**
 * An organization's configuration, found as the workers find it (RegistryConfigurations): its installation in the
 * organization registry, else a configuration of temporal.config.ts declared for that organization.
 */
async function organizationSetup(client: Client, integrations: CompiledIntegrations, configurations: readonly ConfigurationInput[], key: Key): Promise<Checked> {
  const request = { ...key, configuration: key.configuration ?? DEFAULT_CONFIGURATION };
  let declared: ConfigurationInput | undefined;
  try {
    declared = integrations.has(key.integration) ? await new RegistryConfigurations({ integrations, client }).declared(request) : undefined;
  } catch (err) {
    if (err instanceof ConfigurationNotFoundError || err instanceof ConfigurationError) throw new UsageError(err.message);
    // The registry could not be read: the message says why and what to check.
    if (err instanceof ApplicationFailure) throw new ConfigurationError(err.message);
    throw err;
  }
  return checked(integrations, declared ? [declared] : configurations, key);
}

/** The CLI serves the callback itself, so the redirect URI must reach this machine. */
function loopbackRedirect(redirectUri: string): URL {
  const redirect = new URL(redirectUri);
  if (redirect.protocol !== 'http:' || !LOOPBACK.has(redirect.hostname) || !redirect.port) {
    throw new UsageError(
      `the CLI serves the callback on this machine, so redirectUri must be a loopback URL with a port, such as http://127.0.0.1:8765/callback (got ${redirectUri}); ` +
        'register one with the provider, or complete the authorization in your web app with completeAuthorization()',
    );
  }
  return redirect;
}

type Complete = (pending: Awaited<ReturnType<typeof startAuthorization>>, callbackUrl: string) => Promise<AuthorizeResult>;

/** Serves the loopback redirect URI for one callback, and sends the person to the authorization URL. */
async function authorizeInBrowser(setup: AuthorizationSetup, redirect: URL, waitSeconds: number, complete: Complete): Promise<AuthorizeResult> {
  const pending = await startAuthorization(setup);
  let settle: (outcome: { result?: AuthorizeResult; error?: unknown }) => void = () => {};
  const outcome = new Promise<{ result?: AuthorizeResult; error?: unknown }>((resolve) => (settle = resolve));
  let answered = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirect);
    if (url.pathname !== redirect.pathname) return void res.writeHead(404).end();
    // One callback only: a reload would send the single-use code again, and its refusal by the token endpoint
    // would put the configuration just authorized into "reauthorization required".
    if (answered) return page(res, 409, 'This authorization was already answered; see the terminal.');
    answered = true;
    complete(pending, url.href).then(
      (result) => {
        // The command ends once the page is sent, so the person sees the outcome in the browser too.
        res.once('close', () => settle({ result }));
        page(res, 200, result.authorized ? 'Authorized. You can close this tab.' : `Not authorized: ${result.message ?? result.status}`);
      },
      (error: unknown) => {
        res.once('close', () => settle({ error }));
        page(res, 400, `Not authorized: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  server.listen(Number(redirect.port), redirect.hostname.replace(/^\[|\]$/g, ''));
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(new UsageError(`cannot listen on ${redirect.host} for the callback: ${(err as Error).message}`)))]);
  try {
    console.error(`Open this URL to authorize ${describeKey(setup.key)} (waiting for the callback on ${redirect.origin}${redirect.pathname}):\n\n  ${pending.url}\n`);
    openBrowser(pending.url);
    const timer = setTimeout(
      () => settle({ error: new AuthorizationError(`no callback within ${waitSeconds} s; run authorize again (--wait SECONDS gives more time)`) }),
      waitSeconds * 1000,
    );
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
