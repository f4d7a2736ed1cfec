/**
 * `custom-integrations paginate x.listThings`: runs the durable `paginate` workflow, draws its progress (from the
 * workflow's progress query) on stderr and prints the collected items on stdout as JSON.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { workflowRunUrl } from '../../config/temporal-config';
import { describePosition, PROGRESS_QUERY } from '../../pagination/model';
import { connectClient } from '../../temporal/client';
import type { PaginateProgress, PaginateRequest, PaginateResult } from '../../../workflows/paginate';
import { UsageError } from '../args';
import { actionSearchAttributes, resolveActionCall, rootMessage, warnWithoutWorker } from './call';
import { startInContext } from './registry';
import type { Command } from './types';

const POLL_MS = 500;
const BAR_WIDTH = 24;

export const paginateCommand: Command = async ({ config, args, options }) => {
  const { action, request, context } = resolveActionCall(config, args, options, 'paginate');
  const pageLimit = options['page-limit'] === undefined ? undefined : Number(options['page-limit']);
  if (pageLimit !== undefined && !(Number.isInteger(pageLimit) && pageLimit >= 1)) throw new UsageError('--page-limit must be a whole number of pages, at least 1');
  const paginateRequest: PaginateRequest = {
    ...request,
    ...(pageLimit !== undefined && { pageLimit }),
    ...(options.handler !== undefined && { handler: options.handler }),
    ...(options['no-read-ahead'] && { readAhead: false }),
  };
  const limit = pageLimit ?? (action.pagination.type === 'none' ? 1 : action.pagination.pageLimit);

  const client = await connectClient(config);
  try {
    await warnWithoutWorker(client, config.namespace, config.taskQueue);
    const workflowId = `paginate-${action.activityName}-${Date.now().toString(36)}`;
    const handle = await startInContext(
      client,
      config,
      'paginate',
      {
        taskQueue: config.taskQueue,
        workflowId,
        args: [paginateRequest],
        staticSummary: `paginate ${action.activityName}${options.handler ? ` → ${options.handler}` : ''}`,
        typedSearchAttributes: actionSearchAttributes(action, request, context),
      },
      context,
      options.company === undefined ? undefined : { integration: action.integration, id: options.company },
    );
    console.error(`Paginating ${action.activityName} as workflow ${workflowId}\n  ${workflowRunUrl(config, workflowId, handle.firstExecutionRunId)}`);
    const bar = progressBar(limit);
    const polling = setInterval(() => void poll(handle, bar), POLL_MS);
    try {
      const result = (await handle.result()) as PaginateResult;
      bar.done(result);
      console.log(JSON.stringify(result.items ?? { pages: result.pages, items: result.itemCount, stop: result.stop }, null, 2));
      return 0;
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      bar.clear();
      console.error(`paginate ${action.activityName} failed: ${rootMessage(err)}`);
      return 1;
    } finally {
      clearInterval(polling);
    }
  } finally {
    await client.connection.close();
  }
};

async function poll(handle: WorkflowHandle, bar: ProgressBar): Promise<void> {
  try {
    bar.show(await handle.query<PaginateProgress>(PROGRESS_QUERY));
  } catch {
    // Before the first workflow task, or between continue-as-new runs, there is no one to answer yet.
  }
}

interface ProgressBar {
  show(progress: PaginateProgress): void;
  done(result: PaginateResult): void;
  clear(): void;
}

/** One line redrawn in place on a terminal; on a pipe or file, a line per change, so logs stay readable. */
function progressBar(pageLimit: number): ProgressBar {
  const tty = process.stderr.isTTY;
  let last = '';
  const write = (line: string) => {
    if (line === last) return;
    last = line;
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const line = (pages: number, items: number, where: string) => {
    const filled = Math.min(BAR_WIDTH, Math.round((pages / pageLimit) * BAR_WIDTH));
    return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${pages}/${pageLimit} pages, ${items} items, ${where}`;
  };
  return {
    show: (progress) => write(line(progress.pages, progress.items, progress.stop ? `done (${progress.stop})` : `next: ${describePosition(progress.position)}`)),
    done: (result) => {
      write(line(result.pages, result.itemCount, `done (${result.stop})`));
      if (tty) process.stderr.write('\n');
    },
    clear: () => {
      if (tty && last) process.stderr.write('\r\x1b[2K');
    },
  };
}
