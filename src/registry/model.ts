/**
 * The organization registry: organizations (with parents), the integrations' lifecycle, installations and their named
 * configurations, and company mappings. One pure function, `plan`, holds every rule: the registry workflow runs it in
 * its update validators (so a refused change leaves no trace in history) and again in the handlers to apply it.
 *
 * Bundle-safe (zod and the configuration model only): workflows/registry.ts imports it.
 */
import { z } from 'zod';
import { ConfigurationInput } from '../configurations/model';
import { DEFAULT_CONFIGURATION } from '../context';
import { STATUSES, type AuthType, type Definition } from '../definition/model';

export const REGISTRY_WORKFLOW_TYPE = 'organizationRegistry';
export const REGISTRY_WORKFLOW_ID = 'custom-integrations-registry';
export const SNAPSHOT_QUERY = 'registrySnapshot';
export const INSTALLATION_VIEW_QUERY = 'installationView';
export const COMPANY_ORGANIZATION_QUERY = 'companyOrganization';
/** One organization's installation of one integration, secrets redacted (for clients; workers use the view). */
export const INSTALLATION_QUERY = 'installation';

export type IntegrationStatus = (typeof STATUSES)[number];

export const OrganizationId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'an organization id is 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** What the registry keeps of a definition: identity, the fields frozen once finalized, and the actions. */
export const IntegrationSummary = z
  .object({
    name: z.string().min(1),
    displayName: z.string().optional(),
    hostname: z.string().min(1),
    authType: z.string().min(1),
    actions: z.array(z.object({ name: z.string().min(1), deprecated: z.boolean(), paginated: z.boolean() }).strict()),
  })
  .strict();
export type IntegrationSummary = z.infer<typeof IntegrationSummary>;

export function summaryOf(definition: Definition): IntegrationSummary {
  return {
    name: definition.name,
    ...(definition.displayName !== undefined && { displayName: definition.displayName }),
    hostname: definition.hostname,
    authType: definition.auth.type satisfies AuthType,
    actions: definition.actions.map((a) => ({ name: a.name, deprecated: a.deprecated, paginated: a.paginated })),
  };
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly parent?: string;
}

export interface IntegrationRecord extends IntegrationSummary {
  readonly owner: string;
  readonly status: IntegrationStatus;
}

/** A configuration as set: the fields of ConfigurationInput other than integration, name and organization. */
export type ConfigurationValues = Readonly<Record<string, unknown>>;

export interface Installation {
  readonly organization: string;
  readonly integration: string;
  readonly configurations: Readonly<Record<string, ConfigurationValues>>;
}

export interface CompanyMapping {
  readonly company: string;
  readonly companyName?: string;
  readonly organization: string;
}

export interface RegistryState {
  readonly organizations: Readonly<Record<string, Organization>>;
  readonly integrations: Readonly<Record<string, IntegrationRecord>>;
  /** organization -> integration -> installation */
  readonly installations: Readonly<Record<string, Readonly<Record<string, Installation>>>>;
  /** integration -> vendor company id -> mapping */
  readonly mappings: Readonly<Record<string, Readonly<Record<string, CompanyMapping>>>>;
}

export const EMPTY_REGISTRY: RegistryState = { organizations: {}, integrations: {}, installations: {}, mappings: {} };

/** Fields of a configuration the registry sets itself, from where the configuration is stored. */
const KEY_FIELDS = ['integration', 'name', 'organization'] as const;

const Values = z.record(z.string(), z.unknown());
const Name = z.string().min(1);

