/**
 * `npm ci` (the README's first command) refuses a lock that lacks any optional dependency, and this machine's
 * registry lacks other platforms' builds: scripts/complete-lockfile.js keeps the lock whole.
 */
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { missingOptional } = require('../scripts/complete-lockfile.js') as { missingOptional: (lock: unknown) => Map<string, string> };

test('package-lock.json names every optional dependency, so npm ci accepts it', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lock = require(path.join(__dirname, '..', 'package-lock.json')) as unknown;
  const missing = [...missingOptional(lock).keys()];
  if (missing.length) {
    throw new Error(`package-lock.json lacks ${missing.length} optional entries (${missing.slice(0, 3).join(', ')}, ...): run \`node scripts/complete-lockfile.js\``);
  }
});
