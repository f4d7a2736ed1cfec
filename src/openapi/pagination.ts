/**
 * Pagination guessed per operation from its query parameters and success response: offset/limit, page/per_page,
 * cursor/after/page_token with the next cursor in the body, a next URL in the body, a Link header, or Microsoft's
 * `x-ms-pageable`. A bare-array body (GitHub's lists) is its own results, at "$"; keys holding dots
 * (`@odata.nextLink`) are written in brackets (src/pagination/path.ts). Only confident guesses (a request parameter and the response agree, or the spec says so) are
 * switched on; the integration default is the most common of them, so most actions need no override of their own.
 */
import type { z } from 'zod';
import type { Pagination as PaginationModel, PaginationOverride, Parameter } from '../definition/model';
import { formatPath } from '../pagination/path';
import type { SpecFile } from './load';
import type { Messages } from './messages';
import type { ImportedOperation } from './operations';
import { at, isObject, type Json, type Location, type Refs } from './refs';

type Pagination = Exclude<z.input<typeof PaginationModel>, { type: 'none' }>;
type Override = z.input<typeof PaginationOverride>;
type Confidence = 'high' | 'medium';

interface Suggestion {
  pagination: Pagination;
  confidence: Confidence;
  /** What the guess rests on, in words. */
  basis: string;
}

/** Parameter names by role, compared lowercase without punctuation ($skip, page[size], per_page). */
const INDEX = ['offset', 'skip', 'startat', 'startposition', 'startindex', 'start'];
const SIZE = ['limit', 'perpage', 'pagesize', 'pagelen', 'maxresults', 'top', 'pagelimit', 'maxrecords', 'size', 'max', 'count', 'rows', 'take'];
const PAGE = ['page', 'pagenumber', 'pageno', 'pagenum', 'pageindex'];
const CURSOR = ['cursor', 'after', 'pageafter', 'pagetoken', 'nextpagetoken', 'startingafter', 'startcursor', 'nexttoken', 'continuationtoken', 'marker'];
/** Response fields. */
const NEXT_LINK = ['next', 'nextlink', 'odatanextlink', 'nextpage', 'nextpageurl', 'nextpageuri', 'nexturi', 'nexturl', 'nextpagelink'];
const LINK_CHILD = ['href', 'uri', 'url', 'link'];
const NEXT_CURSOR = ['nextcursor', 'nextpagetoken', 'aftercursor', 'nextmarker', 'nexttoken', 'continuationtoken', 'after', 'cursor'];
const HAS_MORE = ['hasmore', 'hasnext', 'more'];
/** Objects in a response body that hold paging fields (or the results); others are not looked into. */
const CONTAINERS = ['paging', 'pagination', 'meta', 'metadata', 'responsemetadata', 'links', 'pagedetails', 'pageinfo', 'resultinfo', 'data', 'result', 'response', 'page'];
const RESULTS = ['data', 'results', 'items', 'value', 'values', 'records', 'entries', 'elements', 'list', 'content', 'objects', 'resources'];
/** Types a page size, offset or page number cannot have. */
const NOT_NUMERIC = new Set(['boolean', 'object', 'array']);
/** How deep in the response body fields are looked for (paging.next.after is 3). */
const DEPTH = 3;

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

interface Field {
  path: string[];
  schema: Json;
  at: Location;
}

export class PaginationGuesser {
  /**
   * Fields by the place of the response schema, $refs followed: list operations of one API share a few response
   * schemas, each through a $ref object of its own (Autotask: 2,070 operations, 260 schemas).
   */
  private readonly memo = new WeakMap<SpecFile, Map<string, Field[]>>();
  /** resultsField of each memoized list of fields. */
  private readonly results = new WeakMap<Field[], Field | undefined>();
  /** Normalized parameter names, by name. */
  private readonly names = new Map<string, string>();

  constructor(private readonly refs: Refs) {}

