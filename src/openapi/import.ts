/**
 * Importing an OpenAPI 3.x or Swagger 2.0 spec as it is into a definition: read, convert (2.0), walk the operations
 * with their refs and schemas, infer auth and pagination, check the result against the model, then locate every
 * message in the source file. Defects are repaired or worked around and reported; only a spec with no importable
 * operation fails.
 */
import { z } from 'zod';
import { describeIssues } from '../definition/issues';
import { Action as ActionModel, Definition, type Action, type DefinitionInput } from '../definition/model';
import { toPointer } from '../source-location';
import { inferAuth } from './auth';
import { convertSwagger2, originalPointer, originalRefs, type Conversion } from './convert';
import { readSpec, type SpecFile, type SpecSource } from './load';
import { counted, fileError, ImportError, Messages, sortMessages, type ImportMessage } from './messages';
import { camelIdentifier, displayName, methodPathName, uniqueNames } from './naming';
import { importOperations, type ImportedOperation } from './operations';
import { applySuggestions, PaginationGuesser } from './pagination';
import { at, isObject, Refs, type Json } from './refs';
import { SchemaRegistry } from './schemas';
import { serverTarget } from './servers';
import { validateSpec } from './validate';

export interface ImportOptions {
  /** Integration name (an identifier); default: from the spec's title. */
  name?: string;
  /** API host, for specs whose servers are relative, templated or missing. */
  hostname?: string;
  /** The security scheme to take auth from (its name in the spec), instead of the one the import finds most usable. */
  auth?: string;
  /** Also validate the whole spec against the OpenAPI schema (see validate.ts for why this is not the default). */
  validate?: boolean;
  /** Read OpenID Connect schemes' discovery documents over the network (off by default: import is offline). */
  discover?: boolean;
}

export interface ImportStats {
  version: 'swagger-2.0' | 'openapi-3.0' | 'openapi-3.1';
  /** Operations in the spec, imported or not. */
  operations: number;
  actions: number;
  skipped: number;
  /** Schemas kept in the definition (those the actions reach), and how many the spec declares. */
  schemas: number;
  declaredSchemas: number;
  paginated: number;
  validated: boolean;
  /** Milliseconds per phase. */
  timings: { read: number; convert: number; walk: number; validate: number; locate: number; total: number };
}

export interface ImportResult {
  definition: Definition;
  messages: ImportMessage[];
  stats: ImportStats;
}

