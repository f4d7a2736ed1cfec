/**
 * Configurations from the organization registry (workflows/registry.ts), for workflows started for an organization.
 *
 * Isolation: the registry is asked for the installation of the workflow's own organization, from the integration
 * context header, and nothing else; a configuration name (override or per-call) is only ever looked up inside that
 * installation, so no name can reach another organization's configuration. Sub-organizations do not inherit their
 * parent's installations: each organization installs what it uses.
 *
 * Cache: a worker keeps what it read of an installation for `cacheTtlMs` (default 10 s), so an activity costs no
 * query in the common case. A configuration name missing from the cached copy is looked up again at once, so a new
 * configuration (or installation) is usable immediately; changed values and removals reach workers within the TTL.
 * Values are read into credentials once per registry version.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CompiledIntegrations } from '../definition/compile';
import { INSTALLATION_VIEW_QUERY, redactValues, REGISTRY_WORKFLOW_ID, type ConfigurationValues, type InstallationView } from '../registry/model';
import type { ConfigurationInput } from './model';
import {
  ConfigurationError,
  ConfigurationNotFoundError,
  type ConfigurationRequest,
  type ConfigurationSource,
  type ResolvedConfiguration,
} from './source';
import { readConfigurations } from './static';

export const DEFAULT_CACHE_TTL_MS = 10_000;

export interface RegistryConfigurationsOptions {
  readonly integrations: CompiledIntegrations;
  /**
   * For requests without an organization, and for organizations that have not installed the integration in the
   * registry (configurations declared statically with `organization`). The plugin passes its static configurations.
   */
  readonly fallback?: ConfigurationSource;
  /** Default: the worker's own client, from the activity being run. */
  readonly client?: Client;
  readonly workflowId?: string;
  readonly cacheTtlMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

interface CachedView {
  readonly view: InstallationView;
  readonly fetchedAt: number;
}

export class RegistryConfigurations implements ConfigurationSource {
  readonly #options: RegistryConfigurationsOptions;
  readonly #views = new Map<string, Promise<CachedView>>();
  /** Resolved configurations by organization, integration, name and registry version. */
  readonly #resolved = new Map<string, ResolvedConfiguration>();

  constructor(options: RegistryConfigurationsOptions) {
    this.#options = options;
  }

  async resolve(request: ConfigurationRequest): Promise<ResolvedConfiguration> {
    const { organization, integration, configuration } = request;
    if (organization === undefined) return this.#fallback(request);
    const found = await this.#installed({ ...request, organization });
    if (!found) {
      // Not installed in the registry: statically declared configurations of this same organization may still exist.
      try {
        return await this.#fallback(request);
      } catch (err) {
        if (!(err instanceof ConfigurationNotFoundError)) throw err;
        throw new ConfigurationError(
          `organization ${organization} has not installed integration ${integration}; install it (custom-integrations install ${organization} ${integration}) or start the workflow for the organization that did`,
        );
      }
    }
    const { view, values } = found;
    const key = `${view.version}\0${organization}\0${integration}\0${configuration}`;
    const cached = this.#resolved.get(key);
    if (cached) return cached;
    this.#checkFrozen(view, integration);
    const resolved = this.#read(request, values);
    this.#resolved.set(key, resolved);
    return resolved;
  }

  /**
   * The configuration as the registry holds it, with secret values redacted and nothing read: its public fields
   * (clientId, redirectUri...) for a tool without the workers' secrets, such as `custom-integrations authorize`.
   * Undefined without an organization, or when the organization has not installed the integration in the registry.
   */
  async declared(request: ConfigurationRequest): Promise<ConfigurationInput | undefined> {
    const { organization } = request;
    const found = organization === undefined ? undefined : await this.#installed({ ...request, organization });
    if (!found) return undefined;
    this.#checkFrozen(found.view, request.integration);
    return this.#input(request, redactValues(found.values));
  }

