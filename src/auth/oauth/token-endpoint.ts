/**
 * The token endpoint client: client credentials, authorization code (PKCE) and refresh token grants on oauth4webapi,
 * with the definition's non-standard options applied by the one fetch adapter. Runs on the worker only: it is the
 * one place a client secret or refresh token is put on the wire, and only to the definition's tokenUrl.
 *
 * oauth4webapi is ESM-only; `import()` (kept as is in the CommonJS output of module node16) loads it once.
 */
import type { OAuth2Auth } from '../credentials';
import { redact } from '../../http/redact';
import { tokenEndpointFetch } from './fetch-adapter';
import type { CodeCallback } from './model';
import type * as Oauth4webapi from 'oauth4webapi' with { 'resolution-mode': 'import' };

export type OAuth = typeof Oauth4webapi;
type ClientAuth = ReturnType<OAuth['None']>;

let loaded: Promise<OAuth> | undefined;
/** The one way oauth4webapi is loaded (also by OpenID Connect discovery in src/openapi/discovery.ts). */
export const oauth4webapi = (): Promise<OAuth> => (loaded ??= import('oauth4webapi'));

const TIMEOUT_MS = 30_000;

export interface TokenEndpoint {
  readonly auth: OAuth2Auth;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUri?: string;
  /** Cancellation, e.g. the activity's. */
  readonly signal?: AbortSignal;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Seconds, as the token endpoint said. */
  readonly expiresIn?: number;
  readonly scope?: string;
}

/** Why a token request failed, in three kinds the token workflow acts on differently. */
export type TokenErrorKind =
  /** invalid_grant, invalid_client...: the grant or the client is no longer accepted; a person must act. */
  | 'reauthorize'
  /** The definition or configuration does not match the endpoint (wrong key names, unsupported grant): fix it. */
  | 'misconfigured'
  /** Outage, 5xx, 429, network: retry later. */
  | 'unavailable';

export class TokenEndpointError extends Error {
  override readonly name = 'TokenEndpointError';
  constructor(
    readonly kind: TokenErrorKind,
    message: string,
    readonly status?: number,
    readonly oauthError?: string,
  ) {
    super(message);
  }
}

export async function clientCredentialsGrant(endpoint: TokenEndpoint): Promise<IssuedTokens> {
  return grant(endpoint, async (oauth, as, client, options) => {
    const params = new URLSearchParams();
    if (endpoint.auth.scope) params.set('scope', endpoint.auth.scope);
    const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth(oauth, endpoint, true), params, options);
    return oauth.processClientCredentialsResponse(as, client, response);
  });
}

export async function refreshTokenGrant(endpoint: TokenEndpoint, refreshToken: string): Promise<IssuedTokens> {
  const { auth } = endpoint;
  return grant(endpoint, async (oauth, as, client, options) => {
    const additionalParameters = new URLSearchParams();
    if (auth.includeRedirectUriOnRefresh && endpoint.redirectUri) additionalParameters.set('redirect_uri', endpoint.redirectUri);
    const authenticate = clientAuth(oauth, endpoint, auth.includeClientConfigOnRefresh);
    const response = await oauth.refreshTokenGrantRequest(as, client, authenticate, refreshToken, { ...options, additionalParameters });
    return oauth.processRefreshTokenResponse(as, client, response);
  });
}

export async function authorizationCodeGrant(endpoint: TokenEndpoint, callback: CodeCallback): Promise<IssuedTokens> {
  return grant(endpoint, async (oauth, as, client, options) => {
    const params = callbackParameters(callback.query);
    let validated: URLSearchParams;
    try {
      validated = oauth.validateAuthResponse(as, client, params, callback.state);
    } catch (err) {
      throw authorizationResponseError(oauth, err);
    }
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(oauth, endpoint, true),
      validated,
      callback.redirectUri,
      callback.codeVerifier,
      options,
    );
    return oauth.processAuthorizationCodeResponse(as, client, response);
  });
}

/**
 * The callback's parameters without `iss`: oauth4webapi would compare it with the issuer of a discovered
 * configuration, which a definition (authorization and token URLs only) does not have. Mix-up attacks need several
 * authorization servers behind one redirect URI; a configuration talks to exactly one, and `state` is still checked.
 */
export function callbackParameters(query: string): URLSearchParams {
  const params = new URLSearchParams(query);
  params.delete('iss');
  return params;
}

type Grant = (
  oauth: OAuth,
  as: Oauth4webapi.AuthorizationServer,
  client: Oauth4webapi.Client,
  options: Oauth4webapi.TokenEndpointRequestOptions,
) => Promise<Oauth4webapi.TokenEndpointResponse>;

async function grant(endpoint: TokenEndpoint, run: Grant): Promise<IssuedTokens> {
  const { auth } = endpoint;
  const oauth = await oauth4webapi();
  const tokenUrl = new URL(requireTokenUrl(auth));
  const as = {
    issuer: tokenUrl.origin,
    token_endpoint: tokenUrl.href,
    ...(auth.authorizationUrl && { authorization_endpoint: auth.authorizationUrl }),
  };
  const client = { client_id: endpoint.clientId ?? '' };
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const options = {
    [oauth.customFetch]: tokenEndpointFetch(auth),
    // http:// token URLs are for local test servers, as the definition's scheme is.
    [oauth.allowInsecureRequests]: tokenUrl.protocol === 'http:',
    signal: endpoint.signal ? AbortSignal.any([endpoint.signal, timeout]) : timeout,
  };
  const where = `token endpoint ${auth.tokenRequestMethod} ${tokenUrl.origin}${tokenUrl.pathname}`;
  const secrets = [endpoint.clientSecret ?? ''].filter(Boolean);
  let response: Oauth4webapi.TokenEndpointResponse;
  try {
    response = await run(oauth, as, client, options);
  } catch (err) {
    if (endpoint.signal?.aborted) throw endpoint.signal.reason;
    throw classify(oauth, err, where, auth, secrets);
  }
  return {
    accessToken: response.access_token,
    ...(response.refresh_token !== undefined && { refreshToken: response.refresh_token }),
    ...(response.expires_in !== undefined && { expiresIn: response.expires_in }),
    ...(response.scope !== undefined && { scope: response.scope }),
  };
}

