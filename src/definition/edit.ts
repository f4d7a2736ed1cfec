/**
 * Bulk edits of a definition's actions, as the reference product's action list offers them: regex rename, deprecate,
 * remove. Pure: each edit is a list of patches (what the CLI makes in the file as written) and a function that
 * returns the edited, validated Definition.
 */
import { describeIssues } from './issues';
import { Action, type Definition } from './model';
import { patchDefinition, type Patch } from './patch';
import { EditError } from './validate';

// ---------------------------------------------------------------------------------------------------------------
// Regex rename

export type RenameField = 'name' | 'title' | 'description';
/** `both` is name and description, the two fields every action has. */
export const RENAME_TARGETS = ['name', 'title', 'description', 'both'] as const;
export type RenameTarget = (typeof RENAME_TARGETS)[number];

const TARGET_FIELDS: Record<RenameTarget, readonly RenameField[]> = {
  name: ['name'],
  title: ['title'],
  description: ['description'],
  both: ['name', 'description'],
};

export interface RenameOptions {
  /** A RegExp source, e.g. "(.*?) Get". */
  readonly pattern: string;
  /** RegExp flags; without "g" only the first match of each text is replaced, as String.prototype.replace does. */
  readonly flags?: string;
  /** As String.prototype.replace takes it: $1, $<name>, $& and $$ work. */
  readonly replacement: string;
  readonly target: RenameTarget;
  /** Only these actions, by name; default every action. */
  readonly actions?: readonly string[];
  /** Turn a replaced name into a camelCase identifier: "Get photo records" gives "getPhotoRecords". */
  readonly camelCase?: boolean;
}

export interface RenameChange {
  /** The action's name before the rename. */
  readonly action: string;
  readonly field: RenameField;
  readonly before: string;
  readonly after: string;
  /** Why this change cannot be made; a preview with any problem cannot be applied. */
  readonly problem?: string;
}

/** Every change the rename would make, each with its problem if it has one; texts the pattern leaves alone are not listed. */
export function previewRename(def: Definition, options: RenameOptions): RenameChange[] {
  const pattern = compile(options.pattern, options.flags);
  const changes: RenameChange[] = [];
  for (const index of selectActions(def, options.actions ?? def.actions.map((a) => a.name))) {
    const action = def.actions[index];
    for (const field of TARGET_FIELDS[options.target]) {
      const before = action[field];
      if (before === undefined) continue;
      // A copy per text: a sticky pattern would otherwise carry its lastIndex from one text to the next.
      const replaced = before.replace(new RegExp(pattern), options.replacement);
      // Checked before camelCasing: names the pattern does not change are not respelt either.
      if (replaced === before) continue;
      const after = field === 'name' && options.camelCase ? camelCase(replaced) : replaced;
      if (after !== before) changes.push({ action: action.name, field, before, after });
    }
  }
  return withProblems(def, changes, options.camelCase ?? false);
}

export function applyRename(def: Definition, preview: readonly RenameChange[]): Definition {
  return patchDefinition(def, renamePatches(def, preview));
}

export function renamePatches(def: Definition, preview: readonly RenameChange[]): Patch[] {
  const problems = preview.filter((change) => change.problem).map((c) => `${c.action} ${c.field} "${c.after}": ${c.problem}`);
  if (problems.length > 0) throw new EditError(`the rename cannot be applied:\n  ${problems.join('\n  ')}`);
  return preview.map((change) => {
    const index = def.actions.findIndex((a) => a.name === change.action);
    // A preview made from another version of the definition would overwrite what it never showed.
    if (index === -1 || def.actions[index][change.field] !== change.before) {
      throw new EditError(`the preview is out of date: ${change.action} has no ${change.field} "${change.before}" any more; preview again`);
    }
    return { op: 'set', path: ['actions', index, change.field], value: change.after };
  });
}

function compile(pattern: string, flags: string | undefined): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new EditError(`invalid pattern: ${(error as Error).message}`);
  }
}