export async function importSpec(source: SpecSource, options: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const clock = () => performance.now();
  const name = options.name === undefined ? undefined : Definition.shape.name.safeParse(options.name);
  if (name?.error) throw new Error(`name "${options.name}": ${name.error.issues.map((i) => i.message).join('; ')}`);
  const spec = await readSpec(source);
  const afterRead = clock();
  if (!isObject(spec.data)) throw notASpec(spec.name);
  const original = spec.data;
  const version = versionOf(original, spec.name);
  // --validate (and lint) validates the original after the conversion, so it keeps it; an import lets the conversion change it.
  const conversion = version === 'swagger-2.0' ? await convertSwagger2(original, spec.text, spec.format, { keepOriginal: options.validate === true }) : undefined;
  const document = conversion?.document ?? original;
  const afterConvert = clock();

  const messages = new Messages();
  // Refs and locations are resolved in the document walked: the converted one for 2.0, mapped back at the end.
  const walked: SpecFile = document === original ? spec : { ...spec, data: document };
  const refs = new Refs(walked, messages);
  const schemas = new SchemaRegistry(refs, messages, version !== 'openapi-3.1');
  const target = serverTarget(document, options.hostname, messages);
  const { operations, skipped } = importOperations(document, { refs, schemas, messages, target });
  nameActions(operations, messages);
  const auth = await inferAuth(document, operations, refs, messages, target, options.auth, options.discover === true);
  const guesser = new PaginationGuesser(refs);
  const { pagination, paginated } = applySuggestions(operations.map((op) => guesser.suggest(op)), operations, messages, refs);
  const info = isObject(document.info) ? document.info : {};
  const title = typeof info.title === 'string' ? info.title.trim() : '';
  const draft: DefinitionInput = {
    name: name?.data ?? (camelIdentifier(title) || camelIdentifier(spec.name.replace(/^.*[/\\]/, '').replace(/\..*$/, '')) || 'importedApi'),
    ...(displayName(title) && { displayName: displayName(title) }),
    description: (typeof info.description === 'string' && info.description.trim()) || title || 'Imported from an OpenAPI spec.',
    hostname: target.hostname,
    scheme: target.scheme,
    basePath: target.basePath,
    auth,
    pagination,
    actions: operations.map((op) => op.action),
    schemas: schemas.schemas(),
    import: {
      source: spec.name,
      ...(title && { title }),
      ...((typeof info.version === 'string' || typeof info.version === 'number') && { version: String(info.version) }),
    },
  };
  const definition = checked(draft, operations, messages, options.validate === true);
  messages.flush();
  const afterWalk = clock();

  if (conversion) mapToOriginal(messages.list, conversion);
  if (options.validate) {
    // The schemas no action reaches are checked too, and mapped like the others; then scalar's on the original file.
    const before = messages.list.length;
    schemas.checkUnreached();
    messages.flush();
    if (conversion) mapToOriginal(messages.list.slice(before), conversion);
    await validateSpec(original, version === 'swagger-2.0' ? 'Swagger 2.0' : `OpenAPI ${String(original.openapi)}`, messages);
  }
  const afterValidate = clock();
  locate(messages.list, spec, refs.externalDocuments());
  const located = sortMessages(messages.list);
  const afterLocate = clock();

  if (definition.actions.length === 0) {
    throw new ImportError(spec.name, `no operation could be imported (${operations.length + skipped} found)`, located);
  }
  return {
    definition,
    messages: located,
    stats: {
      version,
      operations: operations.length + skipped,
      actions: definition.actions.length,
      skipped: skipped + operations.length - definition.actions.length,
      schemas: Object.keys(definition.schemas).length,
      declaredSchemas: countDeclaredSchemas(document),
      paginated,
      validated: options.validate === true,
      timings: {
        read: afterRead - started,
        convert: afterConvert - afterRead,
        walk: afterWalk - afterConvert,
        validate: afterValidate - afterWalk,
        locate: afterLocate - afterValidate,
        total: afterLocate - started,
      },
    },
  };
}

/** Messages about the converted document, pointed at the original Swagger 2.0 file. */
function mapToOriginal(messages: ImportMessage[], { original, document }: Conversion): void {
  for (const m of messages) {
    if (m.file !== undefined) continue;
    m.pointer = originalPointer(original, document, m.pointer);
    m.message = originalRefs(m.message);
  }
}

function versionOf(document: Json, name: string): ImportStats['version'] {
  if (document.swagger === '2.0') return 'swagger-2.0';
  if (typeof document.openapi === 'string' && /^3\.0(\.|$)/.test(document.openapi)) return 'openapi-3.0';
  if (typeof document.openapi === 'string' && /^3\.\d+(\.|$)/.test(document.openapi)) return 'openapi-3.1';
  throw notASpec(name);
}

function notASpec(name: string): ImportError {
  return fileError(
    name,
    'not an OpenAPI spec',
    'the file is not an OpenAPI 3.x or Swagger 2.0 document: it has no "openapi": "3.x" or "swagger": "2.0"',
    'Import an OpenAPI 3.x or Swagger 2.0 file.',
  );
}

// Made once, not once per operation.
const describeMissingIds = (count: number, examples: string[]) =>
  `${counted(count, 'operation', examples)} ${count === 1 ? 'has' : 'have'} no operationId; actions are named from method and path`;
const describeNonIdentifiers = (count: number, examples: string[]) =>
  `${counted(count, 'operationId', examples)} ${count === 1 ? 'is not an identifier' : 'are not identifiers'}; actions are named by camelCasing them`;

/**
 * Action names from operationIds, or from method and path when there is none; unique over the spec. An operationId
 * used twice cannot key a re-import, so those actions are keyed by "METHOD /path".
 */
