/**
 * `testConfiguration`: runs the configuration test activity once (no retries: a test reports what happened now),
 * with the organization and overrides the workflow was started with.
 */
import { TEST_CONFIGURATION, type ConfigurationTestRequest, type ConfigurationTestResult } from '../src/registry/configuration-test';
import { scheduleAction } from './integration';

export async function testConfiguration(request: ConfigurationTestRequest): Promise<ConfigurationTestResult> {
  return (await scheduleAction(TEST_CONFIGURATION, [request], {
    summary: `test ${request.integration}${request.configuration ? ` (${request.configuration})` : ''}: GET ${request.path}`,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 1 },
  })) as ConfigurationTestResult;
}
