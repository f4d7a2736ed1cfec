/**
 * The management API of the organization registry: organizations, the integrations' lifecycle, installations,
 * configurations, company mappings, and starting workflows for an organization with checked overrides.
 *
 * ```ts
 * const registry = new OrganizationRegistry({ client, taskQueue: 'custom-integrations' });
 * await registry.addOrganization('acme');
 * await registry.registerIntegration(definition, 'msp');
 * await registry.setIntegrationStatus('pedroAviary', 'published');
 * await registry.install('acme', 'pedroAviary', { apiKey: { env: 'ACME_PEDRO_KEY' } });
 * await registry.start(myWorkflow, { organization: 'acme', overrides: { pedroAviary: 'EU' }, taskQueue, workflowId, args });
 * ```
 *
 * Every change is an update of the registry workflow, started on first use (update-with-start); a change the rules
 * refuse throws a RegistryError saying why.
 */
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair, type Workflow } from '@temporalio/common';
import { contextVisibility } from '../context';
import type { Definition } from '../definition/model';
import { withIntegrationContext } from '../temporal/client-context';
import {
  COMPANY_ORGANIZATION_QUERY,
  EMPTY_REGISTRY,
  INSTALLATION_QUERY,
  literalSecrets,
  REGISTRY_WORKFLOW_ID,
  REGISTRY_WORKFLOW_TYPE,
  SNAPSHOT_QUERY,
  summaryOf,
  type CommandInput,
  type CommandName,
  type CompanyMapping,
  type ConfigurationValues,
  type Installation,
  type IntegrationStatus,
  type RegistrySnapshot,
} from './model';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

export interface OrganizationRegistryOptions {
  readonly client: Client;
  /** Where the registry workflow runs when it is first started: a task queue your workers poll. */
  readonly taskQueue: string;
  readonly workflowId?: string;
}

/** Who a workflow runs for: an organization, or a vendor company mapped to one. */
export interface OrganizationChoice {
  readonly organization?: string;
  /** A vendor company id, mapped to an organization with `mapCompanies` (or `orgs map`). */
  readonly company?: { readonly integration: string; readonly id: string };
  readonly overrides?: Readonly<Record<string, string>>;
}

export class OrganizationRegistry {
  readonly #client: Client;
  readonly #taskQueue: string;
  readonly workflowId: string;

