/**
 * Operations to actions: method, path, parameters by location, request body, response schema, deprecated flag,
 * tags, readable title and description. Names are given afterwards, over all operations at once (naming.ts).
 *
 * An operation the spec describes badly still becomes an action when it can be called: a parameter that cannot be
 * represented is left out, one the path needs but nobody declared is added, a body type the runtime cannot send is
 * left out, each with a message. Only an operation whose method the model has no place for is skipped.
 */
import type { z } from 'zod';
import { pathPlaceholders, type Action, type HttpMethod, type JsonSchemaObject, type Parameter, type REQUEST_CONTENT_TYPES } from '../definition/model';
import { counted, type Messages } from './messages';
import { humanize, oneLine } from './naming';
import { at, isObject, type Json, type Location, type Refs } from './refs';
import type { SchemaRegistry } from './schemas';
import type { Target } from './servers';

/** An action as written in a file; its name is given once all operations are known (import.ts). */
export type ActionDraft = z.input<typeof Action> & { operationId: string };

export interface ImportedOperation {
  /** "METHOD /path": how the operation is named when it has no operationId, and the order of duplicates. */
  key: string;
  at: Location;
  /** The operation object; {} when it could not be resolved (then `resolved` is false). */
  operation: Json;
  resolved: boolean;
  /** The spec's operationId, when it has one. */
  operationId: string | undefined;
  action: ActionDraft;
  /** The success response's schema (as in the spec, for pagination) and headers. */
  response: { schema?: { value: unknown; at: Location }; headers?: Json };
}

export interface OperationsContext {
  refs: Refs;
  schemas: SchemaRegistry;
  messages: Messages;
  target: Target;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);
/** OpenAPI: header parameters with these names "SHALL be ignored"; the runtime sets them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUERY_STYLES = new Set(['form', 'spaceDelimited', 'pipeDelimited']);
/** Success responses, most telling first; then any other 2xx. */
const SUCCESS = ['200', '201', '2XX', '2xx', '202', '203', '206'];

type ContentType = (typeof REQUEST_CONTENT_TYPES)[number];

/** The walk's own state beside the caller's context. */
interface WalkContext extends OperationsContext {
  /**
   * Each parameter object's import, by the object: a parameter shared through a $ref or declared on a path item is
   * met once per operation (Microsoft Graph: 48,000 uses of 27,000 parameters). What depends on the operation (the
   * path's placeholders) and the messages are still checked and given per use.
   */
  parameters: Map<Json, Parameter>;
}

export function importOperations(document: Json, operationsContext: OperationsContext): { operations: ImportedOperation[]; skipped: number } {
  const context: WalkContext = { ...operationsContext, parameters: new Map() };
  const { refs, messages } = context;
  const operations: ImportedOperation[] = [];
  let skipped = 0;
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [key, rawItem] of Object.entries(paths)) {
    const itemAt = at(refs.root(), 'paths', key);
    // A path without its leading "/" ("ticket_timers/{id}") can only mean the one with it.
    const path = `/${key.replace(/^\/+/, '')}`;
    if (path !== key) {
      messages.warning(
        'invalid-path',
        itemAt.pointer,
        `path ${JSON.stringify(key)} does not start with a single "/"; imported as ${path}`,
        'Write the path starting with one "/".',
      );
    }
    const item = refs.follow(rawItem, itemAt, 'the operations of this path are skipped');
    if (!item) continue;
    if (/\{\s*\}/.test(path)) {
      // No parameter can fill a placeholder without a name, so no request could be made.
      const count = METHODS.filter((method) => item.value[method] !== undefined).length;
      messages.error(
        'invalid-path',
        itemAt.pointer,
        `path ${path} has a placeholder without a name ("{}"); its ${count === 1 ? 'operation is' : `${count} operations are`} left out`,
        'Name the placeholder after its path parameter, e.g. {id}.',
        refs.fileOf(itemAt),
      );
      skipped += count;
      continue;
    }
    if (path.length > 1 && path.endsWith('/')) {
      messages.warning(
        'trailing-slash',
        itemAt.pointer,
        `path ${path} ends with "/"; it is kept as is, since some APIs answer differently without it`,
        'Nothing, if the API documents the slash; otherwise remove it from the action path.',
      );
    }
    const placeholders = pathPlaceholders(context.target.pathPrefix + path);
    for (const method of METHODS) {
      if (item.value[method] === undefined) continue;
      const opAt = at(item.at, method);
      if (method === 'trace') {
        messages.warning(
          'unsupported-method',
          opAt.pointer,
          'TRACE operations cannot be actions; skipped',
          'Call it with customApiRequest if you need it.',
          refs.fileOf(opAt),
        );
        skipped++;
        continue;
      }
      operations.push(importOperation(method.toUpperCase() as HttpMethod, path, placeholders, item, opAt, context));
    }
  }
  return { operations, skipped };
}

