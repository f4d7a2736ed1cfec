/**
 * What the paginate workflow and the page activity exchange: positions, stop reasons, the activity's request and
 * answer. Types and constants only, so workflow code can import it.
 */

/** Where a page starts. The first page of a pagination has no position: the activity works it out from the definition. */
export type Position =
  | { readonly type: 'index'; readonly offset: number }
  | { readonly type: 'page'; readonly page: number }
  | { readonly type: 'link'; readonly url: string }
  | { readonly type: 'pointer'; readonly cursor: string };

export type StopReason =
  /** Pagination type `none`: the one response is the only page. */
  | 'single page'
  | 'empty page'
  /** Fewer items than the page size (index and page types). */
  | 'short page'
  | 'has more is false'
  | 'no next link'
  | 'no cursor'
  | 'page limit';

export const FETCH_PAGE = 'customIntegrations.fetchPage';
/** The paginate workflow's query: how far it got. */
export const PROGRESS_QUERY = 'paginationProgress';

export interface FetchPageRequest {
  readonly integration: string;
  readonly action: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly configuration?: string;
  /** Absent for the first page. */
  readonly position?: Position;
  /** 0 for the first page. */
  readonly pageIndex: number;
  /** Raises or lowers the action's pageLimit. */
  readonly pageLimit?: number;
  /** forEachPage: the page handler that receives the items, which then stay out of workflow history. */
  readonly handler?: string;
  /** false: the next page is not requested before its own activity runs (see src/pagination/read-ahead). */
  readonly readAhead?: boolean;
}

export interface FetchedPage {
  readonly itemCount: number;
  /** The items, in collect mode only. */
  readonly items?: unknown[];
  /** Size of the items as JSON, in collect mode: the workflow keeps its total under the payload limit. */
  readonly bytes: number;
  /** Exactly one of next and stop is set. */
  readonly next?: Position;
  /** A short hash of a next link or cursor, for the repeated-cursor guard (index and page positions cannot repeat). */
  readonly nextKey?: string;
  readonly stop?: StopReason;
}

/** One page as a page handler receives it. `pageIndex` is stable across retries and crashes: key idempotent writes on it. */
export interface Page {
  readonly integration: string;
  readonly action: string;
  readonly pageIndex: number;
  readonly position?: Position;
  readonly items: readonly unknown[];
}

export type PageHandler = (page: Page) => Promise<void>;

/**
 * The most item JSON a collect may hold: pages and the collected items travel as Temporal payloads (the server refuses
 * payloads over 2 MB), so a page or a total over this fails with advice instead.
 */
export const COLLECT_LIMIT_BYTES = 1.5 * 1024 * 1024;

/** How a position reads in progress reports and errors. Cursors and links may hold tokens: only their start is shown. */
export function describePosition(position: Position | undefined): string {
  switch (position?.type) {
    case undefined:
      return 'first page';
    case 'index':
      return `offset ${position.offset}`;
    case 'page':
      return `page ${position.page}`;
    case 'link':
      return `link ${shorten(position.url.replace(/[?#].*$/s, ''))}`;
    case 'pointer':
      return `cursor ${shorten(position.cursor)}`;
  }
}

const shorten = (text: string) => (text.length <= 48 ? text : `${text.slice(0, 47)}…`);
