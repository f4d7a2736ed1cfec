/**
 * One Temporal runtime logger for every test file: it keeps each entry, at every level, for tests that read what
 * a worker logged (the secrets test), and prints only errors, since many tests fail activities on purpose.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

export const workerLogs: LogEntry[] = [];

Runtime.install({
  logger: new DefaultLogger('TRACE', (entry) => {
    workerLogs.push(entry);
    if (entry.level === 'ERROR') console.error(`[temporal] ${entry.message}`, entry.meta ?? '');
  }),
});
