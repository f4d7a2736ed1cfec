import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__temporalTestServer;
  if (!started) return;
  globalThis.__temporalTestServer = undefined;
  try {
    await started.server.stop();
  } finally {
    await rm(started.dataDir, { recursive: true, force: true });
  }
}
