import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that a reader, or the disk after a crash, sees the old content or the whole new one, never half:
 * a temporary file beside the target (a rename is atomic only within one file system), flushed, then renamed over it.
 * An existing file keeps its permissions, and a symbolic link stays a link to the replaced file.
 */
export function writeAtomically(file: string, text: string): void {
  const exists = existsSync(file);
  const target = exists ? realpathSync(file) : path.resolve(file);
  if (!exists) mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', exists ? statSync(target).mode : 0o666);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
