/**
 * The activity half of the integration context: an inbound interceptor reads the context header of each activity
 * task, and the action activities read it back here to choose their configuration.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { EMPTY_CONTEXT, readContextHeader, type IntegrationContext } from '../context';

const storage = new AsyncLocalStorage<IntegrationContext>();

export function activityIntegrationContext(): IntegrationContext {
  return storage.getStore() ?? EMPTY_CONTEXT;
}

export const activityContextInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute: (input, next) => storage.run(readContextHeader(input.headers), () => next(input)),
  },
});
