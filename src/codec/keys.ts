/**
 * Encryption keys of the payload codec: where they come from (environment, a key file, temporal.config.ts, or a key
 * generated for this user), checked with zod at the edge. The first key encrypts; every key decrypts, so a new key can
 * become current while payloads written under the old one stay readable.
 *
 * Errors name key ids, variables and files, never key material.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SecretRef } from '../configurations/model';
import { readSecret } from '../configurations/secret-ref';
import { toPointer } from '../source-location';
import { readOrCreateLocalKeyFile } from './local-key';

/** `id:base64key,id:base64key`, the current key first. */
export const CODEC_KEYS_ENV = 'CUSTOM_INTEGRATIONS_CODEC_KEYS';
/** A key file (the format of {@link KeyFile}). */
export const CODEC_KEY_FILE_ENV = 'CUSTOM_INTEGRATIONS_CODEC_KEY_FILE';

export const KEY_BYTES = 32;

const KeyId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1 to 64 letters, digits, ".", "_" or "-"')
  .describe('Stored in every payload the key encrypts, so decoders know which key to use.');

export const CodecKeyInput = z
  .object({
    id: KeyId,
    key: SecretRef.describe('32 random bytes, base64: `openssl rand -base64 32`. Prefer { env } or { file } to the value itself.'),
  })
  .strict();
export type CodecKeyInput = z.infer<typeof CodecKeyInput>;

const keyList = <T extends z.ZodType<{ id: string }>>(entry: T) =>
  z
    .array(entry)
    .min(1, 'give at least one key')
    .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique');
const Keys = keyList(CodecKeyInput);

const KeysConfig = z.object({ keys: Keys.describe('The first key encrypts; all of them decrypt.') }).strict();
const KeyFileConfig = z
  .object({ keyFile: z.string().min(1).describe('A JSON key file: { "keys": [{ "id": "...", "key": "base64" }] }, the current key first.') })
  .strict();

/** The `codec` section of temporal.config.ts; `false` turns payload encryption off. */
export const CodecConfig = z.union([z.literal(false), KeysConfig, KeyFileConfig]);
export type CodecConfig = z.infer<typeof CodecConfig>;

/** A key file: the same list as `codec.keys`, with the key values inline. */
const KeyFile = z.object({ keys: keyList(z.object({ id: KeyId, key: z.string() }).strict()) }).strict();

export interface CodecKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface KeyRing {
  /** Encrypts new payloads. */
  readonly current: CodecKey;
  /** Every key that decrypts, by id (the current one included). */
  readonly byId: ReadonlyMap<string, CodecKey>;
}

/** The codec error for anything wrong with keys or their configuration. */
export class CodecKeyError extends Error {
  override readonly name = 'CodecKeyError';
}

/**
 * The codec settings the environment gives, if any: they win over temporal.config.ts, as `TEMPORAL_*` variables do.
 */
export function codecConfigFromEnv(env: NodeJS.ProcessEnv): Exclude<CodecConfig, false> | undefined {
  const keys = env[CODEC_KEYS_ENV] || undefined;
  const file = env[CODEC_KEY_FILE_ENV] || undefined;
  if (keys && file) throw new CodecKeyError(`${CODEC_KEYS_ENV} and ${CODEC_KEY_FILE_ENV} are both set: set only one of them`);
  if (file) return { keyFile: path.resolve(file) };
  if (!keys) return undefined;
  const entries = keys.split(',').map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new CodecKeyError(`${CODEC_KEYS_ENV}: entry ${i + 1} is not "id:base64key"; the format is id:base64key,id:base64key with the current key first`);
    return { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
  });
  return parseWith(KeysConfig, { keys: entries }, CODEC_KEYS_ENV);
}

/** The `codec` section of temporal.config.ts, checked; `where` names it in errors. Key values never appear in them. */
export function parseCodecConfig(input: unknown, where: string): CodecConfig {
  if (input === false) return false;
  // One schema per shape rather than the union, whose error would only say that no shape matched.
  const hint = '. Expected false, { keys: [{ id, key }] } or { keyFile }';
  return typeof input === 'object' && input !== null && 'keyFile' in input
    ? parseWith(KeyFileConfig, input, where, hint)
    : parseWith(KeysConfig, input, where, hint);
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, where: string, hint = ''): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new CodecKeyError(`${where} is not valid: ${issuesText(result.error)}${hint}`);
}

/**
 * The key ring for settings from {@link codecConfigFromEnv} or temporal.config.ts. Without settings: the environment's,
 * else the key generated once for this user (see local-key.ts), so a local setup needs no configuration.
 */
export function loadKeyRing(config: Exclude<CodecConfig, false> | undefined, env: NodeJS.ProcessEnv = process.env): KeyRing {
  const settings = config ?? codecConfigFromEnv(env);
  if (settings === undefined) {
    const local = readOrCreateLocalKeyFile(env, newLocalKeyFile);
    return keyRingFromFile(local.text, local.file);
  }
  if ('keyFile' in settings) return keyRingFromFile(readKeyFile(settings.keyFile), settings.keyFile);
  return toKeyRing(
    settings.keys.map(({ id, key }) => ({ id, key: readSecret(key, `codec key "${id}"`, env).reveal() })),
    'codec keys',
  );
}

function newLocalKeyFile(): string {
  // A random id, so a payload from another machine's local key fails with "unknown key" rather than a failed decryption.
  const keys = [{ id: `local-${randomBytes(4).toString('hex')}`, key: randomBytes(KEY_BYTES).toString('base64') }];
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

/** Parses a key file's text; `file` is only for messages. */
function keyRingFromFile(text: string, file: string): KeyRing {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CodecKeyError(`codec key file ${file} is not JSON; expected { "keys": [{ "id": "...", "key": "base64" }] }`);
  }
  const result = KeyFile.safeParse(data);
  if (!result.success) throw new CodecKeyError(`codec key file ${file} is not valid: ${issuesText(result.error)}`);
  return toKeyRing(result.data.keys, `codec key file ${file}`);
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CodecKeyError(`codec key file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check ${CODEC_KEY_FILE_ENV} or codec.keyFile`);
  }
}

function toKeyRing(keys: readonly { id: string; key: string }[], where: string): KeyRing {
  const decoded = keys.map(({ id, key }) => ({ id, key: decodeKey(id, key, where) }));
  return { current: decoded[0]!, byId: new Map(decoded.map((k) => [k.id, k])) };
}

function decodeKey(id: string, base64: string, where: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  // Buffer.from skips characters that are not base64, so the length check alone could accept a mangled value.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || key.length !== KEY_BYTES) {
    throw new CodecKeyError(
      `${where}: key "${id}" is not ${KEY_BYTES} bytes of base64 (AES-256 needs exactly ${KEY_BYTES}); make one with \`openssl rand -base64 32\``,
    );
  }
  return key;
}

function issuesText(error: z.ZodError): string {
  // Only paths and zod's own messages: a message quoting the input could quote a key.
  return error.issues.map((issue) => `${toPointer(issue.path.map(String)) || '/'}: ${issue.message}`).join('; ');
}
