/**
 * Reading a spec: a local file or an http(s) URL, gzip-compressed or not, JSON or YAML.
 *
 * YAML goes through js-yaml rather than the `yaml` package the definition loader uses: on the real specs (up to
 * 3.5 MB of YAML) js-yaml parses 4-8x faster. Its CORE_SCHEMA is YAML 1.2's: dates stay strings, and the YAML 1.1
 * `=` value tag Zendesk's spec trips over reads as the string "=" (see yaml-locations.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { findJsonSyntaxError, SourceLocator, type Position, type SourceFormat } from '../source-location';
import { fileError, type ImportError } from './messages';
import { jsYaml, YamlLocator } from './yaml-locations';

/** A file or URL, or text already read (fileName names it in messages and decides JSON or YAML). */
export type SpecSource = string | { text: string; fileName: string };

export interface SpecFile {
  /** The file name or URL, as given: named in messages. */
  name: string;
  /** Absolute path when the spec is a local file: external `$ref`s are resolved next to it. */
  path?: string;
  text: string;
  format: SourceFormat;
  data: unknown;
  /** Line and column of a JSON pointer's value in `text`; `prepare` (when there is one) is told all of them first. */
  locator: { locate(pointer: string): Position; prepare?(pointers: Iterable<string>): void };
}

const URL_SOURCE = /^https?:\/\//i;
const GZIP_MAGIC = [0x1f, 0x8b];

export async function readSpec(source: SpecSource): Promise<SpecFile> {
  if (typeof source !== 'string') {
    const local = URL_SOURCE.test(source.fileName) ? undefined : path.resolve(source.fileName);
    return parseSpec(source.text, source.fileName, local);
  }
  if (URL_SOURCE.test(source)) return parseSpec(decode(await download(source), source), source, undefined);
  return readLocalSpec(path.resolve(source), source);
}

/** A local file, read synchronously: also how external `$ref`s to sibling files are loaded. */
export function readLocalSpec(file: string, name = file): SpecFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw fileError(name, 'cannot read the file', (error as Error).message, 'Check the path and the file\'s permissions.');
  }
  return parseSpec(decode(bytes, name), name, file);
}

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw fileError(url, 'cannot download the spec', (error as Error).message, 'Check the URL and the network, or download the file and import it.');
  }
  if (!response.ok) {
    const fix = 'Check the URL (a spec behind a login cannot be fetched: download it and import the file).';
    throw fileError(url, 'cannot download the spec', `HTTP ${response.status} ${response.statusText}`, fix);
  }
  return Buffer.from(await response.arrayBuffer());
}

/** Text of the bytes, gunzipped when they are gzip (by content, not by name: a server may send a .gz as is). */
function decode(bytes: Buffer, name: string): string {
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch (error) {
      throw fileError(
        name,
        'cannot decompress the file',
        (error as Error).message,
        'The file starts like gzip but is not valid gzip: download it again.',
      );
    }
  }
  return bytes.toString('utf8');
}

function parseSpec(source: string, name: string, file: string | undefined): SpecFile {
  // Editors do not count a byte order mark as a column, so positions are taken in the text after it.
  const text = source.replace(/^\uFEFF/, '');
  const format = formatOf(name, text);
  return { name, ...(file !== undefined && { path: file }), text, format, ...parseText(text, format, name) };
}

function formatOf(name: string, text: string): SourceFormat {
  const extension = path.extname(name.replace(/\.gz$/i, '').replace(/[?#].*$/, '')).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

function parseText(text: string, format: SourceFormat, name: string): Pick<SpecFile, 'data' | 'locator'> {
  if (text.trim() === '') throw syntaxError(name, 1, 1, 'the file is empty');
  if (format === 'json') {
    try {
      // SourceLocator does nothing until asked: a JSON spec is scanned for positions only when there are messages.
      return { data: JSON.parse(text), locator: new SourceLocator(text, 'json') };
    } catch (error) {
      // JSON.parse does not always say where; the scanner does, in words meant for people editing the file.
      const found = findJsonSyntaxError(text) ?? { offset: 0, message: (error as Error).message };
      const { line, column } = new SourceLocator(text, 'json').position(found.offset);
      throw syntaxError(name, line, column, found.message);
    }
  }
  try {
    return YamlLocator.parse(text, name);
  } catch (error) {
    if (!(error instanceof jsYaml().YAMLException)) throw error;
    throw syntaxError(name, (error.mark?.line ?? 0) + 1, (error.mark?.column ?? 0) + 1, error.reason);
  }
}

function syntaxError(name: string, line: number, column: number, message: string): ImportError {
  return fileError(name, 'not valid JSON or YAML', message, 'Correct the file so that it parses, then import again.', { line, column });
}
