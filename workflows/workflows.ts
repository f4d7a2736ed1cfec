/**
 * The package's workflows. A worker registers them by re-exporting this module from its workflows file:
 * `export * from 'temporal-custom-integrations/workflows';`
 */
import { integration, type ActionFunction, type ActionInput } from './integration';
import type { RegistryCarry } from './registry';

export interface CallActionRequest {
  readonly integration: string;
  readonly action: string;
  readonly input?: ActionInput;
  readonly configuration?: string;
}

/** Runs one action as an activity; the CLI's `call` command starts it so every call is a visible, durable run. */
export async function callAction(request: CallActionRequest): Promise<unknown> {
  const call = integration(request.integration)[request.action] as ActionFunction<ActionInput, unknown>;
  return call(request.input ?? {}, request.configuration === undefined ? undefined : { configuration: request.configuration });
}

export { paginate, type PaginateRequest, type PaginateResult, type PaginateProgress, type PaginateState } from './paginate';
export type { RegistryCarry } from './registry';

/**
 * The organization registry (workflows/registry.ts), loaded when it runs. With the SDK's reusable V8 context every
 * workflow evaluates the bundle's modules for itself, and the registry's rules build the definition and configuration
 * zod schemas: ~1.2 MB of worker memory for each cached workflow (token, pagination, call) that never needs them.
 */
export async function organizationRegistry(carry?: RegistryCarry): Promise<never> {
  const registry = require('./registry') as typeof import('./registry');
  return registry.organizationRegistry(carry);
}
export { testConfiguration } from './test-configuration';
export { oauthToken, type TokenWorkflowState } from './oauth-token';
