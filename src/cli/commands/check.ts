import { compileDefinitions } from '../../definition/compile';
import { loadDefinitions } from '../../definition/load';
import { StaticConfigurations } from '../../configurations/static';
import type { Command } from './types';

/** Loads what a worker would load, so problems show before deploying: definitions, then configurations. */
export const checkCommand: Command = async ({ config }) => {
  const integrations = compileDefinitions(loadDefinitions(config.definitionsDir));
  new StaticConfigurations(integrations, config.configurations);
  for (const { definition, actions } of integrations.values()) {
    console.log(`${definition.name} (${definition.scheme}://${definition.hostname}${definition.basePath}, auth ${definition.auth.type}, ${definition.status})`);
    for (const action of actions.values()) {
      const flags = [action.pagination.type !== 'none' && `paginated: ${action.pagination.type}`, action.action.deprecated && 'deprecated'].filter(Boolean);
      console.log(`  ${action.activityName}  ${action.action.method} ${action.action.path}${flags.length ? `  (${flags.join(', ')})` : ''}`);
    }
  }
  console.log(`${integrations.size} integrations OK (${config.definitionsDir})`);
  return 0;
};
