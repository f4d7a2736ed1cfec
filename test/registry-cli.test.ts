/**
 * The registry commands as a user runs them: the compiled CLI, a `custom-integrations worker` process, the real dev
 * server and a local vendor API. Exit codes: 0 done, 1 refused by a rule (with the registry's message), 2 usage.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, run, start, type Running } from './helpers/processes';
import { uniqueTaskQueue } from './helpers/temporal';
import { json, serve, type Server } from './helpers/http-server';

const KEYS = { acme: `acme-${randomBytes(12).toString('hex')}`, acmeEu: `acme-eu-${randomBytes(12).toString('hex')}` };
const env = { CLI_ACME_KEY: KEYS.acme, CLI_ACME_EU_KEY: KEYS.acmeEu, CUSTOM_INTEGRATIONS_LOG_LEVEL: 'WARN' };
let api: Server;
let scratch: string;
let configFile: string;
let worker: Running | undefined;
const cli = (...args: string[]) => run(CLI, [...args, '--config', configFile], env);

beforeAll(async () => {
  api = await serve({
    '/whoami': (req, res) => json(res, 200, { key: req.headers['x-api-key'], region: req.headers['x-region'] ?? null }),
    '/status': (req, res) => json(res, 200, { ok: true, echo: req.headers['x-api-key'] }),
    '/private': (_req, res) => json(res, 401, { error: 'bad key' }),
    '/companies': (_req, res) => json(res, 200, { items: [{ id: 7, name: 'Acme' }, { id: 8, name: 'Unknown Ltd' }] }),
  });
  scratch = mkdtempSync(path.join(tmpdir(), 'registry-cli-'));
  const definitions = path.join(scratch, 'definitions');
  mkdirSync(definitions);
  writeFileSync(
    path.join(definitions, 'vendor.json'),
    JSON.stringify({
      name: 'vendor',
      description: 'test vendor',
      hostname: api.origin.slice('http://'.length),
      scheme: 'http',
      auth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      pagination: { type: 'page', resultsKey: 'items', pageParam: 'page', defaultPageSize: 50, pageSizeParam: 'size' },
      actions: [
        { name: 'whoami', description: 'who am I', method: 'GET', path: '/whoami' },
        { name: 'listCompanies', description: 'companies', method: 'GET', path: '/companies', paginated: true },
      ],
    }),
  );
  configFile = path.join(scratch, 'temporal.config.json');
  writeFileSync(configFile, JSON.stringify({ taskQueue: uniqueTaskQueue('registry-cli'), definitionsDir: definitions }));
  worker = start(CLI, ['worker', '--config', configFile], env);
  await worker.waitFor(/Worker polling task queue/);
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('organizations, lifecycle, installation, configuration, test, runs and mapping from the command line', async () => {
  expect(await cli('orgs', 'add', 'msp', '--name', 'Managed Services')).toMatchObject({ code: 0, stdout: 'organization msp added\n' });
  expect((await cli('orgs', 'add', 'acme', '--parent', 'msp')).code).toBe(0);
  const orphan = await cli('orgs', 'add', 'orphan', '--parent', 'nobody');
  expect(orphan.code).toBe(1);
  expect(orphan.stderr).toContain('parent organization nobody does not exist (organizations: msp, acme)');
  expect(orphan.stderr).not.toContain('    at ');
  expect((await cli('orgs')).stdout).toBe('msp (Managed Services)\n  acme\n');

  expect((await cli('integrations', 'register', 'vendor', '--organization', 'msp')).stdout).toContain('registered as a draft owned by msp');
  const draft = await cli('install', 'acme', 'vendor');
  expect(draft).toMatchObject({ code: 1 });
  expect(draft.stderr).toContain('integration vendor is draft: only published integrations can be installed');
  expect((await cli('integrations', 'finalize', 'vendor', '--status', 'draft')).code).toBe(2);
  expect((await cli('integrations', 'finalize', 'vendor', '--status', 'published')).stdout).toContain('now published');

  expect((await cli('install', 'acme', 'vendor', '--set', 'apiKey=env:CLI_ACME_KEY')).stdout).toContain('vendor installed for acme');
  expect((await cli('configure', 'acme', 'vendor', '--configuration', 'EU', '--set', 'apiKey=env:CLI_ACME_EU_KEY', '--set', 'headers.X-Region=eu')).code).toBe(0);
  const invalid = await cli('configure', 'acme', 'vendor', '--configuration', 'Bad', '--set', 'hostname=https://x.example.com/');
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toContain('configuration Bad of vendor for acme is invalid: hostname');

  const list = await cli('list', 'acme');
  expect(list.stdout).toContain('acme  vendor\n    Default  {"apiKey":{"env":"CLI_ACME_KEY"}}\n    EU  {"apiKey":{"env":"CLI_ACME_EU_KEY"},"headers":{"X-Region":"eu"}}');
  const status = await cli('status', 'vendor');
  expect(status.stdout).toContain('vendor  published  owner msp  installed by acme');
  expect(status.stdout).toContain('installable by: msp, acme');

  const ok = await cli('test', 'acme', 'vendor', '--path', '/status');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/OK: vendor \(Default\) for acme: GET \/status -> HTTP 200 in \d+ ms/);
  expect(ok.stdout).toContain('{"ok":true,"echo":"[redacted]"}');
  expect(ok.stdout + ok.stderr).not.toContain(KEYS.acme);
  const failed = await cli('test', 'acme', 'vendor', '--path', '/private', '--configuration', 'EU');
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('FAILED: vendor (EU) for acme: GET /private -> HTTP 401');

  const call = await cli('call', 'vendor.whoami', '--organization', 'acme', '--override', 'vendor=EU');
  expect(call.code).toBe(0);
  expect(JSON.parse(call.stdout)).toEqual({ key: KEYS.acmeEu, region: 'eu' });
  const unknown = await cli('call', 'vendor.whoami', '--organization', 'acme', '--override', 'vendor=Nope');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('override vendor=Nope: vendor of organization acme has no configuration "Nope" (configurations: Default, EU)');
  expect(unknown.stderr).not.toContain('Running vendor.whoami'); // refused before any run started

  expect((await cli('orgs', 'map', 'vendor')).stdout).toContain('paginated action of vendor: listCompanies');
  const proposal = await cli('orgs', 'map', 'vendor', '--action', 'listCompanies', '--id', 'id', '--name', 'name');
  expect(proposal.stdout).toContain('7\tAcme\t-> acme');
  expect(proposal.stdout).toContain('8\tUnknown Ltd\t-> (no organization matches)');
  expect(proposal.stdout).toContain('Nothing stored');
  expect((await cli('orgs', 'map', 'vendor', '--action', 'listCompanies', '--id', 'id', '--name', 'name', '--apply')).stdout).toContain('The matches are stored.');
  const byCompany = await cli('call', 'vendor.whoami', '--company', '7');
  expect(JSON.parse(byCompany.stdout)).toEqual({ key: KEYS.acme, region: null });

  expect((await cli('integrations', 'delete', 'vendor')).stderr).toContain('integration vendor is installed by acme; uninstall it there before deleting it');
  expect((await cli('uninstall', 'acme', 'vendor')).code).toBe(0);
  expect((await cli('list')).stdout).toBe('Nothing is installed.\n');
  expect(await cli('integrations', 'delete', 'vendor')).toMatchObject({ code: 0, stdout: 'integration vendor deleted\n' });
}, 240_000);

test('usage errors exit with 2', async () => {
  for (const args of [['install', 'acme'], ['orgs', 'frobnicate'], ['integrations', 'register', 'vendor'], ['test', 'acme', 'vendor']]) {
    const result = await cli(...args);
    expect(result.code).toBe(2);
  }
});
