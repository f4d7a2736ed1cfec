/**
 * The codec key of a machine with no key configured: generated once, kept where only this user can read it, and
 * reused by every process of the user (CLI, worker, demo, codec server), so the embedded dev server setup encrypts
 * with no configuration. Production configures its own keys: this one never leaves the machine, so nothing else
 * could decrypt what it encrypted.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** `$XDG_CONFIG_HOME` or `~/.config`, then `temporal-custom-integrations/codec-keys.json`. */
export function localKeyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'temporal-custom-integrations', 'codec-keys.json');
}

/** The local key file's text; when there is none, it is created with `newText()` first. */
export function readOrCreateLocalKeyFile(env: NodeJS.ProcessEnv, newText: () => string): { text: string; file: string } {
  const file = localKeyFilePath(env);
  const existing = readIfPresent(file);
  if (existing !== undefined) return { text: existing, file };
  createOnce(file, newText());
  return { text: readFileSync(file, 'utf8'), file };
}

/**
 * Writes the file whole, or leaves the one another process wrote first. Not writeAtomically: its rename replaces an
 * existing file, so two processes starting together would each keep a key of their own and one would be lost. A hard
 * link fails when the name exists, so exactly one key wins and every process reads that one.
 */
function createOnce(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } catch (err) {
    throw new Error(
      `Cannot create the local codec key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}). ` +
        `Make its folder writable, set XDG_CONFIG_HOME, or configure keys (CUSTOM_INTEGRATIONS_CODEC_KEYS or codec in temporal.config.ts).`,
      { cause: err },
    );
  } finally {
    rmSync(temp, { force: true });
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the local codec key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err });
  }
}