export const COMMANDS = {
  addOrganization: z.object({ id: OrganizationId, name: z.string().min(1).max(200).optional(), parent: OrganizationId.optional() }).strict(),
  removeOrganization: z.object({ id: Name }).strict(),
  registerIntegration: z.object({ owner: Name, integration: IntegrationSummary }).strict(),
  setIntegrationStatus: z.object({ integration: Name, status: z.enum(STATUSES) }).strict(),
  deleteIntegration: z.object({ integration: Name }).strict(),
  install: z.object({ organization: Name, integration: Name, values: Values.optional() }).strict(),
  configure: z
    .object({ organization: Name, integration: Name, configuration: Name, values: Values.default({}), unset: z.array(z.string()).default([]) })
    .strict(),
  removeConfiguration: z.object({ organization: Name, integration: Name, configuration: Name }).strict(),
  uninstall: z.object({ organization: Name, integration: Name }).strict(),
  mapCompanies: z
    .object({
      integration: Name,
      entries: z.array(z.object({ company: Name, companyName: z.string().optional(), organization: Name }).strict()),
    })
    .strict(),
  unmapCompany: z.object({ integration: Name, company: Name }).strict(),
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** A change the rules refuse; the message says what and what to do. */
export class RegistryRuleError extends Error {
  override readonly name = 'RegistryRuleError';
}

export interface Planned {
  readonly state: RegistryState;
  /** A line for the caller: what changed. */
  readonly result: string;
}

/** The registry after the command, or a RegistryRuleError. Pure: `state` is never modified. */
export function plan(state: RegistryState, command: CommandName, raw: unknown): Planned {
  const parsed = COMMANDS[command].safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    throw new RegistryRuleError(`${command}: ${problems.join('; ')}`);
  }
  const input = parsed.data as never;
  switch (command) {
    case 'addOrganization':
      return addOrganization(state, input);
    case 'removeOrganization':
      return removeOrganization(state, input);
    case 'registerIntegration':
      return registerIntegration(state, input);
    case 'setIntegrationStatus':
      return setIntegrationStatus(state, input);
    case 'deleteIntegration':
      return deleteIntegration(state, input);
    case 'install':
      return install(state, input);
    case 'configure':
      return configure(state, input);
    case 'removeConfiguration':
      return removeConfiguration(state, input);
    case 'uninstall':
      return uninstall(state, input);
    case 'mapCompanies':
      return mapCompanies(state, input);
    case 'unmapCompany':
      return unmapCompany(state, input);
  }
}

type Parsed<C extends CommandName> = z.output<(typeof COMMANDS)[C]>;

// ---------------------------------------------------------------------------------------------------------------
// Organizations

function addOrganization(state: RegistryState, { id, name, parent }: Parsed<'addOrganization'>): Planned {
  if (state.organizations[id]) throw new RegistryRuleError(`organization ${id} already exists`);
  if (parent !== undefined) organization(state, parent, 'parent organization');
  const added: Organization = { id, name: name ?? id, ...(parent !== undefined && { parent }) };
  return {
    state: { ...state, organizations: { ...state.organizations, [id]: added } },
    result: `organization ${id} added${parent ? ` under ${parent}` : ''}`,
  };
}

function removeOrganization(state: RegistryState, { id }: Parsed<'removeOrganization'>): Planned {
  organization(state, id);
  const children = Object.values(state.organizations).filter((o) => o.parent === id).map((o) => o.id);
  if (children.length) throw new RegistryRuleError(`organization ${id} has sub-organizations ${children.join(', ')}; remove them first`);
  const installed = Object.keys(state.installations[id] ?? {});
  if (installed.length) throw new RegistryRuleError(`organization ${id} still has ${installed.join(', ')} installed; uninstall first`);
  const owned = Object.values(state.integrations).filter((i) => i.owner === id).map((i) => i.name);
  if (owned.length) throw new RegistryRuleError(`organization ${id} owns integrations ${owned.join(', ')}; delete them first`);
  const mapped = Object.values(state.mappings).flatMap((m) => Object.values(m)).filter((m) => m.organization === id).map((m) => m.company);
  if (mapped.length) throw new RegistryRuleError(`organization ${id} is mapped from companies ${mapped.join(', ')}; unmap them first`);
  const { [id]: _removed, ...organizations } = state.organizations;
  const { [id]: _none, ...installations } = state.installations;
  return { state: { ...state, organizations, installations }, result: `organization ${id} removed` };
}

/** The organization and its ancestors, nearest first. */
export function lineage(state: RegistryState, id: string): Organization[] {
  const chain: Organization[] = [];
  for (let current: Organization | undefined = state.organizations[id]; current; current = current.parent ? state.organizations[current.parent] : undefined) {
    // Parents must exist when added and cannot change, so there is no cycle; the guard costs nothing.
    if (chain.includes(current)) break;
    chain.push(current);
  }
  return chain;
}

