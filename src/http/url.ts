/**
 * From an action and its flat input to a request: URL, headers, body. Every URL built here is checked to stay on the
 * target's origin, since credentials are attached to that origin only.
 *
 * Actions and targets are compiled once (cached by identity), so a call is string concatenation and one URL parse.
 */
import { inputName, type Action, type HttpMethod, type Parameter } from '../definition/model';
import type { RequestBody, RequestContentType } from './body';
import { InvalidInputError, UnsafeUrlError } from './errors';
import { kindOf, textOf } from './values';

/** Where an integration's API lives; a Definition fits as is. */
export interface Target {
  readonly scheme: 'http' | 'https';
  readonly hostname: string;
  readonly basePath: string;
}

export interface PreparedRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  /** Parameter (or caller) headers; credentials are added later, per hop, by executeHttp. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
}

/** A generic call on an integration's API, for requests no action describes. */
export interface CustomRequest {
  readonly method: HttpMethod;
  /** A path appended to the base path ("/users?active=true"), or an absolute URL on the target's origin. */
  readonly path: string;
  /** Added to the path's query string; arrays repeat the name. */
  readonly query?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How `body` is written; default application/json. */
  readonly contentType?: RequestContentType;
}

export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

export function buildRequest(target: Target, action: Action, input: Readonly<Record<string, unknown>>): PreparedRequest {
  // Inputs arrive from workflow code through Temporal, so their shape is checked, not assumed.
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError(`${action.name} takes one object of inputs keyed by parameter name (and "body"), not ${kindOf(input)}`);
  }
  const origin = compiledTarget(target);
  const compiled = compiledAction(action);
  for (const key in input) {
    if (!compiled.inputs.has(key)) throw unknownInput(action, key, compiled.inputs);
  }

  let path = compiled.literals[0];
  for (let i = 0; i < compiled.placeholders.length; i++) {
    const key = compiled.placeholders[i];
    path += pathSegment(action, key, input[key]) + compiled.literals[i + 1];
  }

  let query = '';
  for (const param of compiled.query) {
    const value = given(action, param, input[param.input]);
    const pairs = value === undefined ? '' : queryPairs(param.key, param.delimiter, value);
    if (pairs) query = query ? `${query}&${pairs}` : pairs;
  }

  const headers: Record<string, string> = {};
  for (const param of compiled.headers) {
    const value = given(action, param, input[param.input]);
    if (value !== undefined) headers[param.name] = listText(value);
  }
  let cookie = '';
  for (const param of compiled.cookies) {
    const value = given(action, param, input[param.input]);
    if (value !== undefined) cookie += `${cookie ? '; ' : ''}${param.name}=${encodeURIComponent(listText(value))}`;
  }
  if (cookie) headers.cookie = cookie;

  const url = new URL(origin.prefix + path + (query ? compiled.querySeparator + query : ''));
  checkOrigin(url, origin, `action "${action.name}"`);

  const requestBody = action.requestBody;
  if (!requestBody) return { method: action.method, url, headers };
  const value = input.body;
  if (value === undefined || value === null) {
    if (requestBody.required) throw new InvalidInputError(`action "${action.name}" needs input "body" (the ${requestBody.contentType} request body)`);
    return { method: action.method, url, headers };
  }
  return { method: action.method, url, headers, body: { contentType: requestBody.contentType, value } };
}

/** Resolves a caller-given path or URL against the target, refusing anything that would leave its origin. */
export function buildCustomRequest(target: Target, request: CustomRequest): PreparedRequest {
  const origin = compiledTarget(target);
  const { path } = request;
  // "/%2F…" or "/\…" read as "//host" by some servers and proxies, whatever the URL parser makes of them here.
  if (path.includes('\\') || LEADING_SLASHES.test(path) || !(path.startsWith('/') || URL.canParse(path))) {
    throw new UnsafeUrlError(
      `custom request path "${withoutQuery(path)}" refused: give a path starting with a single "/" (appended to ${origin.prefix}) or an absolute URL on ${origin.url.origin}`,
    );
  }
  const url = path.startsWith('/') ? new URL(origin.prefix + path) : new URL(path);
  checkOrigin(url, origin, `custom request path "${withoutQuery(path)}"`);

  let query = '';
  for (const name in request.query) {
    const value = request.query[name];
    const pairs = value === undefined || value === null ? '' : queryPairs(queryName(name), null, value);
    if (pairs) query = query ? `${query}&${pairs}` : pairs;
  }
  if (query) url.search = url.search ? `${url.search.slice(1)}&${query}` : query;

  const headers = request.headers ?? {};
  if (request.body === undefined) return { method: request.method, url, headers };
  return { method: request.method, url, headers, body: { contentType: request.contentType ?? 'application/json', value: request.body } };
}

