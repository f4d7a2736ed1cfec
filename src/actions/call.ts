/**
 * Calling an action: definition + configuration + input -> one HTTP exchange. Temporal-agnostic for static
 * credentials, so the activities, the pagination and the benchmarks all run the same code; an OAuth 2.0 token comes
 * from the configuration's token workflow, through the activity's context.
 */
import { currentToken, replaceRejectedToken, type AccessToken } from '../auth/oauth/access';
import type { CustomApiRequest } from '../custom-api-request';
import type { CompiledAction } from '../definition/compile';
import type { ResolvedConfiguration } from '../configurations/source';
import { HttpStatusError } from '../http/errors';
import { executeHttp, type HttpResponse } from '../http/request';
import { buildCustomRequest, buildRequest, type PreparedRequest } from '../http/url';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface CallOptions {
  /** Cancellation, e.g. the activity's cancellation signal. */
  readonly signal?: AbortSignal;
}

export function callAction(
  action: CompiledAction,
  configuration: ResolvedConfiguration,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions = {},
): Promise<HttpResponse> {
  return callPrepared(buildRequest(configuration.target, action.action, input), configuration, action.action.timeoutMs, options);
}

export function callCustomRequest(
  request: CustomApiRequest,
  configuration: ResolvedConfiguration,
  options: CallOptions = {},
): Promise<HttpResponse> {
  return callPrepared(
    buildCustomRequest(configuration.target, {
      method: request.method ?? 'GET',
      path: request.path,
      ...(request.query && { query: request.query }),
      ...(request.headers && { headers: request.headers }),
      ...(request.body !== undefined && { body: request.body }),
      ...(request.contentType && { contentType: request.contentType }),
    }),
    configuration,
    request.timeoutMs,
    options,
  );
}

/** Sends a request already built (and origin-checked) for the configuration's target, with its credentials. */
export function callPrepared(
  prepared: PreparedRequest,
  configuration: ResolvedConfiguration,
  timeoutMs: number | undefined,
  { signal }: CallOptions,
): Promise<HttpResponse> {
  // One property read is all OAuth costs the static credentials (API key, basic) on this hot path.
  if (configuration.credentials.oauth !== undefined) return callWithAccessToken(prepared, configuration, timeoutMs, signal);
  // Field by field: on Node 20, V8 takes a slow path for each property written after a spread (`{ ...prepared,
  // timeoutMs, ... }`), 3 µs a call on its own and over 10 µs of CPU a call in `npm run bench:call`.
  return executeHttp({
    method: prepared.method,
    url: prepared.url,
    headers: prepared.headers,
    body: prepared.body,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    credentials: configuration.credentials.http,
    secrets: configuration.credentials.secrets,
    signal,
  });
}

/**
 * With the configuration's current OAuth access token; on a 401 the token workflow is told which token was rejected
 * (it refreshes once however many calls saw it rejected) and the call is sent once more with the new one.
 */
async function callWithAccessToken(
  prepared: PreparedRequest,
  configuration: ResolvedConfiguration,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  const send = (token: AccessToken) =>
    executeHttp({
      method: prepared.method,
      url: prepared.url,
      headers: prepared.headers,
      body: prepared.body,
      timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
      credentials: token.http,
      secrets: configuration.credentials.secrets,
      signal,
    });
  const token = await currentToken(configuration);
  try {
    return await send(token);
  } catch (err) {
    if (!(err instanceof HttpStatusError) || err.status !== 401) throw err;
  }
  return send(await replaceRejectedToken(configuration, token));
}
