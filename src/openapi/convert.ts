/**
 * Swagger 2.0 to OpenAPI 3.0 with swagger2openapi, and the way back for locations: messages about the converted
 * document name the places of the original file, which is what the user has open.
 *
 * swagger2openapi is given the source text: without it, it serializes the whole spec to YAML first (only to keep it
 * in its options), which was 80% of its time on DocuSign's 2 MB spec (1.6 s, 0.3 s with the text). Most of the rest
 * was spent in two reftools helpers it walks and copies the whole document with: see reftools-fast.ts.
 */
import { parsePointer, toPointer, type SourceFormat } from '../source-location';
import { deferUnusedModules, handOver, skipAnchorCheck, useFastReftools } from './reftools-fast';
import { isObject, valueAt, type Json } from './refs';

export interface Conversion {
  /** The OpenAPI 3.0 document. */
  document: Json;
  /** The Swagger 2.0 document as it was, or as much of it as originalPointer reads (see keepOriginal). */
  original: Json;
}

/**
 * `original` is the data parsed from `text`, unchanged: in JSON, then, no object is in it twice. Unless
 * `keepOriginal`, swagger2openapi converts it in place rather than a copy, and the conversion's `original` is only
 * what originalPointer reads.
 */
export async function convertSwagger2(original: Json, text: string, format: SourceFormat, { keepOriginal = false } = {}): Promise<Conversion> {
  useFastReftools();
  deferUnusedModules();
  if (format === 'json') skipAnchorCheck(original);
  const kept = keepOriginal ? original : pointerOutline(original);
  // JSON has no other way to write null; in YAML, ~ and empty values are nulls too.
  if (!keepOriginal) handOver(original, { holdsNoNull: format === 'json' && !text.includes('null') });
  // require, not import(): loading a CommonJS package through the ES module loader costs another 20 ms.
  const { convertObj } = require('swagger2openapi') as typeof import('swagger2openapi');
  // anchors: YAML aliases make shared objects, which swagger2openapi otherwise refuses. resolve: external refs are ours.
  const converted: unknown = await convertObj(original as never, { patch: true, warnOnly: true, resolve: false, anchors: true, direct: true, text });
  if (!isObject(converted)) throw new Error('swagger2openapi returned no document');
  return { document: converted, original: kept };
}

/**
 * What originalPointer reads of a Swagger 2.0 document, copied: its host and base path, the names of its
 * definitions, responses and security definitions, and the name, place and $ref of every parameter. Built with
 * plain loops: Autotask's has 10,000 parameters.
 */
function pointerOutline(original: Json): Json {
  const outline: Json = Object.create(null) as Json;
  for (const key of ['host', 'basePath']) if (key in original) outline[key] = original[key];
  for (const key of ['definitions', 'responses', 'securityDefinitions']) outline[key] = mapValues(original[key], () => NAMED);
  outline.parameters = mapValues(original.parameters, parameterOutline);
  outline.paths = mapValues(original.paths, (item) => mapValues(item, (member, key) => (key === 'parameters' ? listOutline(member) : isObject(member) ? { parameters: listOutline(member.parameters) } : member)));
  return outline;
}

/** What a definition, response or security definition is in the outline: only its name is read. */
const NAMED = Object.freeze({});

function listOutline(parameters: unknown): unknown {
  return Array.isArray(parameters) ? parameters.map(parameterOutline) : parameters;
}

function parameterOutline(parameter: unknown): unknown {
  return isObject(parameter) ? { name: parameter.name, in: parameter.in, $ref: parameter.$ref } : parameter;
}

/** An object's members mapped, in a prototype-less object (a key may be "__proto__"); anything else as it is. */
function mapValues(value: unknown, map: (member: unknown, key: string) => unknown): unknown {
  if (!isObject(value)) return value;
  const mapped: Json = Object.create(null) as Json;
  for (const key of Object.keys(value)) mapped[key] = map(value[key], key);
  return mapped;
}

/** Converted-document renames, reversed in message text: the user's file says #/definitions/X. */
const COMPONENT_PREFIXES: [string, string][] = [
  ['#/components/schemas/', '#/definitions/'],
  ['#/components/parameters/', '#/parameters/'],
  ['#/components/responses/', '#/responses/'],
  ['#/components/securitySchemes/', '#/securityDefinitions/'],
];

export function originalRefs(message: string): string {
  return COMPONENT_PREFIXES.reduce((text, [converted, original]) => text.replaceAll(converted, original), message);
}

/**
 * Maps a pointer into the converted document to the same place in the original Swagger 2.0 document, as closely as
 * the conversion allows: body and formData parameters became request bodies, response schemas moved under
 * `content`, components moved, parameters were renumbered once body parameters left them.
 */
