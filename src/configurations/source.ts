/**
 * Where activities get the configuration (target and credentials) of a call. The worker asks by name, with the
 * organization of the workflow; a source never answers with another organization's configuration.
 */
import type { ResolvedCredentials } from '../auth/credentials';
import type { Target } from '../http/url';

export interface ConfigurationRequest {
  readonly integration: string;
  readonly configuration: string;
  readonly organization?: string;
}

export interface ResolvedConfiguration {
  readonly integration: string;
  readonly name: string;
  readonly organization?: string;
  readonly target: Target;
  readonly credentials: ResolvedCredentials;
}

export interface ConfigurationSource {
  resolve(request: ConfigurationRequest): Promise<ResolvedConfiguration>;
}

export class ConfigurationNotFoundError extends Error {
  override readonly name = 'ConfigurationNotFoundError';
  constructor(
    readonly request: ConfigurationRequest,
    readonly available: readonly string[],
  ) {
    const owner = request.organization ? ` for organization ${request.organization}` : '';
    const choices = available.length ? `configurations available: ${available.join(', ')}` : 'it has no configuration';
    super(
      `integration ${request.integration} has no configuration "${request.configuration}"${owner} (${choices}); ` +
        'add one to the worker configurations or choose another with an integration override',
    );
  }
}

/** Configurations that cannot be used as given (missing secret, unknown integration); the message lists every problem. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
