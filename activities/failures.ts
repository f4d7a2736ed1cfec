/**
 * One place decides how an error becomes a Temporal activity failure: what is retried, after how long, and
 * what the operator reads. Messages come from our own error classes, which never carry secrets.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { HttpError, HttpStatusError } from '../src/http/errors';

export function toActivityFailure(err: unknown): Error {
  // Cancellation is the activity being asked to stop, not a failure of the call: Temporal must see it as is.
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  if (err instanceof HttpStatusError) {
    return ApplicationFailure.create({
      type: err.name,
      message: err.message,
      nonRetryable: !err.retryable,
      details: [{ status: err.status, method: err.method, path: err.path }],
      ...(err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  if (err instanceof HttpError) {
    return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: !err.retryable });
  }
  // Anything else is a problem with the call itself (unknown configuration, bad input): retrying cannot fix it.
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
}
