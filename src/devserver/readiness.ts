import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

const RETRY_DELAY_MS = 250;
/** Per attempt: short, so a fresh connection is tried soon instead of waiting out gRPC's reconnect backoff. */
const ATTEMPT_TIMEOUT_MS = 3_000;

/**
 * Resolves once the frontend at `address` answers `describeNamespace` for `namespace`: a reachable port alone does not mean
 * the namespace can take workflows yet. Rejects after `timeoutMs` with the last error, or when `signal` aborts.
 */
export async function waitUntilServing(address: string, namespace: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const reason = String(lastError ?? 'no attempt finished');
      throw new Error(`Temporal at ${address} did not answer for namespace "${namespace}" within ${timeoutMs} ms: ${reason}`, {
        cause: lastError,
      });
    }
    try {
      await askOnce(address, namespace, Math.min(remaining, ATTEMPT_TIMEOUT_MS));
      return;
    } catch (err) {
      lastError = err;
    }
    await delay(RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
  }
}

async function askOnce(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.describeNamespace({ namespace }));
  } finally {
    await connection.close();
  }
}
