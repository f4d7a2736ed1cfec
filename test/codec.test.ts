/**
 * The payload codec alone: AES-256-GCM round trips, key rotation, the errors of a wrong key or a tampered payload,
 * and where keys come from (environment, key file, temporal.config.ts, the per-user generated key).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../src/codec/aes-gcm-codec';
import { createPayloadCodec, ENCODING_FAILURE_CONVERTER_PATH, withPayloadEncryption } from '../src/codec/data-converter';
import { loadKeyRing, type CodecConfig } from '../src/codec/keys';
import { localKeyFilePath } from '../src/codec/local-key';
import { resolveTemporalConfig } from '../src/config/temporal-config';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { requireBuild, ROOT } from './helpers/processes';

const newKey = () => randomBytes(32).toString('base64');
const codecOf = (keys: { id: string; key: string }[]) => new AesGcmPayloadCodec(loadKeyRing({ keys }, {}));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'codec-test-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('AES-256-GCM codec', () => {
  const k1 = { id: 'k1', key: newKey() };
  const k2 = { id: 'k2', key: newKey() };
  const secret = `sk-${randomBytes(12).toString('hex')}`;
  const payload = defaultPayloadConverter.toPayload({ apiKey: secret, n: 1 });

  test('round trip: nothing of the payload readable, the key id in the metadata, a fresh IV each time', async () => {
    const codec = codecOf([k1]);
    const [once, twice] = [...(await codec.encode([payload])), ...(await codec.encode([payload]))] as [Payload, Payload];
    expect(text(once.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(once.metadata?.[KEY_ID_METADATA])).toBe('k1');
    // The original metadata (json/plain) is encrypted with the data.
    expect(Object.keys(once.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    for (const form of [secret, Buffer.from(secret).toString('base64')]) expect(Buffer.from(once.data ?? []).toString('latin1')).not.toContain(form);
    expect(Buffer.from(once.data ?? []).equals(Buffer.from(twice.data ?? []))).toBe(false);
    const [decoded] = await codec.decode([once]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ apiKey: secret, n: 1 });
  });

  test('payloads that were never encrypted pass through decode unchanged', async () => {
    expect(await codecOf([k1]).decode([payload])).toEqual([payload]);
  });

  test('rotation: a new current key encrypts, payloads of the old key still decode', async () => {
    const before = codecOf([k1]);
    const after = codecOf([k2, k1]);
    const [old] = await before.encode([payload]);
    const [fresh] = await after.encode([payload]);
    expect(text(fresh!.metadata?.[KEY_ID_METADATA])).toBe('k2');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ apiKey: secret, n: 1 }, { apiKey: secret, n: 1 }]);
  });

  test('a payload of an unknown key fails with the key id and what to configure, never key material', async () => {
    const [fresh] = await codecOf([k2, k1]).encode([payload]);
    const error = await codecOf([k1]).decode([fresh!]).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/codec key "k2": no key with that id is configured here \(known: k1\)/);
    expect((error as Error).message).toContain('CUSTOM_INTEGRATIONS_CODEC_KEYS');
    expectNoKeyMaterial((error as Error).message, [k1, k2]);
  });

  test('a tampered payload, or another key under the same id, fails authentication', async () => {
    const codec = codecOf([k1]);
    const [sealed] = await codec.encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow(/codec key "k1": its authentication tag does not match/);
    const impostor = codecOf([{ id: 'k1', key: newKey() }]);
    const error = await impostor.decode([sealed!]).catch((err: Error) => err);
    expect((error as Error).message).toMatch(/key "k1" here is not the key that encrypted it/);
    expectNoKeyMaterial((error as Error).message, [k1]);
    await expect(codec.decode([{ ...sealed, data: data.subarray(0, 10) }])).rejects.toThrow(/truncated/);
  });
});

describe('key configuration', () => {
  const k1 = { id: 'k1', key: newKey() };
  const k2 = { id: '2026-11', key: newKey() };

  test('CUSTOM_INTEGRATIONS_CODEC_KEYS: id:base64 pairs, the first current', () => {
    const ring = loadKeyRing(undefined, { CUSTOM_INTEGRATIONS_CODEC_KEYS: `${k2.id}:${k2.key}, ${k1.id}:${k1.key}` });
    expect(ring.current.id).toBe('2026-11');
    expect([...ring.byId.keys()]).toEqual(['2026-11', 'k1']);
    expect(ring.byId.get('k1')!.key.equals(Buffer.from(k1.key, 'base64'))).toBe(true);
  });

  test('bad keys are refused with where and what, and without the value', () => {
    const short = randomBytes(16).toString('base64');
    const errorOf = (env: NodeJS.ProcessEnv) => {
      try {
        loadKeyRing(undefined, env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    const tooShort = errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEYS: `k1:${short}` });
    expect(tooShort).toMatch(/key "k1" is not 32 bytes of base64/);
    expect(tooShort).not.toContain(short);
    expect(errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEYS: k1.key })).toMatch(/entry 1 is not "id:base64key"/);
    expect(errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEYS: `a b:${k1.key}` })).toMatch(/CUSTOM_INTEGRATIONS_CODEC_KEYS is not valid: \/keys\/0\/id: a key id is/);
    expect(errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEYS: `k1:${k1.key},k1:${k2.key}` })).toMatch(/key ids must be unique/);
    expect(errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEYS: `k1:${k1.key}`, CUSTOM_INTEGRATIONS_CODEC_KEY_FILE: '/x' })).toMatch(/set only one of them/);
    const missing = path.join(scratch, 'missing.json');
    expect(errorOf({ CUSTOM_INTEGRATIONS_CODEC_KEY_FILE: missing })).toContain(`codec key file ${missing} cannot be read (ENOENT)`);
  });

  test('a key file, from CUSTOM_INTEGRATIONS_CODEC_KEY_FILE or codec.keyFile relative to temporal.config.ts', () => {
    const file = path.join(scratch, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [k2, k1] }));
    expect(loadKeyRing(undefined, { CUSTOM_INTEGRATIONS_CODEC_KEY_FILE: file }).current.id).toBe('2026-11');
    const config = resolveTemporalConfig({ codec: { keyFile: 'keys.json' } }, { env: {}, baseDir: scratch });
    expect(config.codec).toEqual({ keyFile: file });
    expect(createPayloadCodec(config.codec, {})!.keyIds).toEqual(['2026-11', 'k1']);
  });

  test('temporal.config.ts keys by reference; the environment wins over the file', () => {
    const keys = [{ id: 'cfg', key: { env: 'MY_CODEC_KEY' } }];
    const codec = createPayloadCodec(resolveTemporalConfig({ codec: { keys } }, { env: {} }).codec, { MY_CODEC_KEY: k1.key });
    expect(codec!.currentKeyId).toBe('cfg');
    expect(() => createPayloadCodec({ keys }, {})).toThrow(/codec key "cfg" refers to environment variable MY_CODEC_KEY, which is not set/);
    const fromEnv = resolveTemporalConfig({ codec: { keys } }, { env: { CUSTOM_INTEGRATIONS_CODEC_KEYS: `${k2.id}:${k2.key}` } });
    expect(fromEnv.codec).toEqual({ keys: [{ id: '2026-11', key: k2.key }] });
    expect(() => resolveTemporalConfig({ codec: { keys: [] } as unknown as CodecConfig }, { env: {}, file: '/app/temporal.config.ts' })).toThrow(
      '/app/temporal.config.ts: codec is not valid: /keys: give at least one key',
    );
  });

  test('codec: false is the explicit opt-out: no codec, no data converter change', () => {
    const config = resolveTemporalConfig({ codec: false }, { env: {} });
    expect(config.codec).toBe(false);
    expect(createPayloadCodec(config.codec)).toBeUndefined();
    const plugin = new CustomIntegrationsPlugin({ codec: false });
    expect(plugin.codec).toBeUndefined();
    expect(plugin.configureClient({}).dataConverter).toBeUndefined();
  });
});

describe('the generated local key', () => {
  test('with nothing configured, a key is created once with 0600 permissions and reused', () => {
    const env = { XDG_CONFIG_HOME: scratch };
    const first = loadKeyRing(undefined, env);
    const file = localKeyFilePath(env);
    expect(file).toBe(path.join(scratch, 'temporal-custom-integrations', 'codec-keys.json'));
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    const second = loadKeyRing(undefined, env);
    expect(second.current.id).toBe(first.current.id);
    expect(second.current.key.equals(first.current.key)).toBe(true);
    expect(first.current.id).toMatch(/^local-[0-9a-f]{8}$/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ keys: [{ id: first.current.id, key: first.current.key.toString('base64') }] });
  });

  test('processes starting together all end up with the same key', async () => {
    const keysModule = path.join(ROOT, 'dist', 'src', 'codec', 'keys.js');
    requireBuild(keysModule);
    const script = `process.stdout.write(require(${JSON.stringify(keysModule)}).loadKeyRing(undefined, process.env).current.id)`;
    const env = { ...process.env, XDG_CONFIG_HOME: scratch, CUSTOM_INTEGRATIONS_CODEC_KEYS: '', CUSTOM_INTEGRATIONS_CODEC_KEY_FILE: '' };
    const results = await Promise.all(Array.from({ length: 6 }, () => promisify(execFile)(process.execPath, ['-e', script], { env })));
    const ids = new Set(results.map((r) => r.stdout));
    expect(ids.size).toBe(1);
    expect(loadKeyRing(undefined, { XDG_CONFIG_HOME: scratch }).current.id).toBe([...ids][0]);
  });
});

describe('data converter', () => {
  const codec = codecOf([{ id: 'k1', key: newKey() }]);
  const mine: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };

  test("the codec goes after the user's codecs, once, with the encoding failure converter", () => {
    const converter = withPayloadEncryption({ payloadCodecs: [mine] }, codec);
    expect(converter.payloadCodecs).toEqual([mine, codec]);
    expect(converter.failureConverterPath).toBe(ENCODING_FAILURE_CONVERTER_PATH);
    // Applied a second time (plugin on a connection and on the worker): no second layer.
    expect(withPayloadEncryption(converter, codec).payloadCodecs).toEqual([mine, codec]);
    expect(withPayloadEncryption({ failureConverterPath: '/mine.js' }, codec).failureConverterPath).toBe('/mine.js');
  });

  test('the plugin appends its codec to a Client and a Worker', () => {
    const plugin = new CustomIntegrationsPlugin({ codec: { keys: [{ id: 'k1', key: newKey() }] } });
    expect(plugin.configureClient({ dataConverter: { payloadCodecs: [mine] } }).dataConverter?.payloadCodecs).toEqual([mine, plugin.codec]);
    const worker = plugin.configureWorker({ taskQueue: 'q' });
    expect(worker.dataConverter).toEqual({ payloadCodecs: [plugin.codec], failureConverterPath: ENCODING_FAILURE_CONVERTER_PATH });
  });
});

function expectNoKeyMaterial(message: string, keys: { key: string }[]): void {
  for (const { key } of keys) {
    expect(message).not.toContain(key);
    expect(message).not.toContain(Buffer.from(key, 'base64').toString('hex'));
  }
}
