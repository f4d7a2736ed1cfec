/**
 * The process-wide connection pool. Every activity call goes through it, so sockets to an API are reused across calls
 * (keep-alive) instead of paying a TCP and TLS handshake each time.
 */
import { Agent } from 'undici';

let shared: Agent | undefined;

// undici's defaults are kept on purpose: its 4 s keep-alive is shorter than common server idle timeouts (5 s), so a
// pooled socket is not reused just as the server closes it, which would fail requests that cannot be retried (POST).
export function httpAgent(): Agent {
  shared ??= new Agent();
  return shared;
}

/** Closes the pooled connections (worker shutdown, end of tests); a later request opens a new pool. */
export async function closeHttpAgent(): Promise<void> {
  const agent = shared;
  shared = undefined;
  await agent?.close();
}
