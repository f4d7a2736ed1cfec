import { startWorker } from '../../temporal/worker';
import type { Command } from './types';

export const workerCommand: Command = async ({ config }) => {
  const running = await startWorker({ config });
  const actions = [...running.plugin.integrations.values()].reduce((n, i) => n + i.actions.size, 0);
  console.log(
    `Worker polling task queue "${config.taskQueue}" on ${config.profile.address} (namespace ${config.namespace}): ` +
      `${running.plugin.integrations.size} integrations, ${actions} actions. Ctrl-C stops it.`,
  );
  // The SDK's runtime shuts the worker down on SIGINT/SIGTERM; `done` settles once it has drained.
  await running.done;
  return 0;
};
