/**
 * The data converter every Client and Worker of the package uses: the user's own converter, with the encryption
 * codec after the user's codecs (so compression, if any, runs on plaintext) and failure messages encoded.
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { loadKeyRing, type CodecConfig } from './keys';

/** `failureConverterPath` of {@link withPayloadEncryption}; pass it to `bundleWorkflowCode` when you prebundle workflows. */
export const ENCODING_FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The codec for `codec` settings (temporal.config.ts, or the environment's when undefined; see loadKeyRing), or none
 * for `false`, the explicit opt-out.
 */
export function createPayloadCodec(config: CodecConfig | undefined, env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  return config === false ? undefined : new AesGcmPayloadCodec(loadKeyRing(config, env));
}

/**
 * `existing` with `codec` appended to its codecs. A user's own failure converter is kept (it is theirs to encode
 * failures with). Appending the same codec again does nothing, since nothing stops a plugin from being applied twice
 * (for example given to both a connection and the Worker), and encrypting twice would only cost time.
 */
export function withPayloadEncryption(existing: DataConverter | undefined, codec: PayloadCodec): DataConverter {
  const codecs = existing?.payloadCodecs ?? [];
  return {
    ...existing,
    payloadCodecs: codecs.includes(codec) ? codecs : [...codecs, codec],
    failureConverterPath: existing?.failureConverterPath ?? ENCODING_FAILURE_CONVERTER_PATH,
  };
}
