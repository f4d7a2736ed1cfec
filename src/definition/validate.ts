/**
 * Checking a definition made in memory (an edit, a merged re-import). There is no file to point into, so problems
 * are named by JSON pointer only.
 */
import { toPointer } from '../source-location';
import { describeIssues } from './issues';
import { Definition } from './model';

/** An edit that cannot be made as asked: the message says why and what would work. */
export class EditError extends Error {
  override readonly name = 'EditError';
}

export function validDefinition(data: unknown): Definition {
  const result = Definition.safeParse(data);
  if (result.success) return result.data;
  const problems = describeIssues(Definition, result.error.issues, data).map(({ path, message }) => `${toPointer(path)}: ${message}`);
  throw new EditError(`the result would not be a valid definition:\n  ${problems.join('\n  ')}`);
}
