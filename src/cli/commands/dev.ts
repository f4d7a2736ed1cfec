import { createPayloadCodec } from '../../codec/data-converter';
import { startCodecServer, uiOriginsOf, type CodecServer } from '../../codec/server';
import { startDevServer, type DevServer } from '../../devserver/dev-server';
import type { TemporalConfig } from '../../config/temporal-config';
import { startWorker } from '../../temporal/worker';
import type { Command } from './types';

/**
 * Starts the dev server of temporal.config.ts, and points the rest of the command at it. Its Web UI gets a codec
 * server (stopped with the dev server), so it shows payloads decrypted.
 */
export async function startConfiguredDevServer(config: TemporalConfig): Promise<{ server: DevServer; config: TemporalConfig }> {
  const { devServer } = config;
  const codecServer = await startUiCodecServer(config);
  console.log(`Starting the Temporal dev server (state in ${devServer.dbFilename}) ...`);
  let server: DevServer;
  try {
    server = await startDevServer({
      ip: devServer.ip,
      port: devServer.port,
      uiPort: devServer.uiPort,
      headless: devServer.headless,
      dbFilename: devServer.dbFilename,
      namespace: config.namespace,
      logLevel: devServer.logLevel,
      extraArgs: [...(codecServer ? ['--ui-codec-endpoint', codecServer.url] : []), ...devServer.extraArgs],
      onBuildProgress: (line) => console.log(`  ${line}`),
    });
  } catch (err) {
    await codecServer?.close();
    throw err;
  }
  if (codecServer && server.uiUrl) {
    // The UI's port may have been picked just now (port 0), so its origin is known only here.
    for (const origin of uiOriginsOf(server.uiUrl)) codecServer.allowOrigin(origin);
    console.log(`Codec server on ${codecServer.url}: the Web UI shows payloads decrypted.`);
    const devServerOnly = server;
    server = {
      ...devServerOnly,
      async stop() {
        await devServerOnly.stop();
        await codecServer.close();
      },
    };
  }
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

/**
 * A codec server on loopback for the dev server's Web UI (the browser calls it, on the same machine), unless there
 * is no UI, encryption is off, or the extra arguments already name a codec endpoint.
 */
async function startUiCodecServer(config: TemporalConfig): Promise<CodecServer | undefined> {
  if (config.devServer.headless || config.devServer.extraArgs.includes('--ui-codec-endpoint')) return undefined;
  const codec = createPayloadCodec(config.codec);
  return codec && startCodecServer({ codec, port: 0 });
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
