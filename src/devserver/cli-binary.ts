/**
 * Finds the Temporal CLI (which embeds the dev server), or builds it with Go so tests and `dev` need no manual install.
 * The SDK's own download is only the last resort: it needs the network at run time, which some machines do not have.
 */
import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { forEachLine, LineTail } from './output-lines';

/** The newest tag whose go.mod has no `replace` directive; later ones cannot be built with `go install pkg@version`. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

const EXE_SUFFIX = process.platform === 'win32' ? '.exe' : '';
const CLI_FILE_NAME = `temporal${EXE_SUFFIX}`;
const BUILD_DIR_PREFIX = '.build-';
const LOCK_FILE_NAME = '.build.lock';
const LOCK_POLL_MS = 500;
/** A lock file without a readable pid is left alone this long: its owner may be between creating and writing it. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

export interface CliLookupOptions {
  /** Environment to read `TEMPORAL_CLI_PATH`, `PATH` and `XDG_CACHE_HOME` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

export interface EnsureTemporalCliOptions extends CliLookupOptions {
  /** Receives status lines and every line of Go's output. Without it, only a short status line goes to stderr. */
  onProgress?: (line: string) => void;
}

/** `go` is not on PATH, so the CLI cannot be built; {@link resolveTemporalExecutable} then falls back to the SDK download. */
export class GoNotFoundError extends Error {
  constructor() {
    super(
      `The Temporal CLI was not found (TEMPORAL_CLI_PATH, PATH, cache) and Go is not on PATH to build it. ` +
        `Install Go, install the Temporal CLI, or set TEMPORAL_CLI_PATH.`,
    );
    this.name = 'GoNotFoundError';
  }
}

/** Per-user folder the CLI is built into: `$XDG_CACHE_HOME` or `~/.cache`, then `temporal-custom-integrations/bin`. */
export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'bin');
}

/** `TEMPORAL_CLI_PATH` (must exist when set), then `PATH`, then the per-user cache. */
export async function findTemporalCli(options: CliLookupOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!(await isExecutableFile(resolved))) {
      throw new Error(`TEMPORAL_CLI_PATH is set to "${explicit}", which is not an executable file. Fix or unset TEMPORAL_CLI_PATH.`);
    }
    return resolved;
  }
  const onPath = await findOnPath(CLI_FILE_NAME, env);
  if (onPath) return onPath;
  const cached = path.join(temporalCliCacheDir(env), CLI_FILE_NAME);
  return (await isExecutableFile(cached)) ? cached : undefined;
}

/** The CLI's path, building it into {@link temporalCliCacheDir} with Go first if needed. Throws {@link GoNotFoundError} without Go. */
export async function ensureTemporalCli(options: EnsureTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const found = await findTemporalCli({ env });
  if (found) return found;
  const go = await findOnPath(`go${EXE_SUFFIX}`, env);
  if (!go) throw new GoNotFoundError();
  const report = options.onProgress
    ? { status: options.onProgress, output: options.onProgress }
    : { status: (line: string) => process.stderr.write(`${line}\n`), output: () => undefined };
  return buildTemporalCli(go, env, report);
}

/**
 * What `TestWorkflowEnvironment.createLocal({ server: { executable } })` should run: the CLI from {@link ensureTemporalCli},
 * or, when Go is missing, the SDK's cached download into the same per-user cache.
 */
export async function resolveTemporalExecutable(options: EnsureTemporalCliOptions = {}): Promise<EphemeralServerExecutable> {
  try {
    return { type: 'existing-path', path: await ensureTemporalCli(options) };
  } catch (err) {
    if (!(err instanceof GoNotFoundError)) throw err;
    return { type: 'cached-download', downloadDir: path.join(cacheRoot(options.env ?? process.env), 'sdk-download') };
  }
}

interface BuildReport {
  status: (line: string) => void;
  output: (line: string) => void;
}

