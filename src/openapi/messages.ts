/**
 * What an import tells its user: every defect found in the spec and every guess made for it, each with where it is
 * and what to do. Messages are collected by pointer during the import and located (line:column) once at the end, so
 * a clean spec never pays for locating.
 */

export type Severity = 'error' | 'warning' | 'info';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface ImportMessage {
  severity: Severity;
  /** The rule that produced the message, e.g. "dangling-ref": what tests and reports group by. */
  code: string;
  /** JSON pointer to the value concerned in the source file (for Swagger 2.0, the original file where feasible). */
  pointer: string;
  /** Only when the location is in another file than the one imported: a local file an external `$ref` names. */
  file?: string;
  /** 1-based position of the value (or of its closest existing ancestor), when it could be located. */
  line?: number;
  column?: number;
  message: string;
  /** What to do about it. */
  fix: string;
}

interface Tally {
  message: ImportMessage;
  count: number;
  examples: string[];
  describe: (count: number, examples: string[]) => string;
}

/** How many examples a tallied message names. */
const EXAMPLES = 3;

export class Messages {
  readonly list: ImportMessage[] = [];
  private readonly tallies = new Map<string, Tally>();

  add(severity: Severity, code: string, pointer: string, message: string, fix: string, file?: string): void {
    this.list.push({ severity, code, pointer, ...(file !== undefined && { file }), message, fix });
  }

  error(code: string, pointer: string, message: string, fix: string, file?: string): void {
    this.add('error', code, pointer, message, fix, file);
  }

  warning(code: string, pointer: string, message: string, fix: string, file?: string): void {
    this.add('warning', code, pointer, message, fix, file);
  }

  info(code: string, pointer: string, message: string, fix: string, file?: string): void {
    this.add('info', code, pointer, message, fix, file);
  }

  /**
   * One message for a finding a spec repeats everywhere (no operationIds, no descriptions, a type alias): at its
   * first place, with the count and a few examples, instead of thousands of lines that say the same. Added to
   * `list` by flush(). `pointer` may be a place whose pointer is written when read: only the first one's is.
   */
  tally(
    severity: Severity,
    code: string,
    pointer: string | { readonly pointer: string },
    example: string,
    describe: (count: number, examples: string[]) => string,
    fix: string,
    file?: string,
  ): void {
    const tally = this.tallies.get(code);
    if (tally) {
      tally.count++;
      if (tally.examples.length < EXAMPLES && !tally.examples.includes(example)) tally.examples.push(example);
      return;
    }
    const message: ImportMessage = {
      severity,
      code,
      pointer: typeof pointer === 'string' ? pointer : pointer.pointer,
      ...(file !== undefined && { file }),
      message: '',
      fix,
    };
    this.tallies.set(code, { message, count: 1, examples: [example], describe });
  }

  flush(): void {
    for (const { message, count, examples, describe } of this.tallies.values()) {
      this.list.push({ ...message, message: describe(count, examples) });
    }
    this.tallies.clear();
  }
}

/** "3 operations (e.g. a, b, c)" or "1 operation (a)", for tallied messages. */
export function counted(count: number, what: string, examples: string[]): string {
  const more = count > examples.length ? ', ...' : '';
  return `${count} ${what}${count === 1 ? '' : 's'} (${count === 1 ? '' : 'e.g. '}${examples.join(', ')}${more})`;
}

/** The import could not produce a definition: the file cannot be read or parsed, or no operation could be imported. */
export class ImportError extends Error {
  override readonly name = 'ImportError';

  constructor(
    readonly source: string,
    summary: string,
    readonly messages: readonly ImportMessage[],
  ) {
    super(messages.length > 0 ? `${source}: ${summary}\n${formatReport(source, messages)}` : `${source}: ${summary}`);
  }
}

/** An ImportError about the file as a whole (unreadable, not a spec), its one message located at `position`. */
export function fileError(
  source: string,
  summary: string,
  message: string,
  fix: string,
  position: { line: number; column: number } = { line: 1, column: 1 },
): ImportError {
  return new ImportError(source, summary, [{ severity: 'error', code: 'file', pointer: '', ...position, message, fix }]);
}

/** Errors first, then warnings, then infos; within a severity, in file order. */
export function sortMessages(messages: readonly ImportMessage[]): ImportMessage[] {
  const rank = (m: ImportMessage) => SEVERITIES.indexOf(m.severity);
  // Files are compared only when they differ: nearly all messages are about the spec itself, and a process's first
  // localeCompare sets up ICU's collator, 12 ms of every import.
  return [...messages].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.file === b.file ? 0 : (a.file ?? '').localeCompare(b.file ?? '')) ||
      (a.line ?? Infinity) - (b.line ?? Infinity) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

export function countBySeverity(messages: readonly ImportMessage[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const m of messages) counts[m.severity]++;
  return counts;
}

/** Lines shown per severity and code before "... and N more": enough to see the pattern, not a wall of text. */
const SHOWN_PER_CODE = 10;

/**
 * The messages for people: a count line, then by severity, each with its position and fix. A code with many
 * messages shows its first few and how many more there are (--json lists them all).
 */
export function formatReport(source: string, messages: readonly ImportMessage[]): string {
  const counts = countBySeverity(messages);
  const lines = [`${source}: ${SEVERITIES.map((s) => `${counts[s]} ${s}${counts[s] === 1 ? '' : 's'}`).join(', ')}`];
  for (const severity of SEVERITIES) {
    const ofSeverity = sortMessages(messages.filter((m) => m.severity === severity));
    if (ofSeverity.length === 0) continue;
    lines.push(`${severity}s:`);
    const shown = new Map<string, number>();
    for (const m of ofSeverity) {
      const count = (shown.get(m.code) ?? 0) + 1;
      shown.set(m.code, count);
      if (count > SHOWN_PER_CODE) continue;
      const where = [m.file, m.line !== undefined ? `${m.line}:${m.column}` : undefined].filter(Boolean).join(':');
      lines.push(`  ${where ? `${where} ` : ''}${m.pointer || '(file)'}: ${m.message}`, `      fix: ${m.fix}`);
    }
    for (const [code, count] of shown) {
      if (count > SHOWN_PER_CODE) lines.push(`  ... and ${count - SHOWN_PER_CODE} more ${code} ${severity}s (--json lists them all)`);
    }
  }
  return lines.join('\n');
}
