/**
 * Search attributes the project writes, so operators can filter runs in the Temporal Web UI.
 * The dev server registers them at start; a production namespace needs them once (see README).
 * Bundle-safe: workflow code upserts them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const INTEGRATION = defineSearchAttributeKey('CustomIntegration', SearchAttributeType.KEYWORD);
export const ACTION = defineSearchAttributeKey('CustomIntegrationAction', SearchAttributeType.KEYWORD);
export const CONFIGURATION = defineSearchAttributeKey('CustomIntegrationConfiguration', SearchAttributeType.KEYWORD);
export const ORGANIZATION = defineSearchAttributeKey('CustomIntegrationOrganization', SearchAttributeType.KEYWORD);
export const AUTH_STATE = defineSearchAttributeKey('CustomIntegrationAuthState', SearchAttributeType.KEYWORD);
/** The integration overrides of a run, one `integration=configuration` keyword each. */
export const OVERRIDES = defineSearchAttributeKey('CustomIntegrationOverrides', SearchAttributeType.KEYWORD_LIST);

export const SEARCH_ATTRIBUTES = [INTEGRATION, ACTION, CONFIGURATION, ORGANIZATION, AUTH_STATE, OVERRIDES];

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` and `temporal operator search-attribute create` take them. */
export function searchAttributeFlags(): string[] {
  return SEARCH_ATTRIBUTES.map((key) => `${key.name}=${cliTypeName(key.type)}`);
}

function cliTypeName(type: SearchAttributeType): string {
  switch (type) {
    case SearchAttributeType.KEYWORD:
      return 'Keyword';
    case SearchAttributeType.TEXT:
      return 'Text';
    case SearchAttributeType.INT:
      return 'Int';
    case SearchAttributeType.DOUBLE:
      return 'Double';
    case SearchAttributeType.BOOL:
      return 'Bool';
    case SearchAttributeType.DATETIME:
      return 'Datetime';
    case SearchAttributeType.KEYWORD_LIST:
      return 'KeywordList';
  }
}
