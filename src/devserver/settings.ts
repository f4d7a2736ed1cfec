import { promises as fs } from 'node:fs';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { freePort } from './free-port';

export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

/** Options for `startDevServer`; `temporal.config.ts` and the `dev` command pass these through. */
export interface DevServerOptions {
  /** Temporal CLI to run. When omitted it is found or built (see `ensureTemporalCli`). */
  cliPath?: string;
  /** Address the gRPC frontend and the UI bind to. @default '127.0.0.1' */
  ip?: string;
  /** gRPC port; 0 picks a free one. @default 7233 */
  port?: number;
  /** Web UI port; 0 picks a free one. @default port + 1000 (a free port when `port` is 0) */
  uiPort?: number;
  /** No Web UI. @default false */
  headless?: boolean;
  /** SQLite file that keeps state across restarts (its folder is created); in-memory when omitted. */
  dbFilename?: string;
  /** Namespace the project uses; created at start. @default 'default' */
  namespace?: string;
  /** @default 'warn' */
  logLevel?: DevServerLogLevel;
  /** Passed to `temporal server start-dev` as they are, after the flags this module sets. */
  extraArgs?: string[];
  /** How long to wait for the server to answer for `namespace`. @default 60000 */
  readyTimeoutMs?: number;
  /** Every line the server prints. Not called when the SDK runs the server (no Go to build the CLI). */
  onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Progress of a Temporal CLI build, when one is needed (see `ensureTemporalCli`). */
  onBuildProgress?: (line: string) => void;
}

export interface DevServer {
  /** `host:port` for `Connection.connect` / `NativeConnection.connect`. */
  readonly address: string;
  readonly namespace: string;
  /** Web UI; undefined when headless. */
  readonly uiUrl: string | undefined;
  /** Server process; undefined when the SDK runs the server for us. */
  readonly pid: number | undefined;
  /** Stops the server and waits for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options with defaults applied and ports chosen. */
export interface DevServerSettings {
  ip: string;
  port: number;
  /** Undefined when headless. */
  uiPort: number | undefined;
  dbFilename: string | undefined;
  namespace: string;
  logLevel: DevServerLogLevel;
  extraArgs: string[];
  readyTimeoutMs: number;
  address: string;
  uiUrl: string | undefined;
}

export async function resolveDevServerSettings(options: DevServerOptions): Promise<DevServerSettings> {
  const ip = options.ip ?? '127.0.0.1';
  const requestedPort = options.port ?? 7233;
  const port = requestedPort === 0 ? await freePort(ip) : requestedPort;
  const uiPort = options.headless ? undefined : await chooseUiPort(ip, requestedPort, port, options.uiPort);
  const dbFilename = options.dbFilename === undefined ? undefined : path.resolve(options.dbFilename);
  if (dbFilename) await fs.mkdir(path.dirname(dbFilename), { recursive: true });
  const host = connectableHost(ip);
  return {
    ip,
    port,
    uiPort,
    dbFilename,
    namespace: options.namespace ?? 'default',
    logLevel: options.logLevel ?? 'warn',
    extraArgs: options.extraArgs ?? [],
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    address: `${host}:${port}`,
    uiUrl: uiPort === undefined ? undefined : `http://${host}:${uiPort}`,
  };
}

async function chooseUiPort(ip: string, requestedPort: number, port: number, uiPort: number | undefined): Promise<number> {
  if (uiPort === 0) return freePort(ip);
  if (uiPort !== undefined) return uiPort;
  // A random gRPC port plus 1000 is no more likely to be free than any other port, so pick a free one instead.
  return requestedPort === 0 ? freePort(ip) : port + 1000;
}

/** Clients cannot dial a wildcard bind address portably; loopback reaches it. */
function connectableHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return isIPv6(ip) ? `[${ip}]` : ip;
}
