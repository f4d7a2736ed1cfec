/**
 * The organization registry as a Temporal entity workflow: one long-lived run per namespace holds organizations,
 * integrations' lifecycle, installations, configurations and company mappings. Changes are updates whose validators
 * run every rule (src/registry/model.ts), so a refused change is answered at once and never reaches history; reads
 * are queries. It continues as new every few hundred changes, carrying its state, so its history stays small.
 *
 * Secrets given as values travel in update arguments and continue-as-new arguments: the payload codec encrypts them
 * there (the management API refuses them on a client without one); `{ env }` and `{ file }` references stay references.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  COMMAND_NAMES,
  COMPANY_ORGANIZATION_QUERY,
  INSTALLATION_QUERY,
  INSTALLATION_VIEW_QUERY,
  SNAPSHOT_QUERY,
  EMPTY_REGISTRY,
  installationView,
  plan,
  redactInstallation,
  redactState,
  RegistryRuleError,
  type Installation,
  type InstallationView,
  type RegistrySnapshot,
  type RegistryState,
} from '../src/registry/model';

export const registrySnapshotQuery = defineQuery<RegistrySnapshot>(SNAPSHOT_QUERY);
export const installationViewQuery = defineQuery<InstallationView, [organization: string, integration: string]>(INSTALLATION_VIEW_QUERY);
export const installationQuery = defineQuery<Installation | null, [organization: string, integration: string]>(INSTALLATION_QUERY);
export const companyOrganizationQuery = defineQuery<string | null, [integration: string, company: string]>(COMPANY_ORGANIZATION_QUERY);

/** About five history events per change: a few hundred changes per run stay far below the history limits. */
export const CHANGES_PER_RUN = 300;

export interface RegistryCarry {
  readonly state: RegistryState;
  readonly version: number;
  /** Changes per run before continuing as new (default CHANGES_PER_RUN). */
  readonly changesPerRun?: number;
}

export async function organizationRegistry(carry: RegistryCarry = { state: EMPTY_REGISTRY, version: 0 }): Promise<never> {
  let { state, version } = carry;
  const changesPerRun = carry.changesPerRun ?? CHANGES_PER_RUN;
  let changes = 0;
  const report = () =>
    setCurrentDetails(
      `**Organization registry** (version ${version}): ${Object.keys(state.organizations).length} organizations, ` +
        `${Object.keys(state.integrations).length} integrations, ` +
        `${Object.values(state.installations).reduce((n, byIntegration) => n + Object.keys(byIntegration).length, 0)} installations`,
    );
  report();

  for (const command of COMMAND_NAMES) {
    setHandler(
      defineUpdate<string, [unknown]>(command),
      (input) => {
        const planned = refused(() => plan(state, command, input));
        state = planned.state;
        version++;
        changes++;
        report();
        return planned.result;
      },
      { validator: (input) => void refused(() => plan(state, command, input)) },
    );
  }
  setHandler(registrySnapshotQuery, () => ({ version, state: redactState(state) }));
  setHandler(installationViewQuery, (organization, integration) => installationView(state, version, organization, integration));
  setHandler(installationQuery, (organization, integration) => {
    const installation = state.installations[organization]?.[integration];
    return installation ? redactInstallation(installation) : null;
  });
  setHandler(companyOrganizationQuery, (integration, company) => state.mappings[integration]?.[company]?.organization ?? null);

  await condition(() => changes >= changesPerRun || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  return continueAsNew<typeof organizationRegistry>({ state, version, ...(carry.changesPerRun !== undefined && { changesPerRun }) });
}

/** A rule's refusal as a failure the caller reads (validators and handlers alike), never a failed workflow task. */
function refused<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RegistryRuleError) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
}
