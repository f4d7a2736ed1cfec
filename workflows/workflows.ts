/**
 * The package's workflows. A worker registers them by re-exporting this module from its workflows file:
 * `export * from 'temporal-custom-integrations/workflows';`
 */
import { integration, type ActionFunction, type ActionInput } from './integration';

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
export { organizationRegistry, type RegistryCarry } from './registry';
export { testConfiguration } from './test-configuration';
export { oauthToken, type TokenWorkflowState } from './oauth-token';
