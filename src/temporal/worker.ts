/**
 * A worker for this package's own processes (CLI `worker` and `dev`, the demo): the plugin, the package's
 * workflows, and the connection settings of temporal.config.ts. Users with their own worker use the plugin instead.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config/temporal-config';
import { CustomIntegrationsPlugin, type CustomIntegrationsPluginOptions } from './plugin';

/** The package's workflows module; its compiled `.js` in a published package, its `.ts` under the test runner. */
export const BUILTIN_WORKFLOWS_PATH = require.resolve('../../workflows/workflows');

export interface CreateWorkerOptions {
  readonly config: TemporalConfig;
  readonly plugin?: CustomIntegrationsPlugin;
  readonly pluginOptions?: CustomIntegrationsPluginOptions;
  readonly connection?: NativeConnection;
  /** A workflows module of your own (it should re-export the package's workflows). */
  readonly workflowsPath?: string;
  readonly workerOptions?: Partial<WorkerOptions>;
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly plugin: CustomIntegrationsPlugin;
  /** Resolves when the worker has stopped; rejects if it crashed. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<{ worker: Worker; plugin: CustomIntegrationsPlugin; connection: NativeConnection }> {
  const { config } = options;
  const plugin =
    options.plugin ??
    new CustomIntegrationsPlugin({
      // The payload codec follows temporal.config.ts unless the plugin options say otherwise.
      codec: config.codec,
      ...(options.pluginOptions ?? { definitionsDir: config.definitionsDir, configurations: config.configurations }),
    });
  const connection = options.connection ?? (await NativeConnection.connect(config.connection));
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: options.workflowsPath ?? BUILTIN_WORKFLOWS_PATH,
    plugins: [plugin],
    ...options.workerOptions,
  });
  return { worker, plugin, connection };
}

/** Starts a worker in the background; `stop()` shuts it down and closes the connection it opened. */
export async function startWorker(options: CreateWorkerOptions): Promise<RunningWorker> {
  const { worker, plugin, connection } = await createWorker(options);
  const done = worker.run().finally(async () => {
    if (!options.connection) await connection.close();
  });
  return {
    worker,
    plugin,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
