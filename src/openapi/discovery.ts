/**
 * OpenID Connect discovery for `openIdConnect` security schemes: the provider's metadata (OpenID Connect Discovery
 * 1.0, or RFC 8414 for an oauth-authorization-server URL), read with oauth4webapi, which checks that the document is
 * the issuer's own, then turned into the definition's oauth2 auth. It is the import's only network access, so it runs
 * only when asked for (--discover); a failure is reported and never fails the import.
 */
import type { z } from 'zod';
import type { OAuth2Auth } from '../definition/model';
import { networkProblem, oauth4webapi } from '../auth/oauth/token-endpoint';
import type * as Oauth4webapi from 'oauth4webapi' with { 'resolution-mode': 'import' };

export type ProviderMetadata = Oauth4webapi.AuthorizationServer;

/** Why discovery failed and what to do, for the warning. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;
const OIDC_WELL_KNOWN = '/.well-known/openid-configuration';
const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server';
const BY_HAND = 'or set authorizationUrl and tokenUrl (and grantType) in the definition by hand';

/**
 * The provider's metadata at `url`. The issuer is the part of the URL before (OIDC) or after (RFC 8414) the
 * well-known segment; the document must name that issuer, or it could send the user's credentials to another server.
 */
export async function discoverProvider(url: string): Promise<ProviderMetadata> {
  const named = issuerOf(url);
  const oauth = await oauth4webapi();
  let response: Response;
  try {
    response = await oauth.discoveryRequest(named.issuer, {
      algorithm: named.algorithm,
      // http:// is for local providers, as the token endpoint client allows it for http:// token URLs.
      [oauth.allowInsecureRequests]: named.issuer.protocol === 'http:',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw unreachable(url, err);
  }
  try {
    return await oauth.processDiscoveryResponse(named.issuer, response);
  } catch (err) {
    throw refused(url, named.issuer, err);
  } finally {
    await response.body?.cancel().catch(() => undefined);
  }
}

function issuerOf(url: string): { issuer: URL; algorithm: 'oidc' | 'oauth2' } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DiscoveryError(`${url} is not an http(s) URL`, `Set openIdConnectUrl to the provider's https:// discovery URL, ${BY_HAND}.`);
  }
  const { pathname } = parsed;
  if (!parsed.search && pathname.endsWith(OIDC_WELL_KNOWN)) {
    return { issuer: new URL(pathname.slice(0, -OIDC_WELL_KNOWN.length) || '/', parsed), algorithm: 'oidc' };
  }
  if (!parsed.search && (pathname === OAUTH_WELL_KNOWN || pathname.startsWith(`${OAUTH_WELL_KNOWN}/`))) {
    return { issuer: new URL(pathname.slice(OAUTH_WELL_KNOWN.length) || '/', parsed), algorithm: 'oauth2' };
  }
  throw new DiscoveryError(
    `${url} is not a discovery URL (the issuer followed by ${OIDC_WELL_KNOWN}), so the issuer of what it answers cannot be checked; it was not fetched`,
    `Set openIdConnectUrl to <issuer>${OIDC_WELL_KNOWN} and import again with --discover, ${BY_HAND}.`,
  );
}

function unreachable(url: string, err: unknown): DiscoveryError {
  if (err instanceof DiscoveryError) return err;
  const error = (typeof err === 'object' && err !== null ? err : {}) as { name?: string };
  const detail = error.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : networkProblem(err);
  return new DiscoveryError(`${url} could not be reached: ${detail}`, `Check the URL and the network, then import again with --discover, ${BY_HAND}.`);
}

/** oauth4webapi's processing errors, by code (duck-typed: under a test runner its classes may be of another realm). */
function refused(url: string, issuer: URL, err: unknown): DiscoveryError {
  const { code, message, cause } = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as { code?: string; message?: string; cause?: unknown };
  const checkUrl = `Check openIdConnectUrl (it must be <issuer>${OIDC_WELL_KNOWN}), then import again with --discover, ${BY_HAND}.`;
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Response) {
    const redirect = cause.status >= 300 && cause.status < 400 ? ` (a redirect to ${cause.headers.get('location') ?? 'nowhere'}; discovery does not follow redirects)` : '';
    return new DiscoveryError(`${url} answered HTTP ${cause.status}${redirect}, not a discovery document`, checkUrl);
  }
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    const body = (cause as { body?: { issuer?: unknown } } | undefined)?.body;
    return new DiscoveryError(
      `the discovery document at ${url} names the issuer ${JSON.stringify(body?.issuer)}, not ${issuer.href}, the issuer its URL belongs to; it is not used, as it could send credentials to another server`,
      `Use the discovery URL of the issuer the API's tokens come from (the document's own issuer followed by ${OIDC_WELL_KNOWN}), ${BY_HAND}.`,
    );
  }
  if (code === 'OAUTH_RESPONSE_IS_NOT_JSON' || code === 'OAUTH_PARSE_ERROR' || code === 'OAUTH_INVALID_RESPONSE') {
    return new DiscoveryError(`${url} did not answer a JSON discovery document with an issuer (${message})`, checkUrl);
  }
  return new DiscoveryError(`the discovery document at ${url} cannot be used: ${message}`, checkUrl);
}