function importOperation(
  method: HttpMethod,
  path: string,
  placeholders: string[],
  pathItem: { value: Json; at: Location },
  opAt: Location,
  context: WalkContext,
): ImportedOperation {
  const { refs, messages } = context;
  const key = `${method} ${path}`;
  const bare = 'the operation is imported from its method and path alone: no parameters but the path\'s, no body, no response schema';
  const resolved = refs.follow(pathItem.value[method.toLowerCase()], opAt, bare);
  const operation = resolved?.value ?? {};
  const here = resolved?.at ?? opAt;
  const operationId = typeof operation.operationId === 'string' && operation.operationId.trim() ? operation.operationId : undefined;
  const summary = typeof operation.summary === 'string' ? oneLine(operation.summary) || undefined : undefined;
  const description = typeof operation.description === 'string' ? operation.description.trim() || undefined : undefined;
  if (resolved && !description && !summary) {
    messages.tally(
      'info',
      'missing-description',
      here,
      key,
      (count, examples) => `${counted(count, 'operation', examples)} ${count === 1 ? 'has' : 'have'} neither description nor summary; their descriptions are "METHOD /path"`,
      'Add summaries or descriptions to the operations, or edit the action descriptions.',
      refs.fileOf(here),
    );
  }

  checkServers(operation, pathItem.value, here, context);
  const requestBody = resolved ? importRequestBody(operation, here, context) : undefined;
  const actionPath = context.target.pathPrefix + path;
  const parameters: SourceParameter[] = [];
  importParameters(parameters, 0, pathItem.value.parameters, pathItem.at, placeholders, context);
  importParameters(parameters, 1, operation.parameters, here, placeholders, context);
  declarePlaceholders(parameters, placeholders, here, Boolean(resolved), context);
  const keyed = resolveCollisions(key, parameters, requestBody !== undefined, context);
  const response = resolved ? successResponse(operation, here, context) : {};
  const tags = Array.isArray(operation.tags) ? operation.tags.filter((t): t is string => typeof t === 'string') : [];
  // Fields in the model's order, defaults included: most actions go into the definition as they are (import.ts).
  // The optional body and response schema come in the middle, so the rest is added below.
  const action = {
    name: '',
    title: summary ?? (operationId ? humanize(operationId) : key),
    description: description ?? summary ?? key,
    method,
    path: actionPath,
    parameters: keyed,
  } as ActionDraft;
  if (requestBody) action.requestBody = requestBody;
  if (response.schema) action.responseSchema = context.schemas.translate(response.schema.value, response.schema.at);
  action.paginated = false;
  action.deprecated = operation.deprecated === true;
  action.tags = tags;
  action.operationId = operationId ?? key;
  return { key, at: here, operation, resolved: resolved !== undefined, operationId, response, action };
}

/** An operation or path served from another host than the definition's gets its requests sent to the wrong one. */
function checkServers(operation: Json, pathItem: Json, opAt: Location, context: OperationsContext): void {
  const servers = Array.isArray(operation.servers) ? operation.servers : Array.isArray(pathItem.servers) ? pathItem.servers : undefined;
  if (!servers) return;
  const url = servers.find(isObject)?.url;
  if (typeof url !== 'string' || !URL.canParse(url)) return;
  const host = new URL(url).host;
  if (!host || host === context.target.hostname) return;
  context.messages.tally(
    'warning',
    'operation-server',
    opAt,
    `${host}`,
    (count, examples) => `${count} operation${count === 1 ? ' is' : 's are'} served from another host than ${context.target.hostname} (${examples.join(', ')}); their actions send requests to ${context.target.hostname}`,
    'Import those operations as a separate integration (a spec of their own, or --hostname), or call them with customApiRequest against a configuration for that host.',
    context.refs.fileOf(opAt),
  );
}

