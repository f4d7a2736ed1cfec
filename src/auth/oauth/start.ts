/**
 * How a configuration's token workflow is started, by whoever needs it first (an activity wanting a token, the
 * authorize command, a web app's callback): update-with-start, so asking and starting are one call and a running
 * workflow is simply used.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { AUTH_STATE, CONFIGURATION, INTEGRATION, ORGANIZATION } from '../../temporal/search-attributes';
import { describeKey, TOKEN_WORKFLOW, tokenWorkflowId, type TokenWorkflowKey } from './model';

/** The token workflow's signature, for the client's types (workflows/oauth-token.ts is workflow code). */
export type TokenWorkflow = (key: TokenWorkflowKey) => Promise<void>;

export function startTokenWorkflow(key: TokenWorkflowKey, taskQueue: string): WithStartWorkflowOperation<TokenWorkflow> {
  return new WithStartWorkflowOperation<TokenWorkflow>(TOKEN_WORKFLOW, {
    workflowId: tokenWorkflowId(key),
    taskQueue,
    args: [key],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `OAuth 2.0 tokens of ${describeKey(key)}`,
    typedSearchAttributes: [
      { key: INTEGRATION, value: key.integration },
      { key: CONFIGURATION, value: key.configuration },
      ...(key.organization !== undefined ? [{ key: ORGANIZATION, value: key.organization }] : []),
      { key: AUTH_STATE, value: 'active' },
    ],
  });
}
