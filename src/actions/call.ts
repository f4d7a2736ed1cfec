/**
 * Calling an action: definition + configuration + input -> one HTTP exchange. Temporal-agnostic, so the activities,
 * the pagination and the benchmarks all run the same code.
 */
import type { CustomApiRequest } from '../custom-api-request';
import type { CompiledAction } from '../definition/compile';
import type { ResolvedConfiguration } from '../configurations/source';
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