function nameActions(operations: ImportedOperation[], messages: Messages): void {
  const uses = new Map<string, number>();
  for (const op of operations) if (op.operationId) uses.set(op.operationId, (uses.get(op.operationId) ?? 0) + 1);
  const bases = operations.map((op) => {
    const fromId = op.operationId ? camelIdentifier(op.operationId) : '';
    const name = fromId || methodPathName(op.action.method, op.action.path);
    if (!op.resolved) return name;
    if (!op.operationId) {
      messages.tally(
        'info',
        'missing-operation-id',
        op.at,
        `${op.key} -> ${name}`,
        describeMissingIds,
        'Add operationIds to name the actions yourself.',
      );
    } else if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(op.operationId)) {
      messages.tally(
        'info',
        'operation-id-not-identifier',
        at(op.at, 'operationId'),
        `${op.operationId} -> ${name}`,
        describeNonIdentifiers,
        'Nothing to do; rename actions if you prefer other names (the operationId is kept for re-imports).',
      );
    }
    if ((uses.get(op.operationId ?? '') ?? 0) > 1) {
      messages.warning(
        'duplicate-operation-id',
        at(op.at, 'operationId').pointer,
        `operationId ${JSON.stringify(op.operationId)} is used by ${uses.get(op.operationId ?? '')} operations; this action's name is made unique and its operationId (the re-import key) is "${op.key}"`,
        'Give each operation its own operationId.',
      );
      op.action.operationId = op.key;
    }
    return name;
  });
  const names = uniqueNames(bases, operations.map((op) => op.key));
  operations.forEach((op, i) => {
    op.action.name = names[i] ?? op.action.name;
  });
}

/**
 * The definition as the model has it. The integration's own fields go through the model's zod schema; of the actions,
 * only what the walk guessed rather than built does: the pagination of the paginated ones, merged with the integration
 * default by the model, once for each distinct pagination (Microsoft Graph's 1,734 paginated actions have one). The
 * rest of every action is valid by construction (the walk leaves out, with a message, every parameter, body or name
 * the model would refuse) and only gets the model's defaults: parsing whole actions again cost 0.2-0.3 s of
 * Autotask's import (2,070 actions, zod cold), a quarter of it, and as much of Microsoft Graph's. `everything`
 * (--validate) parses every whole action; test/specs loads every real import's output. An action the model refuses
 * is left out with an error message rather than failing the whole import.
 */
function checked(draft: DefinitionInput, operations: ImportedOperation[], messages: Messages, everything: boolean): Definition {
  const drafts = draft.actions ?? [];
  // Where each action checked is in the actions parsed.
  const checkedAt: (number | undefined)[] = [];
  let parsing: ActionDraftInput[] = [];
  const byPagination = new Map<string, number>();
  drafts.forEach((action, i) => {
    if (everything) checkedAt[i] = parsing.push(action) - 1;
    else if (action.paginated) {
      const key = JSON.stringify(action.pagination ?? null);
      let index = byPagination.get(key);
      if (index === undefined) byPagination.set(key, (index = parsing.push(paginationOf(action)) - 1));
      checkedAt[i] = index;
    }
  });
  // The schemas are objects the walk made (schemas.ts): valid by construction, and 20-30 ms of zod on Microsoft Graph.
  const input = { ...draft, actions: parsing, schemas: everything ? draft.schemas : {} };
  let result = Definition.safeParse(input);
  const refused = new Set<number>();
  if (!result.success) {
    const problems = new Map<number, string[]>();
    // The issues' paths are in what was parsed.
    for (const { path, message } of describeIssues(Definition, result.error.issues, input)) {
      const [container, index, ...rest] = path;
      if (container !== 'actions' || typeof index !== 'number' || index >= parsing.length) continue;
      problems.set(index, [...(problems.get(index) ?? []), `${toPointer(rest)}: ${message}`]);
    }
    drafts.forEach((_, i) => {
      const list = problems.get(checkedAt[i] ?? -1);
      const op = operations[i];
      if (!list) return;
      refused.add(i);
      if (!op) return;
      messages.error(
        'invalid-action',
        op.at.pointer,
        `the action made from this operation is not valid (${list.join('; ')}); it is left out`,
        'Report this as a bug of the importer, with the spec.',
      );
    });
    if (refused.size > 0) {
      // Where the actions kept are once the refused ones are taken out.
      const kept = new Map<number, number>();
      parsing.forEach((_, index) => {
        if (!problems.has(index)) kept.set(index, kept.size);
      });
      parsing = parsing.filter((_, index) => kept.has(index));
      drafts.forEach((_, i) => {
        checkedAt[i] = kept.get(checkedAt[i] ?? -1);
      });
      result = Definition.safeParse({ ...input, actions: parsing });
    }
    if (!result.success) throw new Error(`the imported definition is not valid:\n${z.prettifyError(result.error)}`);
  }
  const parsed = result.data.actions;
  const actions = drafts.flatMap((action, i) => {
    if (refused.has(i)) return [];
    const index = checkedAt[i];
    const checkedAction = index === undefined ? undefined : parsed[index];
    if (!checkedAction) return [withDefaults(action)];
    if (everything) return [checkedAction];
    // A paginated action's pagination as the model parsed it (fields in the model's order), a copy of its own.
    return [withDefaults({ ...action, pagination: checkedAction.pagination && { ...checkedAction.pagination } })];
  });
  return { ...result.data, actions, schemas: everything ? result.data.schemas : (draft.schemas as Definition['schemas']) };
}