function withProblems(def: Definition, changes: RenameChange[], camelCased: boolean): RenameChange[] {
  const renamed = new Map(changes.filter((c) => c.field === 'name').map((c) => [c.action, c.after]));
  const holders = new Map<string, string[]>();
  for (const { name } of def.actions) {
    const final = renamed.get(name) ?? name;
    holders.set(final, [...(holders.get(final) ?? []), name]);
  }
  return changes.map((change) => {
    const others = change.field === 'name' ? (holders.get(change.after) ?? []).filter((name) => name !== change.action) : [];
    const problem = fieldProblem(change, camelCased) ?? (others.length > 0 ? duplicateProblem(change.after, others, renamed) : undefined);
    return problem ? { ...change, problem } : change;
  });
}

/** What the model says of the new value, with the camelCase spelling when that would be a valid name. */
function fieldProblem({ field, after }: RenameChange, camelCased: boolean): string | undefined {
  const problem = valueProblem(field, after);
  if (!problem || field !== 'name' || camelCased) return problem;
  const suggestion = camelCase(after);
  return valueProblem('name', suggestion) ? problem : `${problem}; the camelCase option would make it "${suggestion}"`;
}

function valueProblem(field: RenameField, value: string): string | undefined {
  const schema = Action.shape[field];
  const result = schema.safeParse(value);
  return result.success ? undefined : describeIssues(schema, result.error.issues, value)[0]?.message;
}

function duplicateProblem(name: string, others: readonly string[], renamed: ReadonlyMap<string, string>): string {
  const kept = others.filter((other) => !renamed.has(other));
  return kept.length > 0
    ? `action names must be unique, and "${name}" is already the name of ${kept.join(', ')}`
    : `action names must be unique, and ${others.join(', ')} would be renamed "${name}" too`;
}

/**
 * Words are split at anything but letters and digits, and where the case changes ("HTTPStatus" is HTTP + Status);
 * digits stay with the letters around them ("v2", "2fa").
 */
function camelCase(text: string): string {
  const words = text.match(/[A-Z]+(?![a-z])[0-9]*|[A-Z]?[a-z0-9]+/g) ?? [];
  return words
    .map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()))
    .join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Deprecate, remove

export function deprecateActions(def: Definition, names: readonly string[], deprecated = true): Definition {
  return patchDefinition(def, deprecatePatches(def, names, deprecated));
}

/** Actions already in the state asked for are left alone, so an edit that changes nothing has no patches. */
export function deprecatePatches(def: Definition, names: readonly string[], deprecated = true): Patch[] {
  return selectActions(def, names)
    .filter((index) => def.actions[index].deprecated !== deprecated)
    .map((index) => ({ op: 'set', path: ['actions', index, 'deprecated'], value: deprecated }));
}

/** Removing an imported action records its operation in import.removedOperations, so that a re-import leaves it out. */
export function removeActions(def: Definition, names: readonly string[]): Definition {
  return patchDefinition(def, removePatches(def, names));
}

export function removePatches(def: Definition, names: readonly string[]): Patch[] {
  // From the last: removing an item shifts the indices of those after it.
  const indices = selectActions(def, names).sort((a, b) => b - a);
  const removed = def.import?.removedOperations ?? [];
  const operations = indices.flatMap((index) => def.actions[index].operationId ?? []).filter((id) => !removed.includes(id));
  const patches: Patch[] = indices.map((index) => ({ op: 'remove', path: ['actions', index] }));
  if (operations.length > 0) {
    patches.push({ op: 'set', path: ['import', 'removedOperations'], value: [...removed, ...operations.reverse()] });
  }
  return patches;
}

/** Indices of the named actions, each once; names that are not actions are refused together, with the valid ones. */
function selectActions(def: Definition, names: readonly string[]): number[] {
  const unknown = names.filter((name) => !def.actions.some((a) => a.name === name));
  if (unknown.length > 0) {
    const valid = def.actions.map((a) => a.name);
    throw new EditError(
      `${def.name} has no action ${unknown.map((name) => `"${name}"`).join(', ')}; ` +
        (valid.length > 0 ? `its actions are ${valid.join(', ')}` : 'it has no actions'),
    );
  }
  return def.actions.flatMap((action, index) => (names.includes(action.name) ? [index] : []));
}
