/**
 * Reading one page's response: its items, and where the next page starts or why there is none. Stop conditions, in
 * order: an empty page; a has-more flag that is not true; a page shorter than the page size (index, page), unless the
 * has-more flag says there is more; no next link or cursor; the page limit.
 */
import { createHash } from 'node:crypto';
import LinkHeader from 'http-link-header';
import { JSONPath } from 'jsonpath-plus';
import type { Pagination } from '../definition/model';
import type { Target } from '../http/url';
import { kindOf } from '../http/values';
import { PaginationError } from './errors';
import type { Position, StopReason } from './model';
import { isMissing, valueAt } from './path';
import { checkedUrl } from './request';

export interface PageResponse {
  readonly body: unknown;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Where the response came from: relative next links resolve against it. */
  readonly url: URL;
}

export interface PageCounts {
  /** 0 for the first page. */
  readonly pageIndex: number;
  readonly pageLimit: number;
  readonly pageSize: number | undefined;
}

export type PageRead =
  | { readonly items: unknown[]; readonly next: Position; readonly stop?: undefined }
  | { readonly items: unknown[]; readonly next?: undefined; readonly stop: StopReason };

export function readPage(
  pagination: Pagination,
  target: Target,
  position: Position | undefined,
  response: PageResponse,
  counts: PageCounts,
): PageRead {
  if (pagination.type === 'none') {
    return { items: Array.isArray(response.body) ? response.body : [response.body], stop: 'single page' };
  }
  const items = resultsOf(response.body, pagination.resultsKey);
  const stop = (reason: StopReason): PageRead => ({ items, stop: reason });
  if (items.length === 0) return stop('empty page');

  const more = pagination.hasMorePath === undefined ? undefined : valueAt(response.body, pagination.hasMorePath) === true;
  if (more === false) return stop('has more is false');
  const short = more === undefined && counts.pageSize !== undefined && items.length < counts.pageSize;

  let next: Position | undefined;
  switch (pagination.type) {
    case 'index':
      if (short) return stop('short page');
      next = { type: 'index', offset: (position?.type === 'index' ? position.offset : 0) + items.length };
      break;
    case 'page':
      if (short) return stop('short page');
      next = { type: 'page', page: (position?.type === 'page' ? position.page : pagination.startPage) + 1 };
      break;
    case 'link': {
      const link = nextLink(pagination, response);
      if (link === undefined) return stop('no next link');
      if (!URL.canParse(link, response.url.href)) throw new PaginationError(`the next link "${link}" is not a URL`);
      next = { type: 'link', url: checkedUrl(target, new URL(link, response.url), 'next link').href };
      break;
    }
    case 'pointer': {
      const cursor = cursorOf(pagination.pointerPath, response.body);
      if (cursor === undefined) return stop('no cursor');
      next = { type: 'pointer', cursor };
      break;
    }
  }
  if (counts.pageIndex + 1 >= counts.pageLimit) return stop('page limit');
  return { items, next };
}

/** A short hash of a link or cursor, for the repeated-cursor guard; index and page positions only move forward. */
export function positionKey(position: Position): string | undefined {
  if (position.type !== 'link' && position.type !== 'pointer') return undefined;
  return createHash('sha256')
    .update(position.type === 'link' ? position.url : position.cursor)
    .digest('base64url')
    .slice(0, 16);
}

function resultsOf(body: unknown, resultsKey: string): unknown[] {
  if (typeof body !== 'object' || body === null) {
    throw new PaginationError(`the response is ${kindOf(body)}, not a JSON object with results at "${resultsKey}"; check the action's resultsKey and that the API answers JSON`);
  }
  const items = valueAt(body, resultsKey);
  if (isMissing(items)) {
    const keys = Array.isArray(body) ? 'an array' : `an object with keys ${Object.keys(body).slice(0, 10).join(', ') || '(none)'}`;
    throw new PaginationError(`the response has no results at "${resultsKey}" (it is ${keys}); set resultsKey to the dotted path of the items array`);
  }
  if (!Array.isArray(items)) {
    throw new PaginationError(`the results at "${resultsKey}" are ${kindOf(items)}, not an array; set resultsKey to the dotted path of the items array`);
  }
  return items;
}

function nextLink(pagination: Extract<Pagination, { type: 'link' }>, response: PageResponse): string | undefined {
  if (pagination.location === 'body') {
    const link = valueAt(response.body, pagination.nextPageKey ?? '');
    return typeof link === 'string' && link !== '' ? link : undefined;
  }
  const header = response.headers[pagination.headerName.toLowerCase()];
  if (!header) return undefined;
  try {
    return LinkHeader.parse(header).rel(pagination.rel)[0]?.uri;
  } catch {
    // http-link-header throws on malformed headers: an unreadable link is no link.
    return undefined;
  }
}

function cursorOf(pointerPath: string, body: unknown): string | undefined {
  let found: unknown;
  try {
    found = JSONPath({ path: pointerPath, json: body as object, eval: false, wrap: false });
  } catch (err) {
    throw new PaginationError(`pointerPath "${pointerPath}" cannot be evaluated (${(err as Error).message}); filters and scripts are disabled, use a plain path such as $.meta.next_cursor`);
  }
  if (found === undefined || found === null || found === '') return undefined;
  if (typeof found === 'string') return found;
  if (typeof found === 'number') return String(found);
  throw new PaginationError(`pointerPath "${pointerPath}" found ${kindOf(found)}, not a cursor string; point it at the cursor value itself`);
}
