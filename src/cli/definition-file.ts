/**
 * Editing a definition file in place. The edit is made in the file as written (key order, defaults left out, an icon
 * kept as a file name; in YAML, comments and styles too), the result must load as exactly the edited definition, and
 * only then is it swapped in: a reader sees the old file or the new one, never half of one.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { formatOf, parseDefinition } from '../definition/load';
import type { Definition } from '../definition/model';
import { applyPatches, patchDefinition, type Patch } from '../definition/patch';
import { parseYaml, type SourceFormat } from '../source-location';
import { UsageError } from './args';
import { writeAtomically } from './write-atomically';

export interface DefinitionFile {
  readonly file: string;
  readonly text: string;
  readonly format: SourceFormat;
  readonly definition: Definition;
}

/** Throws a DefinitionError (with line:column) when the file is not a valid definition: edits start from valid ones. */
export function openDefinitionFile(file: string): DefinitionFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const format = formatOf(file, text);
  return { file, text, format, definition: parseDefinition(text, { file, format }) };
}

/** Makes the patches in the file; returns the definition it now holds. */
export function savePatched(opened: DefinitionFile, patches: readonly Patch[]): Definition {
  const expected = patchDefinition(opened.definition, patches);
  const text = patchedText(opened, patches);
  const saved = parseDefinition(text, { file: opened.file, format: opened.format });
  // YAML anchors and merge keys share one node between several places: an edit there would change more than asked.
  if (!isDeepStrictEqual(saved, expected)) {
    throw new Error(`cannot edit ${opened.file} in place (anchors or merge keys?); the file is left as it was`);
  }
  writeAtomically(opened.file, text);
  return saved;
}

function patchedText({ text, format }: DefinitionFile, patches: readonly Patch[]): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const patched = format === 'json' ? jsonText(body, patches) : yamlText(body, patches);
  return bom + (body.includes('\r\n') ? patched.replaceAll('\n', '\r\n') : patched);
}

/** JSON is written anew, with the file's indentation (none for a one-line file) and key order. */
function jsonText(text: string, patches: readonly Patch[]): string {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  return JSON.stringify(applyPatches(JSON.parse(text) as unknown, patches), null, indent) + (text.endsWith('\n') ? '\n' : '');
}

function yamlText(text: string, patches: readonly Patch[]): string {
  const { document } = parseYaml(text);
  for (const patch of patches) {
    if (patch.op === 'set') document.setIn(patch.path, patch.value);
    else document.deleteIn(patch.path);
  }
  // No folding: a long line stays one line, as most files have it.
  return document.toString({ lineWidth: 0 });
}

