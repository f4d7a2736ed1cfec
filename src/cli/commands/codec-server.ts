import { createPayloadCodec } from '../../codec/data-converter';
import { DEFAULT_CODEC_SERVER_PORT, startCodecServer, uiOriginsOf } from '../../codec/server';
import { UsageError } from '../args';
import { untilInterrupted } from './dev';
import type { Command } from './types';

/** A bearer token the server requires; from the environment, since command lines are visible to every local user. */
export const CODEC_SERVER_TOKEN_ENV = 'CUSTOM_INTEGRATIONS_CODEC_SERVER_TOKEN';

export const codecServerCommand: Command = async ({ config, options }) => {
  const codec = createPayloadCodec(config.codec);
  if (!codec) throw new UsageError(`payload encryption is off (codec: false in ${config.file ?? 'temporal.config.ts'}): there is nothing to decode`);
  const port = options.port === undefined ? DEFAULT_CODEC_SERVER_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 picks a free one), got "${options.port}"`);
  const uiOrigins = options['ui-origin']?.length ? options['ui-origin'] : uiOriginsOf(config.uiUrl);
  const token = process.env[CODEC_SERVER_TOKEN_ENV] || undefined;
  const server = await startCodecServer({ codec, port, host: options.ip ?? '127.0.0.1', uiOrigins, ...(token && { token }) });
  console.log(
    `Codec server on ${server.url} (POST /encode, /decode) with codec key "${codec.currentKeyId}" current, ` +
      `keys ${codec.keyIds.join(', ')}. Web UI origins allowed: ${uiOrigins.join(', ')}. ` +
      `${token ? 'Requests need the bearer token.' : `No token required (set ${CODEC_SERVER_TOKEN_ENV} to require one).`} Ctrl-C stops it.`,
  );
  await untilInterrupted();
  await server.close();
  return 0;
};
