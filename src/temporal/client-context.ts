/**
 * The client half of the integration context: workflows started inside `withIntegrationContext` carry the
 * organization and integration overrides to all their activities.
 *
 * ```ts
 * await withIntegrationContext({ overrides: { pedroAviary: 'EU' } }, () => client.workflow.start(report, opts));
 * ```
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { parseIntegrationContext, withContextHeader, type IntegrationContext } from '../context';

export { contextVisibility } from '../context';

const storage = new AsyncLocalStorage<IntegrationContext>();

export function withIntegrationContext<T>(
  context: { organization?: string; overrides?: Record<string, string> },
  fn: () => Promise<T>,
): Promise<T> {
  return storage.run(parseIntegrationContext(context), fn);
}

function stamp<I extends { headers: Parameters<typeof withContextHeader>[0] }>(input: I): I {
  const context = storage.getStore();
  return context ? { ...input, headers: withContextHeader(input.headers, context) } : input;
}

export const clientContextInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next(stamp(input)),
  signalWithStart: (input, next) => next(stamp(input)),
  startUpdateWithStart: (input, next) => {
    const context = storage.getStore();
    return next(context ? { ...input, workflowStartHeaders: withContextHeader(input.workflowStartHeaders, context) } : input);
  },
};