async function buildTemporalCli(go: string, env: NodeJS.ProcessEnv, report: BuildReport): Promise<string> {
  const binDir = temporalCliCacheDir(env);
  const target = path.join(binDir, CLI_FILE_NAME);
  await fs.mkdir(binDir, { recursive: true });
  const release = await acquireBuildLock(path.join(binDir, LOCK_FILE_NAME), report.status);
  try {
    // Whoever held the lock before us may have just finished the same build.
    if (await isExecutableFile(target)) return target;
    await removeAbandonedBuilds(binDir);
    // GOBIN is a fresh folder next to the target, so the final rename is atomic and a killed build leaves no half binary.
    const buildDir = await fs.mkdtemp(path.join(binDir, `${BUILD_DIR_PREFIX}${process.pid}-`));
    try {
      report.status(
        `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${binDir}. ` +
          `The first build downloads several hundred MB of modules and takes minutes; later runs reuse it.`,
      );
      await runGoInstall(go, buildDir, env, report.output);
      await fs.rename(path.join(buildDir, CLI_FILE_NAME), target);
      report.status(`Temporal CLI ready: ${target}`);
      return target;
    } finally {
      await fs.rm(buildDir, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

function runGoInstall(go: string, gobin: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  const spec = `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`;
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', spec], { env: { ...env, GOBIN: gobin }, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = new LineTail();
    const record = (line: string) => {
      tail.push(line);
      onLine(line);
    };
    forEachLine(child.stdout, record);
    forEachLine(child.stderr, record);
    child.once('error', (err) => reject(new Error(`Could not run ${go}: ${err.message}`, { cause: err })));
    // 'close' rather than 'exit': it fires after the output pipes are drained, so the tail is complete.
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`\`go install ${spec}\` failed (${signal ?? `exit code ${code}`}). Last output:\n${tail}`));
    });
  });
}

/** Holds `lockPath` (containing our pid) until the returned function is called; waits while a live process holds it. */
async function acquireBuildLock(lockPath: string, status: (line: string) => void): Promise<() => Promise<void>> {
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rm(lockPath, { force: true });
    } catch (err) {
      if (!isErrnoException(err) || err.code !== 'EEXIST') throw err;
    }
    const holder = await lockHolder(lockPath);
    if (holder === 'stale') {
      // Two processes racing here can both end up building; each uses its own folder and an atomic rename, so that only costs time.
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (holder === 'gone') continue;
    if (typeof holder === 'number' && !announced) {
      status(`Waiting for another process (pid ${holder}) that is building the Temporal CLI...`);
      announced = true;
    }
    await delay(LOCK_POLL_MS);
  }
}

async function lockHolder(lockPath: string): Promise<number | 'stale' | 'gone' | 'unknown'> {
  let content: string;
  let modified: number;
  try {
    [content, modified] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath).then((s) => s.mtimeMs)]);
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') return 'gone';
    throw err;
  }
  const pid = Number.parseInt(content, 10);
  if (Number.isInteger(pid) && pid > 0) return isProcessAlive(pid) ? pid : 'stale';
  return Date.now() - modified > UNREADABLE_LOCK_GRACE_MS ? 'stale' : 'unknown';
}

/** Build folders whose process died (killed mid-build); folders of live builds are left alone. */
async function removeAbandonedBuilds(binDir: string): Promise<void> {
  for (const entry of await fs.readdir(binDir)) {
    if (!entry.startsWith(BUILD_DIR_PREFIX)) continue;
    const pid = Number.parseInt(entry.slice(BUILD_DIR_PREFIX.length), 10);
    if (Number.isInteger(pid) && isProcessAlive(pid)) continue;
    await fs.rm(path.join(binDir, entry), { recursive: true, force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return isErrnoException(err) && err.code === 'EPERM';
  }
}

async function findOnPath(fileName: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, fileName);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.resolve(base, 'temporal-custom-integrations');
}

/** Duck-typed: under Jest, errors from Node's own modules come from another realm and fail `instanceof Error`. */
function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && 'code' in err;
}
