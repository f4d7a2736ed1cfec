/**
 * The dev server run by the SDK (`TestWorkflowEnvironment.createLocal`), for machines where the CLI could not be found or
 * built. The SDK waits only a few seconds for a first start, so prefer the self-spawned server in `dev-server.ts`.
 */
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { waitUntilServing } from './readiness';
import type { DevServer, DevServerSettings } from './settings';

export async function startSdkDevServer(executable: EphemeralServerExecutable, settings: DevServerSettings): Promise<DevServer> {
  // Loaded on demand: it pulls in the worker's native runtime, which the usual path never needs.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      ip: settings.ip,
      port: settings.port,
      ui: settings.uiPort !== undefined,
      uiPort: settings.uiPort,
      dbFilename: settings.dbFilename,
      namespace: settings.namespace,
      log: { format: 'pretty', level: settings.logLevel },
      extraArgs: settings.extraArgs,
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  let stopping: Promise<void> | undefined;
  const server: DevServer = {
    address: settings.address,
    namespace: settings.namespace,
    uiUrl: settings.uiUrl,
    pid: undefined,
    stop: () => (stopping ??= env.teardown()),
  };
  try {
    await waitUntilServing(settings.address, settings.namespace, settings.readyTimeoutMs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
