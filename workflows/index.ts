/**
 * `temporal-custom-integrations/workflow`: what workflow code imports. Bundle-safe, no Node-only modules.
 * The package's own workflows (callAction, ...) are in `temporal-custom-integrations/workflows`.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import type { ActionCallOptions } from '../src/context';
import { CUSTOM_API_REQUEST, type CustomApiRequest, type CustomApiResponse } from '../src/custom-api-request';
import { scheduleAction } from './integration';

export {
  integration,
  DEFAULT_ACTIVITY_OPTIONS,
  type IntegrationRegistry,
  type IntegrationActions,
  type IntegrationOptions,
  type ActionFunction,
  type ActionInput,
  type PaginateOptions,
} from './integration';
export type { PaginateResult, PaginateProgress } from './paginate';
export type { Page, PageHandler, Position, StopReason } from '../src/pagination/model';
export { integrationContext } from './context';
export type { IntegrationContext, ActionCallOptions } from '../src/context';
export type { CustomApiRequest, CustomApiResponse } from '../src/custom-api-request';

/** Any request against a configured integration, as the reference product's Custom API Request action. */
export function customApiRequest(
  request: CustomApiRequest,
  options: ActionCallOptions & { activityOptions?: ActivityOptions } = {},
): Promise<CustomApiResponse> {
  const args = options.configuration === undefined ? [request] : [request, { configuration: options.configuration }];
  return scheduleAction(CUSTOM_API_REQUEST, args, {
    summary: `${request.integration} ${request.method ?? 'GET'} ${request.path}`,
    ...options.activityOptions,
  }) as Promise<CustomApiResponse>;
}
