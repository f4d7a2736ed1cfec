import { startDevServer, type DevServer } from '../../devserver/dev-server';
import type { TemporalConfig } from '../../config/temporal-config';
import { startWorker } from '../../temporal/worker';
import type { Command } from './types';

/** Starts the dev server of temporal.config.ts, and points the rest of the command at it. */
export async function startConfiguredDevServer(config: TemporalConfig): Promise<{ server: DevServer; config: TemporalConfig }> {
  const { devServer } = config;
  console.log(`Starting the Temporal dev server (state in ${devServer.dbFilename}) ...`);
  const server = await startDevServer({
    ip: devServer.ip,
    port: devServer.port,
    uiPort: devServer.uiPort,
    headless: devServer.headless,
    dbFilename: devServer.dbFilename,
    namespace: config.namespace,
    logLevel: devServer.logLevel,
    extraArgs: [...devServer.extraArgs],
    onBuildProgress: (line) => console.log(`  ${line}`),
  });
  const address = server.address;
  return {
    server,
    config: {
      ...config,
      profile: { ...config.profile, address },
      connection: { ...config.connection, address },
      uiUrl: server.uiUrl ?? config.uiUrl,
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const serverCommand: Command = async ({ config }) => {
  const { server } = await startConfiguredDevServer(config);
  console.log(`Temporal dev server on ${server.address}${server.uiUrl ? `, Web UI ${server.uiUrl}` : ''}. Ctrl-C stops it.`);
  await untilInterrupted();
  await server.stop();
  return 0;
};

export const devCommand: Command = async ({ config: fileConfig }) => {
  const { server, config } = await startConfiguredDevServer(fileConfig);
  try {
    const running = await startWorker({ config });
    console.log(
      `Temporal dev server on ${server.address}, Web UI ${config.uiUrl}\n` +
        `Worker polling task queue "${config.taskQueue}" with ${running.plugin.integrations.size} integrations. Ctrl-C stops both.`,
    );
    await Promise.race([untilInterrupted(), running.done]);
    await running.stop();
  } finally {
    await server.stop();
  }
  return 0;
};
