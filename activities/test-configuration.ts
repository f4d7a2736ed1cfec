/**
 * The configuration test activity: resolves the configuration exactly as an action would (organization of the
 * workflow, override, per-call choice), sends one GET through the shared call path and reports what came back.
 * A failed test is a result, not an activity failure: the operator wants the status and the body excerpt.
 */
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { callCustomRequest } from '../src/actions/call';
import { chooseConfiguration } from '../src/context';
import type { ConfigurationSource, ResolvedConfiguration } from '../src/configurations/source';
import { findIntegration, type CompiledIntegrations } from '../src/definition/compile';
import { HttpStatusError } from '../src/http/errors';
import { excerpt } from '../src/http/redact';
import { TEST_CONFIGURATION, type ConfigurationTestRequest, type ConfigurationTestResult } from '../src/registry/configuration-test';
import { activityIntegrationContext } from '../src/temporal/activity-context';

export type TestConfigurationActivity = (request: ConfigurationTestRequest) => Promise<ConfigurationTestResult>;

export function testConfigurationActivities(
  integrations: CompiledIntegrations,
  configurations: ConfigurationSource,
): Record<typeof TEST_CONFIGURATION, TestConfigurationActivity> {
  const test: TestConfigurationActivity = async (request) => {
    const context = activityIntegrationContext();
    const name = chooseConfiguration(request.integration, context, request.configuration === undefined ? undefined : { configuration: request.configuration });
    const base = {
      integration: request.integration,
      configuration: name,
      ...(context.organization !== undefined && { organization: context.organization }),
    };
    let configuration: ResolvedConfiguration;
    try {
      findIntegration(integrations, request.integration);
      configuration = await configurations.resolve({ integration: request.integration, configuration: name, organization: context.organization });
    } catch (err) {
      return { ...base, ok: false, problem: (err as Error).message };
    }
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const response = await callCustomRequest({ integration: request.integration, method: 'GET', path: request.path }, configuration, {
        signal: Context.current().cancellationSignal,
      });
      const latencyMs = latency();
      const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
      const ok = response.status === 200;
      return {
        ...base,
        ok,
        status: response.status,
        latencyMs,
        excerpt: excerpt(text, configuration.credentials.secrets),
        ...(!ok && { problem: `GET ${request.path} answered ${response.status}; the test expects 200` }),
      };
    } catch (err) {
      const latencyMs = latency();
      // HTTP errors are already redacted of the configuration's secrets.
      if (err instanceof HttpStatusError) return { ...base, ok: false, status: err.status, latencyMs, excerpt: err.excerpt, problem: err.message };
      return { ...base, ok: false, latencyMs, problem: (err as Error).message };
    }
  };
  return { [TEST_CONFIGURATION]: test };
}
