/**
 * Zod issues in the words of the file format: an unknown key with the key probably meant, the values allowed, the
 * whole allowed range, and what the file has instead. Messages the model writes itself are kept as they are.
 */
import { z } from 'zod';

export interface IssueReport {
  path: (string | number)[];
  message: string;
}

/** One report per problem; an issue about several unknown keys gives one per key, each at its key. */
export function describeIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], data: unknown): IssueReport[] {
  // A per-action pagination override is checked alone and again merged over the default: report each problem once.
  const seen = new Set<string>();
  return issues
    .flatMap((issue) => describeIssue(schema, issue, data))
    .filter((report) => {
      const key = JSON.stringify(report);
      return !seen.has(key) && seen.add(key);
    });
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, data: unknown): IssueReport[] {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  const value = valueAt(data, path);
  const report = (message: string): IssueReport[] => [{ path, message }];
  if (issue.message !== defaultMessage(issue, value)) return report(issue.message);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schemaAt(schema, data, path));
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownKey(key, allowed) }));
    }
    case 'invalid_type':
      if (value === undefined) return report(`required, but missing (${typeName(issue.expected)})`);
      return report(`expected ${typeName(issue.expected)}, got ${show(value)}`);
    case 'invalid_value':
      return report(oneOf(issue.values, value));
    case 'invalid_union':
      if ('options' in issue && issue.options) return report(oneOf(issue.options, value));
      break;
    case 'too_small':
    case 'too_big':
      return report(`${outOfRange(issue, schemaAt(schema, data, path))}; got ${show(value)}`);
    case 'invalid_format':
      return report(`must be ${issue.format === 'url' ? 'an absolute URL, e.g. https://example.com/token' : `a valid ${issue.format}`}; got ${show(value)}`);
    case 'invalid_key':
      return report(`key ${show(path[path.length - 1])}: ${issue.issues.map((inner) => inner.message).join('; ')}`);
  }
  return report(issue.message);
}

/** What zod would have said: a different message was written on purpose in the model and is better kept. */
function defaultMessage(issue: z.core.$ZodIssue, value: unknown): string | undefined {
  const made = z.config().localeError?.({ ...issue, input: value } as never);
  return typeof made === 'string' ? made : made?.message;
}

function unknownKey(key: string, allowed: string[] | undefined): string {
  if (!allowed) return 'unknown key';
  const near = closest(key, allowed);
  return near ? `unknown key; did you mean ${show(near)}?` : `unknown key; the keys allowed here are ${allowed.join(', ')}`;
}

function oneOf(values: readonly unknown[], value: unknown): string {
  const list = values.map(show).join(', ');
  const allowed = values.length === 1 ? list : `one of ${list}`;
  if (value === undefined) return `required, but missing (${allowed})`;
  const near = typeof value === 'string' ? closest(value, values.filter((v) => typeof v === 'string')) : undefined;
  return `must be ${allowed}; got ${show(value)}${near ? `: did you mean ${show(near)}?` : ''}`;
}

/** The whole range when the schema has both bounds (people fix a value faster knowing both ends), else the one broken. */
function outOfRange(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, schema: z.core.$ZodType | undefined): string {
  if (schema instanceof z.ZodNumber && issue.inclusive) {
    const kind = schema.isInt ? 'an integer' : 'a number';
    const min = bound(schema.minValue);
    const max = bound(schema.maxValue);
    if (min !== undefined && max !== undefined) return `must be ${kind} from ${min} to ${max}`;
  }
  const [least, most] = issue.inclusive ? ['at least', 'at most'] : ['more than', 'less than'];
  const limit = issue.code === 'too_small' ? `${least} ${issue.minimum}` : `${most} ${issue.maximum}`;
  if (issue.origin === 'string') return issue.code === 'too_small' && issue.minimum === 1 ? 'must not be empty' : `must be ${limit} characters long`;
  if (issue.origin === 'array') return `must have ${limit} items`;
  return `must be ${limit}`;
}

/** A bound that limits something: integers carry the safe-integer range as bounds nobody wrote. */
function bound(value: number | null): number | undefined {
  return value !== null && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    object: 'an object',
    record: 'an object',
    array: 'an array',
  };
  return names[expected] ?? expected;
}

/** A value as a message shows it: scalars as written in JSON (long strings cut), containers by kind. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) value = childOf(value, segment);
  return value;
}

function childOf(value: unknown, segment: string | number): unknown {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, segment)
    ? (value as Record<string | number, unknown>)[segment]
    : undefined;
}

/** The schema of the value at `path`, following the data through defaults, optionals and discriminated unions. */
function schemaAt(root: z.core.$ZodType, data: unknown, path: readonly (string | number)[]): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = root;
  let value = data;
  for (const segment of path) {
    const here = resolve(schema, value);
    if (here instanceof z.ZodObject) schema = here.shape[segment];
    else if (here instanceof z.ZodArray) schema = here.element;
    else if (here instanceof z.ZodRecord) schema = here.valueType;
    else return undefined;
    value = childOf(value, segment);
  }
  return resolve(schema, value);
}

function resolve(schema: z.core.$ZodType | undefined, value: unknown): z.core.$ZodType | undefined {
  let resolved = schema;
  while (resolved instanceof z.ZodDefault || resolved instanceof z.ZodOptional) resolved = resolved.unwrap();
  if (resolved instanceof z.ZodDiscriminatedUnion) {
    const key = resolved._zod.def.discriminator;
    const tag = childOf(value, key);
    return resolved.options.find((option) => option instanceof z.ZodObject && option.shape[key]?.safeParse(tag).success);
  }
  return resolved;
}

/** Keys of a strict object; undefined where any key is allowed, since an unknown key there was refused elsewhere. */
function allowedKeys(schema: z.core.$ZodType | undefined): string[] | undefined {
  return schema instanceof z.ZodObject && schema._zod.def.catchall instanceof z.ZodNever ? Object.keys(schema.shape) : undefined;
}

/** The candidate a typo most likely meant: case aside, at most a third of the letters wrong. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
