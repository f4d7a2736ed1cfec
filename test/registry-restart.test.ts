/**
 * The organization registry is durable: it lives in a Temporal workflow, so it survives a restart of the worker and a
 * restart of the dev server on its SQLite file, and activities resolve the same configurations afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer, type DevServer, type DevServerOptions } from '../src/devserver/dev-server';
import { freePort } from '../src/devserver/free-port';
import { Definition } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { OrganizationRegistry } from '../src/registry/registry';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { json, serve, type Server } from './helpers/http-server';

const KEY = `restart-${randomBytes(12).toString('hex')}`;
const TASK_QUEUE = 'registry-restart';

let api: Server;
let dataDir: string;
let options: DevServerOptions;
let server: DevServer | undefined;
let plugin: CustomIntegrationsPlugin;

beforeAll(async () => {
  api = await serve({ '/whoami': (req, res) => json(res, 200, { key: req.headers['x-api-key'] }) });
  dataDir = await mkdtemp(path.join(tmpdir(), 'registry-restart-'));
  options = { port: await freePort(), headless: true, dbFilename: path.join(dataDir, 'temporal.sqlite') };
  plugin = new CustomIntegrationsPlugin({
    definitions: [
      Definition.parse({
        name: 'vendor',
        description: 'test vendor',
        hostname: api.origin.slice('http://'.length),
        scheme: 'http',
        auth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        actions: [{ name: 'whoami', description: 'who am I', method: 'GET', path: '/whoami' }],
      }),
    ],
    registry: { cacheTtlMs: 0 },
  });
});

afterAll(async () => {
  await server?.stop();
  await closeHttpAgent();
  await api?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A worker and a client on the current server; `fn` runs while the worker polls. */
async function withWorker<T>(fn: (registry: OrganizationRegistry, client: Client) => Promise<T>): Promise<T> {
  const address = server!.address;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../workflows/workflows'),
    plugins: [plugin],
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', plugins: [plugin] });
  try {
    return await fn(new OrganizationRegistry({ client, taskQueue: TASK_QUEUE }), client);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
  }
}

const whoami = (registry: OrganizationRegistry) =>
  registry
    .start('callAction', { taskQueue: TASK_QUEUE, workflowId: `whoami-${randomUUID()}`, args: [{ integration: 'vendor', action: 'whoami' }], organization: 'acme' })
    .then((handle) => handle.result());

test('organizations, installations and configurations survive worker and server restarts', async () => {
  server = await startDevServer(options);
  await withWorker(async (registry) => {
    await registry.addOrganization('acme');
    await registry.registerIntegration(plugin.integrations.get('vendor')!.definition, 'acme');
    await registry.setIntegrationStatus('vendor', 'published');
    // A secret given as a value: kept (encrypted) in the registry's history and continue-as-new arguments.
    await registry.install('acme', 'vendor', { apiKey: KEY });
    await expect(whoami(registry)).resolves.toEqual({ key: KEY });
  });

  // A new worker: the state is in Temporal, not in the worker.
  await withWorker(async (registry) => {
    expect((await registry.snapshot()).state.installations.acme?.vendor?.configurations).toEqual({ Default: { apiKey: '[redacted]' } });
    await expect(whoami(registry)).resolves.toEqual({ key: KEY });
  });

  await server.stop();
  server = await startDevServer(options);
  await withWorker(async (registry) => {
    const { state, version } = await registry.snapshot();
    expect(version).toBe(4);
    expect(state.integrations.vendor?.status).toBe('published');
    await expect(whoami(registry)).resolves.toEqual({ key: KEY });
    // The rules still hold after the restart.
    await expect(registry.setIntegrationStatus('vendor', 'draft')).rejects.toThrow('never goes back to draft');
  });
}, 240_000);
