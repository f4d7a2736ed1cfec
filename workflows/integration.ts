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
          const activityType = `${name}.${action}`;
          return scheduleAction(activityType, args, { summary: callSummary(activityType, input), ...options.activityOptions });
        };
      },
    },
  );
  return handle as IntegrationActions<N>;
}

const SUMMARY_LENGTH = 120;

/**
 * What the Web UI shows for an action call: `pedroAviary.getBird birdId=3`. Parameters only, not the body; the
 * activity's input holds the same values, so this reveals nothing new.
 */
export function callSummary(activityType: string, input: ActionInput | undefined): string {
  const params = Object.entries(input ?? {})
    .filter(([key, value]) => key !== 'body' && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const summary = params ? `${activityType} ${params}` : activityType;
  return summary.length <= SUMMARY_LENGTH ? summary : `${summary.slice(0, SUMMARY_LENGTH - 1)}…`;
}
