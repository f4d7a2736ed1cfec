/**
 * Workflow interceptors that carry the integration context (organization and integration overrides).
 *
 * The context arrives in a header of the workflow's start; the SDK does not copy headers to activities, child
 * workflows or continue-as-new runs, so these interceptors re-inject it on every one of them.
 */
import type {
  ActivityInput,
  ContinueAsNewInput,
  LocalActivityInput,
  Next,
  StartChildWorkflowExecutionInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { contextVisibility, EMPTY_CONTEXT, readContextHeader, withContextHeader, type IntegrationContext } from '../src/context';
import { ORGANIZATION, OVERRIDES } from '../src/temporal/search-attributes';

// Module state is per workflow run: the SDK isolates workflow globals between executions.
let current: IntegrationContext = EMPTY_CONTEXT;

/** The organization and integration overrides this workflow was started with. */
export function integrationContext(): IntegrationContext {
  return current;
}

class ContextInbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    current = readContextHeader(input.headers);
    return next(input);
  }
}

class ContextOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: withContextHeader(input.headers, current) });
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return next({ ...input, headers: withContextHeader(input.headers, current) });
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return next({ ...input, headers: withContextHeader(input.headers, current), options: withVisibility(input.options) });
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return next({ ...input, headers: withContextHeader(input.headers, current) });
  }
}

/**
 * A child shows the organization and overrides it runs with, as its parent does: the same details, and the parent's
 * own values of the context search attributes. Only values the parent has are copied, since setting an attribute the
 * namespace lacks would fail the start. (Continue-as-new runs keep their search attributes without help.)
 */
function withVisibility(options: StartChildWorkflowExecutionInput['options']): StartChildWorkflowExecutionInput['options'] {
  const { staticDetails } = contextVisibility(current);
  const parent = workflowInfo().typedSearchAttributes;
  const own = options.typedSearchAttributes;
  const isSet = (pair: SearchAttributePair) =>
    own instanceof TypedSearchAttributes ? own.get(pair.key) !== undefined : (own ?? []).some((o) => o.key.name === pair.key.name);
  const inherited = [ORGANIZATION, OVERRIDES]
    .flatMap((key): SearchAttributePair[] => {
      const value = parent.get(key);
      return value === undefined ? [] : [{ key, value } as SearchAttributePair];
    })
    .filter((pair) => !isSet(pair));
  if (!inherited.length && (staticDetails === undefined || options.staticDetails !== undefined)) return options;
  const typedSearchAttributes = !inherited.length ? own : own instanceof TypedSearchAttributes ? own.updateCopy(inherited) : [...(own ?? []), ...inherited];
  return {
    ...options,
    ...(typedSearchAttributes && { typedSearchAttributes }),
    ...(options.staticDetails === undefined && staticDetails !== undefined && { staticDetails }),
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new ContextInbound()],
  outbound: [new ContextOutbound()],
});
