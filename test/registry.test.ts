/**
 * The organization registry end to end, on the real dev server: lifecycle and configuration rules (enforced by the
 * registry workflow's update validators), isolation between organizations in real activity calls, overrides checked
 * at start and visible in the Web UI, company mappings, the configuration test, the worker cache, and no secret in
 * any history.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { compileDefinitions } from '../src/definition/compile';
import { Definition, type DefinitionInput } from '../src/definition/model';
import { closeHttpAgent } from '../src/http/agent';
import { RegistryConfigurations } from '../src/configurations/registry-source';
import type { ConfigurationTestResult } from '../src/registry/configuration-test';
import { EMPTY_REGISTRY } from '../src/registry/model';
import { mapCompaniesFromAction } from '../src/registry/mapping';
import { OrganizationRegistry, RegistryError } from '../src/registry/registry';
import { withIntegrationContext } from '../src/temporal/client-context';
import { CustomIntegrationsPlugin } from '../src/temporal/plugin';
import { ORGANIZATION, OVERRIDES } from '../src/temporal/search-attributes';
import { json, serve, type Server } from './helpers/http-server';
import { plainTestClient, startTestWorker, type TestWorker } from './helpers/temporal';
import type * as workflows from './fixtures/registry-workflows';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const KEYS = { acme: secret('acme'), acmeEu: secret('acme-eu'), globex: secret('globex'), globexSpecial: secret('globex-special') };
const ACME_EU_ENV = `TEST_REGISTRY_ACME_EU_${randomUUID().replace(/-/g, '')}`;
const REGISTRY_ID = `registry-test-${randomUUID()}`;

let api: Server;
let worker: TestWorker;
let client: Client;
let registry: OrganizationRegistry;
let definitions: Definition[];

const keysSeen = () => api.received.map((r) => r.headers['x-api-key']);

function aviary(overrides: Partial<DefinitionInput> = {}): Definition {
  return Definition.parse({
    name: 'aviary',
    displayName: 'Aviary',
    description: 'test vendor',
    hostname: api.origin.slice('http://'.length),
    scheme: 'http',
    auth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    pagination: { type: 'page', resultsKey: 'items', pageParam: 'page', pageSizeParam: 'size', defaultPageSize: 2 },
    actions: [
      { name: 'whoami', description: 'who am I', method: 'GET', path: '/whoami' },
      { name: 'listCompanies', description: 'companies', method: 'GET', path: '/companies', paginated: true },
    ],
    ...overrides,
  });
}

beforeAll(async () => {
  api = await serve({
    '/whoami': (req, res) => json(res, 200, { key: req.headers['x-api-key'] }),
    // Echoes the key, as some APIs do: the configuration test must redact it from its excerpt.
    '/status': (req, res) => json(res, 200, { healthy: true, echo: req.headers['x-api-key'] }),
    '/private': (_req, res) => json(res, 403, { error: 'forbidden' }),
    '/companies': (req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      const all = [
        { id: 'c-1', profile: { name: 'ACME Inc.' } },
        { id: 'c-2', profile: { name: 'Globex' } },
        { id: 'c-3', profile: { name: 'Initech' } },
      ];
      json(res, 200, { items: all.slice((page - 1) * 2, page * 2) });
    },
  });
  process.env[ACME_EU_ENV] = KEYS.acmeEu;
  definitions = [aviary()];
  const plugin = new CustomIntegrationsPlugin({ definitions, registry: { workflowId: REGISTRY_ID, cacheTtlMs: 0 } });
  worker = await startTestWorker({ plugin, workflowsPath: require.resolve('./fixtures/registry-workflows'), prefix: 'registry' });
  client = worker.client;
  registry = new OrganizationRegistry({ client, taskQueue: worker.taskQueue, workflowId: REGISTRY_ID });
});

afterAll(async () => {
  await worker?.stop();
  await closeHttpAgent();
  await api?.close();
});

describe('organizations and the integration lifecycle', () => {
  test('organizations need an existing parent and cannot be added twice', async () => {
    await registry.addOrganization('msp', { name: 'Managed Services' });
    await registry.addOrganization('acme', { name: 'ACME', parent: 'msp' });
    await registry.addOrganization('globex', { name: 'Globex', parent: 'msp' });
    await registry.addOrganization('acme-eu', { name: 'ACME Europe', parent: 'acme' });
    await registry.addOrganization('rival');
    await expect(registry.addOrganization('orphan', { parent: 'nobody' })).rejects.toThrow(/parent organization nobody does not exist/);
    await expect(registry.addOrganization('acme')).rejects.toThrow(RegistryError);
    await expect(registry.addOrganization('acme')).rejects.toThrow('organization acme already exists');
    await expect(registry.addOrganization('bad id!')).rejects.toThrow(/an organization id is/);
    await expect(registry.removeOrganization('msp')).rejects.toThrow('organization msp has sub-organizations acme, globex; remove them first');
  });

  test('a draft can change anything but cannot be installed', async () => {
    await expect(registry.registerIntegration(aviary(), 'msp')).resolves.toContain('registered as a draft owned by msp');
    await expect(registry.install('acme', 'aviary')).rejects.toThrow('integration aviary is draft: only published integrations can be installed');
    await registry.registerIntegration(aviary({ hostname: 'elsewhere.example.com' }), 'msp');
    await registry.registerIntegration(aviary(), 'msp');
    await expect(registry.registerIntegration(aviary(), 'rival')).rejects.toThrow('integration aviary belongs to organization msp, not rival');
    await expect(registry.setIntegrationStatus('aviary', 'deprecated')).rejects.toThrow(/finalize it as published or hidden before deprecating/);
  });

  test('finalized: published, never back to draft; name, hostname and auth type frozen; actions added or deprecated, not removed', async () => {
    await expect(registry.setIntegrationStatus('aviary', 'published')).resolves.toContain('now published');
    await expect(registry.setIntegrationStatus('aviary', 'draft')).rejects.toThrow('a finalized integration never goes back to draft');
    await expect(registry.registerIntegration(aviary({ hostname: 'elsewhere.example.com' }), 'msp')).rejects.toThrow(
      /integration aviary is published: its hostname cannot change \(it is "127\.0\.0\.1:\d+", the definition says "elsewhere\.example\.com"\)/,
    );
    await expect(registry.registerIntegration(aviary({ auth: { type: 'basic' } }), 'msp')).rejects.toThrow(/its auth type cannot change/);
    await expect(registry.registerIntegration(aviary({ displayName: 'Aviary 2' }), 'msp')).rejects.toThrow(/its display name cannot change/);
    const base = aviary();
    const withExtra = aviary({ actions: [...base.actions, { name: 'status', description: 'status', method: 'GET', path: '/status' }] });
    await expect(registry.registerIntegration(withExtra, 'msp')).resolves.toContain('1 new');
    await expect(registry.registerIntegration(base, 'msp')).rejects.toThrow(/actions status cannot be removed.*deprecate them instead/);
    const deprecated = aviary({ actions: [...base.actions, { name: 'status', description: 'status', method: 'GET', path: '/status', deprecated: true }] });
    await registry.registerIntegration(deprecated, 'msp');
    const { state } = await registry.snapshot();
    expect(state.integrations.aviary).toMatchObject({ status: 'published', owner: 'msp', actions: expect.arrayContaining([{ name: 'status', deprecated: true, paginated: false }]) });
  });

  test('published integrations install for the owner and its sub-organizations only; hidden ones for no one', async () => {
    await expect(registry.install('rival', 'aviary')).rejects.toThrow(
      'integration aviary belongs to organization msp: only msp and its sub-organizations can install it, and rival is not one of them',
    );
    await expect(registry.install('acme', 'aviary', { apiKey: KEYS.acme })).resolves.toBe('aviary installed for acme with configuration Default');
    await registry.install('globex', 'aviary', { apiKey: KEYS.globex });
    await registry.install('acme-eu', 'aviary', { apiKey: { env: 'UNSET_VARIABLE_FOR_REGISTRY_TEST' } });
    await expect(registry.install('acme', 'aviary')).rejects.toThrow('organization acme has already installed aviary');

    await registry.registerIntegration(aviary({ name: 'secretive' }), 'msp');
    await registry.setIntegrationStatus('secretive', 'hidden');
    await expect(registry.install('acme', 'secretive')).rejects.toThrow('integration secretive is hidden: only published integrations can be installed');
    await expect(registry.deleteIntegration('secretive')).resolves.toContain('deleted');
  });

  test('deleting an installed integration is refused', async () => {
    await expect(registry.deleteIntegration('aviary')).rejects.toThrow('integration aviary is installed by acme, globex, acme-eu; uninstall it there before deleting it');
  });
});

describe('configurations', () => {
  test('named configurations are validated with the configuration model', async () => {
    await registry.configure('acme', 'aviary', 'EU', { apiKey: { env: ACME_EU_ENV } });
    await registry.configure('globex', 'aviary', 'Special', { apiKey: KEYS.globexSpecial, headers: { 'X-Tenant': 'globex' } });
    await expect(registry.configure('acme', 'aviary', 'default', { apiKey: 'x' })).rejects.toThrow('"default" is reserved: the default configuration is named Default');
    await expect(registry.configure('acme', 'aviary', 'Bad', { hostname: 'https://api.example.com/v2' })).rejects.toThrow(
      /configuration Bad of aviary for acme is invalid: hostname: hostname is the API host without scheme or path/,
    );
    await expect(registry.configure('acme', 'aviary', 'Bad', { apiKee: 'typo' })).rejects.toThrow(/apiKee/);
    await expect(registry.configure('acme', 'aviary', 'Bad', { organization: 'globex' })).rejects.toThrow(/organization cannot be set in a configuration's values/);
    await expect(registry.configure('rival', 'aviary', 'X', {})).rejects.toThrow('organization rival has not installed aviary (installed: none)');
    await expect(registry.removeConfiguration('acme', 'aviary', 'Default')).rejects.toThrow('Default cannot be removed');
  });

  test('reads never show a secret given as a value; references are shown', async () => {
    const installation = await registry.installation('acme', 'aviary');
    expect(installation?.configurations).toEqual({ Default: { apiKey: '[redacted]' }, EU: { apiKey: { env: ACME_EU_ENV } } });
    expect(JSON.stringify(await registry.snapshot())).not.toContain(KEYS.acme);
  });

  test('a client without a payload codec may not store a secret value', async () => {
    const { connection, client: plain } = await plainTestClient();
    try {
      const unencrypted = new OrganizationRegistry({ client: plain, taskQueue: worker.taskQueue, workflowId: REGISTRY_ID });
      await expect(unencrypted.configure('acme', 'aviary', 'Plain', { apiKey: 'value' })).rejects.toThrow(
        /apiKey is given as a value, which this client would store readable in the registry's workflow history/,
      );
    } finally {
      await connection.close();
    }
  });
});

describe('workflows for an organization', () => {
  const whoami = { integration: 'aviary', action: 'whoami' };
  const run = async (workflow: keyof typeof workflows, args: unknown[], choice: Parameters<OrganizationRegistry['start']>[1] extends infer O ? Omit<O & object, 'taskQueue' | 'workflowId' | 'args'> : never) => {
    const handle = await registry.start(workflow, { taskQueue: worker.taskQueue, workflowId: `${workflow}-${randomUUID()}`, args, ...choice } as never);
    return { handle, result: await handle.result() };
  };

  test('each organization uses its own Default configuration', async () => {
    expect((await run('callAction', [whoami], { organization: 'acme' })).result).toEqual({ key: KEYS.acme });
    expect((await run('callAction', [whoami], { organization: 'globex' })).result).toEqual({ key: KEYS.globex });
  });

  test('an override chooses among the organization’s own configurations, and is visible in the Web UI', async () => {
    const { handle, result } = await run('callAction', [whoami], { organization: 'acme', overrides: { aviary: 'EU' } });
    expect(result).toEqual({ key: KEYS.acmeEu });
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(ORGANIZATION)).toBe('acme');
    expect(description.typedSearchAttributes.get(OVERRIDES)).toEqual(['aviary=EU']);
    expect(await description.staticDetails()).toContain('aviary=EU');
  });

  test('a per-call configuration wins over the override', async () => {
    const { result } = await run('callAction', [{ ...whoami, configuration: 'Default' }], { organization: 'acme', overrides: { aviary: 'EU' } });
    expect(result).toEqual({ key: KEYS.acme });
  });

  test('the organization reaches child workflows, continue-as-new runs and paginations', async () => {
    const child = await run('viaChild', [whoami], { organization: 'globex', overrides: { aviary: 'Special' } });
    expect(child.result).toEqual({ key: KEYS.globexSpecial });
    const childRun = await client.workflow.getHandle(`${child.handle.workflowId}/child`).describe();
    expect(childRun.typedSearchAttributes.get(ORGANIZATION)).toBe('globex');
    expect(childRun.typedSearchAttributes.get(OVERRIDES)).toEqual(['aviary=Special']);

    expect((await run('afterContinueAsNew', [whoami], { organization: 'acme', overrides: { aviary: 'EU' } })).result).toEqual({ key: KEYS.acmeEu });

    const before = api.received.length;
    await run('paginateCompanies', [], { organization: 'globex' });
    const pages = api.received.slice(before).filter((r) => r.url.startsWith('/companies'));
    expect(pages).toHaveLength(2);
    expect(pages.map((r) => r.headers['x-api-key'])).toEqual([KEYS.globex, KEYS.globex]);
  });

  test('an unknown configuration fails at start, listing the organization’s own configurations only', async () => {
    const start = registry.start('callAction', { taskQueue: worker.taskQueue, workflowId: `unknown-${randomUUID()}`, args: [whoami], organization: 'acme', overrides: { aviary: 'Special' } });
    await expect(start).rejects.toThrow('override aviary=Special: aviary of organization acme has no configuration "Special" (configurations: Default, EU)');
    await expect(
      registry.start('callAction', { taskQueue: worker.taskQueue, workflowId: `x-${randomUUID()}`, args: [whoami], organization: 'rival', overrides: { aviary: 'Default' } }),
    ).rejects.toThrow('organization rival has not installed aviary (installed: none)');
  });

  test('isolation: organization A never reaches a configuration of organization B, even by naming it', async () => {
    const before = api.received.length;
    // Straight through the client, without the start-time check: the worker must refuse on its own.
    const begin = (context: { organization?: string; overrides?: Record<string, string> }, request: object) =>
      withIntegrationContext(context, () => client.workflow.execute('callAction', { taskQueue: worker.taskQueue, workflowId: `iso-${randomUUID()}`, args: [request] }));
    const failures = [
      begin({ organization: 'acme', overrides: { aviary: 'Special' } }, whoami),
      begin({ organization: 'acme' }, { ...whoami, configuration: 'Special' }),
      // A sub-organization does not inherit its parent's installation, nor a sibling's.
      begin({ organization: 'acme-eu', overrides: { aviary: 'EU' } }, whoami),
      // An organization that installed nothing.
      begin({ organization: 'rival' }, whoami),
    ];
    const messages = await Promise.all(failures.map((p) => p.then(() => 'succeeded', (err: Error) => rootCause(err))));
    expect(messages[0]).toContain('integration aviary has no configuration "Special" for organization acme (configurations available: Default, EU)');
    expect(messages[1]).toContain('integration aviary has no configuration "Special" for organization acme');
    expect(messages[2]).toContain('no configuration "EU" for organization acme-eu (configurations available: Default)');
    expect(messages[3]).toContain('organization rival has not installed integration aviary');
    const keys = keysSeen().slice(before);
    expect(keys).not.toContain(KEYS.globexSpecial);
    expect(keys).not.toContain(KEYS.globex);
    expect(keys).not.toContain(KEYS.acme);
  });

  test('a configuration whose secret is missing on the worker fails with the variable named', async () => {
    const failure = withIntegrationContext({ organization: 'acme-eu' }, () =>
      client.workflow.execute('callAction', { taskQueue: worker.taskQueue, workflowId: `missing-${randomUUID()}`, args: [whoami] }),
    );
    await expect(failure).rejects.toThrow(WorkflowFailedError);
    await failure.catch((err: Error) => expect(rootCause(err)).toContain('UNSET_VARIABLE_FOR_REGISTRY_TEST, which is not set'));
  });
});

describe('company mappings', () => {
  test('companies listed by a paginated action map to organizations by name, and select the organization of a run', async () => {
    const proposal = await mapCompaniesFromAction(registry, {
      integration: 'aviary',
      action: 'listCompanies',
      idPath: 'id',
      namePath: 'profile.name',
      organization: 'acme',
      taskQueue: worker.taskQueue,
      apply: true,
    });
    expect(proposal.matched).toEqual([
      { company: 'c-1', companyName: 'ACME Inc.', organization: 'acme' },
      { company: 'c-2', companyName: 'Globex', organization: 'globex' },
    ]);
    expect(proposal.unmatched).toEqual([{ company: 'c-3', companyName: 'Initech' }]);
    await expect(registry.organizationOfCompany('aviary', 'c-2')).resolves.toBe('globex');
    const handle = await registry.start('callAction', {
      taskQueue: worker.taskQueue,
      workflowId: `company-${randomUUID()}`,
      args: [{ integration: 'aviary', action: 'whoami' }],
      company: { integration: 'aviary', id: 'c-2' },
    });
    expect(await handle.result()).toEqual({ key: KEYS.globex });
    await expect(registry.organizationOfCompany('aviary', 'c-3')).rejects.toThrow('aviary company c-3 is not mapped to an organization');
    await expect(registry.removeOrganization('globex')).rejects.toThrow(/still has aviary installed/);
    await expect(
      mapCompaniesFromAction(registry, { integration: 'aviary', action: 'whoami', idPath: 'id', namePath: 'name', organization: 'acme', taskQueue: worker.taskQueue }),
    ).rejects.toThrow('aviary has no paginated action whoami; mapping reads companies from one of its paginated actions (listCompanies)');
  });
});

describe('the configuration test', () => {
  const test_ = (organization: string, request: object) =>
    withIntegrationContext({ organization }, () =>
      client.workflow.execute('testConfiguration', { taskQueue: worker.taskQueue, workflowId: `test-${randomUUID()}`, args: [request] }),
    ) as Promise<ConfigurationTestResult>;

  test('reports status, latency and a redacted excerpt', async () => {
    const result = await test_('acme', { integration: 'aviary', path: '/status' });
    expect(result).toMatchObject({ ok: true, status: 200, integration: 'aviary', configuration: 'Default', organization: 'acme' });
    expect(typeof result.latencyMs).toBe('number');
    expect(result.excerpt).toBe('{"healthy":true,"echo":"[redacted]"}');
  });

  test('a path that does not answer 200 fails the test with the status; a named configuration is used', async () => {
    const result = await test_('acme', { integration: 'aviary', configuration: 'EU', path: '/private' });
    expect(result).toMatchObject({ ok: false, status: 403, configuration: 'EU', excerpt: '{"error":"forbidden"}' });
    expect(api.last().headers['x-api-key']).toBe(KEYS.acmeEu);
  });

  test('an unusable configuration is reported, not thrown', async () => {
    const result = await test_('acme-eu', { integration: 'aviary', path: '/status' });
    expect(result.ok).toBe(false);
    expect(result.problem).toContain('UNSET_VARIABLE_FOR_REGISTRY_TEST');
  });
});

describe('the worker cache', () => {
  test('values are reused until the TTL, but a name not in the cache is looked up at once', async () => {
    const source = new RegistryConfigurations({ integrations: compileDefinitions(definitions), client, workflowId: REGISTRY_ID, cacheTtlMs: 3_600_000 });
    const key = async (configuration: string) => (await source.resolve({ organization: 'globex', integration: 'aviary', configuration })).credentials.http.headers['X-API-Key'];
    expect(await key('Default')).toBe(KEYS.globex);
    const rotated = secret('rotated');
    await registry.configure('globex', 'aviary', 'Default', { apiKey: rotated });
    expect(await key('Default')).toBe(KEYS.globex); // cached
    await registry.configure('globex', 'aviary', 'Fresh', { apiKey: secret('fresh') });
    expect(await key('Fresh')).toMatch(/^fresh-/); // a miss refreshes...
    expect(await key('Default')).toBe(rotated); // ...the whole installation
    source.invalidate();
    await registry.configure('globex', 'aviary', 'Default', { apiKey: KEYS.globex });
    expect(await key('Default')).toBe(KEYS.globex);
  });

  test('a worker whose definition changed a frozen field refuses to call', async () => {
    const moved = compileDefinitions([aviary({ hostname: 'moved.example.com' })]);
    const source = new RegistryConfigurations({ integrations: moved, client, workflowId: REGISTRY_ID });
    await expect(source.resolve({ organization: 'acme', integration: 'aviary', configuration: 'Default' })).rejects.toThrow(
      /integration aviary is published, but this worker's definition changed its hostname \(127\.0\.0\.1:\d+ -> moved\.example\.com\)/,
    );
  });
});

describe('uninstalling', () => {
  test('removes the configurations at once for the next run; then the integration can be deleted', async () => {
    await registry.uninstall('acme-eu', 'aviary');
    await registry.uninstall('acme', 'aviary');
    const failed = withIntegrationContext({ organization: 'acme' }, () =>
      client.workflow.execute('callAction', { taskQueue: worker.taskQueue, workflowId: `gone-${randomUUID()}`, args: [{ integration: 'aviary', action: 'whoami' }] }),
    );
    await expect(failed.catch((err: Error) => rootCause(err))).resolves.toContain('organization acme has not installed integration aviary');
    await expect(registry.deleteIntegration('aviary')).rejects.toThrow('installed by globex');
    await registry.uninstall('globex', 'aviary');
    await expect(registry.deleteIntegration('aviary')).resolves.toBe('integration aviary deleted');
  });

  test('no secret given as a value is readable in the registry history', async () => {
    const history = await client.workflow.getHandle(REGISTRY_ID).fetchHistory();
    const { connection, client: raw } = await plainTestClient();
    try {
      // Read with a client that has no codec: what the server stores.
      const stored = JSON.stringify(await raw.workflow.getHandle(REGISTRY_ID).fetchHistory(), (_k, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
      );
      expect(history.events?.length).toBeGreaterThan(10);
      expect(stored).toContain('addOrganization'); // it reads real content
      for (const value of Object.values(KEYS)) expect(stored).not.toContain(value);
    } finally {
      await connection.close();
    }
  });
});

describe('history stays bounded', () => {
  test('the registry continues as new every few changes, carrying its state', async () => {
    const workflowId = `registry-can-${randomUUID()}`;
    const first = await client.workflow.start('organizationRegistry', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [{ state: EMPTY_REGISTRY, version: 0, changesPerRun: 3 }],
    });
    const small = new OrganizationRegistry({ client, taskQueue: worker.taskQueue, workflowId });
    for (let i = 0; i < 7; i++) await small.addOrganization(`org-${i}`, i ? { parent: `org-${i - 1}` } : {});
    const { state, version } = await small.snapshot();
    expect(version).toBe(7);
    expect(Object.keys(state.organizations)).toHaveLength(7);
    expect(state.organizations['org-6']?.parent).toBe('org-5');
    const latest = await client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).not.toBe(first.firstExecutionRunId);
    await expect(small.addOrganization('org-0')).rejects.toThrow('organization org-0 already exists');
  });
});

function rootCause(err: Error): string {
  let current: Error = err;
  while (current.cause instanceof Error) current = current.cause;
  return current.message;
}
