/**
 * One HTTP exchange on undici's request API, with the redirect handling undici leaves out: redirects are followed
 * here so that credentials reach the configured origin and nothing else (undici's redirect interceptor, like fetch,
 * would forward custom credential headers such as X-API-Key to another host).
 *
 * This is the hot path of every activity: per call it allocates the abort emitter, the headers and undici's
 * options, and nothing it can avoid.
 */
import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import type { HttpMethod } from '../definition/model';
import { httpAgent } from './agent';
import { encodeBody, type EncodedBody, type RequestBody } from './body';
import {
  HttpNetworkError,
  HttpStatusError,
  InvalidInputError,
  InvalidResponseError,
  TooManyRedirectsError,
  UnsafeUrlError,
  siteText,
  type RequestSite,
} from './errors';
import { excerpt, redact } from './redact';
import { sameOrigin } from './url';

/** What authenticates a request; sent only to the origin of the request's first URL. */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: readonly (readonly [string, string])[];
  readonly cookies: Readonly<Record<string, string>>;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** For the whole exchange, redirects included. */
  readonly timeoutMs: number;
  readonly credentials: Credentials;
  /** Values never to show in an error (credential values are added to them). */
  readonly secrets: readonly string[];
  /** Default 5. */
  readonly maxRedirects?: number;
  /** Cancellation from outside (an activity's cancellation signal): its reason is thrown as is. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated fields joined with ", " (set-cookie, which cannot be, with "\n"). */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON for JSON content types, text otherwise, null when empty. */
  readonly body: unknown;
  /** Where the response came from, after redirects. */
  readonly url: URL;
}

const DEFAULT_MAX_REDIRECTS = 5;
/** Longer waits are better left to the retry policy than honoured blindly from a misbehaving server. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** application/json, text/json and any +json type (problem+json, vnd.api+json...). */
const JSON_TYPE = /^[^;]*[/+]json\s*(?:;|$)/i;
const SECONDS = /^\s*\d+\s*$/;
/** Dropped on a cross-origin hop whatever the integration calls its credentials, as fetch does. */
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Dropped when a redirect turns the request into a GET without body. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const NETWORK_PROBLEMS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
/** Abort reason of the overall deadline, told apart from a cancellation by the caller. */
const DEADLINE = new Error('deadline');

/**
 * What undici's requests are aborted with: the deadline or the caller's cancellation. undici takes any EventEmitter
 * that emits 'abort' as a signal and rejects with its `reason`, as it does for an AbortSignal. On Node 20 an
 * AbortController (its AbortSignal is an EventTarget, and undici adds and removes a listener on it) costs 7 µs a call
 * on its own and about 20 µs of CPU a call in `npm run bench:call`; this costs well under 1 µs.
 */
class Abort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

export async function executeHttp(req: HttpRequest): Promise<HttpResponse> {
  const external = req.signal;
  if (external?.aborted) throw external.reason;
  const controller = new Abort();
  const timer = setTimeout(abortAtDeadline, req.timeoutMs, controller);
  const onCancel = external && (() => controller.abort(external.reason));
  if (onCancel) external.addEventListener('abort', onCancel, { once: true });
  try {
    return await follow(req, controller);
  } finally {
    clearTimeout(timer);
    if (onCancel) external.removeEventListener('abort', onCancel);
  }
}

function abortAtDeadline(controller: Abort): void {
  controller.abort(DEADLINE);
}

