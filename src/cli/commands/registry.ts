/**
 * The organization registry on the command line: `orgs`, `integrations`, `install`, `configure`, `test`,
 * `uninstall`, `list` and `status`. Each command is one call of the management API (src/registry/registry.ts) on a
 * client with the package's plugin (so secrets given as values are encrypted); rule violations exit with 1 and the
 * registry's message, usage errors with 2.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { TemporalConfig } from '../../config/temporal-config';
import { loadDefinitionFile, loadDefinitions } from '../../definition/load';
import type { ConfigurationTestResult } from '../../registry/configuration-test';
import { mapCompaniesFromAction } from '../../registry/mapping';
import { installedBy, lineage, type RegistryState } from '../../registry/model';
import { OrganizationRegistry } from '../../registry/registry';
import { contextVisibility } from '../../context';
import { connectClient } from '../../temporal/client';
import { withIntegrationContext } from '../../temporal/client-context';
import { parseJson, UsageError } from '../args';
import type { Command, CommandOptions, RegistryCommandOptions } from './types';

async function withRegistry<T>(config: TemporalConfig, fn: (registry: OrganizationRegistry) => Promise<T>): Promise<T> {
  const client = await connectClient(config);
  try {
    return await fn(new OrganizationRegistry({ client, taskQueue: config.taskQueue }));
  } finally {
    await client.connection.close();
  }
}

function required(value: string | undefined, usage: string): string {
  if (value === undefined || value === '') throw new UsageError(usage);
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// orgs

export const ORGS_USAGE = `Usage:
  custom-integrations orgs                                    list organizations (as a tree)
  custom-integrations orgs add <id> [--name NAME] [--parent ID]
  custom-integrations orgs remove <id>
  custom-integrations orgs map <integration> [--action A --id PATH --name PATH] [--organization ORG] [--apply]
      Lists the vendor's companies with a paginated action of the integration (with the installation of ORG,
      default the owner's or else the first organization that installed it) and
      matches them to organizations by name; --apply stores the matches. Without --action, lists the actions to use.
  custom-integrations orgs mappings <integration>
  custom-integrations orgs unmap <integration> <company>`;

export const orgsCommand: Command = async ({ config, args, options }) => {
  const [sub, first, second] = args;
  return withRegistry(config, async (registry) => {
    switch (sub) {
      case undefined:
      case 'list': {
        const { state } = await registry.snapshot();
        const print = (parent: string | undefined, depth: number) => {
          for (const org of Object.values(state.organizations).filter((o) => o.parent === parent)) {
            const installed = Object.keys(state.installations[org.id] ?? {});
            console.log(`${'  '.repeat(depth)}${org.id}${org.name !== org.id ? ` (${org.name})` : ''}${installed.length ? `  installed: ${installed.join(', ')}` : ''}`);
            print(org.id, depth + 1);
          }
        };
        print(undefined, 0);
        if (!Object.keys(state.organizations).length) console.log('No organizations yet: add one with `custom-integrations orgs add <id>`.');
        return 0;
      }
      case 'add': {
        const id = required(first, ORGS_USAGE);
        console.log(await registry.addOrganization(id, { ...(options.name && { name: options.name }), ...(options.parent && { parent: options.parent }) }));
        return 0;
      }
      case 'remove':
        console.log(await registry.removeOrganization(required(first, ORGS_USAGE)));
        return 0;
      case 'map':
        return mapOrgs(registry, config, required(first, ORGS_USAGE), options);
      case 'mappings': {
        const integration = required(first, ORGS_USAGE);
        const { state } = await registry.snapshot();
        const mappings = Object.values(state.mappings[integration] ?? {});
        for (const m of mappings) console.log(`${m.company}\t${m.companyName ?? ''}\t-> ${m.organization}`);
        if (!mappings.length) console.log(`No ${integration} companies are mapped: see \`custom-integrations orgs map ${integration}\`.`);
        return 0;
      }
      case 'unmap':
        console.log(await registry.unmapCompany(required(first, ORGS_USAGE), required(second, ORGS_USAGE)));
        return 0;
      default:
        throw new UsageError(`unknown orgs command "${sub}"\n\n${ORGS_USAGE}`);
    }
  });
};

async function mapOrgs(registry: OrganizationRegistry, config: TemporalConfig, integration: string, options: CommandOptions & RegistryCommandOptions): Promise<number> {
  const { state } = await registry.snapshot();
  const record = state.integrations[integration];
  if (!record) throw new UsageError(`integration ${integration} is not registered (registered: ${Object.keys(state.integrations).join(', ') || 'none'})`);
  const paginated = record.actions.filter((a) => a.paginated && !a.deprecated).map((a) => a.name);
  if (!options.action) {
    if (!paginated.length) {
      console.error(`${integration} has no paginated action, so there is no list of companies to map from.`);
      return 1;
    }
    console.log(`Companies can be mapped from a paginated action of ${integration}: ${paginated.join(', ')}`);
    console.log(`  custom-integrations orgs map ${integration} --action ${paginated[0]} --id <path of the id> --name <path of the name> [--apply]`);
    return 0;
  }
  const usage = 'orgs map needs --id and --name: dotted paths of the company id and name in each item, e.g. --id id --name profile.name';
  // The companies are listed with an installation's credentials: the owner's if it has one, else the first found.
  const users = installedBy(state, integration);
  const organization = options.organization ?? (users.includes(record.owner) ? record.owner : users[0]);
  if (organization === undefined) {
    console.error(`no organization has installed ${integration}, so there are no credentials to list its companies with; install it first`);
    return 1;
  }
  console.error(`Listing ${integration} companies with ${options.action}, as organization ${organization} ...`);
  const proposal = await mapCompaniesFromAction(registry, {
    integration,
    action: options.action,
    idPath: required(options.id, usage),
    namePath: required(options.name, usage),
    organization,
    taskQueue: config.taskQueue,
    ...(options['page-limit'] !== undefined && { pageLimit: Number(options['page-limit']) }),
    apply: options.apply === true,
  });
  for (const m of proposal.matched) console.log(`${m.company}\t${m.companyName ?? ''}\t-> ${m.organization}`);
  for (const c of proposal.unmatched) console.log(`${c.company}\t${c.companyName}\t-> (no organization matches)`);
  console.log(
    `${proposal.matched.length} matched, ${proposal.unmatched.length} unmatched${proposal.skipped ? `, ${proposal.skipped} items without id or name` : ''}. ` +
      (options.apply ? 'The matches are stored.' : 'Nothing stored: add --apply to store the matches.'),
  );
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// integrations

export const INTEGRATIONS_USAGE = `Usage:
  custom-integrations integrations register <name|file> --organization OWNER
      Registers a definition (of the definitions folder, or a file) as a draft owned by OWNER, or updates it
  custom-integrations integrations finalize <name> --status published|hidden
  custom-integrations integrations deprecate <name>
  custom-integrations integrations delete <name>          refused while any organization has it installed`;

export const integrationsCommand: Command = async ({ config, args, options }) => {
  const [sub, name] = args;
  if (!sub || !name) throw new UsageError(INTEGRATIONS_USAGE);
  return withRegistry(config, async (registry) => {
    switch (sub) {
      case 'register': {
        const owner = required(options.organization, 'integrations register needs --organization OWNER: the organization that owns the integration');
        const definition = existsSync(name) ? loadDefinitionFile(name) : loadDefinitions(config.definitionsDir).find((d) => d.name === name);
        if (!definition) throw new UsageError(`${name} is neither a file nor an integration of ${config.definitionsDir}`);
        console.log(await registry.registerIntegration(definition, owner));
        return 0;
      }
      case 'finalize': {
        const status = options.status;
        if (status !== 'published' && status !== 'hidden') throw new UsageError('integrations finalize needs --status published or --status hidden');
        console.log(await registry.setIntegrationStatus(name, status));
        return 0;
      }
      case 'deprecate':
        console.log(await registry.setIntegrationStatus(name, 'deprecated'));
        return 0;
      case 'delete':
        console.log(await registry.deleteIntegration(name));
        return 0;
      default:
        throw new UsageError(`unknown integrations command "${sub}"\n\n${INTEGRATIONS_USAGE}`);
    }
  });
};

// ---------------------------------------------------------------------------------------------------------------
// install, configure, uninstall

/**
 * `--set field=value`: `env:VAR` and `file:/path` are secret references, JSON objects and arrays are parsed, anything
 * else is the text itself; `headers.Name=value` sets one header.
 */
