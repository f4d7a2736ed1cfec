/**
 * Loading definition files: parse, validate against the model, check the icon. Every problem of every file is
 * reported at once with its line:column, and nothing is loaded unless everything is right: a worker never runs with
 * half its integrations.
 *
 * Synchronous, because definitions are loaded once while a worker or plugin is being built.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { visit } from 'yaml';
import {
  findJsonSyntaxError,
  parseYaml,
  SourceLocator,
  toPointer,
  type Position,
  type SourceFormat,
} from '../source-location';
import { DefinitionError, type DefinitionProblem } from './errors';
import { describeIssues } from './issues';
import { Definition } from './model';

const DEFINITION_FILE = /\.(json|ya?ml)$/i;

export interface ParseOptions {
  /** The file the text comes from: named in problems, and the folder an icon path is relative to. */
  file: string;
  /** Default: from the file extension (.json, .yaml, .yml), else JSON if the text starts with "{". */
  format?: SourceFormat;
}

/**
 * Validates one definition. An icon given as a file path is read and inlined as SVG markup, so the definition no
 * longer depends on the folder it came from. Throws a DefinitionError listing every problem.
 */
export function parseDefinition(text: string, options: ParseOptions): Definition {
  return loadedOne(checkDefinition(text, options.file, options.format ?? formatOf(options.file, text)));
}

export function loadDefinitionFile(file: string): Definition {
  return loadedOne(checkFile(file));
}

