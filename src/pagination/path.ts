/**
 * Dotted paths into a JSON response ("results", "data.items", "pages.0.items"), as the definition's resultsKey,
 * hasMorePath and nextPageKey are written.
 */
const MISSING = Symbol('missing');

/** The value at the path, or a marker `isMissing` recognises when a step does not exist. */
export function valueAt(body: unknown, path: string): unknown {
  let current = body;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return MISSING;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const isMissing = (value: unknown): value is typeof MISSING => value === MISSING;