async function follow(req: HttpRequest, signal: Abort): Promise<HttpResponse> {
  let credentialQuery = '';
  for (const [name, value] of req.credentials.query) {
    credentialQuery += `${credentialQuery ? '&' : ''}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  }
  let credentialCookie = '';
  for (const name in req.credentials.cookies) credentialCookie += `${credentialCookie ? '; ' : ''}${name}=${req.credentials.cookies[name]}`;
  let method = req.method;
  let url = req.url;
  let body = req.body && encodeBody(req.body);
  // Once a redirect has left the origin, credentials stay off even if a later hop comes back: the other host chose that URL.
  let trusted = true;

  for (let redirects = 0; ; redirects++) {
    trusted &&= sameOrigin(url, req.url);
    let response: Dispatcher.ResponseData;
    try {
      response = await httpAgent().request({
        origin: url.origin,
        path: requestPath(url, trusted ? credentialQuery : ''),
        method,
        headers: hopHeaders(req, body, trusted, credentialCookie),
        body: body?.payload,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal,
      });
    } catch (err) {
      return fail(err, req, method, url, signal);
    }

    const status = response.statusCode;
    const headers = joinRepeated(response.headers);
    const location = headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      await drain(response, req, method, url, signal);
      const next = redirectTarget(req, method, url, status, location, redirects);
      if (status === 303 ? method !== 'GET' && method !== 'HEAD' : status <= 302 && method === 'POST') {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }

    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      return fail(err, req, method, url, signal);
    }
    if (status < 200 || status > 299) {
      throw new HttpStatusError(siteOf(method, url, req), status, response.statusText, excerpt(text, secretsOf(req)), retryAfterMs(headers['retry-after']));
    }
    return { status, headers, body: parseBody(text, headers['content-type'], req, method, url, status), url };
  }
}

/** Where a redirect leads, if it may be followed. */
function redirectTarget(req: HttpRequest, method: string, url: URL, status: number, location: string, redirects: number): URL {
  const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
  if (!next) throw new InvalidResponseError(siteOf(method, url, req), status, 'a redirect to an invalid Location', redact(location, secretsOf(req)));
  const site = siteOf(req.method, req.url, req);
  const maxRedirects = req.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (redirects >= maxRedirects) throw new TooManyRedirectsError(site, maxRedirects, `${next.origin}${redact(next.pathname, secretsOf(req))}`);
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new UnsafeUrlError(`${siteText(site)} was redirected to a ${next.protocol} URL, which is not followed; check the action path`);
  }
  return next;
}

/** The path and query undici sends; credential query parameters are appended, never stored in a URL that is returned. */
function requestPath(url: URL, credentialQuery: string): string {
  const path = url.pathname + url.search;
  if (!credentialQuery) return path;
  return `${path}${url.search ? '&' : '?'}${credentialQuery}`;
}

/**
 * The headers of one hop, names lower-cased so that credentials replace rather than duplicate a header of the same
 * name. A content-type the caller gave wins over the body's (e.g. application/vnd.api+json), except for multipart.
 */
function hopHeaders(req: HttpRequest, body: EncodedBody | undefined, trusted: boolean, credentialCookie: string): Record<string, string> {
  const bodyDropped = req.body !== undefined && body === undefined;
  const multipart = body?.contentType === null;
  const headers: Record<string, string> = {};
  for (const name in req.headers) {
    const lower = name.toLowerCase();
    if (!trusted && CROSS_ORIGIN_DROPPED.has(lower)) continue;
    if (bodyDropped && BODY_HEADERS.has(lower)) continue;
    if (multipart && lower === 'content-type') continue;
    headers[lower] = req.headers[name];
  }
  if (body?.contentType) headers['content-type'] ??= body.contentType;
  if (trusted) {
    const credentials = req.credentials.headers;
    for (const name in credentials) headers[name.toLowerCase()] = credentials[name];
    if (credentialCookie) headers.cookie = headers.cookie ? `${headers.cookie}; ${credentialCookie}` : credentialCookie;
  }
  return headers;
}

/** undici gives repeated fields as arrays; they are joined in place, which costs nothing when there are none. */
function joinRepeated(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  for (const name in headers) {
    const value = headers[name];
    // Set-Cookie values may contain commas, so they cannot be joined with one.
    if (Array.isArray(value)) headers[name] = value.join(name === 'set-cookie' ? '\n' : ', ');
  }
  return headers as Record<string, string>;
}

/** Redirect bodies are not wanted, but must be consumed for the socket to return to the pool. */
async function drain(response: Dispatcher.ResponseData, req: HttpRequest, method: string, url: URL, signal: Abort): Promise<void> {
  try {
    await response.body.dump();
  } catch (err) {
    fail(err, req, method, url, signal);
  }
}

function parseBody(text: string, contentType: string | undefined, req: HttpRequest, method: string, url: URL, status: number): unknown {
  if (!text) return null;
  if (!contentType || !JSON_TYPE.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    if (!text.trim()) return null;
    throw new InvalidResponseError(siteOf(method, url, req), status, `content-type ${contentType} but a body that is not valid JSON`, excerpt(text, secretsOf(req)));
  }
}

/** Retry-After is either delay-seconds or an HTTP-date. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = SECONDS.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Turns what undici threw into an HttpError; a cancellation by the caller goes through untouched. */
function fail(err: unknown, req: HttpRequest, method: string, url: URL, signal: Abort): never {
  if (signal.aborted && signal.reason !== DEADLINE) throw signal.reason;
  const site = siteOf(method, url, req);
  const code = errorCode(err);
  if (code === 'UND_ERR_INVALID_ARG') {
    // undici names the header but never echoes its value.
    throw new InvalidInputError(`${siteText(site)} not sent: ${redact(String((err as Error).message), secretsOf(req))}; check the header names and values`);
  }
  const timeout = signal.reason === DEADLINE || (code !== undefined && TIMEOUT_CODES.has(code));
  const description = timeout
    ? `no complete response within ${req.timeoutMs} ms`
    : (code && NETWORK_PROBLEMS[code]) ?? redact(err instanceof Error ? err.message : String(err), secretsOf(req));
  // Our own deadline is no useful cause; anything undici threw is.
  throw new HttpNetworkError(site, description, timeout, code, err === DEADLINE ? undefined : err);
}

/** Node reports a failed multi-address connect as an AggregateError whose own code may be missing. */
function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof AggregateError ? errorCode(err.errors[0]) : undefined;
}

function siteOf(method: string, url: URL, req: HttpRequest): RequestSite {
  return { method, origin: url.origin, path: redact(url.pathname, secretsOf(req)) };
}

/** The caller's secrets plus every credential value, and the token part of "Scheme token" header values. */
function secretsOf(req: HttpRequest): string[] {
  const { headers, query, cookies } = req.credentials;
  const secrets = [...req.secrets, ...query.map(([, value]) => value), ...Object.values(cookies)];
  for (const value of Object.values(headers)) {
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0) secrets.push(value.slice(space + 1));
  }
  return secrets;
}
