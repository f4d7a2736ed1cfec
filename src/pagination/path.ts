/**
 * Paths into a JSON response, as the definition's resultsKey, hasMorePath and nextPageKey are written:
 *
 * - `results`, `data.items`, `pages.0.items`: keys separated by dots;
 * - `$`: the body itself (GitHub's list operations answer a bare array);
 * - `['@odata.nextLink']` (or `["..."]`, `\'` and `\\` escaped): a key that holds dots or brackets;
 * - `[0]`: an array index; a leading `$` is allowed anywhere (`$.data`, `$['@odata.nextLink']`).
 *
 * The syntax is a subset of JSONPath's, so a path written here also reads the same as a pointerPath. No import:
 * the definition model (bundled into workflows) validates paths with it.
 */
const MISSING = Symbol('missing');

export type PathSegment = string | number;

export class PathSyntaxError extends Error {
  override readonly name = 'PathSyntaxError';
}

/** Parsed paths by text: the same few paths are read on every page. Bounded, since paths may come from callers. */
const parsed = new Map<string, readonly PathSegment[]>();
const CACHE_LIMIT = 1000;

/** The path's keys and indexes; throws PathSyntaxError saying what is wrong and how to write it. */
export function parsePath(path: string): readonly PathSegment[] {
  let segments = parsed.get(path);
  if (segments) return segments;
  segments = parse(path);
  if (parsed.size >= CACHE_LIMIT) parsed.clear();
  parsed.set(path, segments);
  return segments;
}

/** What is wrong with a path, or undefined when it is fine. */
export function pathProblem(path: string): string | undefined {
  try {
    parsePath(path);
    return undefined;
  } catch (err) {
    if (err instanceof PathSyntaxError) return err.message;
    throw err;
  }
}

/** The value at the path, or a marker `isMissing` recognises when a step does not exist. */
export function valueAt(body: unknown, path: string): unknown {
  let current = body;
  for (const key of parsePath(path)) {
    if (typeof current !== 'object' || current === null) return MISSING;
    const name = typeof key === 'number' ? String(key) : key;
    if (!Object.hasOwn(current, name)) return MISSING;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

export const isMissing = (value: unknown): value is typeof MISSING => value === MISSING;

/** A key written without brackets: anything but separators, quotes and a leading `$` (read as the root). */
const PLAIN_KEY = /^[^.[\]'"$\s][^.[\]'"\s]*$/;

/**
 * The path of `segments` in this syntax: dotted where every key allows it ("data.items"), brackets for the others
 * (`['@odata.nextLink']`), `$` for the body itself. `root: true` always starts with `$`, as JSONPath wants.
 */
export function formatPath(segments: readonly PathSegment[], options: { root?: boolean } = {}): string {
  let out = options.root || segments.length === 0 ? '$' : '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out ? `.${segment}` : segment;
    else out += `['${segment.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}

function parse(path: string): PathSegment[] {
  const fail = (what: string): never => {
    throw new PathSyntaxError(
      `path "${path}" ${what}; write keys separated by dots ("data.items"), ['key'] for a key with dots or brackets ("['@odata.nextLink']"), or $ for the whole response body`,
    );
  };
  if (path === '') fail('is empty');
  // The common case, a plain dotted path, without the character walk.
  if (!/[[\]'"$]/.test(path) && !path.startsWith('.') && !path.endsWith('.') && !path.includes('..')) return path.split('.');

  const segments: PathSegment[] = [];
  let i = 0;
  if (path[0] === '$' && (path.length === 1 || path[1] === '.' || path[1] === '[')) i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '[') {
      const quote = path[i + 1];
      if (quote === "'" || quote === '"') {
        let key = '';
        let j = i + 2;
        for (; j < path.length && path[j] !== quote; j++) {
          if (path[j] === '\\') j++;
          if (j >= path.length) break;
          key += path[j];
        }
        if (j >= path.length) fail(`has an unclosed quote at character ${i + 2}`);
        if (path[j + 1] !== ']') fail(`needs "]" after the quoted key at character ${j + 2}`);
        segments.push(key);
        i = j + 2;
      } else {
        const close = path.indexOf(']', i);
        const index = close < 0 ? '' : path.slice(i + 1, close);
        if (!/^\d+$/.test(index)) fail(`has "[${index}${close < 0 ? '' : ']'}" at character ${i + 1}, which is neither an index such as [0] nor a quoted key such as ['a.b']`);
        segments.push(Number(index));
        i = close + 1;
      }
    } else {
      // A key: after a dot, or at the start.
      if (char === '.') {
        if (i === 0) fail('starts with a dot');
        i++;
      } else if (i > 0) {
        fail(`needs a dot before character ${i + 1}`);
      }
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const key = path.slice(i, end);
      if (key === '') fail(i >= path.length ? 'ends with a dot' : `has an empty key at character ${i + 1}`);
      if (/[\]'"]/.test(key)) fail(`has "${key}", a key with a quote or "]" (bracket it: ['${key.replace(/'/g, "\\'")}'])`);
      segments.push(key);
      i = end;
    }
  }
  return segments;
}