interface SourceParameter {
  parameter: Parameter;
  at: Location;
  /** Which list declared it: the path item's (0) or the operation's (1). */
  list: number;
}

/**
 * The parameters of one list (`owner.parameters`), each as the model has it, merged into `merged`: one declared
 * again replaces the earlier one in its place (the operation's win over the path item's). Arrays and loops rather
 * than maps and closures: this runs for each of 10,000 operations, with a handful of parameters each.
 */
function importParameters(merged: SourceParameter[], listNumber: number, list: unknown, owner: Location, placeholders: string[], context: WalkContext): void {
  if (!Array.isArray(list)) return;
  const { refs, messages } = context;
  const listAt = at(owner, 'parameters');
  for (let index = 0; index < list.length; index++) {
    const found = refs.follow(list[index], at(listAt, index), 'the parameter is left out');
    if (!found) continue;
    const parameter = importParameter(found.value, found.at, placeholders, context);
    if (!parameter) continue;
    const same = merged.findIndex((p) => p.parameter.in === parameter.in && p.parameter.name === parameter.name);
    if (same !== -1 && merged[same]?.list === listNumber) {
      messages.warning(
        'duplicate-parameter',
        found.at.pointer,
        `parameter "${parameter.name}" in ${parameter.in} is declared twice; the last one is kept`,
        'Remove one of them.',
        refs.fileOf(found.at),
      );
    }
    const source = { parameter, at: found.at, list: listNumber };
    if (same === -1) merged.push(source);
    else merged[same] = source;
  }
}

/** Placeholders of the path that no parameter declares are declared, as required string path parameters. */
function declarePlaceholders(merged: SourceParameter[], placeholders: string[], opAt: Location, resolved: boolean, context: WalkContext): void {
  const { refs, messages } = context;
  for (const name of placeholders) {
    if (merged.some((p) => p.parameter.in === 'path' && p.parameter.name === name)) continue;
    // Server variables moved into the path were reported with the server; an unresolved operation, with the operation.
    if (resolved && !context.target.pathPrefix.includes(`{${name}}`)) {
      messages.warning(
        'undeclared-path-parameter',
        opAt.pointer,
        `the path has {${name}}, which no parameter declares; it is declared as a required string path parameter`,
        `Declare { "name": "${name}", "in": "path", "required": true } in the operation's parameters.`,
        refs.fileOf(opAt),
      );
    }
    merged.push({ parameter: { name, in: 'path', required: true, schema: { type: 'string' } }, at: opAt, list: 2 });
  }
}

function importParameter(source: Json, location: Location, placeholders: string[], context: WalkContext): Parameter | undefined {
  const { messages, refs } = context;
  const { name, in: where } = source;
  if (typeof name !== 'string' || name === '' || typeof where !== 'string' || !LOCATIONS.has(where)) {
    return skipParameter(
      'invalid-parameter',
      `a parameter needs a name and "in" (path, query, header or cookie); got name ${JSON.stringify(name)}, in ${JSON.stringify(where)}; left out`,
      'Correct the parameter.',
      location,
      context,
    );
  }
  const location_ = where as Parameter['in'];
  if (location_ === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) {
    messages.tally(
      'info',
      'ignored-header',
      location,
      name,
      (count, examples) => `${counted(count, 'header parameter', examples)} left out: OpenAPI ignores Accept, Content-Type and Authorization parameters (the runtime and auth set them)`,
      'Nothing to do; set fixed headers in the definition\'s headers if the API needs them.',
      refs.fileOf(location),
    );
    return undefined;
  }
  if (location_ === 'header' && !HEADER_NAME.test(name)) {
    return skipParameter('invalid-parameter', `"${name}" is not a valid HTTP header name; the parameter is left out`, 'Correct the header name.', location, context);
  }
  if (location_ === 'path' && !placeholders.includes(name)) {
    return skipParameter(
      'unused-path-parameter',
      `path parameter "${name}" does not appear in the path; left out`,
      `Add {${name}} to the path, or declare the parameter in query if that is where it goes.`,
      location,
      context,
    );
  }
  if (location_ === 'query' && typeof source.style === 'string' && !QUERY_STYLES.has(source.style)) {
    messages.tally(
      'warning',
      'unsupported-style',
      at(location, 'style'),
      `${name} (${source.style})`,
      (count, examples) => `${counted(count, 'query parameter', examples)} use a style actions do not support; values are sent as name=value, objects as JSON`,
      'Check how the API expects these parameters; call the operation with customApiRequest if the action cannot send them.',
      refs.fileOf(location),
    );
  }
  let parameter = context.parameters.get(source);
  if (!parameter) {
    const reported = messages.list.length;
    parameter = { name, in: location_ };
    if (location_ === 'path' || source.required === true) parameter.required = true;
    if (typeof source.description === 'string' && source.description.trim()) parameter.description = source.description.trim();
    const schema = parameterSchema(source, location, context.schemas);
    if (schema) parameter.schema = schema;
    if (location_ === 'query' && typeof source.style === 'string' && QUERY_STYLES.has(source.style)) parameter.style = source.style as NonNullable<Parameter['style']>;
    if (location_ === 'query' && typeof source.explode === 'boolean') parameter.explode = source.explode;
    // A schema that is not one (a string, say) is reported at each use, as before the memo.
    if (messages.list.length === reported) context.parameters.set(source, parameter);
  }
  return parameter;
}