  suggest(op: ImportedOperation): Suggestion | undefined {
    if (op.action.method !== 'GET') return undefined;
    const query = (op.action.parameters ?? []).filter((p) => p.in === 'query');
    // The same few names come back in every operation ($top, page, limit): each is normalized once.
    const names = query.map((p) => {
      let name = this.names.get(p.name);
      if (name === undefined) this.names.set(p.name, (name = normalize(p.name)));
      return name;
    });
    const param = (wanted: string[], numeric: boolean) => queryParameter(query, names, wanted, numeric);
    const size = param(SIZE, true);
    const sizing = size ? { pageSizeParam: size.name, ...defaultPageSize(size.schema) } : {};
    const sized = size ? `, page size ${size.name}` : '';
    const pageable = op.operation['x-ms-pageable'];
    if (isObject(pageable) && typeof pageable.nextLinkName === 'string') {
      // Property names, not paths: Microsoft Graph's next link is "@odata.nextLink", one key holding dots.
      const resultsKey = formatPath([typeof pageable.itemName === 'string' ? pageable.itemName : 'value']);
      const nextPageKey = formatPath([pageable.nextLinkName]);
      return {
        pagination: { type: 'link', location: 'body', nextPageKey, resultsKey, ...sizing },
        confidence: 'high',
        basis: `x-ms-pageable: next link ${pageable.nextLinkName}${sized}, results in ${resultsKey}`,
      };
    }
    const body = op.response.schema;
    if (!body) return undefined;
    const linkHeader = Object.keys(op.response.headers ?? {}).some((h) => h.toLowerCase() === 'link');
    // A bare array (GitHub's lists) is the results itself, at "$", with no paging fields beside it.
    const root = this.resolve(body.value, body.at);
    const bare = root && isArray(root.value) ? root : undefined;
    const fields = bare || !root ? [] : this.fields(root);
    const results: Field | undefined = bare ? { path: [], schema: bare.value, at: bare.at } : this.resultsOf(fields);
    if (!results) return undefined;
    const resultsKey = formatPath(results.path);
    const where = bare ? 'the response body itself (a bare array)' : resultsKey;
    const hasMore = fields.find((f) => HAS_MORE.includes(normalize(f.path[f.path.length - 1] ?? '')) && f.schema.type === 'boolean');
    const more = hasMore ? { hasMorePath: formatPath(hasMore.path) } : {};

    const cursor = param(CURSOR, false);
    const nextCursor = fields.find((f) => NEXT_CURSOR.includes(normalize(f.path[f.path.length - 1] ?? '')) && !isArray(f.schema) && f.schema.type !== 'object');
    if (cursor && nextCursor) {
      const pointerPath = formatPath(nextCursor.path, { root: true });
      return {
        pagination: { type: 'pointer', afterParam: cursor.name, pointerPath, resultsKey, ...sizing, ...more },
        confidence: 'high',
        basis: `cursor parameter ${cursor.name} and ${formatPath(nextCursor.path)} in the response${sized}, results in ${where}`,
      };
    }
    // Stripe's way: the cursor is the id of the last item, and has_more says whether to ask.
    if (cursor && this.itemsHaveId(results)) {
      const pointerPath = `${formatPath(results.path, { root: true })}[-1:].id`;
      return {
        pagination: { type: 'pointer', afterParam: cursor.name, pointerPath, resultsKey, ...sizing, ...more },
        confidence: hasMore ? 'high' : 'medium',
        basis: `cursor parameter ${cursor.name} taking the id of the last item${hasMore ? `, ${formatPath(hasMore.path)} in the response` : ''}${sized}, results in ${where}`,
      };
    }
    const nextLink = nextLinkField(fields);
    if (nextLink) {
      return {
        pagination: { type: 'link', location: 'body', nextPageKey: nextLink, resultsKey, ...sizing, ...more },
        confidence: 'high',
        basis: `next page URL at ${nextLink} in the response${sized}, results in ${where}`,
      };
    }
    if (linkHeader) {
      return {
        pagination: { type: 'link', location: 'header', resultsKey, ...sizing },
        confidence: 'high',
        basis: `Link response header${sized}, results in ${where}`,
      };
    }
    const index = param(INDEX, true);
    if (index) {
      return {
        pagination: { type: 'index', indexParam: index.name, resultsKey, ...sizing, ...more },
        confidence: size ? 'high' : 'medium',
        basis: `offset parameter ${index.name}${sized}, results in ${where}`,
      };
    }
    const page = param(PAGE, true);
    if (page) {
      const start = page.schema?.minimum === 0 || page.schema?.default === 0 ? { startPage: 0 } : {};
      return {
        pagination: { type: 'page', pageParam: page.name, resultsKey, ...start, ...sizing, ...more },
        confidence: size ? 'high' : 'medium',
        basis: `page parameter ${page.name}${sized}, results in ${where}`,
      };
    }
    return undefined;
  }

