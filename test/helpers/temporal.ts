/**
 * Access to the dev server that test/global-setup.ts starts. Every test file runs its own workers on its own task queues,
 * and closes what it opened: `connection.close()` for each `testClient()`, `closeTestNativeConnection()` once in `afterAll`.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { SimplePlugin } from '@temporalio/plugin';
import { NativeConnection, Worker } from '@temporalio/worker';
import { resolveTemporalConfig } from '../../src/config/temporal-config';
import { connectClient } from '../../src/temporal/client';

export interface TestServer {
  address: string;
  namespace: string;
}

export function testServer(): TestServer {
  const address = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE;
  if (!address || !namespace) {
    throw new Error('TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE are not set: run the tests through jest, whose global setup starts the server.');
  }
  return { address, namespace };
}

/**
 * A new client connection, made as the package makes its own (so it reads and writes encrypted payloads like the
 * workers); the caller closes `connection`.
 */
export async function testClient(server: TestServer = testServer()): Promise<{ connection: Connection; client: Client }> {
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace };
  const client = await connectClient(resolveTemporalConfig({}, { env }));
  // connectClient connects a Connection; the Client type only promises a ConnectionLike.
  return { connection: client.connection as Connection, client };
}

/** A client with no payload codec: what a process without the codec keys sees. The caller closes `connection`. */
export async function plainTestClient(server: TestServer = testServer()): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({ address: server.address });
  return { connection, client: new Client({ connection, namespace: server.namespace }) };
}

let nativeConnection: Promise<NativeConnection> | undefined;

/** One worker connection per test file, shared by its workers (each connection costs a native client). */
export function testNativeConnection(): Promise<NativeConnection> {
  if (!nativeConnection) {
    const connecting = NativeConnection.connect({ address: testServer().address });
    // A failed attempt must not be cached, or every later test would fail with the same error.
    connecting.catch(() => {
      if (nativeConnection === connecting) nativeConnection = undefined;
    });
    nativeConnection = connecting;
  }
  return nativeConnection;
}

export async function closeTestNativeConnection(): Promise<void> {
  const open = nativeConnection;
  nativeConnection = undefined;
  const connection = await open?.catch(() => undefined);
  await connection?.close();
}

/** Task queues are never shared between tests, so a worker from one test cannot pick up another's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export interface TestWorker {
  readonly client: Client;
  readonly taskQueue: string;
  /** Shuts the worker down, waits for it, and closes its client connection and the file's worker connection. */
  stop(): Promise<void>;
}

/**
 * A worker with the plugin on a fresh task queue of the test server, running in the background, and a client with
 * the same plugin (so integration overrides reach started workflows).
 */
export async function startTestWorker(options: { plugin: SimplePlugin; workflowsPath: string; prefix: string }): Promise<TestWorker> {
  const { namespace } = testServer();
  const taskQueue = uniqueTaskQueue(options.prefix);
  const worker = await Worker.create({
    connection: await testNativeConnection(),
    namespace,
    taskQueue,
    workflowsPath: options.workflowsPath,
    plugins: [options.plugin],
  });
  const running = worker.run();
  const { connection } = await testClient();
  return {
    client: new Client({ connection, namespace, plugins: [options.plugin] }),
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await closeTestNativeConnection();
    },
  };
}
