/**
 * The JSON Schema of definition files, published as definition.schema.json so editors complete and check them
 * ("$schema": "../definition.schema.json"). Generated from the zod model, so the file format has one home.
 */
import { z } from 'zod';
import { Definition } from './model';

/** Where the published package serves the file; editors use it to tell schemas apart. */
export const DEFINITION_SCHEMA_ID = 'urn:temporal-custom-integrations:definition';

export function definitionJsonSchema(): Record<string, unknown> {
  // The input side: what a file may contain, where keys with defaults are optional.
  // Draft 7: the dialect both VS Code's JSON support and the YAML language server implement fully.
  const { $schema, ...schema } = z.toJSONSchema(Definition, { io: 'input', target: 'draft-7' });
  return {
    $schema,
    $id: DEFINITION_SCHEMA_ID,
    title: 'Custom integration definition',
    description: 'A REST API as Temporal activities: its host, authentication, pagination and one action per operation.',
    ...schema,
  };
}