function requireTokenUrl(auth: OAuth2Auth): string {
  if (!auth.tokenUrl) throw new TokenEndpointError('misconfigured', 'the definition has no auth.tokenUrl to request tokens at');
  return auth.tokenUrl;
}

/**
 * How the client authenticates. Code exchange and client credentials: Basic when the definition
 * asks for basic auth headers, else id and secret in the body; a public client sends its id only. Refresh: the client
 * config only when includeClientConfigOnRefresh, as some endpoints refuse any extra parameter.
 */
function clientAuth(oauth: OAuth, endpoint: TokenEndpoint, sendClientConfig: boolean): ClientAuth {
  if (!sendClientConfig || endpoint.clientId === undefined) return () => {};
  if (endpoint.clientSecret === undefined) return oauth.None();
  return endpoint.auth.basicAuthOnCodeExchange ? rawBasic(endpoint.clientSecret) : oauth.ClientSecretPost(endpoint.clientSecret);
}

/**
 * Basic auth of the id and secret as they are, as HTTP clients send it. oauth4webapi's ClientSecretBasic
 * form-encodes both first (RFC 6749 2.3.1), which turns every "-" of a secret into "%2D": servers that do not
 * decode, which are many, then refuse the client.
 */
function rawBasic(clientSecret: string): ClientAuth {
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${client.client_id}:${clientSecret}`).toString('base64')}`);
  };
}

const REAUTHORIZE = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied', 'invalid_token']);
const UNAVAILABLE = new Set(['temporarily_unavailable', 'server_error', 'slow_down']);

function classify(oauth: OAuth, err: unknown, where: string, auth: OAuth2Auth, secrets: readonly string[]): Error {
  if (err instanceof TokenEndpointError) return err;
  const clean = (text: string) => redact(text, secrets);
  if (err instanceof oauth.ResponseBodyError) {
    const description = err.error_description ? ` (${clean(String(err.error_description))})` : '';
    const kind = REAUTHORIZE.has(err.error) ? 'reauthorize' : UNAVAILABLE.has(err.error) || err.status >= 500 || err.status === 429 ? 'unavailable' : 'misconfigured';
    return new TokenEndpointError(kind, `${where} answered ${err.status} ${err.error}${description}`, err.status, err.error);
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const error = err.cause.map((challenge) => challenge.parameters.error).find(Boolean) ?? (err.status === 401 ? 'invalid_client' : 'error');
    const kind = err.status === 401 || REAUTHORIZE.has(error) ? 'reauthorize' : err.status >= 500 ? 'unavailable' : 'misconfigured';
    return new TokenEndpointError(kind, `${where} answered ${err.status} ${error} (WWW-Authenticate)`, err.status, error);
  }
  if (err instanceof oauth.OperationProcessingError) {
    const cause = (err as { cause?: unknown }).cause;
    const status = cause instanceof Response ? cause.status : undefined;
    if (status !== undefined && status !== 200) {
      const kind = status >= 500 || status === 429 ? 'unavailable' : status === 401 ? 'reauthorize' : 'misconfigured';
      return new TokenEndpointError(kind, `${where} answered ${status} without an OAuth error body`, status);
    }
    return new TokenEndpointError(
      'misconfigured',
      `${where} answered with a token response that is not usable: ${clean(err.message)}; check the definition's tokenKey ("${auth.tokenKey}"), expirationKey ("${auth.expirationKey}") and refreshTokenKey ("${auth.refreshTokenKey}")`,
    );
  }
  if (err instanceof oauth.UnsupportedOperationError) return new TokenEndpointError('misconfigured', `${where}: ${clean(err.message)}`);
  // Duck-typed: fetch's errors may come from another realm (a test runner's), where instanceof Error fails.
  const error = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as { name?: string; message?: string };
  const detail = error.name === 'TimeoutError' ? `no response within ${TIMEOUT_MS} ms` : clean(networkProblem(err));
  return new TokenEndpointError('unavailable', `${where} could not be reached: ${detail}`);
}

/** fetch says "fetch failed" and hides the system error (ECONNREFUSED...) a cause or two down. */
export function networkProblem(err: unknown): string {
  let current = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  let message = String(err);
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    if (typeof current.code === 'string' && /^E[A-Z]+$/.test(current.code)) return current.code;
    if (typeof current.message === 'string') message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

function authorizationResponseError(oauth: OAuth, err: unknown): Error {
  if (err instanceof oauth.AuthorizationResponseError) {
    const description = err.error_description ? ` (${err.error_description})` : '';
    return new TokenEndpointError('reauthorize', `the authorization server answered ${err.error}${description}`, undefined, err.error);
  }
  const message = err instanceof Error ? err.message : String(err);
  // A wrong state means the callback is not the answer to this authorization request (or a forged one).
  return new TokenEndpointError('reauthorize', `the authorization callback was refused: ${message}`);
}
