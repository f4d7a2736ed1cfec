/**
 * Compiling definitions: from validated files to the actions a worker registers, one activity per action.
 */
import type { Target } from '../http/url';
import { actionPagination, type Action, type Definition, type Pagination } from './model';

export interface CompiledAction {
  readonly integration: string;
  readonly name: string;
  /** `<integration>.<action>`, the Temporal activity type. */
  readonly activityName: string;
  readonly action: Action;
  readonly pagination: Pagination;
}

export interface CompiledIntegration {
  readonly definition: Definition;
  readonly actions: ReadonlyMap<string, CompiledAction>;
}

export type CompiledIntegrations = ReadonlyMap<string, CompiledIntegration>;

export function activityName(integration: string, action: string): string {
  return `${integration}.${action}`;
}

/** Where an integration's requests go by default; a configuration may point the same definition elsewhere. */
export function targetOf(definition: Definition): Target {
  return { scheme: definition.scheme, hostname: definition.hostname, basePath: definition.basePath };
}

export function compileDefinitions(definitions: readonly Definition[]): CompiledIntegrations {
  const integrations = new Map<string, CompiledIntegration>();
  for (const definition of definitions) {
    if (integrations.has(definition.name)) {
      throw new Error(`integration "${definition.name}" is defined twice; integration names must be unique`);
    }
    const actions = new Map<string, CompiledAction>();
    for (const action of definition.actions) {
      actions.set(action.name, {
        integration: definition.name,
        name: action.name,
        activityName: activityName(definition.name, action.name),
        action,
        pagination: actionPagination(definition, action),
      });
    }
    integrations.set(definition.name, { definition, actions });
  }
  return integrations;
}

/** An integration by name; an unknown name fails listing the known ones, wherever the name came from. */
export function findIntegration(integrations: CompiledIntegrations, name: string): CompiledIntegration {
  const integration = integrations.get(name);
  if (!integration) throw new Error(`unknown integration "${name}" (known: ${[...integrations.keys()].join(', ') || 'none'})`);
  return integration;
}

export function findAction(integrations: CompiledIntegrations, integration: string, action: string): CompiledAction {
  const { actions } = findIntegration(integrations, integration);
  const found = actions.get(action);
  if (!found) throw new Error(`${integration} has no action "${action}" (actions: ${[...actions.keys()].join(', ')})`);
  return found;
}
