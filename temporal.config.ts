/**
 * How this repository's CLI, demo and worker reach Temporal. `TEMPORAL_*` environment variables win over it.
 */
import { defineConfig } from './src/config/temporal-config';

export default defineConfig({
  address: '127.0.0.1:7233',
  namespace: 'default',
  taskQueue: 'custom-integrations',
  definitionsDir: 'definitions',
  configurations: [
    // Secrets are read on the worker from where these point; they never travel through Temporal.
    { integration: 'pedroAviary', name: 'Default', apiKey: { env: 'PEDRO_AVIARY_API_KEY' } },
  ],
  devServer: {
    port: 7233,
    uiPort: 8233,
    dbFilename: '.temporal/dev-server.sqlite',
  },
});
