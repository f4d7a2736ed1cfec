import { readFileSync } from 'node:fs';
import { Secret } from './secret';
import type { SecretRef } from './model';

/**
 * Reads a secret where its reference points. Errors name the reference (variable or file), never the value.
 */
export function readSecret(ref: SecretRef, where: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if (typeof ref === 'string') return new Secret(ref);
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new Error(`${where} refers to environment variable ${ref.env}, which is not set; set it on the worker`);
    }
    return new Secret(value);
  }
  try {
    return new Secret(readFileSync(ref.file, 'utf8').trim());
  } catch (err) {
    throw new Error(`${where} refers to file ${ref.file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
