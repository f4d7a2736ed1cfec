/**
 * Calling integration actions from workflow code: `integration('pedroAviary').getPhotoRecords({ limit: 10 })`
 * schedules the activity `pedroAviary.getPhotoRecords` with sensible timeouts and retries.
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ActionCallOptions } from '../src/context';

/**
 * Typed actions, filled in by the types `custom-integrations types` generates:
 *
 * ```ts
 * declare module 'temporal-custom-integrations/workflow' {
 *   interface IntegrationRegistry {
 *     pedroAviary: { getPhotoRecords: { input: { limit?: number }; output: Photo[] } };
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface IntegrationRegistry {}

export type ActionInput = Record<string, unknown>;

export type ActionFunction<I, O> = (input: I, options?: ActionCallOptions) => Promise<O>;

interface ActionTypes {
  input: unknown;
  output: unknown;
}

export type IntegrationActions<N extends string> = N extends keyof IntegrationRegistry
  ? {
      readonly [A in keyof IntegrationRegistry[N]]: IntegrationRegistry[N][A] extends ActionTypes
        ? ActionFunction<IntegrationRegistry[N][A]['input'], IntegrationRegistry[N][A]['output']>
        : never;
    }
  : { readonly [action: string]: ActionFunction<ActionInput | undefined, unknown> };

/** Retries suit HTTP: the activity decides what is retryable (4xx fail at once, 429 waits for Retry-After). */
export const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

export interface IntegrationOptions {
  /** The configuration every call of this handle uses, over the workflow's integration overrides. */
  readonly configuration?: string;
  /** Activity options merged over the defaults (timeouts, retry policy, task queue). */
  readonly activityOptions?: ActivityOptions;
}

type UntypedActivity = (...args: unknown[]) => Promise<unknown>;

/** Schedules one activity by name; shared by the typed handle and the generic customApiRequest. */
export function scheduleAction(
  activityType: string,
  args: unknown[],
  activityOptions: ActivityOptions | undefined,
): Promise<unknown> {
  const options = { ...DEFAULT_ACTIVITY_OPTIONS, summary: activityType, ...activityOptions };
  const activity = proxyActivities<Record<string, UntypedActivity>>(options)[activityType] as UntypedActivity;
  return activity(...args);
}

export function integration<N extends string>(name: N, options: IntegrationOptions = {}): IntegrationActions<N> {
  const handle = new Proxy(
    {},
    {
      get(_target, action) {
        // `then` stays undefined so that awaiting a handle by mistake does not schedule an activity named "then".
        if (typeof action !== 'string' || action === 'then') return undefined;
        return (input: ActionInput | undefined, call?: ActionCallOptions) => {
          const configuration = call?.configuration ?? options.configuration;
          const args = configuration === undefined ? [input ?? {}] : [input ?? {}, { configuration }];
          return scheduleAction(`${name}.${action}`, args, options.activityOptions);
        };
      },
    },
  );
  return handle as IntegrationActions<N>;
}
