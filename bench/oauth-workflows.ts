/** Workflows of `bench/oauth.ts`: the package's own (the token workflow among them), and a caller per configuration. */
import { sleep } from '@temporalio/workflow';
import { integration } from '../workflows';

export * from '../workflows/workflows';

/** Calls the API with one configuration every `everyMs` until `until` (ms since the epoch); counts the failed calls. */
export async function keepCalling(configuration: string, until: number, everyMs: number): Promise<{ calls: number; failures: number }> {
  // One attempt: a call that fails is counted, not hidden by a retry.
  const api = integration('benchOAuth', { configuration, activityOptions: { retry: { maximumAttempts: 1 } } });
  let calls = 0;
  let failures = 0;
  while (Date.now() < until) {
    calls++;
    try {
      await api.ping!({});
    } catch {
      failures++;
    }
    await sleep(everyMs);
  }
  return { calls, failures };
}
