/**
 * The activities a worker registers: one per action (`<integration>.<action>`) and the generic customApiRequest.
 * Their arguments hold only parameters and names; credentials are looked up on the worker for each call.
 */
import { Context, log } from '@temporalio/activity';
import { callAction, callCustomRequest } from '../src/actions/call';
import { chooseConfiguration, type ActionCallOptions } from '../src/context';
import { CUSTOM_API_REQUEST, CustomApiRequest, type CustomApiResponse } from '../src/custom-api-request';
import type { CompiledAction, CompiledIntegrations } from '../src/definition/compile';
import type { ConfigurationSource, ResolvedConfiguration } from '../src/configurations/source';
import { activityIntegrationContext } from '../src/temporal/activity-context';
import { toActivityFailure } from './failures';

export interface ActivitiesOptions {
  readonly integrations: CompiledIntegrations;
  readonly configurations: ConfigurationSource;
}

export type ActionActivity = (input?: Record<string, unknown>, call?: ActionCallOptions) => Promise<unknown>;
export type CustomApiRequestActivity = (request: CustomApiRequest, call?: ActionCallOptions) => Promise<CustomApiResponse>;

export function createActivities({ integrations, configurations }: ActivitiesOptions): Record<string, ActionActivity | CustomApiRequestActivity> {
  const configurationFor = (integration: string, call: ActionCallOptions | undefined): Promise<ResolvedConfiguration> => {
    const context = activityIntegrationContext();
    return configurations.resolve({
      integration,
      configuration: chooseConfiguration(integration, context, call),
      ...(context.organization !== undefined && { organization: context.organization }),
    });
  };

  const activities: Record<string, ActionActivity | CustomApiRequestActivity> = {};
  for (const integration of integrations.values()) {
    for (const action of integration.actions.values()) {
      activities[action.activityName] = actionActivity(action, configurationFor);
    }
  }

  const customApiRequest: CustomApiRequestActivity = async (raw, call) => {
    try {
      const request = CustomApiRequest.parse(raw);
      if (!integrations.has(request.integration)) {
        throw new Error(`unknown integration "${request.integration}" (known: ${[...integrations.keys()].join(', ') || 'none'})`);
      }
      const response = await callCustomRequest(request, await configurationFor(request.integration, call), {
        signal: Context.current().cancellationSignal,
      });
      return { status: response.status, headers: response.headers, body: response.body };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
  activities[CUSTOM_API_REQUEST] = customApiRequest;
  return activities;
}

function actionActivity(
  action: CompiledAction,
  configurationFor: (integration: string, call: ActionCallOptions | undefined) => Promise<ResolvedConfiguration>,
): ActionActivity {
  return async (input = {}, call) => {
    if (action.action.deprecated) {
      log.warn(`${action.activityName} is deprecated; it keeps working, but move to its replacement`);
    }
    try {
      const response = await callAction(action, await configurationFor(action.integration, call), input, {
        signal: Context.current().cancellationSignal,
      });
      return response.body;
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
