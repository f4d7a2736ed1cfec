import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config/temporal-config';
import { CustomIntegrationsPlugin } from './plugin';

/**
 * A Client with the package's plugin (so payloads are encrypted with the codec keys of the config), connected as
 * temporal.config.ts and `TEMPORAL_*` say. Close its connection when done.
 */
export async function connectClient(config: TemporalConfig, plugin = new CustomIntegrationsPlugin({ codec: config.codec })): Promise<Client> {
  const { address, tls, apiKey, metadata } = config.connection;
  const connection = await Connection.connect({
    ...(address !== undefined && { address }),
    ...(tls !== undefined && { tls }),
    ...(apiKey !== undefined && typeof apiKey === 'string' && { apiKey }),
    ...(metadata !== undefined && { metadata }),
  });
  return new Client({ connection, namespace: config.namespace, plugins: [plugin] });
}
