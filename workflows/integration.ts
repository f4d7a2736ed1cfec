/**
 * Calling integration actions from workflow code: `integration('pedroAviary').getPhotoRecords({ limit: 10 })`
 * schedules the activity `pedroAviary.getPhotoRecords` with sensible timeouts and retries;
 * `.getPhotoRecords.paginate(input, { pageLimit })` runs the whole pagination as a `paginate` child workflow.
 */
import { executeChild, proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ActionCallOptions } from '../src/context';
import type { paginate, PaginateRequest, PaginateResult } from './paginate';

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

export interface PaginateOptions extends ActionCallOptions {
  /** The most pages fetched; default the action's pageLimit (20 unless its definition says otherwise). */
  readonly pageLimit?: number;
  /** Options of the page activities (timeouts, retry policy, task queue). */
  readonly activityOptions?: ActivityOptions;
  /** Pages per run of the child before it continues as new. */
  readonly pagesPerRun?: number;
  /** false: fetch each page only when its activity runs (see "read-ahead" in the README). */
  readonly readAhead?: boolean;
}

export type ActionFunction<I, O> = ((input: I, options?: ActionCallOptions) => Promise<O>) & {
  /** Every page, collected: the result holds the items (bounded by the page limit and the payload size). */
  readonly paginate: (input: I, options?: PaginateOptions) => Promise<PaginateResult>;
  /**
   * Every page handed to the page handler registered with the plugin under `handler`, on the worker; the items never
   * pass through workflow history, so this suits exports of any size.
   */
  readonly forEachPage: (input: I, handler: string, options?: PaginateOptions) => Promise<PaginateResult>;
};

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
        const call = (input: ActionInput | undefined, callOptions?: ActionCallOptions) => {
          const configuration = callOptions?.configuration ?? options.configuration;
          const args = configuration === undefined ? [input ?? {}] : [input ?? {}, { configuration }];
          const activityType = `${name}.${action}`;
          return scheduleAction(activityType, args, { summary: callSummary(activityType, input), ...options.activityOptions });
        };
        const paginateChild = (input: ActionInput | undefined, handler: string | undefined, paging: PaginateOptions = {}) => {
          const configuration = paging.configuration ?? options.configuration;
          const activityOptions = paging.activityOptions ?? options.activityOptions;
          const request: PaginateRequest = {
            integration: name,
            action,
            input: input ?? {},
            ...(configuration !== undefined && { configuration }),
            ...(handler !== undefined && { handler }),
            ...(paging.pageLimit !== undefined && { pageLimit: paging.pageLimit }),
            ...(paging.pagesPerRun !== undefined && { pagesPerRun: paging.pagesPerRun }),
            ...(paging.readAhead === false && { readAhead: false }),
            ...(activityOptions && { activityOptions }),
          };
          return executeChild<typeof paginate>('paginate', {
            args: [request],
            workflowId: `${workflowInfo().workflowId}/paginate/${name}.${action}/${++paginations}`,
            staticSummary: `${name}.${action}${handler ? ` → ${handler}` : ''}`,
          });
        };
        return Object.assign(call, {
          paginate: (input: ActionInput | undefined, paging?: PaginateOptions) => paginateChild(input, undefined, paging),
          forEachPage: (input: ActionInput | undefined, handler: string, paging?: PaginateOptions) => paginateChild(input, handler, paging),
        });
      },
    },
  );
  return handle as IntegrationActions<N>;
}

/**
 * Numbers the paginations a workflow run starts, for child workflow ids that are readable and the same on replay.
 * Module state is per workflow run: the SDK isolates workflow globals between executions.
 */
let paginations = 0;

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
