/**
 * The integration context: which organization a workflow runs for and which configuration each integration uses
 * (integration overrides). It is chosen when a workflow starts and travels in a Temporal header to every activity,
 * child workflow and continue-as-new run of that workflow, so activities never take credentials as arguments.
 *
 * Bundle-safe: workflow interceptors import this.
 */
import { defaultPayloadConverter, type Headers, type SearchAttributePair } from '@temporalio/common';
import { ORGANIZATION, OVERRIDES } from './temporal/search-attributes';

export const CONTEXT_HEADER = 'custom-integrations-context';

export const DEFAULT_CONFIGURATION = 'Default';

export interface IntegrationContext {
  /** The organization the workflow acts for; configurations of other organizations are out of reach. */
  readonly organization?: string;
  /** Integration name -> configuration name. Integrations not listed use `Default`. */
  readonly overrides: Readonly<Record<string, string>>;
}

export const EMPTY_CONTEXT: IntegrationContext = Object.freeze({ overrides: Object.freeze({}) });

/** Options a workflow author may give to one action call; they win over the workflow's overrides. */
export interface ActionCallOptions {
  readonly configuration?: string;
}

/** The configuration an action call uses: the call's own choice, else the workflow's override, else `Default`. */
export function chooseConfiguration(
  integration: string,
  context: IntegrationContext,
  call: ActionCallOptions | undefined,
): string {
  return call?.configuration ?? context.overrides[integration] ?? DEFAULT_CONFIGURATION;
}

/** Validates a context read from a header: it crosses a process boundary, so it is checked, not trusted. */
export function parseIntegrationContext(value: unknown): IntegrationContext {
  if (value === undefined || value === null) return EMPTY_CONTEXT;
  if (typeof value !== 'object') throw new TypeError(`${CONTEXT_HEADER} header is not an object`);
  const { organization, overrides } = value as Record<string, unknown>;
  if (organization !== undefined && (typeof organization !== 'string' || organization === '')) {
    throw new TypeError(`${CONTEXT_HEADER} header: organization must be a non-empty string`);
  }
  const checked: Record<string, string> = {};
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null) throw new TypeError(`${CONTEXT_HEADER} header: overrides must be an object`);
    for (const [integration, configuration] of Object.entries(overrides)) {
      if (typeof configuration !== 'string') {
        throw new TypeError(`${CONTEXT_HEADER} header: override for ${integration} must be a configuration name`);
      }
      checked[integration] = configuration;
    }
  }
  return organization === undefined ? { overrides: checked } : { organization, overrides: checked };
}

/** Headers are not run through payload codecs, which is fine: the context holds names, never secrets. */
export function withContextHeader(headers: Headers, context: IntegrationContext): Headers {
  if (headers[CONTEXT_HEADER]) return headers;
  return { ...headers, [CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context) };
}

export function readContextHeader(headers: Headers): IntegrationContext {
  const header = headers[CONTEXT_HEADER];
  return parseIntegrationContext(header ? defaultPayloadConverter.fromPayload(header) : undefined);
}

/**
 * What the Web UI shows of a run's integration context: the organization and overrides as search attributes (to filter
 * runs) and as the run's static details. Names only: the context never holds a secret.
 */
export function contextVisibility(context: { organization?: string; overrides?: Readonly<Record<string, string>> }): {
  typedSearchAttributes: SearchAttributePair[];
  staticDetails?: string;
} {
  const overrides = Object.entries(context.overrides ?? {}).map(([integration, configuration]) => `${integration}=${configuration}`);
  const typedSearchAttributes: SearchAttributePair[] = [
    ...(context.organization !== undefined ? [{ key: ORGANIZATION, value: context.organization }] : []),
    ...(overrides.length ? [{ key: OVERRIDES, value: overrides }] : []),
  ];
  const lines = [
    ...(context.organization !== undefined ? [`**Organization:** ${context.organization}`] : []),
    ...(overrides.length ? ['**Integration overrides:**', ...overrides.map((o) => `- ${o}`)] : []),
  ];
  return { typedSearchAttributes, ...(lines.length && { staticDetails: lines.join('\n') }) };
}
