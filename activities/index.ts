/**
 * The activities a worker registers: one per action (`<integration>.<action>`), the generic customApiRequest, the
 * page activity of the paginate workflow and the token activity of the OAuth 2.0 token workflow.
 * Their arguments hold only parameters and names; credentials are looked up on the worker for each call.
 */
import { Context, log } from '@temporalio/activity';
import { callAction, callCustomRequest } from '../src/actions/call';
import { chooseConfiguration, type ActionCallOptions } from '../src/context';
import { CUSTOM_API_REQUEST, type CustomApiResponse } from '../src/custom-api-request';
import { CustomApiRequest } from '../src/custom-api-request-schema';
import { findIntegration, type CompiledAction, type CompiledIntegrations } from '../src/definition/compile';
import type { ConfigurationSource } from '../src/configurations/source';
import { activityIntegrationContext } from '../src/temporal/activity-context';
import { FETCH_PAGE, type PageHandler } from '../src/pagination/model';
import { toActivityFailure } from './failures';
import { fetchPageActivity, type ConfigurationFor, type FetchPageActivity } from './fetch-page';
import { tokenActivity, type TokenActivity } from './oauth';
import { TOKEN_ACTIVITY } from '../src/auth/oauth/model';

export interface ActivitiesOptions {
  readonly integrations: CompiledIntegrations;
  readonly configurations: ConfigurationSource;
  /** forEachPage handlers by name; each receives the pages of the paginations that name it. */
  readonly pageHandlers?: Readonly<Record<string, PageHandler>>;
}

export type ActionActivity = (input?: Record<string, unknown>, call?: ActionCallOptions) => Promise<unknown>;
export type CustomApiRequestActivity = (request: CustomApiRequest, call?: ActionCallOptions) => Promise<CustomApiResponse>;

type Activity = ActionActivity | CustomApiRequestActivity | FetchPageActivity | TokenActivity;

export function createActivities({ integrations, configurations, pageHandlers = {} }: ActivitiesOptions): Record<string, Activity> {
  const configurationFor: ConfigurationFor = (integration, call) => {
    const context = activityIntegrationContext();
    return configurations.resolve({
      integration,
      configuration: chooseConfiguration(integration, context, call),
      organization: context.organization,
    });
  };

  const activities: Record<string, Activity> = {};
  for (const integration of integrations.values()) {
    for (const action of integration.actions.values()) {
      activities[action.activityName] = actionActivity(action, configurationFor);
    }
  }

  const customApiRequest: CustomApiRequestActivity = async (raw, call) => {
    try {
      const request = CustomApiRequest.parse(raw);
      findIntegration(integrations, request.integration);
      const response = await callCustomRequest(request, await configurationFor(request.integration, call), {
        signal: Context.current().cancellationSignal,
      });
      return { status: response.status, headers: response.headers, body: response.body };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
  activities[CUSTOM_API_REQUEST] = customApiRequest;
  activities[FETCH_PAGE] = fetchPageActivity(integrations, configurationFor, pageHandlers);
  activities[TOKEN_ACTIVITY] = tokenActivity(configurations);
  return activities;
}

function actionActivity(action: CompiledAction, configurationFor: ConfigurationFor): ActionActivity {
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
