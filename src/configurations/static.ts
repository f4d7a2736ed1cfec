/**
 * Configurations declared in code or in temporal.config.ts, checked and read once when the worker starts, so a
 * missing secret stops the worker with a clear message instead of failing calls later.
 */
import { requiredCredentials, credentialsFor, type CredentialValues } from '../auth/credentials';
import { targetOf, type CompiledIntegrations } from '../definition/compile';
import { DEFAULT_CONFIGURATION } from '../context';
import { ConfigurationInput, type ConfigurationEntry } from './model';
import { readSecret } from './secret-ref';
import {
  ConfigurationError,
  ConfigurationNotFoundError,
  type ConfigurationRequest,
  type ConfigurationSource,
  type ResolvedConfiguration,
} from './source';

export class StaticConfigurations implements ConfigurationSource {
  readonly #byKey = new Map<string, ResolvedConfiguration>();

  constructor(integrations: CompiledIntegrations, inputs: readonly ConfigurationInput[], env: NodeJS.ProcessEnv = process.env) {
    for (const resolved of readConfigurations(integrations, inputs, env)) {
      this.#byKey.set(keyOf(resolved.organization, resolved.integration, resolved.name), resolved);
    }
    // An integration without auth needs no credentials, so its Default configuration exists without being declared.
    for (const [name, { definition }] of integrations) {
      const key = keyOf(undefined, name, DEFAULT_CONFIGURATION);
      if (definition.auth.type === 'none' && !this.#byKey.has(key)) {
        this.#byKey.set(key, {
          integration: name,
          name: DEFAULT_CONFIGURATION,
          target: targetOf(definition),
          credentials: credentialsFor(definition.auth, {}, definition.headers),
        });
      }
    }
  }

  async resolve(request: ConfigurationRequest): Promise<ResolvedConfiguration> {
    const found = this.#byKey.get(keyOf(request.organization, request.integration, request.configuration));
    if (found) return found;
    const available = [...this.#byKey.values()]
      .filter((c) => c.integration === request.integration && c.organization === request.organization)
      .map((c) => c.name);
    throw new ConfigurationNotFoundError(request, available);
  }
}

/**
 * Checks configurations and reads their secrets into credentials; throws one ConfigurationError listing every problem
 * (fields, undefined integrations, missing secrets, duplicates). Also serves configurations kept in the registry.
 */
export function readConfigurations(
  integrations: CompiledIntegrations,
  inputs: readonly ConfigurationInput[],
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfiguration[] {
  const problems: string[] = [];
  const byKey = new Map<string, ResolvedConfiguration>();
  inputs.forEach((input, index) => {
    const parsed = ConfigurationInput.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`configurations[${index}].${issue.path.join('.')}: ${issue.message}`);
      return;
    }
    try {
      const resolved = resolveEntry(integrations, parsed.data, env);
      const key = keyOf(resolved.organization, resolved.integration, resolved.name);
      if (byKey.has(key)) throw new Error('is declared twice');
      byKey.set(key, resolved);
    } catch (err) {
      problems.push(`configuration ${describe(parsed.data)}: ${(err as Error).message}`);
    }
  });
  if (problems.length) {
    throw new ConfigurationError(`invalid configurations:\n  ${problems.join('\n  ')}`);
  }
  return [...byKey.values()];
}

/** Runs on every activity call: a plain string, no allocation beyond it. Names hold no control characters (NUL). */
function keyOf(organization: string | undefined, integration: string, name: string): string {
  return `${organization ?? ''}\0${integration}\0${name}`;
}

const SECRET_FIELDS = ['apiKey', 'username', 'password', 'accessToken', 'refreshToken', 'clientSecret'] as const;

function describe(entry: ConfigurationEntry): string {
  return `${entry.organization ? `${entry.organization}/` : ''}${entry.integration}/${entry.name}`;
}

function resolveEntry(integrations: CompiledIntegrations, entry: ConfigurationEntry, env: NodeJS.ProcessEnv): ResolvedConfiguration {
  const integration = integrations.get(entry.integration);
  if (!integration) {
    throw new Error(`names integration "${entry.integration}", which is not defined (defined: ${[...integrations.keys()].join(', ') || 'none'})`);
  }
  const { definition } = integration;
  const where = `configuration ${describe(entry)}`;
  const values: Record<string, unknown> = {
    ...(entry.clientId !== undefined && { clientId: entry.clientId }),
    ...(entry.redirectUri !== undefined && { redirectUri: entry.redirectUri }),
  };
  for (const field of SECRET_FIELDS) {
    const ref = entry[field];
    if (ref !== undefined) values[field] = readSecret(ref, `${where}.${field}`, env);
  }
  const missing = requiredCredentials(definition.auth).filter((field) => values[field] === undefined);
  if (missing.length) {
    const auth = definition.auth.type === 'oauth2' ? `oauth2 grant type ${definition.auth.grantType}` : `auth type ${definition.auth.type}`;
    const example = (f: string) => (f === 'clientId' || f === 'redirectUri' ? `${f}: "..."` : `${f}: { env: "..." }`);
    throw new Error(`${auth} needs ${missing.join(' and ')}; set ${missing.map(example).join(', ')}`);
  }
  const target = { ...targetOf(definition), ...(entry.hostname && { hostname: entry.hostname }), ...(entry.basePath !== undefined && { basePath: entry.basePath }) };
  return {
    integration: entry.integration,
    name: entry.name,
    ...(entry.organization && { organization: entry.organization }),
    target,
    credentials: credentialsFor(definition.auth, values as CredentialValues, { ...definition.headers, ...entry.headers }),
  };
}
