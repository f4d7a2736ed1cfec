/**
 * Full validation against the OpenAPI (or Swagger 2.0) JSON Schema with @scalar/openapi-parser.
 *
 * Off for `import` unless asked (`validate: true`, --validate), always on for `lint`. Measured on the 41 real specs
 * (Node 20, one process per run): a validation costs about 0.45 s before it reads the first byte (0.18 s to load
 * the module, then 0.2-0.3 s to compile the meta-schema with Ajv, which scalar redoes on every call) plus 0.1-0.3 s
 * per MB (Graph, 19 MB: 2.1 s; Autotask, 3.7 MB: 2.1 s). The whole import of a small spec takes less than that fixed
 * cost alone, so validating every import would make it slower than scalar's validate + dereference on every spec.
 * And what only this validation finds does not change the import: unknown keys (Cloudflare's `4xx` responses),
 * missing response descriptions (Asana), `flows` on an apiKey scheme (HubSpot). Everything an import depends on
 * (refs, operations, parameters, schemas, security) is checked by the import itself, with locations.
 *
 * Reference and path-parameter errors are left out: the import reports those itself, located.
 */
import type { Messages } from './messages';
import type { Json } from './refs';

/** Beyond this many, the rest are counted in one message: a spec off the schema in one way is usually so everywhere. */
const MAX_MESSAGES = 100;
const OWN_CHECKS = new Set(['INVALID_REFERENCE', 'EXTERNAL_REFERENCE_NOT_FOUND', 'SELF_REFERENCE']);

export async function validateSpec(document: Json, version: string, messages: Messages): Promise<void> {
  // A real dynamic import, kept so by TypeScript in CommonJS output: the package is ESM-only.
  const { validate } = await import('@scalar/openapi-parser');
  // When its error formatter fails on a spec, scalar prints the stack to stderr and falls back to Ajv's own errors.
  const consoleError = console.error;
  console.error = () => undefined;
  let pending: ReturnType<typeof validate>;
  try {
    pending = validate(document);
  } finally {
    console.error = consoleError;
  }
  const { errors = [] } = await pending;
  const seen = new Set<string>();
  let extra = 0;
  for (const error of errors) {
    const { path } = error as { path?: unknown };
    if (OWN_CHECKS.has(String((error as { code?: unknown }).code)) || Array.isArray(path)) continue;
    const pointer = typeof path === 'string' ? path : '';
    const key = `${pointer} ${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > MAX_MESSAGES) {
      extra++;
      continue;
    }
    messages.warning(
      'openapi-schema',
      pointer,
      `not valid ${version}: ${error.message}`,
      'Correct the spec; the import does not depend on this, but other tools may reject the file.',
    );
  }
  if (extra > 0) {
    messages.warning(
      'openapi-schema',
      '',
      `${extra} more places are not valid ${version}`,
      'Run a full OpenAPI validator on the file to see them all.',
    );
  }
}