function organization(state: RegistryState, id: string, what = 'organization'): Organization {
  const found = state.organizations[id];
  if (!found) {
    const known = Object.keys(state.organizations);
    throw new RegistryRuleError(`${what} ${id} does not exist (organizations: ${known.join(', ') || 'none'}); add it with \`orgs add ${id}\``);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Integrations

const FROZEN = [
  ['displayName', 'display name'],
  ['hostname', 'hostname'],
  ['authType', 'auth type'],
] as const;

function registerIntegration(state: RegistryState, { owner, integration: summary }: Parsed<'registerIntegration'>): Planned {
  organization(state, owner, 'owner organization');
  const existing = state.integrations[summary.name];
  if (existing && existing.owner !== owner) {
    throw new RegistryRuleError(`integration ${summary.name} belongs to organization ${existing.owner}, not ${owner}`);
  }
  if (existing && existing.status !== 'draft') {
    for (const [field, label] of FROZEN) {
      if (existing[field] !== summary[field]) {
        throw new RegistryRuleError(
          `integration ${summary.name} is ${existing.status}: its ${label} cannot change (it is ${show(existing[field])}, the definition says ${show(summary[field])}); ` +
            'name, display name, hostname and auth type are frozen once an integration is finalized. Restore it, or register a new integration',
        );
      }
    }
    const removed = existing.actions.filter((a) => !summary.actions.some((b) => b.name === a.name)).map((a) => a.name);
    if (removed.length) {
      throw new RegistryRuleError(
        `integration ${summary.name} is ${existing.status}: actions ${removed.join(', ')} cannot be removed, as running workflows may still call them; ` +
          `deprecate them instead (custom-integrations actions deprecate FILE ${removed.join(' ')})`,
      );
    }
  }
  const record: IntegrationRecord = { ...summary, owner, status: existing?.status ?? 'draft' };
  const added = existing ? existing.actions.length : 0;
  return {
    state: { ...state, integrations: { ...state.integrations, [summary.name]: record } },
    result: existing
      ? `integration ${summary.name} updated (${record.status}, ${summary.actions.length} actions, ${summary.actions.length - added} new)`
      : `integration ${summary.name} registered as a draft owned by ${owner}`,
  };
}

const show = (value: string | undefined) => (value === undefined ? 'unset' : `"${value}"`);

function setIntegrationStatus(state: RegistryState, { integration, status }: Parsed<'setIntegrationStatus'>): Planned {
  const record = integrationRecord(state, integration);
  if (record.status === status) return { state, result: `integration ${integration} is already ${status}` };
  if (status === 'draft') {
    throw new RegistryRuleError(`integration ${integration} is ${record.status}: a finalized integration never goes back to draft`);
  }
  if (record.status === 'draft' && status === 'deprecated') {
    throw new RegistryRuleError(`integration ${integration} is a draft: finalize it as published or hidden before deprecating it`);
  }
  return {
    state: { ...state, integrations: { ...state.integrations, [integration]: { ...record, status } } },
    result: `integration ${integration} is now ${status}${record.status === 'draft' ? ' (name, display name, hostname and auth type are now frozen)' : ''}`,
  };
}

function deleteIntegration(state: RegistryState, { integration }: Parsed<'deleteIntegration'>): Planned {
  integrationRecord(state, integration);
  const users = installedBy(state, integration);
  if (users.length) {
    throw new RegistryRuleError(`integration ${integration} is installed by ${users.join(', ')}; uninstall it there before deleting it`);
  }
  const { [integration]: _removed, ...integrations } = state.integrations;
  const { [integration]: _mappings, ...mappings } = state.mappings;
  return { state: { ...state, integrations, mappings }, result: `integration ${integration} deleted` };
}

export function installedBy(state: RegistryState, integration: string): string[] {
  return Object.entries(state.installations)
    .filter(([, byIntegration]) => byIntegration[integration])
    .map(([org]) => org);
}

function integrationRecord(state: RegistryState, name: string): IntegrationRecord {
  const found = state.integrations[name];
  if (!found) {
    const known = Object.keys(state.integrations);
    throw new RegistryRuleError(
      `integration ${name} is not registered (registered: ${known.join(', ') || 'none'}); register its definition with \`integrations register FILE\``,
    );
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Installations and configurations

function install(state: RegistryState, { organization: org, integration, values = {} }: Parsed<'install'>): Planned {
  organization(state, org);
  const record = integrationRecord(state, integration);
  if (record.status !== 'published') {
    throw new RegistryRuleError(`integration ${integration} is ${record.status}: only published integrations can be installed`);
  }
  if (!lineage(state, org).some((o) => o.id === record.owner)) {
    throw new RegistryRuleError(
      `integration ${integration} belongs to organization ${record.owner}: only ${record.owner} and its sub-organizations can install it, and ${org} is not one of them`,
    );
  }
  if (state.installations[org]?.[integration]) {
    throw new RegistryRuleError(`organization ${org} has already installed ${integration}; change its configurations with \`configure\``);
  }
  const checked = checkValues(org, integration, DEFAULT_CONFIGURATION, values);
  const installation: Installation = { organization: org, integration, configurations: { [DEFAULT_CONFIGURATION]: checked } };
  return {
    state: withInstallation(state, installation),
    result: `${integration} installed for ${org} with configuration ${DEFAULT_CONFIGURATION}`,
  };
}

function configure(state: RegistryState, input: Parsed<'configure'>): Planned {
  const { organization: org, integration, configuration: name, values, unset } = input;
  const installation = installationOf(state, org, integration);
  checkName(name);
  const previous = installation.configurations[name];
  const merged: Record<string, unknown> = { ...previous, ...values };
  for (const field of unset) delete merged[field];
  const checked = checkValues(org, integration, name, merged);
  return {
    state: withInstallation(state, { ...installation, configurations: { ...installation.configurations, [name]: checked } }),
    result: `configuration ${name} of ${integration} ${previous ? 'updated' : 'added'} for ${org}`,
  };
}

function removeConfiguration(state: RegistryState, { organization: org, integration, configuration: name }: Parsed<'removeConfiguration'>): Planned {
  const installation = installationOf(state, org, integration);
  if (name === DEFAULT_CONFIGURATION) {
    throw new RegistryRuleError(`${DEFAULT_CONFIGURATION} cannot be removed: every installation has one; uninstall ${integration} instead`);
  }
  configurationOf(installation, name);
  const { [name]: _removed, ...configurations } = installation.configurations;
  return { state: withInstallation(state, { ...installation, configurations }), result: `configuration ${name} of ${integration} removed for ${org}` };
}

function uninstall(state: RegistryState, { organization: org, integration }: Parsed<'uninstall'>): Planned {
  installationOf(state, org, integration);
  const { [integration]: _removed, ...rest } = state.installations[org] ?? {};
  const { [org]: _org, ...others } = state.installations;
  const installations = Object.keys(rest).length ? { ...others, [org]: rest } : others;
  return { state: { ...state, installations }, result: `${integration} uninstalled for ${org}` };
}

export function installationOf(state: RegistryState, org: string, integration: string): Installation {
  organization(state, org);
  const found = state.installations[org]?.[integration];
  if (!found) {
    const installed = Object.keys(state.installations[org] ?? {});
    throw new RegistryRuleError(
      `organization ${org} has not installed ${integration} (installed: ${installed.join(', ') || 'none'}); install it with \`install ${org} ${integration}\``,
    );
  }
  return found;
}

export function configurationOf(installation: Installation, name: string): ConfigurationValues {
  const found = installation.configurations[name];
  if (!found) {
    throw new RegistryRuleError(
      `${installation.integration} of organization ${installation.organization} has no configuration "${name}" ` +
        `(configurations: ${Object.keys(installation.configurations).join(', ')})`,
    );
  }
  return found;
}

function withInstallation(state: RegistryState, installation: Installation): RegistryState {
  const { organization: org, integration } = installation;
  return { ...state, installations: { ...state.installations, [org]: { ...state.installations[org], [integration]: installation } } };
}

/** `Default` is the default configuration's name; spellings that only differ in case would be mistaken for it. */
function checkName(name: string): void {
  if (name !== DEFAULT_CONFIGURATION && name.toLowerCase() === DEFAULT_CONFIGURATION.toLowerCase()) {
    throw new RegistryRuleError(`"${name}" is reserved: the default configuration is named ${DEFAULT_CONFIGURATION}`);
  }
}

/** Values checked with the configuration model itself, so every field it knows (and only those) can be set. */
function checkValues(org: string, integration: string, name: string, values: Readonly<Record<string, unknown>>): ConfigurationValues {
  const keyed = KEY_FIELDS.filter((field) => field in values);
  if (keyed.length) {
    throw new RegistryRuleError(`${keyed.join(', ')} cannot be set in a configuration's values: the registry sets them from where it is stored`);
  }
  const parsed = ConfigurationInput.safeParse({ ...values, integration, name, organization: org });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'values'}: ${i.message}`);
    throw new RegistryRuleError(`configuration ${name} of ${integration} for ${org} is invalid: ${problems.join('; ')}`);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------------
// Company mappings

function mapCompanies(state: RegistryState, { integration, entries }: Parsed<'mapCompanies'>): Planned {
  integrationRecord(state, integration);
  const current: Record<string, CompanyMapping> = { ...state.mappings[integration] };
  for (const entry of entries) {
    organization(state, entry.organization);
    current[entry.company] = entry;
  }
  return {
    state: { ...state, mappings: { ...state.mappings, [integration]: current } },
    result: `${entries.length} ${integration} companies mapped`,
  };
}

function unmapCompany(state: RegistryState, { integration, company }: Parsed<'unmapCompany'>): Planned {
  const { [company]: removed, ...rest } = state.mappings[integration] ?? {};
  if (!removed) throw new RegistryRuleError(`${integration} company ${company} is not mapped`);
  return { state: { ...state, mappings: { ...state.mappings, [integration]: rest } }, result: `${integration} company ${company} unmapped` };
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

/**
 * The fields of a configuration that hold secrets: those taking a SecretRef (a value, `{ env }` or `{ file }`). Read
 * from the model, so secret fields added to it later are redacted too.
 */
export const SECRET_FIELDS: readonly string[] = Object.entries(ConfigurationInput.shape)
  .filter(([, schema]) => ['value', { env: 'X' }, { file: '/x' }].every((ref) => (schema as z.ZodType).safeParse(ref).success))
  .map(([field]) => field);

export const REDACTED_VALUE = '[redacted]';

/** Secrets given as values are shown as `[redacted]`; `{ env }` and `{ file }` references are shown, they are no secret. */
export function redactValues(values: ConfigurationValues): ConfigurationValues {
  const shown: Record<string, unknown> = { ...values };
  for (const field of SECRET_FIELDS) if (typeof shown[field] === 'string') shown[field] = REDACTED_VALUE;
  return shown;
}

export function literalSecrets(values: ConfigurationValues): string[] {
  return SECRET_FIELDS.filter((field) => typeof values[field] === 'string');
}

export function redactInstallation(installation: Installation): Installation {
  const configurations = Object.fromEntries(Object.entries(installation.configurations).map(([name, values]) => [name, redactValues(values)]));
  return { ...installation, configurations };
}

export function redactState(state: RegistryState): RegistryState {
  const installations: Record<string, Record<string, Installation>> = {};
  for (const [org, byIntegration] of Object.entries(state.installations)) {
    installations[org] = Object.fromEntries(Object.entries(byIntegration).map(([name, installation]) => [name, redactInstallation(installation)]));
  }
  return { ...state, installations };
}

/** What a worker needs to resolve one organization's configurations of one integration. */
export interface InstallationView {
  readonly version: number;
  readonly integration?: IntegrationRecord;
  /** Absent when the organization has not installed the integration. */
  readonly configurations?: Readonly<Record<string, ConfigurationValues>>;
}

export function installationView(state: RegistryState, version: number, org: string, integration: string): InstallationView {
  const installation = state.installations[org]?.[integration];
  const record = state.integrations[integration];
  return { version, ...(record && { integration: record }), ...(installation && { configurations: installation.configurations }) };
}

export interface RegistrySnapshot {
  readonly version: number;
  readonly state: RegistryState;
}
