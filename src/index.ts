/**
 * temporal-custom-integrations: any REST API as durable Temporal activities.
 * Workflow code imports `temporal-custom-integrations/workflow`; everything else is here.
 */
export { CustomIntegrationsPlugin, PLUGIN_NAME, type CustomIntegrationsPluginOptions } from './temporal/plugin';
export { withIntegrationContext } from './temporal/client-context';
export { activityIntegrationContext } from './temporal/activity-context';
export { connectClient } from './temporal/client';
export { createWorker, startWorker, BUILTIN_WORKFLOWS_PATH, type CreateWorkerOptions, type RunningWorker } from './temporal/worker';
export * as searchAttributes from './temporal/search-attributes';
export { createActivities, type ActivitiesOptions, type ActionActivity, type CustomApiRequestActivity } from '../activities';

export {
  defineConfig,
  loadTemporalConfig,
  resolveTemporalConfig,
  workflowRunUrl,
  type TemporalConfig,
  type TemporalConfigInput,
} from './config/temporal-config';

export {
  Definition,
  Action,
  Auth,
  Pagination,
  Parameter,
  type DefinitionInput,
  type HttpMethod,
} from './definition/model';
export { loadDefinitions, loadDefinitionFile, parseDefinition } from './definition/load';
export { DefinitionError, type DefinitionProblem } from './definition/errors';
export { definitionJsonSchema } from './definition/json-schema';
export { compileDefinitions, type CompiledAction, type CompiledIntegration, type CompiledIntegrations } from './definition/compile';

export { ConfigurationInput, SecretRef } from './configurations/model';
export { Secret } from './configurations/secret';
export { StaticConfigurations } from './configurations/static';
export {
  ConfigurationError,
  ConfigurationNotFoundError,
  type ConfigurationRequest,
  type ConfigurationSource,
  type ResolvedConfiguration,
} from './configurations/source';
export { DEFAULT_CONFIGURATION, type IntegrationContext, type ActionCallOptions } from './context';

export {
  authorizationSetup,
  startAuthorization,
  completeAuthorization,
  authorize,
  authorizationUrl,
  AuthorizationError,
  type AuthorizationSetup,
  type PendingAuthorization,
} from './auth/oauth/authorization';
export {
  tokenWorkflowId,
  TOKEN_STATUS_QUERY,
  type TokenStatus,
  type TokenWorkflowKey,
  type AuthState,
  type AuthorizeResult,
} from './auth/oauth/model';

export { callAction, callCustomRequest } from './actions/call';
export { CustomApiRequest } from './custom-api-request-schema';
export type { CustomApiResponse } from './custom-api-request';
export {
  HttpError,
  HttpStatusError,
  HttpNetworkError,
  InvalidResponseError,
  InvalidInputError,
  UnsafeUrlError,
  TooManyRedirectsError,
} from './http/errors';
export { closeHttpAgent } from './http/agent';

export { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './codec/aes-gcm-codec';
export { createPayloadCodec, withPayloadEncryption, ENCODING_FAILURE_CONVERTER_PATH } from './codec/data-converter';
export { CodecConfig, CodecKeyError, loadKeyRing, CODEC_KEYS_ENV, CODEC_KEY_FILE_ENV, type CodecKey, type KeyRing } from './codec/keys';
export { startCodecServer, uiOriginsOf, type CodecServer, type CodecServerOptions } from './codec/server';

export { startDevServer, type DevServer, type DevServerOptions } from './devserver/dev-server';
export { ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_VERSION } from './devserver/cli-binary';

export { generateTypes } from './types/generate';
export { previewRename, applyRename, deprecateActions, removeActions } from './definition/edit';
export { EditError } from './definition/validate';
export { mergeReimport } from './openapi/reimport';
export { importSpec, type ImportOptions, type ImportResult } from './openapi/import';
export { ImportError, type ImportMessage } from './openapi/messages';

export { OrganizationRegistry, RegistryError, type OrganizationRegistryOptions, type OrganizationChoice } from './registry/registry';
export {
  REGISTRY_WORKFLOW_ID,
  RegistryRuleError,
  summaryOf,
  type Organization,
  type IntegrationRecord,
  type IntegrationStatus,
  type Installation,
  type ConfigurationValues,
  type CompanyMapping,
  type RegistryState,
  type RegistrySnapshot,
} from './registry/model';
export { mapCompaniesFromAction, matchCompanies, companiesOf, type MappingProposal, type MapFromActionOptions } from './registry/mapping';
export { TEST_CONFIGURATION, type ConfigurationTestRequest, type ConfigurationTestResult } from './registry/configuration-test';
export { RegistryConfigurations, DEFAULT_CACHE_TTL_MS, type RegistryConfigurationsOptions } from './configurations/registry-source';
export { contextVisibility } from './context';
