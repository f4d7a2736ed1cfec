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
import { EMPTY_CONTEXT, readContextHeader, withContextHeader, type IntegrationContext } from '../src/context';

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
    return next({ ...input, headers: withContextHeader(input.headers, current) });
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return next({ ...input, headers: withContextHeader(input.headers, current) });
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new ContextInbound()],
  outbound: [new ContextOutbound()],
});
