/**
 * One real Temporal dev server for the whole Jest run (no mocks): the CLI is found or built, the server gets free ports
 * and a throwaway SQLite file, and test workers find it through TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../src/devserver/dev-server';

declare global {
  // Jest runs global setup and teardown in its parent process, so this is how the teardown finds the server.
  var __temporalTestServer: { server: DevServer; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'temporal-custom-integrations-jest-'));
  try {
    const server = await startDevServer({ port: 0, headless: true, dbFilename: path.join(dataDir, 'temporal.sqlite') });
    globalThis.__temporalTestServer = { server, dataDir };
    // Workers are spawned after global setup and inherit these.
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEMPORAL_NAMESPACE = server.namespace;
    // The payload codec's default key is generated per user in $XDG_CONFIG_HOME: here, once for this run, so every
    // test process and CLI process shares it and the user's own key is left alone.
    process.env.XDG_CONFIG_HOME = path.join(dataDir, 'config');
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