function skipParameter(code: string, message: string, fix: string, location: Location, context: WalkContext): undefined {
  context.messages.warning(code, location.pointer, message, fix, context.refs.fileOf(location));
  return undefined;
}

/** The parameter's schema, or the schema of its first media type (`content`). */
function parameterSchema(source: Json, location: Location, schemas: SchemaRegistry): JsonSchemaObject | undefined {
  if (source.schema !== undefined) return schemas.translate(source.schema, at(location, 'schema'));
  if (!isObject(source.content)) return undefined;
  const [type, media] = Object.entries(source.content)[0] ?? [];
  return type !== undefined && isObject(media) && media.schema !== undefined ? schemas.translate(media.schema, at(location, 'content', type, 'schema')) : undefined;
}

/** Who keeps its name as input name when two share one: query parameters first, as pagination and APIs' docs name them. */
const INPUT_PRIORITY: Readonly<Record<Parameter['in'], number>> = { query: 0, path: 1, header: 2, cookie: 3 };

/**
 * Inputs are one object keyed by input name (plus `body`), so two parameters of an action may not share one. Wire
 * names stay as the spec writes them; a parameter whose name is taken gets an input name of its own,
 * `<name>_<location>`, and the request is the same.
 */
function resolveCollisions(operation: string, parameters: SourceParameter[], hasBody: boolean, context: OperationsContext): Parameter[] {
  // The common case, no name shared, costs a few comparisons: operations have a handful of parameters.
  if (!sharesName(parameters, hasBody)) return parameters.map((p) => p.parameter);

  const claimed = new Map<string, string>(hasBody ? [['body', 'the request body (input "body")']] : []);
  const losers: SourceParameter[] = [];
  for (const source of [...parameters].sort((a, b) => INPUT_PRIORITY[a.parameter.in] - INPUT_PRIORITY[b.parameter.in])) {
    const { name, in: where } = source.parameter;
    if (claimed.has(name)) losers.push(source);
    else claimed.set(name, `${where} parameter "${name}"`);
  }
  const inputs = new Map<SourceParameter, string>();
  for (const source of losers) {
    const { name, in: where } = source.parameter;
    const base = `${name}_${where}`;
    let input = base;
    for (let n = 2; claimed.has(input); n++) input = `${base}_${n}`;
    context.messages.info(
      'parameter-input',
      source.at.pointer,
      `${operation}: ${where} parameter "${name}" has the same name as ${claimed.get(name)}; the action takes it as input "${input}" (the request still sends "${name}" in ${where})`,
      `Nothing to do: call the action with input "${input}". To choose another key, set "input" on the parameter in the definition.`,
      context.refs.fileOf(source.at),
    );
    claimed.set(input, `input "${input}"`);
    inputs.set(source, input);
  }
  return parameters.map((source) => {
    const input = inputs.get(source);
    if (input === undefined) return source.parameter;
    const { name, in: where, ...rest } = source.parameter;
    return { name, in: where, input, ...rest };
  });
}

