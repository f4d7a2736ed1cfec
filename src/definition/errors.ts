/** Problems found in definition files, reported all at once so that one run shows everything to fix. */

export interface DefinitionProblem {
  /** The definition file, as the loader was given it. */
  file: string;
  /** JSON pointer (RFC 6901) to the value concerned; '' for the file as a whole. */
  pointer: string;
  /** 1-based position of the value, or of its closest existing ancestor when the pointer names something missing. */
  line: number;
  column: number;
  message: string;
}

export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  readonly problems: readonly DefinitionProblem[];

  /** `problems` are kept in the order of the report: files as they come, each file's problems by position. */
  constructor(problems: readonly DefinitionProblem[]) {
    const ordered = [...byFile(problems).values()].flatMap((list) => list.sort((a, b) => a.line - b.line || a.column - b.column));
    super(report(ordered));
    this.problems = ordered;
  }
}

/**
 * One block per file:
 *
 *     definitions/foo.yaml: 2 problems
 *       12:5 /actions/0/method: must be one of "GET", "POST", ...; got "FETCH"
 */
function report(problems: readonly DefinitionProblem[]): string {
  const lines: string[] = [];
  for (const [file, list] of byFile(problems)) {
    lines.push(`${file}: ${list.length} ${list.length === 1 ? 'problem' : 'problems'}`);
    for (const { line, column, pointer, message } of list) {
      const text = `${line}:${column} ${pointer ? `${pointer}: ` : ''}${message}`;
      lines.push(`  ${text.replaceAll('\n', '\n    ')}`);
    }
  }
  lines.push(
    'Fix the problems above and load again. Editors check definition files as you type when they start with ' +
      '"$schema": "../definition.schema.json" (in YAML: # yaml-language-server: $schema=../definition.schema.json).',
  );
  return lines.join('\n');
}

function byFile(problems: readonly DefinitionProblem[]): Map<string, DefinitionProblem[]> {
  const groups = new Map<string, DefinitionProblem[]>();
  for (const problem of problems) {
    const group = groups.get(problem.file);
    if (group) group.push(problem);
    else groups.set(problem.file, [problem]);
  }
  return groups;
}