export function originalPointer(original: Json, converted: Json, pointer: string): string {
  const segments = parsePointer(pointer);
  const [first, second, third, ...rest] = segments;
  if (first === 'components' && second !== undefined && third !== undefined) {
    switch (second) {
      case 'schemas':
        return has(original, 'definitions', third) ? toPointer(['definitions', third, ...rest]) : '/definitions';
      case 'parameters':
        return has(original, 'parameters', third) ? toPointer(['parameters', third, ...parameterRest(original.parameters, third, rest)]) : '/parameters';
      case 'responses':
        return has(original, 'responses', third) ? toPointer(['responses', third, ...withoutContent(rest)]) : '/responses';
      case 'securitySchemes':
        return has(original, 'securityDefinitions', third) ? toPointer(['securityDefinitions', third]) : '/securityDefinitions';
      default:
        return '';
    }
  }
  if (first === 'servers') return 'host' in original ? '/host' : 'basePath' in original ? '/basePath' : '';
  if (first !== 'paths' || second === undefined || third === undefined) return pointer;
  // paths/<path>/parameters/<i>/... or paths/<path>/<method>/<what>/...
  if (third === 'parameters') return toPointer(['paths', second, ...parameter(original, converted, [second], rest)]);
  const [what, ...tail] = rest;
  const operation = [second, third];
  if (what === 'parameters') return toPointer(['paths', second, third, ...parameter(original, converted, operation, tail)]);
  if (what === 'requestBody') return toPointer(['paths', second, third, ...requestBody(original, operation, tail)]);
  if (what === 'responses') {
    const [code, ...responseRest] = tail;
    return toPointer(['paths', second, third, 'responses', ...(code === undefined ? [] : [code, ...withoutContent(responseRest)])]);
  }
  return pointer;
}

function has(document: Json, container: string, key: string): boolean {
  const members = document[container];
  return isObject(members) && Object.hasOwn(members, key);
}

/** `content/<type>/schema/...` (3.0) is `schema/...` in 2.0. */
function withoutContent(rest: string[]): string[] {
  return rest[0] === 'content' && rest[2] === 'schema' ? ['schema', ...rest.slice(3)] : rest;
}

/** A 2.0 parameter other than body keeps its type inline: the converted `schema/...` is the parameter itself. */
function parameterRest(parameters: unknown, name: string, rest: string[]): string[] {
  const parameter = isObject(parameters) ? parameters[name] : undefined;
  return rest[0] === 'schema' && isObject(parameter) && parameter.in !== 'body' ? rest.slice(1) : rest;
}

/** The original index of converted parameter `rest[0]` of the path item or operation at `owner`, found by name and place. */
function parameter(original: Json, converted: Json, owner: string[], rest: string[]): string[] {
  const [index, ...tail] = rest;
  const wanted = parameterAt(converted, owner, index);
  const list = listAt(original, owner);
  const found = wanted ? list.findIndex((p) => p && p.name === wanted.name && p.in === wanted.in) : -1;
  if (found === -1) return ['parameters'];
  return ['parameters', String(found), ...(tail[0] === 'schema' && (list[found] as Json).in !== 'body' ? tail.slice(1) : tail)];
}

/** The body parameter a request body came from, or the formData parameter one of its properties came from. */
function requestBody(original: Json, owner: string[], rest: string[]): string[] {
  const list = listAt(original, owner);
  const body = list.findIndex((p) => p?.in === 'body');
  if (body !== -1) return ['parameters', String(body), ...withoutContent(rest)];
  const [, , , properties, name, ...tail] = rest;
  const form = properties === 'properties' ? list.findIndex((p) => p?.in === 'formData' && p.name === name) : -1;
  return form === -1 ? ['parameters'] : ['parameters', String(form), ...tail];
}

/** The parameters of a path item or operation, each followed through a local $ref. */
function listAt(document: Json, owner: string[]): (Json | undefined)[] {
  const value = valueAt(document, ['paths', ...owner, 'parameters']);
  return Array.isArray(value) ? value.map((p) => resolveLocal(document, p)) : [];
}

function parameterAt(document: Json, owner: string[], index: string | undefined): Json | undefined {
  return index === undefined ? undefined : resolveLocal(document, valueAt(document, ['paths', ...owner, 'parameters', index]));
}

function resolveLocal(document: Json, value: unknown): Json | undefined {
  if (isObject(value) && typeof value.$ref === 'string' && value.$ref.startsWith('#')) {
    try {
      value = valueAt(document, parsePointer(decodeURIComponent(value.$ref.slice(1))));
    } catch {
      return undefined;
    }
  }
  return isObject(value) ? value : undefined;
}
