/**
 * The authorization code grant with PKCE (S256) and state, for the CLI and for an existing web app:
 *
 * ```ts
 * const pending = await startAuthorization(authorizationSetup(plugin.integrations, configurations, key));
 * // keep `pending` in the user's server-side session, send the browser to pending.url; then, at the redirect URI:
 * const result = await completeAuthorization(client, pending, callbackUrl, { taskQueue });
 * ```
 *
 * The code is exchanged by the configuration's token workflow, on a worker, so the client secret never leaves the
 * workers and the tokens go straight into that workflow.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { OAuth2Auth } from '../credentials';
import type { CompiledIntegrations } from '../../definition/compile';
import { ConfigurationInput } from '../../configurations/model';
import { DEFAULT_CONFIGURATION } from '../../context';
import type * as Oauth4webapi from 'oauth4webapi' with { 'resolution-mode': 'import' };
import { startTokenWorkflow, type TokenWorkflow } from './start';
import {
  AUTHORIZE_UPDATE,
  describeKey,
  type Authorization,
  type AuthorizeResult,
  type TokenWorkflowKey,
} from './model';

export interface AuthorizationSetup {
  readonly auth: OAuth2Auth;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly key: TokenWorkflowKey;
}

/** What to keep between sending the person to `url` and the callback: server-side, as `codeVerifier` is a secret. */
export interface PendingAuthorization {
  readonly url: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly key: TokenWorkflowKey;
}

export class AuthorizationError extends Error {
  override readonly name = 'AuthorizationError';
}

/**
 * The setup of one configuration, from the definitions and the configuration entries (as given to the plugin, or the
 * one `RegistryConfigurations.declared` finds in the organization registry). Reads no secret: a CLI or web app
 * without the workers' environment can use it.
 */
export function authorizationSetup(
  integrations: CompiledIntegrations,
  configurations: readonly ConfigurationInput[],
  key: { integration: string; configuration?: string; organization?: string },
): AuthorizationSetup {
  const configuration = key.configuration ?? DEFAULT_CONFIGURATION;
  const where = describeKey({ ...key, configuration });
  const definition = integrations.get(key.integration)?.definition;
  if (!definition) throw new AuthorizationError(`unknown integration "${key.integration}" (known: ${[...integrations.keys()].join(', ') || 'none'})`);
  const { auth } = definition;
  if (auth.type !== 'oauth2') throw new AuthorizationError(`${key.integration} does not use OAuth 2.0 (its auth type is ${auth.type})`);
  const entry = configurations
    .map((input) => ConfigurationInput.safeParse(input))
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
    .find((c) => c.integration === key.integration && c.name === configuration && c.organization === key.organization);
  if (!entry) {
    const registry = key.organization === undefined ? '' : ` (an organization's configurations are installed in the organization registry: custom-integrations install ${key.organization} ${key.integration})`;
    throw new AuthorizationError(`no configuration ${where} is declared${registry}`);
  }
  if (auth.grantType === 'authorization_code' && (!entry.clientId || !entry.redirectUri)) {
    throw new AuthorizationError(`configuration ${where} needs clientId and redirectUri for the authorization code grant`);
  }
  return {
    auth,
    clientId: entry.clientId ?? '',
    redirectUri: entry.redirectUri ?? '',
    key: { integration: key.integration, configuration, ...(key.organization !== undefined && { organization: key.organization }) },
  };
}

/** A fresh state and PKCE verifier, and the authorization URL that carries them. */
export async function startAuthorization(setup: AuthorizationSetup): Promise<PendingAuthorization> {
  const oauth: typeof Oauth4webapi = await import('oauth4webapi');
  const state = oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const url = authorizationUrl(setup.auth, { clientId: setup.clientId, redirectUri: setup.redirectUri, state, codeChallenge });
  return { url: url.href, state, codeVerifier, redirectUri: setup.redirectUri, key: setup.key };
}

/** The definition's authorization URL with its extra params, then the parameters the grant's security rests on. */
export function authorizationUrl(
  auth: OAuth2Auth,
  request: { clientId: string; redirectUri: string; state: string; codeChallenge: string },
): URL {
  if (!auth.authorizationUrl) throw new AuthorizationError('the definition has no auth.authorizationUrl');
  const url = new URL(auth.authorizationUrl);
  for (const [name, value] of Object.entries(auth.authorizationExtraParams)) url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  if (auth.scope) url.searchParams.set('scope', auth.scope);
  else url.searchParams.delete('scope');
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url;
}

/**
 * The callback handler: checks the state (a forged or stale callback is refused here) and has the configuration's
 * token workflow exchange the code, starting it if needed on `taskQueue`, where the workers with the configuration run.
 */
export async function completeAuthorization(
  client: Client,
  pending: PendingAuthorization,
  callbackUrl: string | URL,
  options: { taskQueue: string },
): Promise<AuthorizeResult> {
  const params = new URL(callbackUrl, pending.redirectUri).searchParams;
  if (params.get('state') !== pending.state) {
    throw new AuthorizationError('the callback does not answer this authorization request (state differs); start the authorization again');
  }
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new AuthorizationError(`the authorization server answered ${error}${description ? ` (${description})` : ''}`);
  }
  const result = await authorize(client, pending.key, { kind: 'code', code: { query: params.toString(), state: pending.state, codeVerifier: pending.codeVerifier, redirectUri: pending.redirectUri } }, options);
  if (!result.authorized) throw new AuthorizationError(result.message ?? result.status);
  return result;
}

/**
 * Sends an authorization to the token workflow: a code to exchange, or `configured` (a new client credentials grant,
 * or the tokens of the configuration) after the cause of "reauthorization required" was fixed.
 */
export async function authorize(client: Client, key: TokenWorkflowKey, authorization: Authorization, { taskQueue }: { taskQueue: string }): Promise<AuthorizeResult> {
  try {
    return await client.workflow.executeUpdateWithStart<TokenWorkflow, AuthorizeResult, [Authorization]>(AUTHORIZE_UPDATE, {
      args: [authorization],
      startWorkflowOperation: startTokenWorkflow(key, taskQueue),
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new AuthorizationError(err.cause?.message ?? err.message);
    throw err;
  }
}