function sharesName(parameters: SourceParameter[], hasBody: boolean): boolean {
  if (parameters.length > 32) {
    const names = new Set<string>(hasBody ? ['body'] : []);
    for (const { parameter } of parameters) names.add(parameter.name);
    return names.size !== parameters.length + (hasBody ? 1 : 0);
  }
  for (let i = 0; i < parameters.length; i++) {
    const name = (parameters[i] as SourceParameter).parameter.name;
    if (hasBody && name === 'body') return true;
    for (let j = 0; j < i; j++) if ((parameters[j] as SourceParameter).parameter.name === name) return true;
  }
  return false;
}

/** The request body in the first media type the runtime can send: JSON, form, multipart, text, then any. */
function importRequestBody(operation: Json, opAt: Location, context: OperationsContext): ActionDraft['requestBody'] {
  const { refs, messages, schemas } = context;
  if (operation.requestBody === undefined) return undefined;
  const body = refs.follow(operation.requestBody, at(opAt, 'requestBody'), 'the action has no request body');
  if (!body) return undefined;
  const content = isObject(body.value.content) ? body.value.content : {};
  const types = Object.keys(content);
  const chosen = pickMediaType(types, requestContentType);
  if (!chosen) {
    if (types.length > 0) {
      messages.warning(
        'unsupported-body',
        at(body.at, 'content').pointer,
        `the request body is ${types.join(', ')}; actions send JSON, form-urlencoded, multipart or plain text, so the action has no body`,
        'Call this operation with customApiRequest, which sends any body.',
        refs.fileOf(body.at),
      );
    }
    return undefined;
  }
  const media = content[chosen.type];
  const schema = isObject(media) && media.schema !== undefined ? schemas.translate(media.schema, at(body.at, 'content', chosen.type, 'schema')) : undefined;
  return {
    contentType: chosen.contentType,
    ...(body.value.required === true && { required: true }),
    ...(typeof body.value.description === 'string' && body.value.description.trim() && { description: body.value.description.trim() }),
    ...(schema && { schema }),
  };
}

function requestContentType(type: string): [rank: number, ContentType] | undefined {
  if (type === 'application/json' || /^application\/[^;]*\+json$/.test(type)) return [0, 'application/json'];
  if (type === 'application/x-www-form-urlencoded') return [1, 'application/x-www-form-urlencoded'];
  if (type === 'multipart/form-data') return [2, 'multipart/form-data'];
  if (type === 'text/plain') return [3, 'text/plain'];
  // A wildcard says anything goes; JSON is what REST APIs take.
  if (type === '*/*' || type === 'application/*') return [4, 'application/json'];
  return undefined;
}

function responseRank(type: string): [rank: number, string] | undefined {
  if (type === 'application/json' || /^application\/[^;]*\+json$/.test(type)) return [0, type];
  if (type === '*/*' || type === 'application/*' || type === 'text/json') return [1, type];
  return undefined;
}

/** The media type of `types` that `rank` ranks first (types compared without parameters such as charset). */
function pickMediaType<T>(types: string[], rank: (type: string) => [number, T] | undefined): { type: string; contentType: T } | undefined {
  let best: { type: string; contentType: T; rank: number } | undefined;
  for (const type of types) {
    const ranked = rank(type.split(';')[0]?.trim().toLowerCase() ?? '');
    if (ranked && (!best || ranked[0] < best.rank)) best = { type, contentType: ranked[1], rank: ranked[0] };
  }
  return best && { type: best.type, contentType: best.contentType };
}

/** The first success response (200, 201, 2XX, other 2xx): its JSON schema and headers. */
function successResponse(operation: Json, opAt: Location, context: OperationsContext): ImportedOperation['response'] {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const code = successCode(responses);
  if (code === undefined) return {};
  const response = context.refs.follow(responses[code], at(opAt, 'responses', code), 'the action has no response schema');
  if (!response) return {};
  const headers = isObject(response.value.headers) ? response.value.headers : undefined;
  const content = isObject(response.value.content) ? response.value.content : {};
  const chosen = pickMediaType(Object.keys(content), responseRank);
  const media = chosen ? content[chosen.type] : undefined;
  const found: ImportedOperation['response'] = {};
  if (isObject(media) && media.schema !== undefined) found.schema = { value: media.schema, at: at(response.at, 'content', chosen?.type ?? '', 'schema') };
  if (headers) found.headers = headers;
  return found;
}

function successCode(responses: Json): string | undefined {
  for (const code of SUCCESS) if (code in responses) return code;
  return Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort()[0];
}
