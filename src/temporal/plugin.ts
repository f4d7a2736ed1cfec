/**
 * The Temporal plugin: one line sets up a Worker (action activities, context interceptors) and a Client (context
 * header on workflow starts), both with payloads and failure messages encrypted (see src/codec).
 *
 * ```ts
 * const plugin = new CustomIntegrationsPlugin({ definitionsDir: 'definitions', configurations });
 * const worker = await Worker.create({ connection, taskQueue, workflowsPath, plugins: [plugin] });
 * const client = new Client({ connection, plugins: [plugin] });
 * ```
 */
import { SimplePlugin } from '@temporalio/plugin';
import { createActivities } from '../../activities';
import { compileDefinitions, type CompiledIntegrations } from '../definition/compile';
import { loadDefinitions } from '../definition/load';
import type { Definition } from '../definition/model';
import type { ConfigurationInput } from '../configurations/model';
import type { ConfigurationSource } from '../configurations/source';
import type { PageHandler } from '../pagination/model';
import { StaticConfigurations } from '../configurations/static';
import { RegistryConfigurations, type RegistryConfigurationsOptions } from '../configurations/registry-source';
import { testConfigurationActivities } from '../../activities/test-configuration';
import type { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import { createPayloadCodec, withPayloadEncryption } from '../codec/data-converter';
import type { CodecConfig } from '../codec/keys';
import { activityContextInterceptor } from './activity-context';
import { clientContextInterceptor } from './client-context';

export interface CustomIntegrationsPluginOptions {
  /** Definitions already loaded; or */
  readonly definitions?: readonly Definition[];
  /** a folder of definition files, loaded when the plugin is made (every problem of every file is reported). */
  readonly definitionsDir?: string;
  /** Configurations (credential instances), or a source of them. Only workers need them. */
  readonly configurations?: readonly ConfigurationInput[] | ConfigurationSource;
  /**
   * Handlers for `forEachPage` paginations, by name. Each runs inside the page activity, on the worker that fetched
   * the page, so pages never pass through workflow history; key writes on `page.pageIndex`, as a page may repeat.
   */
  readonly pageHandlers?: Readonly<Record<string, PageHandler>>;
  /**
   * Payload encryption keys, as the `codec` section of temporal.config.ts; `false` stores payloads in plaintext.
   * Default: the keys of CUSTOM_INTEGRATIONS_CODEC_KEYS / CUSTOM_INTEGRATIONS_CODEC_KEY_FILE, else a key generated once
   * for this user (fine on a laptop; production configures its own).
   */
  readonly codec?: CodecConfig;
  /**
   * Configurations of organizations from the organization registry (src/registry), for workflows started for an
   * organization; workflows without one use `configurations`. On by default; `false` uses `configurations` alone.
   */
  readonly registry?: boolean | Omit<RegistryConfigurationsOptions, 'integrations' | 'fallback'>;
}

export const PLUGIN_NAME = 'temporal-custom-integrations';

export class CustomIntegrationsPlugin extends SimplePlugin {
  readonly integrations: CompiledIntegrations;
  /** The payload codec of every Client and Worker given this plugin; undefined with `codec: false`. */
  readonly codec: AesGcmPayloadCodec | undefined;

  constructor(options: CustomIntegrationsPluginOptions = {}) {
    const definitions = [...(options.definitions ?? []), ...(options.definitionsDir ? loadDefinitions(options.definitionsDir) : [])];
    const integrations = compileDefinitions(definitions);
    const declared = isSource(options.configurations)
      ? options.configurations
      : new StaticConfigurations(integrations, options.configurations ?? []);
    const configurations =
      options.registry === false
        ? declared
        : new RegistryConfigurations({ ...(options.registry === true ? {} : options.registry), integrations, fallback: declared });
    const codec = createPayloadCodec(options.codec);
    super({
      name: PLUGIN_NAME,
      activities: {
        ...createActivities({ integrations, configurations, ...(options.pageHandlers && { pageHandlers: options.pageHandlers }) }),
        ...testConfigurationActivities(integrations, configurations),
      },
      workerInterceptors: {
        activity: [activityContextInterceptor],
        workflowModules: [require.resolve('../../workflows/context')],
      },
      clientInterceptors: { workflow: [clientContextInterceptor] },
      // The function form appends to the user's codecs; a plain value would replace them.
      ...(codec && { dataConverter: (existing) => withPayloadEncryption(existing, codec) }),
    });
    this.integrations = integrations;
    this.codec = codec;
  }
}

function isSource(value: CustomIntegrationsPluginOptions['configurations']): value is ConfigurationSource {
  return typeof value === 'object' && value !== null && 'resolve' in value && typeof value.resolve === 'function';
}