  constructor({ client, taskQueue, workflowId = REGISTRY_WORKFLOW_ID }: OrganizationRegistryOptions) {
    this.#client = client;
    this.#taskQueue = taskQueue;
    this.workflowId = workflowId;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Changes

  addOrganization(id: string, options: { name?: string; parent?: string } = {}): Promise<string> {
    return this.#change('addOrganization', { id, ...options });
  }

  removeOrganization(id: string): Promise<string> {
    return this.#change('removeOrganization', { id });
  }

  /** Registers a definition (a draft at first) owned by an organization, or updates a registered one within the lifecycle rules. */
  registerIntegration(definition: Definition, owner: string): Promise<string> {
    return this.#change('registerIntegration', { owner, integration: summaryOf(definition) });
  }

  /** `published` or `hidden` finalizes a draft; a finalized integration may move between published, hidden and deprecated. */
  setIntegrationStatus(integration: string, status: IntegrationStatus): Promise<string> {
    return this.#change('setIntegrationStatus', { integration, status });
  }

  deleteIntegration(integration: string): Promise<string> {
    return this.#change('deleteIntegration', { integration });
  }

  /** Installs a published integration for an organization, with its `Default` configuration. */
  async install(organization: string, integration: string, values: ConfigurationValues = {}): Promise<string> {
    this.#refusePlaintext(values);
    return this.#change('install', { organization, integration, values });
  }

  /** Adds a named configuration or changes fields of one; `unset` removes fields (the definition's value applies again). */
  async configure(
    organization: string,
    integration: string,
    configuration: string,
    values: ConfigurationValues,
    unset: readonly string[] = [],
  ): Promise<string> {
    this.#refusePlaintext(values);
    return this.#change('configure', { organization, integration, configuration, values, unset: [...unset] });
  }

  removeConfiguration(organization: string, integration: string, configuration: string): Promise<string> {
    return this.#change('removeConfiguration', { organization, integration, configuration });
  }

  uninstall(organization: string, integration: string): Promise<string> {
    return this.#change('uninstall', { organization, integration });
  }

  mapCompanies(integration: string, entries: readonly CompanyMapping[]): Promise<string> {
    return this.#change('mapCompanies', { integration, entries: [...entries] });
  }

  unmapCompany(integration: string, company: string): Promise<string> {
    return this.#change('unmapCompany', { integration, company });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads (secrets given as values are redacted)

  async snapshot(): Promise<RegistrySnapshot> {
    return (await this.#query<RegistrySnapshot>(SNAPSHOT_QUERY)) ?? { version: 0, state: EMPTY_REGISTRY };
  }

  async installation(organization: string, integration: string): Promise<Installation | undefined> {
    return (await this.#query<Installation | null>(INSTALLATION_QUERY, organization, integration)) ?? undefined;
  }

  async organizationOfCompany(integration: string, company: string): Promise<string> {
    const organization = await this.#query<string | null>(COMPANY_ORGANIZATION_QUERY, integration, company);
    if (!organization) {
      throw new RegistryError(`${integration} company ${company} is not mapped to an organization; map it with \`orgs map ${integration}\``);
    }
    return organization;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Starting workflows for an organization

  /**
   * The organization a choice names (directly or through a company mapping), once its overrides are checked: each
   * must name a configuration of that organization's installation, or this throws listing the ones that exist.
   */
  async checkContext(choice: OrganizationChoice): Promise<{ organization: string; overrides: Record<string, string> }> {
    if ((choice.organization === undefined) === (choice.company === undefined)) {
      throw new RegistryError('choose the organization a workflow runs for: an organization id, or a mapped vendor company (not both)');
    }
    const organization = choice.company ? await this.organizationOfCompany(choice.company.integration, choice.company.id) : choice.organization!;
    const { state } = await this.snapshot();
    if (!state.organizations[organization]) {
      throw new RegistryError(`organization ${organization} does not exist (organizations: ${Object.keys(state.organizations).join(', ') || 'none'})`);
    }
    const installed = state.installations[organization] ?? {};
    for (const [integration, configuration] of Object.entries(choice.overrides ?? {})) {
      const installation = installed[integration];
      if (!installation) {
        throw new RegistryError(
          `override ${integration}=${configuration}: organization ${organization} has not installed ${integration} (installed: ${Object.keys(installed).join(', ') || 'none'})`,
        );
      }
      if (!installation.configurations[configuration]) {
        throw new RegistryError(
          `override ${integration}=${configuration}: ${integration} of organization ${organization} has no configuration "${configuration}" ` +
            `(configurations: ${Object.keys(installation.configurations).join(', ')})`,
        );
      }
    }
    return { organization, overrides: { ...choice.overrides } };
  }

  /**
   * Starts a workflow for an organization: overrides checked first, the context carried to every activity, child
   * and continue-as-new run, and shown in the Web UI (search attributes CustomIntegrationOrganization and
   * CustomIntegrationOverrides, and the run's details).
   */
  async start<T extends Workflow>(workflow: T | string, options: WorkflowStartOptions<T> & OrganizationChoice): Promise<WorkflowHandleWithFirstExecutionRunId<T>> {
    const { organization: _organization, company: _company, overrides: _overrides, ...startOptions } = options;
    const context = await this.checkContext(options);
    const shown = contextVisibility(context);
    const own = startOptions.typedSearchAttributes as TypedSearchAttributes | SearchAttributePair[] | undefined;
    const typedSearchAttributes =
      own instanceof TypedSearchAttributes ? own.updateCopy(shown.typedSearchAttributes) : [...(own ?? []), ...shown.typedSearchAttributes];
    return withIntegrationContext(context, () =>
      this.#client.workflow.start(workflow, {
        ...startOptions,
        typedSearchAttributes,
        ...(startOptions.staticDetails === undefined && shown.staticDetails !== undefined && { staticDetails: shown.staticDetails }),
      } as WorkflowStartOptions<T>),
    );
  }

  // -------------------------------------------------------------------------------------------------------------

  async #change<C extends CommandName>(command: C, input: CommandInput<C>): Promise<string> {
    try {
      return await this.#client.workflow.executeUpdateWithStart<Workflow, string, [CommandInput<C>]>(command, {
        args: [input],
        startWorkflowOperation: new WithStartWorkflowOperation(REGISTRY_WORKFLOW_TYPE, {
          workflowId: this.workflowId,
          taskQueue: this.#taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: 'Organization registry: organizations, installations, configurations',
        }),
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new RegistryError(innermost(err).message);
      throw err;
    }
  }

  async #query<R>(name: string, ...args: unknown[]): Promise<R | undefined> {
    try {
      return await this.#client.workflow.getHandle(this.workflowId).query<R, unknown[]>(name, ...args);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * A secret given as a value is kept in the registry's workflow history; only a payload codec (the encryption
   * codec) keeps it from being readable there, so without one it is refused.
   */
  #refusePlaintext(values: ConfigurationValues): void {
    const literal = literalSecrets(values);
    if (literal.length && this.#client.options.loadedDataConverter.payloadCodecs.length === 0) {
      throw new RegistryError(
        `${literal.join(', ')} ${literal.length > 1 ? 'are' : 'is'} given as a value, which this client would store readable in the registry's workflow history ` +
          '(it has no payload codec); give a reference instead ({ env: "VAR" } or { file: "/path" }, read on the worker), or use a client with the encryption codec',
      );
    }
  }
}

function innermost(err: Error): Error {
  let current = err;
  while (current.cause instanceof Error) current = current.cause;
  return current;
}
