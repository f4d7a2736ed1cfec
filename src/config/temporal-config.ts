/**
 * `temporal.config.ts`: one typed place for how this package reaches Temporal and where its definitions live.
 *
 * Precedence, lowest first: the Temporal CLI's TOML profile (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`), this
 * file, then `TEMPORAL_*` environment variables, as in every Temporal SDK.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { ConfigurationInput } from '../configurations/model';
import { codecConfigFromEnv, parseCodecConfig, type CodecConfig } from '../codec/keys';

export interface DevServerConfig {
  /** Start the embedded dev server (`custom-integrations dev`, `npm run demo`). */
  readonly ip?: string;
  readonly port?: number;
  readonly uiPort?: number;
  readonly headless?: boolean;
  /** SQLite file: runs survive restarts of the dev server. */
  readonly dbFilename?: string;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readonly extraArgs?: readonly string[];
}

export interface TemporalConfigInput extends ClientConfigProfile {
  readonly taskQueue?: string;
  /** Folder of integration definitions, relative to the config file. */
  readonly definitionsDir?: string;
  /** Credential instances of the integrations; secrets as `{ env: 'VAR' }` or `{ file: '...' }`. */
  readonly configurations?: readonly ConfigurationInput[];
  readonly devServer?: DevServerConfig;
  /** Base URL of the Temporal Web UI, for the links the CLI prints. */
  readonly uiUrl?: string;
  /**
   * Payload encryption keys: `{ keys: [{ id, key: { env: 'VAR' } }, ...] }` (the first encrypts, all decrypt) or
   * `{ keyFile }`; `false` stores payloads and failure messages in plaintext. Without it, and without
   * CUSTOM_INTEGRATIONS_CODEC_KEYS / CUSTOM_INTEGRATIONS_CODEC_KEY_FILE (which win over it), a key generated once for
   * this user is used: fine for the local dev server, not for production.
   */
  readonly codec?: CodecConfig;
}

export interface TemporalConfig {
  readonly profile: ClientConfigProfile & { address: string; namespace: string };
  readonly connection: NativeConnectionOptions;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly definitionsDir: string;
  readonly configurations: readonly ConfigurationInput[];
  readonly devServer: Required<Omit<DevServerConfig, 'extraArgs'>> & { extraArgs: readonly string[] };
  readonly uiUrl: string;
  /** Payload encryption settings; undefined means the default (see TemporalConfigInput.codec). */
  readonly codec: CodecConfig | undefined;
  /** The file the settings came from, if any. */
  readonly file?: string;
}

/** Typed helper for `temporal.config.ts`: `export default defineConfig({ ... })`. */
export function defineConfig(config: TemporalConfigInput): TemporalConfigInput {
  return config;
}

export const CONFIG_FILE_NAMES = ['temporal.config.ts', 'temporal.config.js', 'temporal.config.cjs', 'temporal.config.json'];
export const DEFAULT_TASK_QUEUE = 'custom-integrations';

export interface LoadConfigOptions {
  readonly cwd?: string;
  /** An explicit config file; otherwise the first of CONFIG_FILE_NAMES found in cwd. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export async function loadTemporalConfig(options: LoadConfigOptions = {}): Promise<TemporalConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file
    ? path.resolve(cwd, options.file)
    : CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
  const fromFile = file ? await importConfigFile(file) : {};
  return resolveTemporalConfig(fromFile, { env, baseDir: file ? path.dirname(file) : cwd, ...(file && { file }) });
}

export function resolveTemporalConfig(
  input: TemporalConfigInput,
  { env = process.env, baseDir = process.cwd(), file }: { env?: NodeJS.ProcessEnv; baseDir?: string; file?: string } = {},
): TemporalConfig {
  // An empty variable counts as unset, as in a shell `VAR= command`.
  const envVars = definedOnly(env);
  const fromToml = loadClientConfigProfile({ disableEnv: true, overrideEnvVars: envVars });
  const fromEnv = loadClientConfigProfile({ disableFile: true, overrideEnvVars: envVars });
  const { taskQueue, definitionsDir, configurations, devServer, uiUrl, codec, ...profileFromFile } = input;
  const dev = {
    ip: devServer?.ip ?? '127.0.0.1',
    port: devServer?.port ?? 7233,
    uiPort: devServer?.uiPort ?? (devServer?.port ?? 7233) + 1000,
    headless: devServer?.headless ?? false,
    dbFilename: path.resolve(baseDir, devServer?.dbFilename ?? '.temporal/dev-server.sqlite'),
    logLevel: devServer?.logLevel ?? 'warn',
    extraArgs: devServer?.extraArgs ?? [],
  };
  const merged: ClientConfigProfile = { ...compact(fromToml), ...compact(profileFromFile), ...compact(fromEnv) };
  const profile = {
    ...merged,
    address: merged.address ?? `${dev.ip}:${dev.port}`,
    namespace: merged.namespace ?? 'default',
  };
  return {
    profile,
    connection: toClientOptions(profile).connectionOptions,
    namespace: profile.namespace,
    taskQueue: envVars.TEMPORAL_TASK_QUEUE ?? taskQueue ?? DEFAULT_TASK_QUEUE,
    definitionsDir: path.resolve(baseDir, envVars.CUSTOM_INTEGRATIONS_DEFINITIONS ?? definitionsDir ?? 'definitions'),
    configurations: configurations ?? [],
    devServer: dev,
    uiUrl: (envVars.TEMPORAL_UI_URL ?? uiUrl ?? `http://localhost:${dev.uiPort}`).replace(/\/+$/, ''),
    codec: codecConfigFromEnv(envVars) ?? resolveCodecConfig(codec, baseDir, file),
    ...(file && { file }),
  };
}

/** Link to a workflow run in the Web UI. */
export function workflowRunUrl(config: Pick<TemporalConfig, 'uiUrl' | 'namespace'>, workflowId: string, runId: string): string {
  return `${config.uiUrl}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

function resolveCodecConfig(input: CodecConfig | undefined, baseDir: string, file: string | undefined): CodecConfig | undefined {
  if (input === undefined) return undefined;
  const codec = parseCodecConfig(input, `${file ?? 'temporal.config.ts'}: codec`);
  return codec !== false && 'keyFile' in codec ? { keyFile: path.resolve(baseDir, codec.keyFile) } : codec;
}

async function importConfigFile(file: string): Promise<TemporalConfigInput> {
  // jiti compiles a TypeScript config on the fly, so users need no build step for it.
  const { createJiti } = await import('jiti');
  const loaded = await createJiti(__filename, { moduleCache: false }).import<{ default?: TemporalConfigInput } & TemporalConfigInput>(file);
  return loaded.default ?? loaded;
}

function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
}
