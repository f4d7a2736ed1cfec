/**
 * The generic Custom API Request: any method and path against a configured integration, for endpoints the
 * definition does not declare. Its name and types, without runtime imports, so that the workflow helper can use them;
 * the activity checks its input with the schema in src/custom-api-request-schema.ts.
 */
export type { CustomApiRequest } from './custom-api-request-schema';

export const CUSTOM_API_REQUEST = 'customApiRequest';

export interface CustomApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}