/** Every *.json, *.yaml and *.yml file of `dir`, in file name order; integration names must be unique across them. */
export function loadDefinitions(dir: string): Definition[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`cannot read the definitions folder ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  const files = names
    .filter((name) => DEFINITION_FILE.test(name))
    .sort()
    .map((name) => path.join(dir, name))
    // A dangling link stays in, to be reported as a file that cannot be read.
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? true);
  const checked = files.map(checkFile);
  const first = new Map<string, string>();
  for (const { file, name, problems } of checked) {
    if (!name) continue;
    const other = first.get(name.value);
    if (other === undefined) first.set(name.value, file);
    else {
      problems.push({
        file,
        pointer: '/name',
        ...name.at,
        message: `integration name "${name.value}" is already used by ${other}; integration names must be unique (they prefix activity names)`,
      });
    }
  }
  return loaded(checked);
}

interface Checked {
  file: string;
  problems: DefinitionProblem[];
  definition?: Definition;
  /** The integration name as written, where it is, when it is a string: for the uniqueness check across files. */
  name?: { value: string; at: Position };
}

function loaded(checked: readonly Checked[]): Definition[] {
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) throw new DefinitionError(problems);
  return checked.flatMap((c) => (c.definition ? [c.definition] : []));
}

function loadedOne(checked: Checked): Definition {
  if (!checked.definition) throw new DefinitionError(checked.problems);
  return checked.definition;
}

function checkFile(file: string): Checked {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { file, problems: [{ file, pointer: '', line: 1, column: 1, message: `cannot read the file: ${errorMessage(error)}` }] };
  }
  return checkDefinition(text, file, formatOf(file, text));
}

/** The format a definition file is read in: by extension, else JSON if the text starts with "{". */
export function formatOf(file: string, text: string): SourceFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function checkDefinition(source: string, file: string, format: SourceFormat): Checked {
  // Editors do not count a byte order mark as a column, so positions are taken in the text after it.
  const text = source.replace(/^\uFEFF/, '');
  const problems: DefinitionProblem[] = [];
  const add = (pointer: string, at: Position, message: string) => problems.push({ file, pointer, ...at, message });

  if (text.trim() === '') {
    add('', { line: 1, column: 1 }, 'the file is empty; a definition is an object with name, description, hostname and actions');
    return { file, problems };
  }
  const parsed = parse(text, format);
  if (parsed.syntax.length > 0) {
    for (const { offset, message } of parsed.syntax) add('', parsed.locator.position(offset), message);
    return { file, problems };
  }
  const { data, locator } = parsed;
  const at = (pointer: string): Position => {
    const { line, column } = locator.locate(pointer);
    return { line, column };
  };

  const icon = field(data, 'icon');
  const iconFile = typeof icon === 'string' ? checkIconFile(icon, file) : undefined;
  if (iconFile && 'problem' in iconFile) add('/icon', at('/icon'), iconFile.problem);

  const result = Definition.safeParse(data);
  if (!result.success) {
    for (const { path: issuePath, message } of describeIssues(Definition, result.error.issues, data)) {
      const pointer = toPointer(issuePath);
      // The model only sees the icon's name; what the file holds says more, so that problem replaces the model's.
      if (pointer === '/icon' && iconFile && 'problem' in iconFile) continue;
      add(pointer, at(pointer), message);
    }
  }

  const name = field(data, 'name');
  const checked: Checked = { file, problems, ...(typeof name === 'string' && { name: { value: name, at: at('/name') } }) };
  if (result.success && problems.length === 0) {
    checked.definition = iconFile && 'svg' in iconFile ? { ...result.data, icon: iconFile.svg } : result.data;
  }
  return checked;
}

type Parsed = { locator: SourceLocator; syntax: { offset: number; message: string }[]; data?: unknown };

function parse(text: string, format: SourceFormat): Parsed {
  if (format === 'json') {
    const locator = new SourceLocator(text, 'json');
    try {
      return { locator, syntax: [], data: JSON.parse(text) };
    } catch (error) {
      // JSON.parse does not always say where; the scanner does, in words meant for people editing the file.
      return { locator, syntax: [findJsonSyntaxError(text) ?? { offset: 0, message: errorMessage(error) }] };
    }
  }
  const yaml = parseYaml(text);
  const locator = new SourceLocator(text, 'yaml', yaml);
  // Warnings too (an unknown tag, say): a definition is configuration, where a silently ignored line is a bug.
  const syntax = [...yaml.document.errors, ...yaml.document.warnings].map((e) => ({ offset: e.pos[0], message: e.message }));
  if (syntax.length > 0) return { locator, syntax };
  try {
    return { locator, syntax: [], data: yaml.document.toJS() };
  } catch (error) {
    // An alias without its anchor, most likely: the yaml package says which, not where.
    let offset = 0;
    visit(yaml.document, {
      Alias(_, alias) {
        if (alias.resolve(yaml.document)) return undefined;
        offset = alias.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return { locator, syntax: [{ offset, message: errorMessage(error) }] };
  }
}

function field(data: unknown, key: string): unknown {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Icon

/** An <svg> root, after what may precede it in an SVG file: XML declaration, processing instructions, comments, doctype. */
const SVG_START = /^\s*(?:(?:<\?[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[^\]]*\])?\s*>)\s*)*<svg[\s>]/i;

/** File signatures of the image formats people give instead of SVG, so the message can say what the file is. */
const IMAGE_SIGNATURES: [string, (bytes: Buffer) => boolean][] = [
  ['PNG', (b) => b.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))],
  ['JPEG', (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))],
  ['GIF', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  ['WebP', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
  ['ICO', (b) => b.subarray(0, 4).equals(Buffer.from([0x00, 0x00, 0x01, 0x00]))],
  ['BMP', (b) => b.subarray(0, 2).toString('latin1') === 'BM'],
  ['gzip-compressed (.svgz)', (b) => b.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))],
];

/**
 * The SVG markup of an icon given as a file path (relative to the definition file), or why it cannot be used.
 * Undefined for inline markup and data URLs, which the model checks on its own.
 */
function checkIconFile(icon: string, file: string): { svg: string } | { problem: string } | undefined {
  const trimmed = icon.trim();
  if (trimmed.startsWith('<') || trimmed.startsWith('data:')) return undefined;
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(trimmed)) {
    return { problem: 'icons are not fetched from URLs; save the SVG file next to the definition and give its name' };
  }
  const shown = path.isAbsolute(icon) ? icon : path.join(path.dirname(file), icon);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.resolve(path.dirname(file), icon));
  } catch (error) {
    return {
      problem: hasCode(error, 'ENOENT')
        ? `icon file ${shown} does not exist (an icon path is relative to the definition file)`
        : `cannot read icon file ${shown}: ${errorMessage(error)}`,
    };
  }
  const image = IMAGE_SIGNATURES.find(([, matches]) => matches(bytes))?.[0];
  if (image) return { problem: `icon file ${shown} is a ${image} image; icons must be SVG` };
  const text = bytes.toString('utf8');
  const start = SVG_START.exec(text);
  if (!start) {
    return { problem: `icon file ${shown} is not SVG: it must be an <svg> element (after an optional XML declaration, comments or doctype)` };
  }
  // Inlined from the <svg> element on: what precedes it serves files, not markup, and the model accepts markup that starts there.
  return { svg: text.slice(start[0].length - '<svg '.length) };
}

// Duck-typed rather than instanceof Error: errors from node:fs may come from another realm (jest's, for one).
function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function errorMessage(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}
