/** Which of a definition's shared schemas (`{"$ref": "#/schemas/Name"}`) a part of it uses. */
import { parsePointer } from '../source-location';
import type { Definition } from './model';

/** Names of the shared schemas `value` refers to, and of those they refer to in turn. */
export function reachedSchemas(value: unknown, schemas: Definition['schemas']): Set<string> {
  const reached = new Set<string>();
  const pending = schemaRefs(value);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reached.has(name) || !Object.hasOwn(schemas, name)) continue;
    reached.add(name);
    pending.push(...schemaRefs(schemas[name]));
  }
  return reached;
}

function schemaRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) schemaRefs(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const name = key === '$ref' && typeof child === 'string' ? schemaName(child) : undefined;
      if (name !== undefined) found.push(name);
      else schemaRefs(child, found);
    }
  }
  return found;
}

/** "#/schemas/Bird", or a pointer into it, names Bird. */
function schemaName(ref: string): string | undefined {
  if (!ref.startsWith('#/schemas/')) return undefined;
  try {
    return parsePointer(ref.slice(1))[1];
  } catch {
    // A malformed pointer names no schema; that is for the definition's own checks to report.
    return undefined;
  }
}
