/**
 * `custom-integrations actions`: list, rename (by regex, previewed before anything is written), deprecate and remove
 * the actions of one definition file, edited in place.
 */
import {
  deprecatePatches,
  previewRename,
  removePatches,
  renamePatches,
  RENAME_TARGETS,
  type RenameChange,
  type RenameTarget,
} from '../../definition/edit';
import type { Action } from '../../definition/model';
import { EditError } from '../../definition/validate';
import { UsageError } from '../args';
import { openDefinitionFile, savePatched } from '../definition-file';
import type { Command, CommandOptions } from './types';

export const ACTIONS_USAGE = `Usage:
  custom-integrations actions list <definition-file>
  custom-integrations actions rename <definition-file> [<action>...] --pattern REGEX --replacement TEXT
      [--flags FLAGS] [--target ${RENAME_TARGETS.join('|')}] [--camel-case] [--apply]
      Previews the renames (of the actions named, or all); --apply writes them.
  custom-integrations actions deprecate <definition-file> <action>... [--undo]
  custom-integrations actions remove <definition-file> <action>...`;

type Subcommand = (file: string, actions: readonly string[], options: CommandOptions) => number;

const SUBCOMMANDS = new Map<string, Subcommand>([
  ['list', list],
  ['rename', rename],
  ['deprecate', deprecate],
  ['remove', remove],
]);

export const actionsCommand: Command = async ({ args, options }) => {
  const [name, file, ...actions] = args;
  const subcommand = name === undefined ? undefined : SUBCOMMANDS.get(name);
  if (!subcommand || file === undefined) throw new UsageError(ACTIONS_USAGE);
  try {
    return subcommand(file, actions, options);
  } catch (error) {
    // Unknown action names, an invalid pattern: what to fix is in the arguments.
    if (error instanceof EditError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
};

function list(file: string, actions: readonly string[]): number {
  if (actions.length > 0) throw new UsageError('actions list takes only the definition file');
  const { definition } = openDefinitionFile(file);
  console.log(`${definition.name}: ${count(definition.actions.length, 'action')}`);
  const rows = definition.actions.map((a) => [a.name, a.method, a.path, a.title ?? '', a.operationId ?? '', flags(a)]);
  console.log(table([['NAME', 'METHOD', 'PATH', 'TITLE', 'OPERATION', 'FLAGS'], ...rows]));
  const removed = definition.import?.removedOperations ?? [];
  if (removed.length > 0) console.log(`removed operations, left out of re-imports: ${removed.join(', ')}`);
  return 0;
}

function rename(file: string, actions: readonly string[], options: CommandOptions): number {
  const { pattern, replacement } = options;
  if (pattern === undefined || replacement === undefined) throw new UsageError('actions rename needs --pattern and --replacement');
  const target = renameTarget(options.target ?? 'name');
  const opened = openDefinitionFile(file);
  const changes = previewRename(opened.definition, {
    pattern,
    flags: options.flags,
    replacement,
    target,
    actions: actions.length > 0 ? actions : undefined,
    camelCase: options['camel-case'] ?? false,
  });
  if (changes.length === 0) {
    console.log(`nothing to rename: the pattern changes no ${target === 'both' ? 'name or description' : target} in ${file}`);
    return 0;
  }
  console.log(renameTable(changes));
  const problems = changes.filter((change) => change.problem).length;
  if (problems > 0) {
    console.error(`${count(problems, 'change')} of ${changes.length} cannot be made; nothing was written`);
    return 1;
  }
  if (!options.apply) {
    console.log(`${count(changes.length, 'change')} previewed; nothing was written (add --apply to write them)`);
    return 0;
  }
  savePatched(opened, renamePatches(opened.definition, changes));
  console.log(`${count(changes.length, 'change')} written to ${file}`);
  return 0;
}

function deprecate(file: string, actions: readonly string[], options: CommandOptions): number {
  if (actions.length === 0) throw new UsageError('actions deprecate needs the names of the actions');
  const deprecated = !options.undo;
  const opened = openDefinitionFile(file);
  const patches = deprecatePatches(opened.definition, actions, deprecated);
  const names = [...new Set(actions)].join(', ');
  if (patches.length === 0) {
    console.log(`${names}: already ${deprecated ? 'deprecated' : 'not deprecated'}; nothing was written`);
    return 0;
  }
  savePatched(opened, patches);
  console.log(`${deprecated ? 'deprecated' : 'no longer deprecated'} in ${file}: ${names}`);
  return 0;
}

function remove(file: string, actions: readonly string[]): number {
  if (actions.length === 0) throw new UsageError('actions remove needs the names of the actions');
  const opened = openDefinitionFile(file);
  const saved = savePatched(opened, removePatches(opened.definition, actions));
  console.log(`removed from ${file}: ${[...new Set(actions)].join(', ')}`);
  const before = opened.definition.import?.removedOperations ?? [];
  const recorded = (saved.import?.removedOperations ?? []).filter((operation) => !before.includes(operation));
  if (recorded.length > 0) console.log(`re-imports will leave out ${recorded.join(', ')} (recorded in import.removedOperations)`);
  return 0;
}

function renameTarget(value: string): RenameTarget {
  const target = RENAME_TARGETS.find((t) => t === value);
  if (!target) throw new UsageError(`--target must be one of ${RENAME_TARGETS.join(', ')}; got "${value}"`);
  return target;
}

function renameTable(changes: readonly RenameChange[]): string {
  const problems = changes.some((change) => change.problem);
  const header = ['ACTION', 'FIELD', 'BEFORE', '', 'AFTER', ...(problems ? ['PROBLEM'] : [])];
  const rows = changes.map((c) => [c.action, c.field, shown(c.before), '->', shown(c.after), ...(problems ? [c.problem ?? ''] : [])]);
  return table([header, ...rows]);
}

function flags(action: Action): string {
  return [action.paginated && 'paginated', action.deprecated && 'deprecated'].filter(Boolean).join(', ');
}

/** Columns padded to their widest cell, so that before and after line up. */
function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** A text as one table cell: quoted when line breaks, tabs or edge spaces would otherwise be lost in the layout. */
function shown(text: string): string {
  return text === '' || /[\n\r\t]/.test(text) || text !== text.trim() ? JSON.stringify(text) : text;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
