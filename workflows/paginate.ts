/**
 * The paginate workflow: one page activity after another, holding only the position, the counts and the
 * repeated-cursor guard, so a crash or a server restart resumes at the page in flight. It continues as new every
 * `pagesPerRun` pages (or when Temporal suggests it), long before history limits, carrying that state along.
 * Bundle-safe: it imports the pagination's types and its pure guard only.
 */
import { ApplicationFailure, continueAsNew, defineQuery, setCurrentDetails, setHandler, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { admitKey, NEW_GUARD, type GuardState } from '../src/pagination/guard';
import {
  COLLECT_LIMIT_BYTES,
  describePosition,
  FETCH_PAGE,
  PROGRESS_QUERY,
  type FetchedPage,
  type FetchPageRequest,
  type Position,
  type StopReason,
} from '../src/pagination/model';
import { scheduleAction, type ActionInput } from './integration';

export interface PaginateRequest {
  readonly integration: string;
  readonly action: string;
  readonly input?: ActionInput;
  /** The configuration used, over the workflow's integration overrides. */
  readonly configuration?: string;
  /** The most pages fetched; default the action's pageLimit (20 unless the definition says otherwise). */
  readonly pageLimit?: number;
  /** forEachPage: the name of a page handler registered with the plugin; the result then holds no items. */
  readonly handler?: string;
  /** Options of the page activities, merged over the defaults (timeouts, retry policy, task queue). */
  readonly activityOptions?: ActivityOptions;
  /** Pages per run before continuing as new; about 6 history events a page, so the default stays far below the limits. */
  readonly pagesPerRun?: number;
  /**
   * Default true: each page activity sends the next page's request as soon as it knows where that page starts, so the
   * API's latency overlaps Temporal's round trip between pages. false when page activities of one pagination may run
   * on different workers (several workers on the task queue and no eager activity execution): a response read ahead
   * on one worker is of no use to another, and the API would be asked twice for those pages. See the README.
   */
  readonly readAhead?: boolean;
}

export interface PaginateProgress {
  readonly pages: number;
  readonly items: number;
  /** Where the next page starts; absent before the first page. */
  readonly position?: Position;
  /** Set once the pagination is over. */
  readonly stop?: StopReason;
}

export interface PaginateResult {
  readonly pages: number;
  readonly itemCount: number;
  readonly stop: StopReason;
  /** The items, in collect mode (no handler). */
  readonly items?: unknown[];
}

/** What one run hands to the next when it continues as new. */
export interface PaginateState {
  readonly pages: number;
  readonly items: number;
  readonly position?: Position;
  readonly guard: GuardState;
  readonly collected: unknown[];
  readonly bytes: number;
}

export const DEFAULT_PAGES_PER_RUN = 500;

export const progressQuery = defineQuery<PaginateProgress>(PROGRESS_QUERY);

const START: PaginateState = { pages: 0, items: 0, guard: NEW_GUARD, collected: [], bytes: 0 };

export async function paginate(request: PaginateRequest, state: PaginateState = START): Promise<PaginateResult> {
  let { pages, items, position, guard, bytes } = state;
  const collected = [...state.collected];
  let stop: StopReason | undefined;
  const name = `${request.integration}.${request.action}`;
  const progress = (): PaginateProgress => ({ pages, items, ...(position && { position }), ...(stop && { stop }) });
  setHandler(progressQuery, progress);
  const report = () =>
    setCurrentDetails(
      `**${name}**${request.handler ? ` → ${request.handler}` : ''}: ${pages} pages, ${items} items; ${stop ? `done (${stop})` : `next: ${describePosition(position)}`}`,
    );

  const pagesPerRun = request.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  for (let run = 0; ; run++) {
    if (run >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof paginate>(request, { pages, items, guard, collected, bytes, ...(position && { position }) });
    }
    report();
    const page = (await scheduleAction(FETCH_PAGE, [pageRequest(request, pages, position)], {
      summary: `${name} page ${pages + 1} (${describePosition(position)})`,
      ...request.activityOptions,
    })) as FetchedPage;
    pages++;
    items += page.itemCount;
    if (page.items) {
      bytes += page.bytes;
      if (bytes > COLLECT_LIMIT_BYTES) {
        throw ApplicationFailure.nonRetryable(
          `${name}: the items of ${pages} pages exceed the ${COLLECT_LIMIT_BYTES / 1024 / 1024} MB a collect may return through workflow history; lower the pageLimit, or use forEachPage to handle pages as they come`,
          'PaginationTooLarge',
        );
      }
      collected.push(...page.items);
    }
    if (!page.next) {
      stop = page.stop ?? 'no next link';
      break;
    }
    if (page.nextKey !== undefined) {
      const admitted = admitKey(guard, page.nextKey);
      if (!admitted) {
        throw ApplicationFailure.nonRetryable(
          `${name} page ${pages} (${describePosition(position)}) returned a ${page.next.type === 'link' ? 'next link' : 'cursor'} seen before (${describePosition(page.next)}): the API is going round in a loop, so the pagination stops here instead of running forever`,
          'PaginationLoop',
        );
      }
      guard = admitted;
    }
    position = page.next;
  }
  report();
  return { pages, itemCount: items, stop, ...(!request.handler && { items: collected }) };
}

function pageRequest(request: PaginateRequest, pageIndex: number, position: Position | undefined): FetchPageRequest {
  return {
    integration: request.integration,
    action: request.action,
    input: request.input ?? {},
    pageIndex,
    ...(request.configuration !== undefined && { configuration: request.configuration }),
    ...(position && { position }),
    ...(request.pageLimit !== undefined && { pageLimit: request.pageLimit }),
    ...(request.handler !== undefined && { handler: request.handler }),
    ...(request.readAhead === false && { readAhead: false }),
  };
}
