import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { workflowRunUrl, type TemporalConfig } from '../../config/temporal-config';
import { compileDefinitions, findAction, type CompiledAction } from '../../definition/compile';
import { loadDefinitions } from '../../definition/load';
import { connectClient } from '../../temporal/client';
import { ACTION, CONFIGURATION, INTEGRATION } from '../../temporal/search-attributes';
import type { CallActionRequest } from '../../../workflows/workflows';
import { parseJson, parseOverrides, parseParams, UsageError } from '../args';
import { startInContext } from './registry';
import type { Command, CommandOptions } from './types';

export const callCommand: Command = async ({ config, args, options }) => {
  const { action, request, context } = resolveActionCall(config, args, options, 'call');

  const client = await connectClient(config);
  try {
    await warnWithoutWorker(client, config.namespace, config.taskQueue);
    const workflowId = `call-${action.activityName}-${randomUUID()}`;
    const handle = await startInContext(
      client,
      config,
      'callAction',
      {
        taskQueue: config.taskQueue,
        workflowId,
        args: [request],
        staticSummary: `${action.activityName}: ${action.action.title ?? action.action.description}`.slice(0, 200),
        typedSearchAttributes: actionSearchAttributes(action, request, context),
      },
      context,
      options.company === undefined ? undefined : { integration: action.integration, id: options.company },
    );
    console.error(`Running ${action.activityName} as workflow ${workflowId}\n  ${workflowRunUrl(config, workflowId, handle.firstExecutionRunId)}`);
    try {
      const result = await handle.result();
      console.log(JSON.stringify(result, null, 2));
      return 0;
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      console.error(`${action.activityName} failed: ${rootMessage(err)}`);
      return 1;
    }
  } finally {
    await client.connection.close();
  }
};

/** The action named by `<integration>.<action>`, its input from --input and --param, and the run's integration context. */
export function resolveActionCall(config: TemporalConfig, args: readonly string[], options: CommandOptions, command: string) {
  const target = args[0];
  const dot = target?.indexOf('.') ?? -1;
  if (!target || dot <= 0) throw new UsageError(`${command} expects <integration>.<action>, e.g. pedroAviary.listBirds`);
  const integrationName = target.slice(0, dot);
  const actionName = target.slice(dot + 1);

  const integrations = compileDefinitions(loadDefinitions(config.definitionsDir));
  let action: CompiledAction;
  try {
    action = findAction(integrations, integrationName, actionName);
  } catch (err) {
    // A name typed on the command line: a usage error (exit 2), not a failed call.
    throw new UsageError((err as Error).message);
  }

  const base = options.input === undefined ? {} : parseJson(options.input, '--input');
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new UsageError('--input must be a JSON object');
  const request: CallActionRequest = {
    integration: integrationName,
    action: actionName,
    input: { ...base, ...parseParams(action.action, options.param ?? []) },
    ...(options.configuration !== undefined && { configuration: options.configuration }),
  };
  const context = {
    overrides: parseOverrides(options.override ?? []),
    ...(options.organization !== undefined && { organization: options.organization }),
  };
  return { action, request, context };
}

/** The search attributes of a run of the action, so runs can be listed by integration, action and configuration. */
export function actionSearchAttributes(action: CompiledAction, request: CallActionRequest, context: { overrides: Record<string, string> }) {
  return [
    { key: INTEGRATION, value: action.integration },
    { key: ACTION, value: action.activityName },
    { key: CONFIGURATION, value: request.configuration ?? context.overrides[action.integration] ?? 'Default' },
  ];
}

/** The innermost failure message: the activity's own (HTTP status, path, excerpt), not Temporal's wrappers. */
export function rootMessage(err: Error): string {
  let current: Error = err;
  while (current.cause instanceof Error) current = current.cause;
  return current.message;
}

export async function warnWithoutWorker(client: Client, namespace: string, taskQueue: string): Promise<void> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // workflow task queue
  });
  if (!pollers?.length) {
    console.error(
      `No worker is polling task queue "${taskQueue}" yet: the call waits until one does. ` +
        'Start one with `custom-integrations worker` (or `custom-integrations dev`).',
    );
  }
}
