/**
 * temporal.config.ts resolution: the Temporal CLI's TOML profile < the config file < TEMPORAL_* variables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTemporalConfig, resolveTemporalConfig, workflowRunUrl } from '../src/config/temporal-config';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-config-'));
  writeFileSync(
    path.join(dir, 'temporal.toml'),
    '[profile.default]\naddress = "toml.example:7233"\nnamespace = "from-toml"\napi_key = "toml-key"\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const toml = () => ({ TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml') });

test('defaults: the dev server address, default namespace, the package task queue, ./definitions', () => {
  const config = resolveTemporalConfig({}, { env: {}, baseDir: dir });
  expect(config.profile.address).toBe('127.0.0.1:7233');
  expect(config.namespace).toBe('default');
  expect(config.taskQueue).toBe('custom-integrations');
  expect(config.definitionsDir).toBe(path.join(dir, 'definitions'));
  expect(config.devServer).toMatchObject({ port: 7233, uiPort: 8233, dbFilename: path.join(dir, '.temporal/dev-server.sqlite') });
  expect(config.uiUrl).toBe('http://localhost:8233');
});

test('the config file wins over the TOML profile, and the environment over both', () => {
  const fromFile = resolveTemporalConfig({ address: 'file.example:7233', taskQueue: 'file-queue' }, { env: toml(), baseDir: dir });
  expect(fromFile.profile).toMatchObject({ address: 'file.example:7233', namespace: 'from-toml', apiKey: 'toml-key' });
  expect(fromFile.taskQueue).toBe('file-queue');

  const fromEnv = resolveTemporalConfig(
    { address: 'file.example:7233', taskQueue: 'file-queue', definitionsDir: 'defs' },
    {
      env: {
        ...toml(),
        TEMPORAL_ADDRESS: 'env.example:7233',
        TEMPORAL_NAMESPACE: 'from-env',
        TEMPORAL_TASK_QUEUE: 'env-queue',
        CUSTOM_INTEGRATIONS_DEFINITIONS: '/srv/definitions',
        TEMPORAL_UI_URL: 'https://ui.example/',
      },
      baseDir: dir,
    },
  );
  expect(fromEnv.profile).toMatchObject({ address: 'env.example:7233', namespace: 'from-env', apiKey: 'toml-key' });
  expect(fromEnv.connection).toMatchObject({ address: 'env.example:7233', apiKey: 'toml-key' });
  expect(fromEnv.taskQueue).toBe('env-queue');
  expect(fromEnv.definitionsDir).toBe('/srv/definitions');
  expect(workflowRunUrl(fromEnv, 'wf/1', 'run')).toBe('https://ui.example/namespaces/from-env/workflows/wf%2F1/run/history');
});

test('TEMPORAL_TLS and TEMPORAL_API_KEY reach the connection options', () => {
  const config = resolveTemporalConfig({}, { env: { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'true' }, baseDir: dir });
  expect(config.connection.apiKey).toBe('k');
  expect(config.connection.tls).toBeTruthy();
});

test('a temporal.config.ts in the folder is found and compiled on the fly', async () => {
  const project = mkdtempSync(path.join(dir, 'project-'));
  writeFileSync(
    path.join(project, 'temporal.config.ts'),
    `const queue: string = 'ts-queue';\nexport default { taskQueue: queue, definitionsDir: 'integrations', devServer: { port: 17233 } };\n`,
  );
  const config = await loadTemporalConfig({ cwd: project, env: {} });
  expect(config.file).toBe(path.join(project, 'temporal.config.ts'));
  expect(config.taskQueue).toBe('ts-queue');
  expect(config.definitionsDir).toBe(path.join(project, 'integrations'));
  expect(config.profile.address).toBe('127.0.0.1:17233');
  expect(config.devServer.uiPort).toBe(18233);
});

test('an empty variable counts as unset', () => {
  const config = resolveTemporalConfig(
    { namespace: 'file-namespace' },
    { env: { TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_TASK_QUEUE: '' }, baseDir: dir },
  );
  expect(config.profile.address).toBe('127.0.0.1:7233');
  expect(config.namespace).toBe('file-namespace');
  expect(config.taskQueue).toBe('custom-integrations');
});
