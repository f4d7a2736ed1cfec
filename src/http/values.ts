/** How an input value becomes text in a query string, header, cookie or form field. */
export function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    default:
      // Objects (and arrays nested in lists) have no standard text form; JSON is what APIs taking them expect.
      return JSON.stringify(value);
  }
}

/** The kind of a value for error messages, which must not quote the value itself (it may be large or secret). */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