export function parseSets(pairs: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects field=value, got "${pair}"`);
    const field = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const value = raw.startsWith('env:') ? { env: raw.slice(4) } : raw.startsWith('file:') ? { file: raw.slice(5) } : /^[[{]/.test(raw) ? parseJson(raw, `--set ${field}`) : raw;
    if (field.startsWith('headers.')) values.headers = { ...(values.headers as object), [field.slice('headers.'.length)]: raw };
    else values[field] = value;
  }
  return values;
}

const INSTALL_USAGE = 'Usage: custom-integrations install <organization> <integration> [--set field=value ...]';
const CONFIGURE_USAGE =
  'Usage: custom-integrations configure <organization> <integration> [--configuration NAME] [--set field=value ...] [--unset field ...] [--remove]\n' +
  '  values: apiKey=env:VAR, password=file:/run/secrets/pw, hostname=eu.api.example.com, headers.X-Tenant=42 ...';

export const installCommand: Command = async ({ config, args, options }) => {
  const [organization, integration] = args;
  if (!organization || !integration) throw new UsageError(INSTALL_USAGE);
  return withRegistry(config, async (registry) => {
    console.log(await registry.install(organization, integration, parseSets(options.set ?? [])));
    return 0;
  });
};

export const configureCommand: Command = async ({ config, args, options }) => {
  const [organization, integration] = args;
  if (!organization || !integration) throw new UsageError(CONFIGURE_USAGE);
  const name = options.configuration ?? 'Default';
  return withRegistry(config, async (registry) => {
    if (options.remove) console.log(await registry.removeConfiguration(organization, integration, name));
    else console.log(await registry.configure(organization, integration, name, parseSets(options.set ?? []), options.unset ?? []));
    return 0;
  });
};

export const uninstallCommand: Command = async ({ config, args }) => {
  const [organization, integration] = args;
  if (!organization || !integration) throw new UsageError('Usage: custom-integrations uninstall <organization> <integration>');
  return withRegistry(config, async (registry) => {
    console.log(await registry.uninstall(organization, integration));
    return 0;
  });
};

// ---------------------------------------------------------------------------------------------------------------
// test

export const testCommand: Command = async ({ config, args, options }) => {
  const [organization, integration] = args;
  const usage = 'Usage: custom-integrations test <organization> <integration> --path /status [--configuration NAME]';
  if (!organization || !integration) throw new UsageError(usage);
  const path = required(options.path, usage);
  return withRegistry(config, async (registry) => {
    const overrides = options.configuration === undefined ? {} : { [integration]: options.configuration };
    const handle = await registry.start('testConfiguration', {
      taskQueue: config.taskQueue,
      workflowId: `test-${integration}-${randomUUID()}`,
      args: [{ integration, path }],
      organization,
      overrides,
    });
    const result = (await handle.result()) as ConfigurationTestResult;
    const status = result.status === undefined ? 'no response' : `HTTP ${result.status}`;
    const latency = result.latencyMs === undefined ? '' : ` in ${result.latencyMs} ms`;
    console.log(`${result.ok ? 'OK' : 'FAILED'}: ${integration} (${result.configuration}) for ${organization}: GET ${path} -> ${status}${latency}`);
    if (result.excerpt) console.log(`  ${result.excerpt}`);
    if (result.problem) console.error(`  ${result.problem}`);
    return result.ok ? 0 : 1;
  });
};

// ---------------------------------------------------------------------------------------------------------------
// list, status

export const listCommand: Command = async ({ config, args, options }) => {
  const only = args[0] ?? options.organization;
  return withRegistry(config, async (registry) => {
    const { state } = await registry.snapshot();
    if (only !== undefined && !state.organizations[only]) {
      console.error(`organization ${only} does not exist (organizations: ${Object.keys(state.organizations).join(', ') || 'none'})`);
      return 1;
    }
    let count = 0;
    for (const [organization, byIntegration] of Object.entries(state.installations)) {
      if (only !== undefined && organization !== only) continue;
      for (const installation of Object.values(byIntegration)) {
        count++;
        console.log(`${organization}  ${installation.integration}`);
        for (const [name, values] of Object.entries(installation.configurations)) console.log(`    ${name}  ${JSON.stringify(values)}`);
      }
    }
    if (!count) console.log(only ? `${only} has nothing installed.` : 'Nothing is installed.');
    return 0;
  });
};

export const statusCommand: Command = async ({ config, args }) => {
  const [name] = args;
  return withRegistry(config, async (registry) => {
    const { state, version } = await registry.snapshot();
    const names = name === undefined ? Object.keys(state.integrations) : [name];
    if (name !== undefined && !state.integrations[name]) {
      console.error(`integration ${name} is not registered (registered: ${Object.keys(state.integrations).join(', ') || 'none'})`);
      return 1;
    }
    for (const integration of names) printStatus(state, integration, name !== undefined);
    if (name === undefined) {
      console.log(`${names.length} integrations, ${Object.keys(state.organizations).length} organizations (registry version ${version})`);
    }
    return 0;
  });
};

function printStatus(state: RegistryState, integration: string, detailed: boolean): void {
  const record = state.integrations[integration]!;
  const users = installedBy(state, integration);
  const installable = record.status === 'published' ? Object.keys(state.organizations).filter((org) => lineage(state, org).some((o) => o.id === record.owner)) : [];
  console.log(
    `${integration}  ${record.status}  owner ${record.owner}  installed by ${users.join(', ') || 'none'}  ` +
      `(${record.actions.length} actions, ${record.actions.filter((a) => a.deprecated).length} deprecated)`,
  );
  if (!detailed) return;
  console.log(`  hostname ${record.hostname}, auth ${record.authType}${record.displayName ? `, display name ${record.displayName}` : ''}${record.status === 'draft' ? '' : ' (frozen)'}`);
  console.log(`  installable by: ${installable.join(', ') || (record.status === 'published' ? 'none' : `no one while ${record.status}`)}`);
  for (const action of record.actions) console.log(`  ${action.name}${action.paginated ? '  paginated' : ''}${action.deprecated ? '  deprecated' : ''}`);
  const mapped = Object.keys(state.mappings[integration] ?? {}).length;
  if (mapped) console.log(`  ${mapped} companies mapped to organizations`);
}

// ---------------------------------------------------------------------------------------------------------------
// Starting runs of `call` and `paginate`

/**
 * Starts a CLI run in its integration context. For an organization of the registry (or a mapped `--company`), the
 * registry checks the overrides first, so an unknown configuration fails here, listing the valid ones; either way
 * the organization and overrides are shown in the Web UI.
 */
export async function startInContext(
  client: Client,
  config: TemporalConfig,
  workflow: string,
  options: WorkflowStartOptions & { typedSearchAttributes: SearchAttributePair[] },
  context: { organization?: string; overrides: Record<string, string> },
  company: { integration: string; id: string } | undefined,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const registry = new OrganizationRegistry({ client, taskQueue: config.taskQueue });
  if (company) return registry.start(workflow, { ...options, company, overrides: context.overrides });
  if (context.organization !== undefined && (await registry.snapshot()).state.organizations[context.organization]) {
    return registry.start(workflow, { ...options, organization: context.organization, overrides: context.overrides });
  }
  // No registry organization: configurations are the worker's static ones, which the worker checks on the first call.
  const shown = contextVisibility(context);
  return withIntegrationContext(context, () =>
    client.workflow.start(workflow, {
      ...options,
      typedSearchAttributes: [...options.typedSearchAttributes, ...shown.typedSearchAttributes],
      ...(shown.staticDetails !== undefined && { staticDetails: shown.staticDetails }),
    }),
  );
}
