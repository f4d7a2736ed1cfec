/**
 * The package as npm publishes it: compiled JavaScript only, and workflow code that a user's worker bundles from
 * node_modules (webpack refuses Node-only modules in workflow code, so bundling proves the workflow side is clean).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { startPedroAviary, type PedroAviaryServer } from '../demo/pedro-aviary-server';
import { ROOT, requireBuild } from './helpers/processes';
import { closeTestNativeConnection, testClient, testNativeConnection, uniqueTaskQueue } from './helpers/temporal';

// Inside the repository's node_modules, so the copy resolves its dependencies (@temporalio/*, zod) from there.
const project = path.join(ROOT, 'node_modules', '.cache', 'package-test');
const installed = path.join(project, 'node_modules', 'temporal-custom-integrations');
let files: string[];
let vendor: PedroAviaryServer;

beforeAll(() => {
  requireBuild(path.join(ROOT, 'dist', 'workflows', 'index.js'));
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as [{ files: { path: string }[] }];
  files = pack.files.map((f) => f.path);
  rmSync(project, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(path.dirname(path.join(installed, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(installed, file));
  }
});

afterAll(async () => {
  await vendor?.close();
  await closeTestNativeConnection();
  rmSync(project, { recursive: true, force: true });
});

test('the published files are compiled JavaScript with declarations, the CLI and the JSON Schema', () => {
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'definition.schema.json',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/workflows/index.js',
      'dist/workflows/index.d.ts',
      'dist/workflows/workflows.js',
      'dist/workflows/context.js',
      'dist/activities/index.js',
    ]),
  );
  expect(files.some((f) => f.startsWith('dist/test/') || f.startsWith('dist/demo/') || f.startsWith('dist/bench/'))).toBe(false);
});

test("a user's worker bundles the package's workflow side from node_modules and calls an action", async () => {
  const apiKey = `pkg-${randomBytes(8).toString('hex')}`;
  vendor = await startPedroAviary({ apiKey });
  // A user's workflows module, in plain JavaScript as a user's build would emit it.
  const workflowsPath = path.join(project, 'workflows.js');
  writeFileSync(
    workflowsPath,
    `const { integration } = require('temporal-custom-integrations/workflow');
Object.assign(exports, require('temporal-custom-integrations/workflows'));
exports.featuredBird = async function featuredBird(birdId) {
  return integration('pedroAviary').getBird({ birdId });
};
`,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(installed) as typeof import('../src/index');
  const plugin = new pkg.CustomIntegrationsPlugin({
    definitionsDir: path.join(ROOT, 'definitions'),
    configurations: [{ integration: 'pedroAviary', apiKey, hostname: vendor.hostname }],
  });
  const taskQueue = uniqueTaskQueue('package');
  const worker = await Worker.create({
    connection: await testNativeConnection(),
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath,
    plugins: [plugin],
  });
  const { connection } = await testClient();
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', plugins: [plugin] });
    const result = await worker.runUntil(
      client.workflow.execute('featuredBird', { taskQueue, workflowId: `featured-${randomBytes(4).toString('hex')}`, args: [7] }),
    );
    expect(result).toMatchObject({ id: 7, name: 'Pedro 7' });
  } finally {
    await connection.close();
  }
});