  /** The organization's values of the configuration; undefined when it has not installed the integration here. */
  async #installed(request: ConfigurationRequest & { readonly organization: string }): Promise<{ view: InstallationView; values: ConfigurationValues } | undefined> {
    const { organization, integration, configuration } = request;
    let { view, fresh } = await this.#view(organization, integration, false);
    if (!view.configurations?.[configuration] && !fresh) ({ view } = await this.#view(organization, integration, true));
    if (!view.configurations) return undefined;
    const values = view.configurations[configuration];
    if (!values) throw new ConfigurationNotFoundError(request, Object.keys(view.configurations));
    return { view, values };
  }

  /** Forgets what was read, so the next resolution asks the registry (the management API calls it after a change in-process). */
  invalidate(): void {
    this.#views.clear();
    this.#resolved.clear();
  }

  #fallback(request: ConfigurationRequest): Promise<ResolvedConfiguration> {
    if (this.#options.fallback) return this.#options.fallback.resolve(request);
    throw new ConfigurationNotFoundError(request, []);
  }

  async #view(organization: string, integration: string, force: boolean): Promise<{ view: InstallationView; fresh: boolean }> {
    const key = `${organization}\0${integration}`;
    const ttl = this.#options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    const cached = this.#views.get(key);
    if (cached && !force) {
      const entry = await cached.catch(() => undefined);
      if (entry && Date.now() - entry.fetchedAt < ttl) return { view: entry.view, fresh: false };
    }
    const fetching = this.#query(organization, integration).then((view) => ({ view, fetchedAt: Date.now() }));
    this.#views.set(key, fetching);
    // A failed query is not kept: the next activity (or its retry) asks again.
    fetching.catch(() => {
      if (this.#views.get(key) === fetching) this.#views.delete(key);
    });
    const { view } = await fetching;
    // Credentials read from an older version are no longer reachable: drop them, so the cache does not grow.
    for (const resolvedKey of this.#resolved.keys()) {
      if (resolvedKey.includes(`\0${key}\0`) && !resolvedKey.startsWith(`${view.version}\0`)) this.#resolved.delete(resolvedKey);
    }
    return { view, fresh: true };
  }

  async #query(organization: string, integration: string): Promise<InstallationView> {
    const client = this.#options.client ?? Context.current().client;
    try {
      return await client.workflow.getHandle(this.#options.workflowId ?? REGISTRY_WORKFLOW_ID).query<InstallationView, [string, string]>(INSTALLATION_VIEW_QUERY, organization, integration);
    } catch (err) {
      // No registry yet: nothing is installed anywhere.
      if (err instanceof WorkflowNotFoundError) return { version: -1 };
      // Retryable: the registry's worker may be restarting; the activity's retry policy waits for it.
      throw ApplicationFailure.retryable(
        `the organization registry could not be read (${(err as Error).message}); is a worker with the package's workflows polling its task queue?`,
        'RegistryUnavailable',
      );
    }
  }

  /** The worker's definition must still have what the integration was finalized with. */
  #checkFrozen(view: InstallationView, integration: string): void {
    const record = view.integration;
    const definition = this.#options.integrations.get(integration)?.definition;
    if (!record || !definition || record.status === 'draft') return;
    const changed = [
      record.hostname !== definition.hostname && `hostname (${record.hostname} -> ${definition.hostname})`,
      record.authType !== definition.auth.type && `auth type (${record.authType} -> ${definition.auth.type})`,
    ].filter(Boolean);
    if (changed.length) {
      throw new ConfigurationError(
        `integration ${integration} is ${record.status}, but this worker's definition changed its ${changed.join(' and ')}; ` +
          'these cannot change once finalized: restore the definition file, or register a new integration',
      );
    }
  }

  /** Secrets are read and credentials built by the same code as static configurations, so every auth type behaves alike. */
  #read(request: ConfigurationRequest, values: ConfigurationValues): ResolvedConfiguration {
    return readConfigurations(this.#options.integrations, [this.#input(request, values)], this.#options.env)[0]!;
  }

  #input(request: ConfigurationRequest, values: ConfigurationValues): ConfigurationInput {
    return { ...values, integration: request.integration, name: request.configuration, organization: request.organization } as ConfigurationInput;
  }
}
