/**
 * The payload codec: AES-256-GCM over the whole serialized payload (data and metadata, so not even the payload's
 * type shows), a random 12-byte IV per payload, and the key id in the clear so a ring of keys can decrypt.
 *
 * The format is the one of Temporal's encryption samples (metadata `encoding: binary/encrypted` and
 * `encryption-key-id`, data `IV || ciphertext || tag`), so other tools that know those samples can read it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CODEC_KEY_FILE_ENV, CODEC_KEYS_ENV, CodecKeyError, type KeyRing } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keys.current.id;
  }

  /** Ids of every key this codec decrypts with. */
  get keyIds(): string[] {
    return [...this.keys.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  /** Payloads that are not encrypted pass as they are: histories written before encryption was turned on stay readable. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) }, data };
  }

  private decrypt(payload: Payload): Payload {
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new CodecKeyError(`Cannot decrypt a payload: it has no "${KEY_ID_METADATA}" metadata, so it was not encrypted by this codec`);
    const id = fromUtf8.decode(idBytes);
    const entry = this.keys.byId.get(id);
    if (!entry) {
      throw new CodecKeyError(
        `Cannot decrypt a payload encrypted with codec key "${id}": no key with that id is configured here (known: ${this.keyIds.join(', ')}). ` +
          `Add key "${id}" to ${CODEC_KEYS_ENV}, ${CODEC_KEY_FILE_ENV} or codec.keys of temporal.config.ts, ` +
          `on every worker, client and codec server that reads this namespace.`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError(`Cannot decrypt a payload encrypted with codec key "${id}": it is truncated`);
    const decipher = createDecipheriv(CIPHER, entry.key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecKeyError(
        `Cannot decrypt a payload encrypted with codec key "${id}": its authentication tag does not match. ` +
          `Either the payload was altered, or key "${id}" here is not the key that encrypted it: give key "${id}" the same value everywhere.`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && fromUtf8.decode(encoding) === ENCRYPTED_ENCODING;
}
