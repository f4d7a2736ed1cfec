/**
 * Re-importing a spec into a definition people have edited since the last import: the spec's structure comes in,
 * their choices stay. What the user wrote cannot be told from what the previous import generated (that is not kept),
 * so every user-facing field of an action that existed before is kept as it is.
 */
import { Action, inputName, type Definition, type Parameter } from '../definition/model';
import { reachedSchemas } from '../definition/schema-refs';
import { validDefinition } from '../definition/validate';
import { actionChanges } from './reimport-changes';

export interface ReimportReport {
  /** New operations, by the name they got (suffixed when a kept action already has it). */
  added: string[];
  /** Imported actions whose operation is gone from the spec; they are dropped. */
  removed: string[];
  /** Actions whose structure the spec changed, and what changed. */
  changed: { action: string; what: string[] }[];
  /** Every other action of the result: imported ones the spec left as they were, and hand-written ones. */
  kept: string[];
}

export interface Reimport {
  definition: Definition;
  report: ReimportReport;
}

/** Action fields people edit; `deprecated` is among them but also follows the spec (see mergeAction). */
const USER_FIELDS = ['name', 'title', 'description', 'paginated', 'pagination', 'deprecated', 'timeoutMs', 'tags'] as const;

export function mergeReimport(current: Definition, fresh: Definition): Reimport {
  const matches = matchActions(current.actions, fresh.actions);
  const removedOperations = current.import?.removedOperations ?? [];
  const changesOf = actionChanges(current.schemas, fresh.schemas);
  const report: ReimportReport = { added: [], removed: [], changed: [], kept: [] };
  const actions: Action[] = [];
  for (const action of current.actions) {
    const match = matches.get(action);
    if (action.operationId === undefined) {
      actions.push(action);
      report.kept.push(action.name);
    } else if (!match) {
      report.removed.push(action.name);
    } else {
      const merged = mergeAction(action, match);
      actions.push(merged);
      const what = changesOf(action, merged);
      if (what.length > 0) report.changed.push({ action: action.name, what });
      else report.kept.push(action.name);
    }
  }
  const matched = new Set(matches.values());
  const added = fresh.actions.filter((a) => !matched.has(a) && !operationKeys(a).some((key) => removedOperations.includes(key)));
  const names = addedNames(
    actions.map((a) => a.name),
    added.map((a) => a.name),
  );
  added.forEach((action, i) => {
    actions.push({ ...action, name: names[i] });
    report.added.push(names[i]);
  });
  const definition = validDefinition({
    ...current,
    actions,
    schemas: mergedSchemas(current, fresh),
    import: { ...current.import, ...fresh.import, removedOperations },
  });
  return { definition, report };
}

/**
 * The spec's schemas, and those the hand-written actions use that the spec does not have: they were written for
 * those actions, not imported. A name both have is the spec's.
 */
function mergedSchemas(current: Definition, fresh: Definition): Definition['schemas'] {
  const handWritten = current.actions.filter((action) => action.operationId === undefined);
  const own = [...reachedSchemas(handWritten, current.schemas)].filter((name) => !Object.hasOwn(fresh.schemas, name));
  return { ...fresh.schemas, ...Object.fromEntries(own.map((name) => [name, current.schemas[name]])) };
}

/**
 * Imported actions of `current` to the operations of `fresh`, one to one: by operationId, then by method and path
 * for those left (the spec gave an operation an id, or changed it). Hand-written actions (no operationId) match nothing.
 */
function matchActions(current: readonly Action[], fresh: readonly Action[]): Map<Action, Action> {
  const matches = new Map<Action, Action>();
  const unclaimed = new Set(fresh);
  const claim = (key: (action: Action) => string | undefined) => {
    const byKey = new Map<string, Action>();
    for (const action of unclaimed) {
      const k = key(action);
      if (k !== undefined && !byKey.has(k)) byKey.set(k, action);
    }
    for (const action of current) {
      if (action.operationId === undefined || matches.has(action)) continue;
      const k = key(action);
      const match = k === undefined ? undefined : byKey.get(k);
      if (match && unclaimed.delete(match)) matches.set(action, match);
    }
  };
  claim((action) => action.operationId);
  claim(endpoint);
  return matches;
}

/** What import.removedOperations may hold for an operation: its operationId, or "METHOD /path" when it had none. */
function operationKeys(action: Action): string[] {
  return action.operationId === undefined ? [endpoint(action)] : [action.operationId, endpoint(action)];
}

function endpoint(action: Action): string {
  return `${action.method} ${action.path}`;
}

/**
 * The spec's action with the user's fields. A field the user left unset stays unset even if the spec now has it:
 * having no title may be their choice. Deprecated by the spec or by the user is deprecated.
 */
function mergeAction(current: Action, fresh: Action): Action {
  const merged: Record<string, unknown> = { ...fresh };
  for (const field of USER_FIELDS) {
    if (field in current) merged[field] = current[field];
    else delete merged[field];
  }
  merged.deprecated = current.deprecated || fresh.deprecated;
  merged.parameters = keptInputNames(current, fresh);
  return merged as Action;
}

/**
 * The spec's parameters under the input names they had (matched by location and wire name): workflows call the action
 * with them, whether the user chose them or an earlier import did. Not when that would give two parameters one input
 * name, as when the spec adds a parameter named like a chosen one: then the spec's input names.
 */
function keptInputNames(current: Action, fresh: Action): Parameter[] {
  const before = new Map(current.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  const kept = fresh.parameters.map((p) => {
    const old = before.get(`${p.in}:${p.name}`);
    if (!old || old.input === p.input) return p;
    const { input: _spec, ...rest } = p;
    return old.input === undefined ? rest : { ...rest, input: old.input };
  });
  const names = kept.map(inputName);
  if (fresh.requestBody) names.push('body');
  return new Set(names).size === names.length ? kept : fresh.parameters;
}

/**
 * Names for the added actions: the generated one when no kept action has it, else the first free of name_2, name_3...
 * Deterministic, and stable afterwards: the next re-import matches the action by operationId and keeps its name.
 */
function addedNames(kept: readonly string[], generated: readonly string[]): string[] {
  const taken = new Set([...kept, ...generated]);
  return generated.map((name) => {
    if (!kept.includes(name)) return name;
    let n = 2;
    while (taken.has(suffixed(name, n))) n++;
    const unique = suffixed(name, n);
    taken.add(unique);
    return unique;
  });
}

const MAX_NAME_LENGTH = Action.shape.name.maxLength ?? Number.POSITIVE_INFINITY;

function suffixed(name: string, n: number): string {
  const suffix = `_${n}`;
  return name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}
