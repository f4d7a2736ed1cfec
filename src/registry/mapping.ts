/**
 * Organization mapping: the vendor's companies (read with one of the integration's paginated actions, through the
 * durable paginate workflow) matched to our organizations by name, and stored in the registry. A stored mapping lets a
 * workflow be started for a vendor company id: `registry.start(wf, { company: { integration, id } })`.
 */
import { randomUUID } from 'node:crypto';
import type { PaginateRequest, PaginateResult } from '../../workflows/paginate';
import { isMissing, valueAt } from '../pagination/path';
import type { CompanyMapping, Organization } from './model';
import { RegistryError, type OrganizationRegistry } from './registry';

export interface Company {
  readonly company: string;
  readonly companyName: string;
}

export interface MappingProposal {
  /** Companies matched to an organization (new ones, and those already mapped). */
  readonly matched: CompanyMapping[];
  /** Companies no organization's name or id matches (or more than one does). */
  readonly unmatched: Company[];
  /** Items without an id or a name at the given paths. */
  readonly skipped: number;
}

/** The id and name of each item, at dotted paths ("id", "profile.name"). */
export function companiesOf(items: readonly unknown[], idPath: string, namePath: string): { companies: Company[]; skipped: number } {
  const companies: Company[] = [];
  let skipped = 0;
  for (const item of items) {
    const id = valueAt(item, idPath);
    const name = valueAt(item, namePath);
    if (isMissing(id) || isMissing(name) || (typeof id !== 'string' && typeof id !== 'number') || typeof name !== 'string') skipped++;
    else companies.push({ company: String(id), companyName: name });
  }
  return { companies, skipped };
}

/** Names compared without case, punctuation and legal suffixes: "ACME Inc." is "acme". */
export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\s+(inc|llc|ltd|limited|gmbh|corp|corporation|co|company|sa|ag|bv|plc)$/, '')
    .replace(/\s+/g, '');
}

/** Existing mappings are kept; other companies match the one organization whose name or id normalizes the same. */
export function matchCompanies(
  companies: readonly Company[],
  organizations: readonly Organization[],
  existing: Readonly<Record<string, CompanyMapping>> = {},
): Omit<MappingProposal, 'skipped'> {
  const byName = new Map<string, Set<string>>();
  for (const org of organizations) {
    for (const key of [normalizeName(org.name), normalizeName(org.id)]) byName.set(key, (byName.get(key) ?? new Set()).add(org.id));
  }
  const matched: CompanyMapping[] = [];
  const unmatched: Company[] = [];
  for (const company of companies) {
    const known = existing[company.company];
    const candidates = [...(byName.get(normalizeName(company.companyName)) ?? [])];
    const organization = known?.organization ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (organization) matched.push({ ...company, organization });
    else unmatched.push(company);
  }
  return { matched, unmatched };
}

export interface MapFromActionOptions {
  readonly integration: string;
  /** A paginated action listing the vendor's companies. */
  readonly action: string;
  readonly idPath: string;
  readonly namePath: string;
  /** The organization whose installation lists the companies (usually the one that owns the integration). */
  readonly organization: string;
  readonly taskQueue: string;
  readonly pageLimit?: number;
  /** Store the matches; without it this only proposes. */
  readonly apply?: boolean;
}

/** Runs the paginated action for the organization, matches the companies it lists, and stores the matches with `apply`. */
export async function mapCompaniesFromAction(registry: OrganizationRegistry, options: MapFromActionOptions): Promise<MappingProposal> {
  const before = await registry.snapshot();
  const record = before.state.integrations[options.integration];
  const paginated = record?.actions.filter((a) => a.paginated).map((a) => a.name) ?? [];
  if (!record) throw new RegistryError(`integration ${options.integration} is not registered`);
  if (!paginated.includes(options.action)) {
    throw new RegistryError(
      `${options.integration} has no paginated action ${options.action}; mapping reads companies from one of its paginated actions (${paginated.join(', ') || 'it has none'})`,
    );
  }
  const request: PaginateRequest = {
    integration: options.integration,
    action: options.action,
    ...(options.pageLimit !== undefined && { pageLimit: options.pageLimit }),
  };
  const handle = await registry.start('paginate', {
    taskQueue: options.taskQueue,
    workflowId: `orgs-map-${options.integration}-${randomUUID()}`,
    args: [request],
    organization: options.organization,
    staticSummary: `map ${options.integration} companies from ${options.action}`,
  });
  const result = (await handle.result()) as PaginateResult;
  const { companies, skipped } = companiesOf(result.items ?? [], options.idPath, options.namePath);
  if (!companies.length && result.itemCount > 0) {
    throw new RegistryError(
      `${options.integration}.${options.action} returned ${result.itemCount} items, none with a string or number at "${options.idPath}" and a string at "${options.namePath}"; check the paths`,
    );
  }
  const { state } = await registry.snapshot();
  const proposal = { ...matchCompanies(companies, Object.values(state.organizations), state.mappings[options.integration]), skipped };
  if (options.apply && proposal.matched.length) await registry.mapCompanies(options.integration, proposal.matched);
  return proposal;
}