/**
 * What of a paginated action the model checks in a plain import: its pagination, in an action that is otherwise the
 * smallest valid one. The path is "/" because the parameters are left out: the model would ask for the placeholders'.
 */
function paginationOf(action: ActionDraftInput): ActionDraftInput {
  return { name: action.name, description: action.description, method: action.method, path: '/', paginated: action.paginated, pagination: action.pagination };
}

/** An action of the walk with the model's defaults, its fields in the model's order (as a parsed one has them). */
function withDefaults(draft: ActionDraftInput): Action {
  if (isComplete(draft)) return draft as Action;
  // One plain loop, no copy of the draft: this runs for each of thousands of actions.
  const fields = draft as Record<string, unknown>;
  const action: Record<string, unknown> = {};
  for (const key of ACTION_FIELDS) {
    let value = fields[key];
    if (value === undefined && !Object.hasOwn(fields, key)) value = actionDefault(key);
    else if (key === 'requestBody' && value) value = { contentType: 'application/json', ...(value as object) };
    if (value !== undefined) action[key] = value;
  }
  return action as Action;
}

/**
 * Whether an action of the walk already is as withDefaults would make it: the walk writes the fields in the model's
 * order with the defaults (operations.ts), and only a pagination override set afterwards comes out of order. Using
 * such an action as it is spares a copy of each of 10,000 actions.
 */
function isComplete(draft: ActionDraftInput): boolean {
  const fields = draft as Record<string, unknown>;
  let next = 0;
  for (const key in fields) {
    while (next < ACTION_FIELDS.length && ACTION_FIELDS[next] !== key) {
      if (actionDefault(ACTION_FIELDS[next] as string) !== undefined) return false;
      next++;
    }
    if (next === ACTION_FIELDS.length || fields[key] === undefined) return false;
    next++;
  }
  for (; next < ACTION_FIELDS.length; next++) if (actionDefault(ACTION_FIELDS[next] as string) !== undefined) return false;
  return draft.requestBody === undefined || firstKey(draft.requestBody) === 'contentType';
}

function firstKey(object: object): string | undefined {
  for (const key in object) return key;
  return undefined;
}

/** The model's default of an action field the walk may leave unset. */
function actionDefault(key: string): unknown {
  if (key === 'parameters' || key === 'tags') return [];
  if (key === 'paginated' || key === 'deprecated') return false;
  return undefined;
}

const ACTION_FIELDS = Object.keys(ActionModel.shape);
type ActionDraftInput = NonNullable<DefinitionInput['actions']>[number];

/** Line and column of every message, computed for these pointers only. */
function locate(messages: ImportMessage[], spec: SpecFile, externals: SpecFile[]): void {
  spec.locator.prepare?.(messages.flatMap((m) => (m.line === undefined && m.file === undefined ? [m.pointer] : [])));
  for (const message of messages) {
    if (message.line !== undefined) continue;
    const doc = message.file === undefined ? spec : externals.find((d) => d.name === message.file);
    if (!doc) continue;
    try {
      const { line, column } = doc.locator.locate(message.pointer);
      message.line = line;
      message.column = column;
    } catch {
      // A pointer that is not one (from a malformed $ref) is reported without a position.
    }
  }
}

function countDeclaredSchemas(document: Json): number {
  const components = isObject(document.components) ? document.components : {};
  return isObject(components.schemas) ? Object.keys(components.schemas).length : 0;
}
