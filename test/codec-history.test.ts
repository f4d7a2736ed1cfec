/**
 * Secrets kept out of history, end to end: a worker and client with the plugin's default codec (the generated local
 * key of this run), an action whose API echoes its API key back, another that fails with a marker in the message.
 * The raw history as the Temporal CLI prints it (`temporal workflow show --output json`, no codec) and the worker's
 * logs contain neither; the same raw history decoded with the codec does, so the check cannot pass by reading nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { AesGcmPayloadCodec } from '../src/codec/aes-gcm-codec';
import { startCodecServer } from '../src/codec/server';
import { Definition } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { json, serve, type Server } from './helpers/http-server';
import { decrypted, rawHistory, readable } from './helpers/raw-history';
import { startTestWorker, type TestWorker } from './helpers/temporal';
import { workerLogs } from './setup-logging';

const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const MARKER = `marker-${randomBytes(12).toString('hex')}`;
const ENV_KEY = `TEST_CODEC_API_KEY_${randomUUID().replace(/-/g, '')}`;
const base64 = (text: string) => Buffer.from(text).toString('base64');

let api: Server;
let testWorker: TestWorker;
let client: Client;
let codec: AesGcmPayloadCodec;

beforeAll(async () => {
  api = await serve({
    '/echo': (req, res) => json(res, 200, { received: req.headers['x-api-key'] }),
    '/reject': (_req, res) => json(res, 422, { error: `rejected: ${MARKER}` }),
  });
  process.env[ENV_KEY] = API_KEY;
  const plugin = new CustomIntegrationsPlugin({
    definitions: [
      Definition.parse({
        name: 'vault',
        description: 'an API that echoes its key',
        hostname: api.origin.slice('http://'.length),
        scheme: 'http',
        auth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        actions: [
          { name: 'echo', description: 'echo the key', method: 'GET', path: '/echo' },
          { name: 'reject', description: 'always 422', method: 'GET', path: '/reject' },
        ],
      }),
    ],
    configurations: [{ integration: 'vault', apiKey: { env: ENV_KEY } }],
  });
  codec = plugin.codec!;
  testWorker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/action-workflows'), prefix: 'codec' });
  client = testWorker.client;
});

afterAll(async () => {
  await testWorker?.stop();
  await closeHttpAgent();
  await api?.close();
  delete process.env[ENV_KEY];
});

async function runAction(action: string): Promise<{ workflowId: string; outcome: unknown }> {
  const workflowId = `codec-${action}-${randomUUID()}`;
  const handle = await client.workflow.start('callAction', {
    taskQueue: testWorker.taskQueue,
    workflowId,
    args: [{ integration: 'vault', action }],
  });
  const outcome = await handle.result().catch((err: unknown) => err);
  return { workflowId, outcome };
}

test('the API key in a result and a failure message are encrypted in the raw history and absent from the logs', async () => {
  const echo = await runAction('echo');
  // The client decrypts: the result really holds the key, so finding no key below means it is encrypted.
  expect(echo.outcome).toMatchObject({ received: API_KEY });
  const rejected = await runAction('reject');
  expect(rejected.outcome).toBeInstanceOf(WorkflowFailedError);
  expect(String((rejected.outcome as WorkflowFailedError).cause?.cause)).toContain(MARKER);

  const histories = await Promise.all([rawHistory(echo.workflowId), rawHistory(rejected.workflowId)]);
  const raw = histories.map((history) => JSON.stringify(history));
  const rawTexts = histories.flatMap((history) => readable(history)).join('\n');
  expect(rawTexts).toContain('ACTIVITY_TASK_FAILED'); // real histories, with the failure in them
  expect(rawTexts).toContain('Encoded failure'); // the failure's message and stack are in its encoded attributes
  for (const secret of [API_KEY, MARKER]) {
    expect(raw.join('\n')).not.toContain(secret);
    expect(rawTexts).not.toContain(secret);
  }

  // The same raw histories, decrypted with the codec: the key and the marker are there.
  const plain = (await decrypted(codec, histories)).join('\n');
  expect(plain).toContain(API_KEY);
  expect(plain).toContain(MARKER);

  // The worker logged the failed call; no log line holds the key.
  expect(workerLogs.some((entry) => entry.message === 'Activity failed')).toBe(true);
  const logs = workerLogs.map((entry) => `${entry.message} ${JSON.stringify(entry.meta ?? {})}`).join('\n');
  expect(logs).not.toContain(API_KEY);
  expect(logs).not.toContain(base64(API_KEY));
});

test('`temporal workflow show --codec-endpoint` reads the history decrypted through the codec server', async () => {
  const token = randomBytes(16).toString('hex');
  const server = await startCodecServer({ codec, port: 0, token });
  try {
    const { workflowId } = await runAction('echo');
    const decoded = await rawHistory(workflowId, '--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`);
    expect(readable(decoded).join('\n')).toContain(API_KEY);
  } finally {
    await server.close();
  }
});
