/**
 * Turning `--param k=v` strings into action input. Values are coerced by the parameter's declared schema type, so
 * `--param id=007` stays the string "007" for a string parameter and `--param limit=10` is the number 10.
 */
import { inputName, type Action, type JsonSchemaObject } from '../definition/model';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseParams(action: Action, pairs: readonly string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects name=value, got "${pair}"`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const schema = name === 'body' ? action.requestBody?.schema : action.parameters.find((p) => inputName(p) === name)?.schema;
    const value = coerce(raw, schema, name);
    const previous = input[name];
    // A repeated --param builds an array, as a repeated query parameter would.
    input[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), ...(Array.isArray(value) ? value : [value])];
  }
  return input;
}

function coerce(raw: string, schema: JsonSchemaObject | undefined, name: string): unknown {
  const type = typeOf(schema);
  switch (type) {
    case 'string':
      return raw;
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n) || (type === 'integer' && !Number.isInteger(n))) {
        throw new UsageError(`--param ${name}: "${raw}" is not ${type === 'integer' ? 'an integer' : 'a number'}`);
      }
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`--param ${name}: "${raw}" is not true or false`);
      return raw === 'true';
    case 'array': {
      const items = schema?.items as JsonSchemaObject | undefined;
      return raw.trim().startsWith('[') ? parseJson(raw, name) : raw.split(',').map((part) => coerce(part, items, name));
    }
    default:
      // Undeclared or object-typed: JSON when it parses (numbers, objects), the plain string otherwise.
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
  }
}

function typeOf(schema: JsonSchemaObject | undefined): string | undefined {
  const type = schema?.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  return typeof type === 'string' ? type : undefined;
}

export function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${what}: not valid JSON (${(err as Error).message})`);
  }
}

/** `--override integration=configuration` pairs into an overrides map. */
export function parseOverrides(pairs: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const [integration, configuration, ...rest] = pair.split('=');
    if (!integration || !configuration || rest.length) {
      throw new UsageError(`--override expects integration=configuration, got "${pair}"`);
    }
    overrides[integration] = configuration;
  }
  return overrides;
}
