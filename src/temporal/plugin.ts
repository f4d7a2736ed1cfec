/**
 * The Temporal plugin: one line sets up a Worker (action activities, context interceptors) and a Client (context
 * header on workflow starts).
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
}

export const PLUGIN_NAME = 'temporal-custom-integrations';

export class CustomIntegrationsPlugin extends SimplePlugin {
  readonly integrations: CompiledIntegrations;

  constructor(options: CustomIntegrationsPluginOptions = {}) {
    const definitions = [...(options.definitions ?? []), ...(options.definitionsDir ? loadDefinitions(options.definitionsDir) : [])];
    const integrations = compileDefinitions(definitions);
    const configurations = isSource(options.configurations)
      ? options.configurations
      : new StaticConfigurations(integrations, options.configurations ?? []);
    super({
      name: PLUGIN_NAME,
      activities: createActivities({ integrations, configurations, ...(options.pageHandlers && { pageHandlers: options.pageHandlers }) }),
      workerInterceptors: {
        activity: [activityContextInterceptor],
        workflowModules: [require.resolve('../../workflows/context')],
      },
      clientInterceptors: { workflow: [clientContextInterceptor] },
    });
    this.integrations = integrations;
  }
}

function isSource(value: CustomIntegrationsPluginOptions['configurations']): value is ConfigurationSource {
  return typeof value === 'object' && value !== null && 'resolve' in value && typeof value.resolve === 'function';
}
