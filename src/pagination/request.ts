/**
 * The request for one page: the action's request with the pagination's query parameters, or a next link in place of
 * its URL. Every URL is checked against the target's origin here, where credentials are about to be attached, whatever
 * the position's source (a response, or a workflow's arguments).
 */
import type { ResolvedCredentials } from '../auth/credentials';
import { inputName, type Action, type Pagination } from '../definition/model';
import { UnsafeUrlError } from '../http/errors';
import { buildRequest, queryName, sameOrigin, type PreparedRequest, type Target } from '../http/url';
import type { Position } from './model';

type Paged = Exclude<Pagination, { type: 'none' }>;

/** Where the first page starts: the caller's input may start further on (an offset, a page, a cursor). */
export function firstPosition(action: Action, pagination: Pagination, input: Readonly<Record<string, unknown>>): Position | undefined {
  switch (pagination.type) {
    case 'index':
      return { type: 'index', offset: numberInput(input, inputKey(action, pagination.indexParam)) ?? 0 };
    case 'page':
      return { type: 'page', page: numberInput(input, inputKey(action, pagination.pageParam)) ?? pagination.startPage };
    case 'pointer': {
      const cursor = input[inputKey(action, pagination.afterParam)];
      return typeof cursor === 'string' && cursor !== '' ? { type: 'pointer', cursor } : undefined;
    }
    default:
      return undefined;
  }
}

/** Items asked per page: the caller's page size input, else the definition's default; undefined lets the API choose. */
export function pageSize(action: Action, pagination: Pagination, input: Readonly<Record<string, unknown>>): number | undefined {
  if (pagination.type === 'none') return undefined;
  const asked = pagination.pageSizeParam === undefined ? undefined : numberInput(input, inputKey(action, pagination.pageSizeParam));
  return asked || pagination.defaultPageSize;
}

export function pageRequest(
  target: Target,
  action: Action,
  pagination: Pagination,
  input: Readonly<Record<string, unknown>>,
  position: Position | undefined,
): PreparedRequest {
  if (pagination.type === 'none') return buildRequest(target, action, input);
  const prepared = buildRequest(target, action, withoutParams(input, controlledParams(pagination).map((name) => inputKey(action, name))));
  if (position?.type === 'link') {
    return { ...prepared, url: checkedUrl(target, new URL(position.url), 'next link') };
  }
  const size = pageSize(action, pagination, input);
  const params: [string, string | number][] = [];
  if (pagination.pageSizeParam && size !== undefined) params.push([pagination.pageSizeParam, size]);
  if (position?.type === 'index' && pagination.type === 'index') params.push([pagination.indexParam, position.offset]);
  if (position?.type === 'page' && pagination.type === 'page') params.push([pagination.pageParam, position.page]);
  if (position?.type === 'pointer' && pagination.type === 'pointer') params.push([pagination.afterParam, position.cursor]);
  return { ...prepared, url: withQuery(prepared.url, params) };
}

/** Refuses a URL off the target's origin: credentials go to that origin only, and a next link must not lead elsewhere. */
export function checkedUrl(target: Target, url: URL, what: string): URL {
  const origin = new URL(`${target.scheme}://${target.hostname}`);
  if (!sameOrigin(url, origin)) {
    throw new UnsafeUrlError(`${what} to ${url.origin}${url.pathname} refused: it leaves the API at ${origin.origin}, and credentials are sent only there`);
  }
  return url;
}

function controlledParams(pagination: Paged): string[] {
  const names = pagination.pageSizeParam ? [pagination.pageSizeParam] : [];
  if (pagination.type === 'index') names.push(pagination.indexParam);
  if (pagination.type === 'page') names.push(pagination.pageParam);
  if (pagination.type === 'pointer') names.push(pagination.afterParam);
  return names;
}

/**
 * Pagination names query parameters as the API does; the caller gives their values under the input name of the
 * action's query parameter of that name, when it declares one.
 */
function inputKey(action: Action, param: string): string {
  const declared = action.parameters.find((p) => p.in === 'query' && p.name === param);
  return declared ? inputName(declared) : param;
}

/** Pagination parameters are set per page, so the action need not declare them and the caller's values do not repeat. */
function withoutParams(input: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  const rest = { ...input };
  for (const name of names) delete rest[name];
  return rest;
}

/** Appended as written, not through searchParams, which would re-encode the action's own query ("%20" to "+"). */
function withQuery(url: URL, params: readonly (readonly [string, string | number])[]): URL {
  if (!params.length) return url;
  const pairs = params.map(([name, value]) => `${queryName(name)}=${encodeURIComponent(String(value))}`).join('&');
  const next = new URL(url);
  next.search = next.search ? `${next.search.slice(1)}&${pairs}` : pairs;
  return next;
}

function numberInput(input: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = input[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * A next link as it may be kept in workflow history: without the credential query parameters the API may echo back
 * (they are attached again to the next request, to this origin only). A link that still holds a secret elsewhere is
 * refused rather than stored.
 */
export function linkWithoutCredentials(link: string, credentials: ResolvedCredentials): string {
  const url = new URL(link);
  const names = new Set(credentials.http.query.map(([name]) => name));
  // Pair by pair, as written: re-serializing the query would re-encode it ("%20" to "+") and break signed links.
  const kept = url.search.slice(1).split('&').filter((pair) => pair !== '' && !names.has(decodeQueryName(pair)));
  url.search = kept.length ? `?${kept.join('&')}` : '';
  const cleaned = url.href;
  if (credentials.secrets.some((secret) => secret !== '' && (cleaned.includes(secret) || cleaned.includes(encodeURIComponent(secret))))) {
    throw new UnsafeUrlError(
      `the next link ${url.origin}${url.pathname} carries a credential of the configuration; it is not kept in workflow history. ` +
        'Send the API key in a header instead, or ask the vendor why it echoes keys into links',
    );
  }
  return cleaned;
}

function decodeQueryName(pair: string): string {
  const name = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