  private itemsHaveId(results: Field): boolean {
    const items = this.resolve(results.schema.items, at(results.at, 'items'));
    return items !== undefined && this.properties(items.value, items.at, 0).has('id');
  }

  /** The fields of the response schema `root` (its $refs followed) down to DEPTH levels, through $refs and allOf. */
  private fields(root: { value: Json; at: Location }): Field[] {
    let byPointer = this.memo.get(root.at.doc);
    if (!byPointer) this.memo.set(root.at.doc, (byPointer = new Map()));
    const known = byPointer.get(root.at.pointer);
    if (known) return known;
    const fields: Field[] = [];
    byPointer.set(root.at.pointer, fields);
    const visit = (value: unknown, here: Location, path: string[]) => {
      const resolved = this.resolve(value, here);
      if (!resolved) return;
      if (path.length > 0) fields.push({ path, schema: resolved.value, at: resolved.at });
      if (path.length >= DEPTH || isArray(resolved.value)) return;
      const name = normalize(path[path.length - 1] ?? '');
      if (path.length > 0 && !CONTAINERS.includes(name) && !NEXT_LINK.includes(name)) return;
      for (const [key, property] of this.properties(resolved.value, resolved.at, 0)) visit(property.value, property.at, [...path, key]);
    };
    visit(root.value, root.at, []);
    return fields;
  }

  private resultsOf(fields: Field[]): Field | undefined {
    if (!this.results.has(fields)) this.results.set(fields, resultsField(fields));
    return this.results.get(fields);
  }

  private properties(schema: Json, location: Location, depth: number): Map<string, { value: unknown; at: Location }> {
    const properties = new Map<string, { value: unknown; at: Location }>();
    if (isObject(schema.properties)) {
      for (const [name, value] of Object.entries(schema.properties)) properties.set(name, { value, at: at(location, 'properties', name) });
    }
    if (Array.isArray(schema.allOf) && depth < 5) {
      schema.allOf.forEach((member, i) => {
        const resolved = this.resolve(member, at(location, 'allOf', i));
        if (resolved) for (const [name, value] of this.properties(resolved.value, resolved.at, depth + 1)) if (!properties.has(name)) properties.set(name, value);
      });
    }
    return properties;
  }

  /** The schema with its $refs followed; problems are the schema translation's to report. */
  private resolve(value: unknown, location: Location): { value: Json; at: Location } | undefined {
    let current = value;
    let here = location;
    for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
      const resolved = hops < 20 ? this.refs.resolve(current.$ref, here) : { problem: 'too many $refs' };
      if ('problem' in resolved) return undefined;
      current = resolved.value;
      here = resolved.at;
    }
    return isObject(current) ? { value: current, at: here } : undefined;
  }
}

/** The first query parameter named like one of `wanted`, in the order of `wanted`; loops, as this runs for every GET. */
function queryParameter(query: Parameter[], names: string[], wanted: string[], numeric: boolean): Parameter | undefined {
  for (const name of wanted) {
    for (let i = 0; i < query.length; i++) {
      const p = query[i] as Parameter;
      if (names[i] === name && (!numeric || !NOT_NUMERIC.has(String(p.schema?.type)))) return p;
    }
  }
  return undefined;
}

function isArray(schema: Json): boolean {
  return schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array')) || (schema.items !== undefined && schema.type === undefined);
}

/** The array of results: a top-level array field, the usual names first, else one under data/result. */
function resultsField(fields: Field[]): Field | undefined {
  const arrays = fields.filter((f) => isArray(f.schema));
  for (const level of [1, 2]) {
    const candidates = arrays.filter((f) => f.path.length === level);
    const named = RESULTS.map((name) => candidates.find((f) => normalize(f.path[level - 1] ?? '') === name)).find(Boolean);
    if (named) return named;
    if (candidates.length === 1) return candidates[0];
  }
  return undefined;
}

