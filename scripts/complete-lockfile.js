#!/usr/bin/env node
/**
 * The npm registry these machines reach serves only some platforms' builds of packages such as @swc/core and
 * unrs-resolver (used by Jest), so `npm install` leaves the other platforms' optional dependencies out of
 * package-lock.json, and `npm ci` then refuses the lock ("Missing: @swc/core-darwin-arm64 from lock file").
 * This adds an entry for each missing optional dependency; npm ci skips them (they are optional) and installs
 * the ones for this platform. Run it after any `npm install` that changes the lock.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');

/** Optional dependencies that no entry of the lock provides, as [lock path, version]. */
function missingOptional(lock) {
  const packages = lock.packages;
  const missing = new Map();
  for (const [where, entry] of Object.entries(packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = where ? `${where}/node_modules/${name}` : `node_modules/${name}`;
      if (!packages[nested] && !packages[`node_modules/${name}`]) missing.set(`node_modules/${name}`, version);
    }
  }
  return missing;
}

function complete(lock) {
  const missing = missingOptional(lock);
  for (const [key, version] of missing) lock.packages[key] = { version, optional: true };
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
  return missing.size;
}

module.exports = { missingOptional };

if (require.main === module) {
  const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  const added = complete(lock);
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(added ? `package-lock.json: added ${added} optional entries` : 'package-lock.json: complete');
}
