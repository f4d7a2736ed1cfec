/**
 * The page activity: fetches one page of a paginated action and answers with where the next page starts. The
 * workflow holds only positions and counts; credentials, URLs checks and response parsing stay here.
 *
 * forEachPage hands the items to a page handler registered with the plugin, inside this same activity, rather than
 * returning them for the workflow to pass to another activity: the items then never enter workflow history (no
 * payload limit on page size, half the events per page). The cost: a handler that fails makes the page be fetched
 * again on retry, and a crash after the handler ran repeats the page, so handlers key their writes on `pageIndex`.
 *
 * Once a page says where the next one starts, the next page's request is sent at once (src/pagination/read-ahead),
 * before this page's handler runs and its activity completes: the next page activity finds its response in flight.
 * GET requests only, built by the same pageRequest, origin check and credentials as any page.
 */
import { Context, type Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { callPrepared } from '../src/actions/call';
import type { PreparedRequest } from '../src/http/url';
import type { ActionCallOptions } from '../src/context';
import { findAction, type CompiledIntegrations } from '../src/definition/compile';
import type { ResolvedConfiguration } from '../src/configurations/source';
import { COLLECT_LIMIT_BYTES, describePosition, type FetchedPage, type FetchPageRequest, type PageHandler } from '../src/pagination/model';
import { positionKey, readPage } from '../src/pagination/page';
import { ReadAhead } from '../src/pagination/read-ahead';
import { firstPosition, linkWithoutCredentials, pageRequest, pageSize } from '../src/pagination/request';
import { toActivityFailure } from './failures';

export type ConfigurationFor = (integration: string, call: ActionCallOptions | undefined) => Promise<ResolvedConfiguration>;
export type FetchPageActivity = (request: FetchPageRequest) => Promise<FetchedPage>;

export function fetchPageActivity(
  integrations: CompiledIntegrations,
  configurationFor: ConfigurationFor,
  pageHandlers: Readonly<Record<string, PageHandler>>,
): FetchPageActivity {
  const readAhead = new ReadAhead();
  return async (request) => {
    let where = `${request.integration}.${request.action} page ${request.pageIndex + 1}`;
    try {
      const compiled = findAction(integrations, request.integration, request.action);
      const handler = request.handler === undefined ? undefined : pageHandlers[request.handler];
      if (request.handler !== undefined && !handler) {
        const known = Object.keys(pageHandlers).join(', ') || 'none';
        throw new Error(`no page handler "${request.handler}" is registered with the plugin's pageHandlers (registered: ${known})`);
      }
      const { pagination } = compiled;
      const input = request.input;
      const position = request.position ?? firstPosition(compiled.action, pagination, input);
      where += ` (${describePosition(position)})`;
      const configuration = await configurationFor(request.integration, request.configuration === undefined ? undefined : { configuration: request.configuration });
      const { info, cancellationSignal: signal } = Context.current();
      const prepared = pageRequest(configuration.target, compiled.action, pagination, input, position);
      const response = await (readAhead.take(readAheadKey(info, request.pageIndex, prepared), signal) ??
        callPrepared(prepared, configuration, compiled.action.timeoutMs, { signal }));
      const page = readPage(pagination, configuration.target, position, response, {
        pageIndex: request.pageIndex,
        pageLimit: request.pageLimit ?? (pagination.type === 'none' ? 1 : pagination.pageLimit),
        pageSize: pageSize(compiled.action, pagination, input),
      });
      const next = page.next?.type === 'link' ? { ...page.next, url: linkWithoutCredentials(page.next.url, configuration.credentials) } : page.next;
      if (next && request.readAhead !== false && compiled.action.method === 'GET') {
        // The request the next page activity would build from the position handed to the workflow; a refused one
        // (a next link off the API's origin) is not sent, and that activity reports it.
        const following = tryPageRequest(() => pageRequest(configuration.target, compiled.action, pagination, input, next));
        if (following) {
          readAhead.start(readAheadKey(info, request.pageIndex + 1, following), (aborted) =>
            callPrepared(following, configuration, compiled.action.timeoutMs, { signal: aborted }),
          );
        }
      }

      let bytes = 0;
      if (handler) {
        await handler({ integration: request.integration, action: request.action, pageIndex: request.pageIndex, items: page.items, ...(position && { position }) });
      } else {
        bytes = Buffer.byteLength(JSON.stringify(page.items));
        if (bytes > COLLECT_LIMIT_BYTES) {
          throw new Error(
            `the page holds ${megabytes(bytes)} of items, over the ${megabytes(COLLECT_LIMIT_BYTES)} a page may carry through workflow history; lower the page size (defaultPageSize or the page size input) or use forEachPage, whose items stay out of history`,
          );
        }
      }
      const nextKey = next && positionKey(next);
      return {
        itemCount: page.items.length,
        bytes,
        ...(!handler && { items: page.items }),
        ...(next ? { next } : { stop: page.stop }),
        ...(nextKey && { nextKey }),
      };
    } catch (err) {
      throw onPage(where, toActivityFailure(err));
    }
  };
}

/**
 * What a read-ahead response is kept under: the pagination (a workflow id lasts across continue-as-new runs), the
 * page, and the request itself, so a response is only ever taken by an activity that would send that same request.
 */
function readAheadKey(info: Info, pageIndex: number, prepared: PreparedRequest): string {
  return JSON.stringify([info.namespace, info.workflowExecution?.workflowId, pageIndex, prepared.method, prepared.url.href, prepared.headers]);
}

function tryPageRequest(build: () => PreparedRequest): PreparedRequest | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}

/** The failure with the page and position in front, so the operator sees where the pagination stopped. */
function onPage(where: string, failure: Error): Error {
  if (!(failure instanceof ApplicationFailure)) return failure;
  return ApplicationFailure.create({
    type: failure.type ?? 'Error',
    message: `${where}: ${failure.message}`,
    nonRetryable: failure.nonRetryable === true,
    details: failure.details ?? [],
    ...(failure.nextRetryDelay !== undefined && failure.nextRetryDelay !== null && { nextRetryDelay: failure.nextRetryDelay }),
  });
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
