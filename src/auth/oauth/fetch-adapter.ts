/**
 * The one place where non-standard token endpoints are made to look standard to oauth4webapi: it builds RFC 6749
 * requests and expects RFC 6749 responses; this `customFetch` rewrites both as the definition's options say.
 *
 * - request: JSON body instead of a form (tokenRequestContentType), GET (parameters in the query) or PUT
 *   (tokenRequestMethod);
 * - response: other key names for the access token, expiry and refresh token (tokenKey, expirationKey,
 *   refreshTokenKey, dotted paths allowed), a form-encoded body, a missing or unusual `token_type` (the
 *   definition's accessTokenScheme is what goes on requests), a 2xx other than 200.
 */
import type { OAuth2Auth } from '../credentials';
import { isMissing, valueAt } from '../../pagination/path';

export interface FetchInit {
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly method: string;
  readonly redirect: 'manual';
  readonly signal?: AbortSignal | null;
}

export type TokenFetch = (url: string, init: FetchInit) => Promise<Response>;

const FORM = /^application\/x-www-form-urlencoded/i;

export function tokenEndpointFetch(auth: OAuth2Auth): TokenFetch {
  return async (url, init) => {
    const response = await fetch(...rewriteRequest(auth, url, init));
    return rewriteResponse(auth, response);
  };
}

function rewriteRequest(auth: OAuth2Auth, url: string, init: FetchInit): [string, RequestInit] {
  const params = new URLSearchParams(init.body instanceof URLSearchParams ? init.body : String(init.body ?? ''));
  const headers = { ...init.headers };
  const base = { method: auth.tokenRequestMethod, headers, redirect: init.redirect, signal: init.signal ?? null };
  if (auth.tokenRequestMethod === 'GET') {
    delete headers['content-type'];
    const target = new URL(url);
    for (const [name, value] of params) target.searchParams.append(name, value);
    return [target.href, base];
  }
  if (auth.tokenRequestContentType === 'application/json') {
    headers['content-type'] = 'application/json';
    return [url, { ...base, body: JSON.stringify(Object.fromEntries(params)) }];
  }
  return [url, { ...base, body: params }];
}

async function rewriteResponse(auth: OAuth2Auth, response: Response): Promise<Response> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const body = parse(text, contentType);
  const ok = response.status >= 200 && response.status < 300;
  if (body === undefined) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  if (!ok) return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers });
  return new Response(JSON.stringify(standardTokenResponse(auth, body)), { status: 200, headers });
}

function parse(text: string, contentType: string): Record<string, unknown> | undefined {
  if (FORM.test(contentType)) return Object.fromEntries(new URLSearchParams(text));
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function standardTokenResponse(auth: OAuth2Auth, body: Record<string, unknown>): Record<string, unknown> {
  const standard: Record<string, unknown> = {};
  const copy = (key: string, to: string) => {
    const value = valueAt(body, key);
    if (!isMissing(value) && value !== null && value !== '') standard[to] = value;
  };
  copy(auth.tokenKey, 'access_token');
  copy(auth.expirationKey, 'expires_in');
  copy(auth.refreshTokenKey, 'refresh_token');
  const scope = valueAt(body, 'scope');
  if (typeof scope === 'string') standard.scope = scope;
  else if (Array.isArray(scope)) standard.scope = scope.join(' ');
  // The scheme sent is the definition's accessTokenScheme; oauth4webapi only accepts "bearer" or "dpop" here.
  standard.token_type = 'bearer';
  // An id_token is not used, and oauth4webapi would check it against an issuer a hand-made configuration lacks.
  return standard;
}
