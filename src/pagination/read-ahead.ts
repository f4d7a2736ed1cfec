/**
 * Read-ahead of pages, per worker: when a page activity learns where the next page starts, it sends that page's
 * request at once, and the next page activity (normally on this same worker: see the README) takes the response in
 * flight instead of sending the request itself. The API's latency then overlaps Temporal's round trip between two
 * page activities (the activity's completion, a workflow task, the next activity's dispatch) instead of adding to it.
 *
 * Nothing here is durable: the workflow still checkpoints each page when its activity completes, and a crash, another
 * worker or an expiry only loses a response that was never handed to anyone, so the page is fetched again as usual.
 * Entries are bounded in number and live a few seconds, so a read-ahead nobody takes holds no memory for long.
 */
import type { HttpResponse } from '../http/request';

/** Paginations read ahead at once on a worker; more run without read-ahead rather than hold more pages in memory. */
const MAX_ENTRIES = 64;
/**
 * A response not taken by then is dropped (its request aborted if still running): the next page activity normally
 * asks within milliseconds, and a response served later than this would be staler than a fresh request.
 */
const EXPIRY_MS = 10_000;

interface Entry {
  readonly response: Promise<HttpResponse>;
  readonly controller: AbortController;
  readonly timer: NodeJS.Timeout;
}

export class ReadAhead {
  private readonly entries = new Map<string, Entry>();

  /** Sends a request that is likely to be asked for under `key` soon; `send` gets the signal that aborts it. */
  start(key: string, send: (signal: AbortSignal) => Promise<HttpResponse>): void {
    if (this.entries.has(key) || this.entries.size >= MAX_ENTRIES) return;
    const controller = new AbortController();
    const response = send(controller.signal);
    // A failure nobody takes is nobody's to handle; the one who takes the promise gets the failure as its own.
    response.catch(() => undefined);
    const timer = setTimeout(() => {
      this.entries.delete(key);
      controller.abort();
    }, EXPIRY_MS).unref();
    this.entries.set(key, { response, controller, timer });
  }

  /**
   * The response started under `key`, if any, taken out of the cache: it is the caller's now, and `signal` (the
   * activity's cancellation) aborts it as it would the caller's own request. Undefined when there is none.
   */
  take(key: string, signal: AbortSignal): Promise<HttpResponse> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    clearTimeout(entry.timer);
    if (signal.aborted) {
      entry.controller.abort(signal.reason);
      return entry.response;
    }
    const abort = () => entry.controller.abort(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    // Settled, the response needs no cancelling, and the listener must go: it would hold the response, and through
    // the async context it was created in the activity that read it ahead, as long as the taker's signal lives;
    // in a long pagination that chains every page activity to the previous one, a leak of ~8 KB a page.
    const forget = () => signal.removeEventListener('abort', abort);
    entry.response.then(forget, forget);
    return entry.response;
  }
}
