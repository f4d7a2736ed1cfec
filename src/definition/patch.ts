/**
 * Edits as changes at paths. The same changes are made to a loaded Definition and to the file as the user wrote it,
 * where defaults are left out, the icon is a file name and YAML has comments: a file must change only where the edit
 * does, so it cannot simply be rewritten from the Definition.
 */
import { toPointer } from '../source-location';
import type { Definition } from './model';
import { validDefinition } from './validate';

export type PatchPath = readonly (string | number)[];

/** `set` creates the objects missing on its path; `remove` takes an item out of an array. Patches apply in order. */
export type Patch =
  | { readonly op: 'set'; readonly path: PatchPath; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: PatchPath };

/**
 * `data` (plain JSON data) with the patches made. The input is left as it was: the objects and arrays on a patch's
 * path are copied, the rest is shared.
 */
export function applyPatches<T>(data: T, patches: readonly Patch[]): T {
  return patches.reduce<unknown>((value, patch) => patched(value, patch, 0), data) as T;
}

function patched(value: unknown, patch: Patch, depth: number): unknown {
  const key = patch.path[depth];
  if (key === undefined) throw new Error('a patch needs a path');
  const copy = copied(value === undefined && patch.op === 'set' ? {} : value, patch.path.slice(0, depth));
  if (depth < patch.path.length - 1) copy[key] = patched(copy[key], patch, depth + 1);
  else if (patch.op === 'set') copy[key] = patch.value;
  else if (Array.isArray(copy) && typeof key === 'number' && key < copy.length) copy.splice(key, 1);
  else throw new Error(`cannot remove ${toPointer(patch.path)}: not an item of an array`);
  return copy;
}

function copied(value: unknown, path: PatchPath): Record<string | number, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<number, unknown>;
  if (value !== null && typeof value === 'object') return { ...value };
  throw new Error(`cannot patch inside ${toPointer(path)}: it is not an object or array`);
}

/** The definition with the patches made, validated. */
export function patchDefinition(def: Definition, patches: readonly Patch[]): Definition {
  return validDefinition(applyPatches(def, patches));
}
