/**
 * What a workflow loads. With the SDK's reusable V8 context every workflow evaluates the bundle's modules for itself
 * (only the SDK's own are shared), and building zod schemas there cost ~1.2-1.6 MB of worker memory per cached
 * workflow: 2 GB for a thousand OAuth configurations' token workflows. So the modules a workflow evaluates when it
 * starts (the package's workflows, and the `workflow` subpath a user's workflows import) must not load zod; the
 * registry workflow loads its rules when it runs. Node's module graph is the bundle's: both follow `require`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { requireBuild, ROOT } from './helpers/processes';

function modulesLoadedBy(entry: string, call?: string): string[] {
  const file = path.join(ROOT, 'dist', 'workflows', entry);
  requireBuild(file);
  const script = `
    const loaded = require(${JSON.stringify(file)});
    ${call ?? ''}
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return (JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[]).map((m) => path.relative(ROOT, m));
}

const zod = (modules: string[]) => modules.filter((m) => m.includes(`node_modules${path.sep}zod${path.sep}`));

test.each(['workflows.js', 'index.js'])('starting a workflow from dist/workflows/%s loads no zod', (entry) => {
  const modules = modulesLoadedBy(entry);
  // Not vacuous: the entry's own modules were recorded.
  expect(modules).toContain(path.join('dist', 'workflows', 'integration.js'));
  expect(zod(modules)).toEqual([]);
});

test('the registry workflow loads its rules (and zod) when it runs', () => {
  // Outside a workflow the registry stops at its first SDK call, after loading its module.
  const modules = modulesLoadedBy('workflows.js', 'loaded.organizationRegistry().catch(() => {});');
  expect(modules).toContain(path.join('dist', 'src', 'registry', 'model.js'));
  expect(zod(modules).length).toBeGreaterThan(0);
});
