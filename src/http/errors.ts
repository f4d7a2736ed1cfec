/**
 * Errors of the HTTP layer. Plain TypeScript errors: the activity layer maps them to Temporal failures using `code` and
 * `retryable`, so nothing here knows about Temporal.
 *
 * Messages are built from parts the caller has already redacted (paths, excerpts): no field or message carries a
 * query string, a header or a secret.
 */

export type HttpErrorCode =
  | 'HTTP_STATUS'
  | 'HTTP_NETWORK'
  | 'INVALID_RESPONSE'
  | 'INVALID_INPUT'
  | 'UNSAFE_URL'
  | 'TOO_MANY_REDIRECTS';

export abstract class HttpError extends Error {
  abstract readonly code: HttpErrorCode;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Where a request went. `path` has no query string: query strings may carry API keys. */
export interface RequestSite {
  readonly method: string;
  readonly origin: string;
  readonly path: string;
}

export const siteText = (site: RequestSite): string => `${site.method} ${site.origin}${site.path}`;

/** An error of one request: its method and path are fields, for failure details (never the origin's query). */
abstract class RequestError extends HttpError {
  readonly method: string;
  readonly path: string;

  constructor(site: RequestSite, message: string, options?: ErrorOptions) {
    super(message, options);
    this.method = site.method;
    this.path = site.path;
  }
}

/** The API answered with a status outside 2xx (after following redirects). */
export class HttpStatusError extends RequestError {
  readonly code = 'HTTP_STATUS';
  readonly retryable: boolean;
  readonly status: number;
  /** The start of the response body, secrets redacted. */
  readonly excerpt: string;
  /** How long the API asked to wait (Retry-After), when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(site: RequestSite, status: number, statusText: string, excerpt: string, retryAfterMs: number | undefined) {
    const retryable = status === 408 || status === 429 || status >= 500;
    const wait = retryAfterMs === undefined ? '' : ` after ${Math.ceil(retryAfterMs / 1000)} s as the API asked (Retry-After)`;
    const advice = retryable ? `the request will be retried${wait}` : STATUS_ADVICE[status] ?? 'see the response below';
    const text = statusText ? ` ${statusText}` : '';
    const body = excerpt ? ` Response: ${excerpt}` : ' The response body was empty.';
    super(site, `${siteText(site)} answered ${status}${text}: ${advice}.${body}`);
    this.retryable = retryable;
    this.status = status;
    this.excerpt = excerpt;
    this.retryAfterMs = retryAfterMs;
  }
}

const STATUS_ADVICE: Readonly<Record<number, string>> = {
  400: 'the API rejected the input; check the values against the action parameters',
  401: 'the API did not accept the credentials; check or renew the configuration credentials',
  403: 'the credentials are not allowed to do this; check the permissions (scopes) of the configuration',
  404: 'nothing at this path; check the path parameters and that the resource exists',
  405: 'the API does not allow this method here; check the action method and path',
  409: 'the request conflicts with the current state of the resource',
  410: 'the resource is gone; check the path parameters',
  413: 'the request body is too large for the API',
  415: 'the API does not accept this content type; check the action requestBody contentType',
  422: 'the API rejected the input; check the values against the action parameters',
};

/** No response: connection refused or reset, name not found, or no complete answer in time. Always worth a retry. */
export class HttpNetworkError extends RequestError {
  readonly code = 'HTTP_NETWORK';
  readonly retryable = true;
  readonly timeout: boolean;
  /** The system or undici error code, e.g. ECONNREFUSED or UND_ERR_HEADERS_TIMEOUT. */
  readonly causeCode: string | undefined;

  constructor(site: RequestSite, description: string, timeout: boolean, causeCode: string | undefined, cause: unknown) {
    const advice = timeout
      ? "it will be retried; if the API is just slow, raise the action's timeoutMs"
      : `it will be retried; if this persists, check that ${site.origin} is up and reachable from the worker`;
    super(site, `${siteText(site)} failed: ${description}${causeCode ? ` (${causeCode})` : ''}; ${advice}.`, cause === undefined ? undefined : { cause });
    this.timeout = timeout;
    this.causeCode = causeCode;
  }
}

/** The API said it sent JSON but the body does not parse, or its redirect cannot be followed. Retrying will not help. */
export class InvalidResponseError extends RequestError {
  readonly code = 'INVALID_RESPONSE';
  readonly retryable = false;
  readonly status: number;
  readonly excerpt: string;

  constructor(site: RequestSite, status: number, problem: string, excerpt: string) {
    super(site, `${siteText(site)} answered ${status} with ${problem}; the API is misbehaving or this is not the endpoint the action expects. Response: ${excerpt || '(empty)'}`);
    this.status = status;
    this.excerpt = excerpt;
  }
}

/** The caller's input does not fit the action: unknown or missing inputs, values of the wrong shape. */
export class InvalidInputError extends HttpError {
  readonly code = 'INVALID_INPUT';
  readonly retryable = false;
}

/** A URL that would leave the configured origin (or could be read differently by a server) was refused. */
export class UnsafeUrlError extends HttpError {
  readonly code = 'UNSAFE_URL';
  readonly retryable = false;
}

export class TooManyRedirectsError extends RequestError {
  readonly code = 'TOO_MANY_REDIRECTS';
  readonly retryable = false;
  readonly maxRedirects: number;

  constructor(site: RequestSite, maxRedirects: number, last: string) {
    super(site, `${siteText(site)} was redirected more than ${maxRedirects} times (last to ${last}); the API redirects in a loop or the path moved: check the action path.`);
    this.maxRedirects = maxRedirects;
  }
}
