/**
 * A real Temporal dev server (`temporal server start-dev`) as a child process, with the project's search attributes
 * registered, for tests and the `dev` command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { searchAttributeFlags } from '../temporal/search-attributes';
import { resolveTemporalExecutable } from './cli-binary';
import { isPortFree } from './free-port';
import { forEachLine, LineTail } from './output-lines';
import { waitUntilServing } from './readiness';
import { startSdkDevServer } from './sdk-dev-server';
import { resolveDevServerSettings, type DevServer, type DevServerOptions, type DevServerSettings } from './settings';

export type { DevServer, DevServerLogLevel, DevServerOptions } from './settings';

/** Time a SIGTERM-ed server gets to shut down cleanly (and flush SQLite) before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * Starts a dev server and resolves once it serves `namespace`. Without `cliPath` the CLI is found or built with Go;
 * without Go, the SDK downloads and runs it instead.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const settings = withServerDefaults(await resolveDevServerSettings(options));
  await assertPortsFree(settings);
  if (options.cliPath !== undefined) return spawnDevServer(options.cliPath, settings, options.onLog);
  const executable = await resolveTemporalExecutable({ onProgress: options.onBuildProgress });
  return executable.type === 'existing-path'
    ? spawnDevServer(executable.path, settings, options.onLog)
    : startSdkDevServer(executable, settings);
}

/**
 * Server settings for workloads of many short activities, such as paginations, put before the caller's `extraArgs` (the
 * CLI keeps the last value given for a key, so the caller's win):
 * - eager activity execution: an activity a workflow schedules on its own task queue comes back in the answer to the
 *   workflow task that scheduled it, on that worker, instead of a trip through matching (the OSS server's default is off);
 * - for a SQLite file, WAL with synchronous=NORMAL: the default (a rollback journal, synchronous=FULL) syncs the disk
 *   several times per transaction, tens of ms per pagination page; WAL commits survive a crash of the server process,
 *   and only an OS crash or power loss can lose the last ones, which suits a development server.
 */
function withServerDefaults(settings: DevServerSettings): DevServerSettings {
  const defaults = ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'];
  if (settings.dbFilename !== undefined) defaults.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  return { ...settings, extraArgs: [...defaults, ...settings.extraArgs] };
}

/**
 * A server already on our port would answer the readiness check before ours fails to bind and exits, so a busy port
 * has to be caught before starting. (Another process can still take it in between; that case fails as an early exit.)
 */
async function assertPortsFree(settings: DevServerSettings): Promise<void> {
  for (const [what, port] of [['gRPC', settings.port], ['Web UI', settings.uiPort]] as const) {
    if (port !== undefined && !(await isPortFree(settings.ip, port))) {
      throw new Error(
        `Cannot start the Temporal dev server: ${what} port ${port} on ${settings.ip} is already in use. ` +
          `Pick another port, or 0 for a free one.`,
      );
    }
  }
}

function devServerArgs(settings: DevServerSettings): string[] {
  const args = ['server', 'start-dev', '--ip', settings.ip, '--port', String(settings.port), '--log-level', settings.logLevel];
  args.push(...(settings.uiPort === undefined ? ['--headless'] : ['--ui-port', String(settings.uiPort)]));
  if (settings.dbFilename !== undefined) args.push('--db-filename', settings.dbFilename);
  // `default` always exists; naming it again is harmless, and any other namespace must be created at start.
  args.push('--namespace', settings.namespace);
  for (const flag of searchAttributeFlags()) args.push('--search-attribute', flag);
  args.push(...settings.extraArgs);
  return args;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

async function spawnDevServer(
  cliPath: string,
  settings: DevServerSettings,
  onLog: DevServerOptions['onLog'],
): Promise<DevServer> {
  const child = spawn(cliPath, devServerArgs(settings), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new LineTail();
  forEachLine(child.stdout, (line) => {
    tail.push(line);
    onLog?.(line, 'stdout');
  });
  forEachLine(child.stderr, (line) => {
    tail.push(line);
    onLog?.(line, 'stderr');
  });
  // 'close' rather than 'exit': it comes after the output pipes are drained, so an error can quote the last lines.
  const exit = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ error }));
  });

  let stopping: Promise<void> | undefined;
  const server: DevServer = {
    address: settings.address,
    namespace: settings.namespace,
    uiUrl: settings.uiUrl,
    pid: child.pid,
    stop: () => (stopping ??= terminate(child, exit)),
  };

  const exitedEarly = new AbortController();
  const readiness = waitUntilServing(settings.address, settings.namespace, settings.readyTimeoutMs, exitedEarly.signal);
  const first = await Promise.race([readiness.then(() => undefined, (err: unknown) => ({ notReady: err })), exit]);
  if (first === undefined) return server;

  // The attempt in flight ends by itself within seconds; waiting for it would only delay the error.
  exitedEarly.abort();
  readiness.catch(() => undefined);
  await server.stop();
  const command = `${cliPath} ${devServerArgs(settings).join(' ')}`;
  const reason = 'notReady' in first ? String(first.notReady) : describeExit(first);
  throw new Error(`Temporal dev server did not become ready: ${reason}\nCommand: ${command}\nLast output:\n${tail}`, {
    cause: 'notReady' in first ? first.notReady : 'error' in first ? first.error : undefined,
  });
}

async function terminate(child: ChildProcess, exit: Promise<Exit>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = new AbortController();
  const exitedInTime = await Promise.race([
    exit.then(() => true),
    delay(STOP_GRACE_MS, false, { signal: timer.signal }).catch(() => true),
  ]);
  timer.abort();
  if (!exitedInTime) {
    child.kill('SIGKILL');
    await exit;
  }
}

function describeExit(exit: Exit): string {
  if ('error' in exit) return `could not start the process: ${exit.error.message}`;
  return `the process exited early (${exit.signal ?? `exit code ${exit.code}`})`;
}