// ---------------------------------------------------------------------------------------------------------------

interface CompiledTarget {
  readonly url: URL;
  /** Origin and base path without a trailing slash: paths are appended to it. */
  readonly prefix: string;
}

/** A parameter as a request reads it: from the caller's input key, onto the wire under its name. */
interface InputParam {
  readonly input: string;
  readonly name: string;
  readonly required: boolean | undefined;
}

interface QueryParam extends InputParam {
  /** The name, URL-encoded once. */
  readonly key: string;
  /** null: one `name=value` per item (explode); otherwise the items are joined with it. */
  readonly delimiter: string | null;
}

interface CompiledAction {
  /** The path template split around its placeholders: literals[i] comes before placeholders[i]. */
  readonly literals: readonly string[];
  /** The input key filling each placeholder: its path parameter's input name. */
  readonly placeholders: readonly string[];
  readonly query: readonly QueryParam[];
  readonly headers: readonly InputParam[];
  readonly cookies: readonly InputParam[];
  readonly inputs: ReadonlySet<string>;
  /** "&" when the template already has a query string. */
  readonly querySeparator: '?' | '&';
}

const PLACEHOLDER = /\{([^}]*)\}/g;
const BASE_PATH = /^(?:\/[^/?#\\\s]+)*\/?$/;
const TRAILING_SLASH = /\/$/;
/** A query string or fragment: left out of messages, as a caller may put a key there. */
const QUERY_OR_FRAGMENT = /[?#].*$/s;
/** Two slashes, backslashes or their percent-encodings at the start: a host-changing path in disguise. */
const LEADING_SLASHES = /^(?:\/|\\|%2f|%5c){2}/i;
/** Escapes queryName undoes: characters RFC 3986 allows in a query that no query parser splits on. */
const QUERY_NAME_KEPT = /%24|%3A|%40|%2C|%2F/gi;
/** OpenAPI: form explodes by default, the delimited styles do not; an exploded array repeats the name in every style. */
const DELIMITERS: Readonly<Record<NonNullable<Parameter['style']>, string>> = { form: ',', spaceDelimited: '%20', pipeDelimited: '|' };

const targets = new WeakMap<Target, CompiledTarget>();
const actions = new WeakMap<Action, CompiledAction>();

function compiledTarget(target: Target): CompiledTarget {
  let compiled = targets.get(target);
  if (!compiled) {
    compiled = compileTarget(target);
    targets.set(target, compiled);
  }
  return compiled;
}

function compileTarget(target: Target): CompiledTarget {
  const raw = `${target.scheme}://${target.hostname}`;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  // Anything beyond a bare host ("user@", a path, "@other.host") would make "the target's origin" ambiguous.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.href !== `${url.origin}/`) {
    throw new UnsafeUrlError(`target ${raw} refused: the hostname must be a bare host[:port] such as "api.example.com", and the scheme http or https`);
  }
  if (!BASE_PATH.test(target.basePath)) {
    throw new UnsafeUrlError(`base path "${target.basePath}" refused: it must be a plain path such as "/v2", without query, fragment or backslash`);
  }
  return { url, prefix: url.origin + target.basePath.replace(TRAILING_SLASH, '') };
}

function compiledAction(action: Action): CompiledAction {
  let compiled = actions.get(action);
  if (!compiled) {
    compiled = compileAction(action);
    actions.set(action, compiled);
  }
  return compiled;
}

function compileAction(action: Action): CompiledAction {
  const { path } = action;
  if (!path.startsWith('/') || path[1] === '/' || path.includes('\\') || path.includes('#')) {
    throw new UnsafeUrlError(
      `action "${action.name}" path "${path}" refused: an action path starts with a single "/" and has no "\\" or "#", so it stays on the API host`,
    );
  }
  // Placeholders name path parameters by their wire name; the caller gives their values under their input names.
  const pathInputs = new Map(action.parameters.filter((p) => p.in === 'path').map((p) => [p.name, inputName(p)]));
  const literals: string[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of path.matchAll(PLACEHOLDER)) {
    literals.push(path.slice(last, match.index));
    const name = match[1] ?? '';
    placeholders.push(pathInputs.get(name) ?? name);
    last = match.index + match[0].length;
  }
  literals.push(path.slice(last));

  const inputs = new Set(action.parameters.map(inputName));
  if (action.requestBody) inputs.add('body');
  const inputParam = (p: Parameter): InputParam => ({ input: inputName(p), name: p.name, required: p.required });
  return {
    literals,
    placeholders,
    query: action.parameters
      .filter((p) => p.in === 'query')
      .map((p) => {
        const style = p.style ?? 'form';
        const explode = p.explode ?? style === 'form';
        return { ...inputParam(p), key: queryName(p.name), delimiter: explode ? null : DELIMITERS[style] };
      }),
    headers: action.parameters.filter((p) => p.in === 'header').map(inputParam),
    cookies: action.parameters.filter((p) => p.in === 'cookie').map(inputParam),
    inputs,
    querySeparator: path.includes('?') ? '&' : '?',
  };
}

/**
 * A query parameter name on the wire: the spec's name, percent-encoding only what a query string cannot hold as is.
 * `$`, `:`, `@`, `,` and `/` stay literal (OData's `$top`, `filter[created:gte]`), as the API documents them;
 * `[`, `]`, `&`, `=`, `+`, `#` and spaces are encoded (JSON:API asks for `page%5Bsize%5D`, which servers read as page[size]).
 */
export function queryName(name: string): string {
  return encodeURIComponent(name).replace(QUERY_NAME_KEPT, (escape) => decodeURIComponent(escape));
}

const withoutQuery = (path: string) => path.replace(QUERY_OR_FRAGMENT, '');

function checkOrigin(url: URL, target: CompiledTarget, what: string): void {
  if (!sameOrigin(url, target.url)) {
    throw new UnsafeUrlError(`${what} refused: it leads to ${url.origin}, not to the API at ${target.url.origin}`);
  }
}

/** The value of an optional input, or undefined when absent; an absent required input is an error. */
function given(action: Action, param: InputParam, value: unknown): unknown {
  if (value !== undefined && value !== null) return value;
  if (param.required) throw missingInput(action, param.input);
  return undefined;
}

function pathSegment(action: Action, key: string, value: unknown): string {
  if (value === undefined || value === null) throw missingInput(action, key);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new InvalidInputError(`action "${action.name}" input "${key}" goes into the URL path, so it must be a string, number or boolean, not ${kindOf(value)}`);
  }
  const text = String(value);
  // Encoding keeps "/", "?" and "#" inside the segment, but "." and ".." are still dot-segments to URL parsers and servers.
  if (text === '' || text === '.' || text === '..') {
    throw new UnsafeUrlError(`action "${action.name}" input "${key}" is ${text ? `"${text}"` : 'empty'}, which would change the URL path instead of naming a resource`);
  }
  return encodeURIComponent(text);
}

function queryPairs(key: string, delimiter: string | null, value: unknown): string {
  if (!Array.isArray(value)) return `${key}=${encodeURIComponent(textOf(value))}`;
  let out = '';
  for (const item of value) {
    if (item === undefined || item === null) continue;
    const text = encodeURIComponent(textOf(item));
    if (delimiter === null) out += `${out ? '&' : ''}${key}=${text}`;
    else out += out ? `${delimiter}${text}` : `${key}=${text}`;
  }
  return out;
}

/** Header and cookie values: OpenAPI's "simple" style joins arrays with commas. */
function listText(value: unknown): string {
  return Array.isArray(value) ? value.map(textOf).join(',') : textOf(value);
}

function missingInput(action: Action, key: string): InvalidInputError {
  const param = action.parameters.find((p) => inputName(p) === key);
  const wire = param && param.name !== key ? ` "${param.name}"` : '';
  return new InvalidInputError(`action "${action.name}" needs input "${key}" (${param?.in ?? 'path'} parameter${wire})`);
}

function unknownInput(action: Action, key: string, inputs: ReadonlySet<string>): InvalidInputError {
  const known = inputs.size ? `its inputs are: ${[...inputs].join(', ')}` : 'it takes no inputs';
  return new InvalidInputError(`action "${action.name}" has no input "${key}"; ${known}`);
}
