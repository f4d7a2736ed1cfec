/**
 * Workflow histories as anyone with access to the Temporal server reads them: `temporal workflow show --output json`,
 * no codec. `readable` lists every string in them (and what it says read as base64); `decrypted` is what the same
 * history holds for whoever has the codec's key, so a check can show it is not passing by reading nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PayloadCodec } from '@temporalio/common';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { payloadFromJson, type JsonPayload } from '../../src/codec/server';
import { findTemporalCli } from '../../src/devserver/cli-binary';
import { testServer, type TestServer } from './temporal';

export async function rawHistory(workflowId: string, ...extra: string[]): Promise<unknown> {
  return rawHistoryOn(testServer(), workflowId, ...extra);
}

/** The same, from another server than the test run's (a test file that starts its own). */
export async function rawHistoryOn({ address, namespace }: TestServer, workflowId: string, ...extra: string[]): Promise<unknown> {
  const cli = await findTemporalCli();
  if (!cli) throw new Error('The Temporal CLI was not found (TEMPORAL_CLI_PATH, PATH or the build cache): raw histories are read with it.');
  const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', address, '--namespace', namespace, '--output', 'json', ...extra];
  return JSON.parse((await promisify(execFile)(cli, args, { maxBuffer: 64 * 1024 * 1024 })).stdout);
}

export function readable(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value, Buffer.from(value, 'base64').toString('latin1'));
  else if (Array.isArray(value)) value.forEach((v) => readable(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => readable(v, out));
  return out;
}

export async function decrypted(codec: PayloadCodec, value: unknown, out: string[] = []): Promise<string[]> {
  if (Array.isArray(value)) for (const v of value) await decrypted(codec, v, out);
  else if (value && typeof value === 'object') {
    const metadata = (value as { metadata?: Record<string, string> }).metadata;
    if (metadata?.encoding === Buffer.from(ENCRYPTED_ENCODING).toString('base64')) {
      const [plain] = await codec.decode([payloadFromJson(value as JsonPayload)]);
      out.push(Buffer.from(plain!.data ?? []).toString('utf8'));
    } else for (const v of Object.values(value)) await decrypted(codec, v, out);
  }
  return out;
}
