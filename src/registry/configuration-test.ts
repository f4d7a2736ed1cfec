/**
 * The configuration test: a GET to a chosen path with a configuration's target and credentials, which must answer
 * 200. It runs on a worker (where the secrets are), through the same call path as every action. Bundle-safe types
 * and names; the activity is activities/test-configuration.ts, the workflow workflows/test-configuration.ts.
 */
export const TEST_CONFIGURATION = 'customIntegrations.testConfiguration';

export interface ConfigurationTestRequest {
  readonly integration: string;
  /** Default: the workflow's override for the integration, else `Default`. */
  readonly configuration?: string;
  /** Below the configuration's base path, e.g. "/status". */
  readonly path: string;
}

export interface ConfigurationTestResult {
  /** True when the API answered 200. */
  readonly ok: boolean;
  readonly integration: string;
  readonly configuration: string;
  readonly organization?: string;
  /** Absent when no response came (network error, unusable configuration). */
  readonly status?: number;
  readonly latencyMs?: number;
  /** The start of the response body, with the configuration's secrets redacted. */
  readonly excerpt?: string;
  /** Why the test failed, when it did. */
  readonly problem?: string;
}