/** A next-page URL: a string field named like next, or an object so named holding href/uri/url/link. */
function nextLinkField(fields: Field[]): string | undefined {
  for (const field of fields) {
    const name = normalize(field.path[field.path.length - 1] ?? '');
    if (!NEXT_LINK.includes(name)) continue;
    const type = field.schema.type;
    if (type === 'string' || (Array.isArray(type) && type.includes('string'))) return formatPath(field.path);
    const prefix = JSON.stringify(field.path);
    const child = fields.find(
      (f) =>
        f.path.length === field.path.length + 1 &&
        JSON.stringify(f.path.slice(0, -1)) === prefix &&
        LINK_CHILD.includes(normalize(f.path[f.path.length - 1] ?? '')) &&
        f.schema.type === 'string',
    );
    if (child) return formatPath(child.path);
  }
  return undefined;
}

function defaultPageSize(schema: Json | undefined): { defaultPageSize?: number } {
  const value = schema?.default;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000 ? { defaultPageSize: value } : {};
}

/**
 * Sets `paginated` and per-action `pagination` on the confident suggestions, and returns the integration default:
 * the most common of them. Every guess gets a message with its confidence.
 */
export function applySuggestions(
  suggestions: readonly (Suggestion | undefined)[],
  operations: readonly ImportedOperation[],
  messages: Messages,
  refs: Refs,
): { pagination: Pagination | { type: 'none' }; paginated: number } {
  const counts = new Map<string, { pagination: Pagination; count: number }>();
  const keys = suggestions.map((s) => (s?.confidence === 'high' ? canonical(s.pagination) : undefined));
  suggestions.forEach((s, i) => {
    const key = keys[i];
    if (!s || key === undefined) return;
    const counted = counts.get(key);
    // The last one of a kind stands for it, as it always has (its fields' order words the messages).
    if (!counted) counts.set(key, { pagination: s.pagination, count: 1 });
    else {
      counted.pagination = s.pagination;
      counted.count++;
    }
  });
  const [commonKey, commonCount] = [...counts].sort(([, a], [, b]) => b.count - a.count)[0] ?? [];
  const common = commonCount?.pagination;
  let paginated = 0;
  suggestions.forEach((suggestion, i) => {
    const op = operations[i];
    if (!suggestion || !op) return;
    const file = refs.fileOf(op.at);
    if (suggestion.confidence !== 'high' || !common) {
      messages.info(
        'pagination-guess',
        op.at.pointer,
        `may be paginated (${suggestion.confidence} confidence): ${suggestion.basis}; not switched on`,
        'If it is, set "paginated": true and its pagination on the action.',
        file,
      );
      return;
    }
    // Most actions take the default as it is (all 1,734 of Microsoft Graph's): nothing to compare.
    const { override, inherited } = keys[i] === commonKey ? { override: undefined, inherited: [] } : overrideOf(common, suggestion.pagination);
    op.action.paginated = true;
    if (override) op.action.pagination = override;
    paginated++;
    const how =
      (override ? `overrides the integration default with ${JSON.stringify(override)}` : 'as the integration default') +
      (inherited.length > 0 ? `, which also sets ${inherited.join(', ')}` : '');
    messages.info(
      'pagination',
      op.at.pointer,
      `paginated (${suggestion.confidence} confidence): ${suggestion.basis}; ${how}`,
      'Check it against the API documentation; change the action\'s pagination, or set "paginated": false.',
      file,
    );
  });
  return { pagination: common ?? { type: 'none' }, paginated };
}

/** What an action must set over the default to get `wanted`: nothing, the fields that differ, or all of it. */
function overrideOf(defaults: Pagination, wanted: Pagination): { override?: Override; inherited: string[] } {
  if (wanted.type !== defaults.type) return { override: wanted as Override, inherited: [] };
  const override: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (JSON.stringify((defaults as Record<string, unknown>)[key]) !== JSON.stringify(value)) override[key] = value;
  }
  // The model merges an override over the default and cannot unset a field: say what comes along.
  const inherited = Object.keys(defaults).filter((key) => !(key in wanted));
  return { ...(Object.keys(override).length > 0 && { override: override as Override }), inherited };
}

/** The same string for the same fields and values, whatever their order. */
function canonical(value: Pagination): string {
  const fields = value as Record<string, unknown>;
  let key = '';
  for (const name of Object.keys(fields).sort()) if (fields[name] !== undefined) key += `${JSON.stringify(name)}:${JSON.stringify(fields[name])},`;
  return key;
}