/** Auth as written in a file: defaults are left to the model. */
type OAuth2 = z.input<typeof OAuth2Auth>;

export type DiscoveredAuth = { auth: OAuth2; rank: number; what: string } | { problem: string };

/**
 * The provider's metadata as the definition's auth: the authorization code grant (always with PKCE) when the provider
 * offers the code flow, else client credentials when it lists that grant. `rank` is that of the same flows declared
 * in an oauth2 scheme.
 */
export function discoveredAuth(metadata: ProviderMetadata, scopes: readonly string[], url: string): DiscoveredAuth {
  const authorizationUrl = httpUrl(metadata.authorization_endpoint);
  const tokenUrl = httpUrl(metadata.token_endpoint);
  const responseTypes = strings(metadata.response_types_supported) ?? [];
  // Both discovery specs give this default when the field is omitted.
  const grantTypes = strings(metadata.grant_types_supported) ?? ['authorization_code', 'implicit'];
  const endpointProblem = (key: 'authorization_endpoint' | 'token_endpoint') =>
    metadata[key] === undefined ? `no ${key}` : `${key} ${JSON.stringify(metadata[key])} is not an absolute http(s) URL`;
  const withoutCode = [
    !authorizationUrl && endpointProblem('authorization_endpoint'),
    !tokenUrl && endpointProblem('token_endpoint'),
    !responseTypes.includes('code') && `response_types_supported ${JSON.stringify(responseTypes)} has no "code"`,
    !grantTypes.includes('authorization_code') && `grant_types_supported ${JSON.stringify(grantTypes)} has no "authorization_code"`,
  ].filter((problem): problem is string => typeof problem === 'string');
  const from = `OpenID Connect, discovered at ${url}`;
  const client = clientAuthentication(metadata);
  if (withoutCode.length === 0 && authorizationUrl && tokenUrl) {
    const scope = ['openid', ...scopes.filter((s) => s !== 'openid')].join(' ');
    const pkce = strings(metadata.code_challenge_methods_supported);
    const notes = [
      client.note,
      pkce && !pkce.includes('S256') && `the provider does not list PKCE S256 (code_challenge_methods_supported: ${pkce.join(', ') || 'none'}), which is always sent`,
    ].filter(Boolean);
    return {
      // A confidential client authenticates on refresh too (RFC 6749 section 6), as the providers that publish discovery require.
      auth: { type: 'oauth2', grantType: 'authorization_code', authorizationUrl, tokenUrl, scope, includeClientConfigOnRefresh: true, ...client.fields },
      rank: 4,
      what: `${from}: authorization code with PKCE, because the provider supports the code flow; authorization URL ${authorizationUrl}, token URL ${tokenUrl}, scope "${scope}"${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    };
  }
  if (tokenUrl && grantTypes.includes('client_credentials')) {
    const scope = scopes.length > 0 ? { scope: scopes.join(' ') } : {};
    return {
      auth: { type: 'oauth2', grantType: 'client_credentials', tokenUrl, ...scope, ...client.fields },
      rank: 3,
      what: `${from}: client credentials, because the provider does not offer the code flow (${withoutCode.join('; ')}) and lists client_credentials; token URL ${tokenUrl}${client.note ? ` (${client.note})` : ''}`,
    };
  }
  return {
    problem: `the provider at ${url} offers neither the authorization code flow (${withoutCode.join('; ')}) nor client credentials (${tokenUrl ? `grant_types_supported ${JSON.stringify(grantTypes)} has no "client_credentials"` : endpointProblem('token_endpoint')})`,
  };
}

/**
 * How the client authenticates at the token endpoint. Without a setting the definition sends the id and secret in
 * the body (client_secret_post); a provider that takes only client_secret_basic (the default when it does not say)
 * gets them as a Basic Auth header instead.
 */
function clientAuthentication(metadata: ProviderMetadata): { fields: { basicAuthOnCodeExchange?: true }; note?: string } {
  const methods = strings(metadata.token_endpoint_auth_methods_supported) ?? ['client_secret_basic'];
  if (methods.includes('client_secret_post')) return { fields: {} };
  if (methods.includes('client_secret_basic')) return { fields: { basicAuthOnCodeExchange: true }, note: 'client id and secret in a Basic Auth header, the only way the provider takes them' };
  if (methods.includes('none')) return { fields: {}, note: 'a public client: configure a client id and no secret' };
  return { fields: {}, note: `the provider authenticates clients only by ${methods.join(', ')}, which the definition cannot do` };
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}
