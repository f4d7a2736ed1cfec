/**
 * The Custom API Request's input as the activity checks it (src/custom-api-request.ts has its name and types). Not
 * for workflow code: every workflow evaluates the modules it imports for itself, and building zod schemas there costs
 * ~1 MB of worker memory per cached workflow.
 */
import { z } from 'zod';
import { HTTP_METHODS, REQUEST_CONTENT_TYPES } from './definition/model';

const QueryValue = z.union([z.string(), z.number(), z.boolean()]);

export const CustomApiRequest = z
  .object({
    integration: z.string().min(1),
    method: z.enum(HTTP_METHODS).default('GET'),
    path: z.string().min(1).describe('Path below the integration base path, e.g. "/users/42".'),
    query: z.record(z.string(), z.union([QueryValue, z.array(QueryValue)])).default({}),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    contentType: z.enum(REQUEST_CONTENT_TYPES).default('application/json'),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();
export type CustomApiRequest = z.input<typeof CustomApiRequest>;
