/**
 * A response that cannot be paginated: no results array where the definition says, a cursor of the wrong kind, a
 * pointerPath that cannot run. Retrying fetches the same thing, so it is not retryable; the activity adds the page.
 */
export class PaginationError extends Error {
  override readonly name = 'PaginationError';
}
