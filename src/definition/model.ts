/**
 * The integration definition: the file format of `definitions/*.{json,yaml}`.
 *
 * This module is bundle-safe (zod only): workflow code imports its types, and the JSON Schema published for
 * editors is generated from these same zod objects, so the file format has exactly one home.
 */
import { z } from 'zod';
import { pathProblem } from '../pagination/path';

/** Identifiers become Temporal activity names (`<integration>.<action>`), so they must be plain identifiers. */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Display names: letters, digits, spaces and a few separators; the reference product refuses special characters. */
const DISPLAY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._\-()]*$/;
/** RFC 7230 token: what an HTTP header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A host (name, IPv4 or bracketed IPv6) with an optional port, and nothing else: no scheme, path or credentials. */
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_LIMIT = 20;

const identifier = (what: string) =>
  z
    .string()
    .max(64)
    .regex(IDENTIFIER, `${what} must be an identifier: a letter, then letters, digits or _ (it becomes part of a Temporal activity name)`);

export const Hostname = z
  .string()
  .regex(HOSTNAME, 'hostname is the API host without scheme or path, e.g. "api.example.com" or "localhost:8080"');
export const BasePath = z.string().regex(/^(\/[^/?#\s]+)*\/?$/, 'base path is a path such as "/v2", without query or fragment');

const headerName = z.string().regex(HEADER_NAME, 'not a valid HTTP header name');
const headers = z.record(headerName, z.string()).describe('Extra headers sent with every request to the API.');

/** A JSON Schema fragment, kept as data: actions carry their parameter and response schemas for validation and types. */
export const JsonSchemaObject = z.record(z.string(), z.unknown()).describe('A JSON Schema (OpenAPI 3.1 dialect).');
export type JsonSchemaObject = z.infer<typeof JsonSchemaObject>;

// ---------------------------------------------------------------------------------------------------------------
// Authentication

export const NoAuth = z.object({ type: z.literal('none') }).strict();

export const ApiKeyAuth = z
  .object({
    type: z.literal('apiKey'),
    in: z.enum(['header', 'query', 'cookie']).default('header').describe('Where the key is sent.'),
    name: z
      .string()
      .min(1)
      .default('Authorization')
      .describe('API Key Header Name: the header (or query parameter, or cookie) that carries the key.'),
    preamble: z
      .string()
      .optional()
      .describe('API Key Preamble: a word sent before the key, e.g. "Bearer" gives "Bearer <key>". Leave unset if not needed.'),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (auth.in === 'header' && !HEADER_NAME.test(auth.name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `"${auth.name}" is not a valid HTTP header name` });
    }
  });

export const BasicAuth = z.object({ type: z.literal('basic') }).strict();

export const OAuthRefresh = z.discriminatedUnion('strategy', [
  z
    .object({
      strategy: z.literal('automatic'),
      bufferSeconds: z
        .number()
        .int()
        .min(30)
        .max(3600)
        .default(300)
        .describe('Refresh Buffer: refresh this many seconds before the token expires (30-3600).'),
    })
    .strict(),
  z
    .object({
      strategy: z.literal('customInterval'),
      intervalSeconds: z
        .number()
        .int()
        .min(300)
        .max(86400)
        .describe('Custom Refresh Interval: refresh at this fixed interval regardless of expiry (300-86400).'),
    })
    .strict(),
]);

export const OAuth2Auth = z
  .object({
    type: z.literal('oauth2'),
    grantType: z
      .enum(['client_credentials', 'authorization_code', 'none'])
      .describe('OAuth Grant Type. "none": tokens are supplied by the user and only refreshed.'),
    accessTokenScheme: z.string().min(1).default('Bearer').describe('Scheme used in the Authorization header.'),
    authorizationUrl: z.url().optional().describe('OAuth Authorization Code URL.'),
    tokenUrl: z.url().optional().describe('OAuth Access Token URL.'),
    tokenKey: z.string().min(1).default('access_token').describe('Key of the access token in token responses.'),
    expirationKey: z.string().min(1).default('expires_in').describe('Key of the expiry (seconds) in token responses.'),
    refreshTokenKey: z.string().min(1).default('refresh_token').describe('Key of the refresh token in token responses.'),
    tokenRequestContentType: z
      .enum(['application/x-www-form-urlencoded', 'application/json'])
      .default('application/x-www-form-urlencoded'),
    tokenRequestMethod: z.enum(['POST', 'GET', 'PUT']).default('POST'),
    scope: z.string().optional().describe('Scope requested; unset uses the server default.'),
    basicAuthOnCodeExchange: z
      .boolean()
      .default(false)
      .describe('Send client id and secret as Basic Auth headers when exchanging an authorization code.'),
    includeClientConfigOnRefresh: z.boolean().default(false).describe('Send client id and secret in refresh requests.'),
    includeRedirectUriOnRefresh: z.boolean().default(false).describe('Send the redirect URI in refresh requests.'),
    refresh: OAuthRefresh.default({ strategy: 'automatic', bufferSeconds: 300 }).describe('Token Refresh Strategy.'),
    authorizationExtraParams: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra parameters sent with the authorization request.'),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (auth.grantType !== 'none' && !auth.tokenUrl) {
      ctx.addIssue({ code: 'custom', path: ['tokenUrl'], message: `grant type ${auth.grantType} needs tokenUrl` });
    }
    if (auth.grantType === 'authorization_code' && !auth.authorizationUrl) {
      ctx.addIssue({ code: 'custom', path: ['authorizationUrl'], message: 'grant type authorization_code needs authorizationUrl' });
    }
  });

export const Auth = z.discriminatedUnion('type', [NoAuth, ApiKeyAuth, BasicAuth, OAuth2Auth]);
export type Auth = z.infer<typeof Auth>;
export type AuthType = Auth['type'];

// ---------------------------------------------------------------------------------------------------------------
// Pagination

/**
 * A path into the JSON response (src/pagination/path.ts): "data.items", "$" for the body itself, ['@odata.nextLink']
 * for a key holding dots. Checked here, so a bad path is refused when the definition loads, not on some page.
 */
const responsePath = (description: string) =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      // An empty path is min(1)'s to report.
      const problem = path === '' ? undefined : pathProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);

const pagedFields = {
  resultsKey: responsePath(
    'Path within the response to the array of results: "results", "data.items", "$" when the body itself is the array, [\'a.b\'] for a key holding dots.',
  ),
  pageSizeParam: z.string().min(1).optional().describe('Query parameter that sets how many items a page holds.'),
  defaultPageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional().describe('Items per page (at most 1000).'),
  pageLimit: z
    .number()
    .int()
    .min(1)
    .default(DEFAULT_PAGE_LIMIT)
    .describe('Default Page Limit: the most pages fetched in one pagination unless the caller raises it.'),
  hasMorePath: responsePath('Path to a boolean that is false on the last page, e.g. "meta.has_more".').optional(),
};

export const NoPagination = z.object({ type: z.literal('none') }).strict();
export const IndexPagination = z
  .object({
    type: z.literal('index'),
    ...pagedFields,
    indexParam: z.string().min(1).describe('Query parameter holding the index of the first item of the page.'),
  })
  .strict();
export const PagePagination = z
  .object({
    type: z.literal('page'),
    ...pagedFields,
    pageParam: z.string().min(1).describe('Query parameter holding the page number.'),
    startPage: z.number().int().min(0).default(1).describe('Number of the first page.'),
  })
  .strict();
export const LinkPagination = z
  .object({
    type: z.literal('link'),
    ...pagedFields,
    location: z.enum(['header', 'body']).default('header').describe('Next Link Location: response header or JSON body.'),
    headerName: z.string().min(1).default('link').describe('Response Header Name holding the next link.'),
    rel: z.string().min(1).default('next').describe('Response Header Rel of the next link.'),
    nextPageKey: responsePath('Next Page Key: path to the next URL in the JSON body, e.g. "paging.next" or [\'@odata.nextLink\'].').optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.location === 'body' && !p.nextPageKey) {
      ctx.addIssue({ code: 'custom', path: ['nextPageKey'], message: 'a link in the JSON body needs nextPageKey' });
    }
  });
export const PointerPagination = z
  .object({
    type: z.literal('pointer'),
    ...pagedFields,
    afterParam: z.string().min(1).describe('After Param: query parameter that takes the cursor.'),
    pointerPath: z.string().min(1).describe('Pointer JSONPath: where the cursor is in the response, e.g. "$.meta.next_cursor".'),
  })
  .strict();

export const Pagination = z.discriminatedUnion('type', [
  NoPagination,
  IndexPagination,
  PagePagination,
  LinkPagination,
  PointerPagination,
]);
export type Pagination = z.infer<typeof Pagination>;
export type PaginationType = Pagination['type'];

// ---------------------------------------------------------------------------------------------------------------
// Actions

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const Parameter = z
  .object({
    name: z.string().min(1).describe('The name on the wire, as the API documents it: query key, header, cookie, or path placeholder.'),
    in: z.enum(['path', 'query', 'header', 'cookie']),
    input: z
      .string()
      .min(1)
      .optional()
      .describe('The key of this parameter in the action input; default: name. Set it when two parameters share a name in different locations (a path "id" and a query "id").'),
    required: z.boolean().optional(),
    description: z.string().optional(),
    schema: JsonSchemaObject.optional(),
    style: z
      .enum(['form', 'spaceDelimited', 'pipeDelimited'])
      .optional()
      .describe('How a query array is written; "form" (default) repeats the name unless explode is false.'),
    explode: z.boolean().optional(),
  })
  .strict();
export type Parameter = z.infer<typeof Parameter>;

/** The names of a path's placeholders (`{id}`), in order. */
export function pathPlaceholders(path: string): string[] {
  // What /\{([^}]*)\}/g matches, found with indexOf: the import calls this for each of 10,000 paths.
  const names: string[] = [];
  for (let open = path.indexOf('{'); open !== -1; ) {
    const close = path.indexOf('}', open + 1);
    if (close === -1) break;
    names.push(path.slice(open + 1, close));
    open = path.indexOf('{', close + 1);
  }
  return names;
}

/** The key the caller gives a parameter's value under: its `input`, else its wire name. */
export function inputName(parameter: Pick<Parameter, 'name' | 'input'>): string {
  return parameter.input ?? parameter.name;
}

export const REQUEST_CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
] as const;

export const RequestBody = z
  .object({
    contentType: z.enum(REQUEST_CONTENT_TYPES).default('application/json'),
    required: z.boolean().optional(),
    description: z.string().optional(),
    schema: JsonSchemaObject.optional(),
  })
  .strict();

/** A per-action pagination: either a whole one, or fields that refine the integration's default of the same type. */
/** The fields of every pagination type, all optional and without defaults: an unset field must not hide the default. */
function overrideFields(): Record<string, z.ZodOptional> {
  const fields: Record<string, z.ZodOptional> = {};
  for (const variant of [IndexPagination, PagePagination, LinkPagination, PointerPagination]) {
    for (const [key, schema] of Object.entries(variant.shape)) {
      if (key !== 'type') fields[key] = ((schema instanceof z.ZodDefault ? schema.unwrap() : schema) as z.ZodType).optional();
    }
  }
  return fields;
}

export const PaginationOverride = z
  .object({ type: z.enum(['none', 'index', 'page', 'link', 'pointer']).optional(), ...overrideFields() })
  .strict()
  .describe('Overrides the integration pagination for this action; unset fields come from the integration default.');

export const Action = z
  .object({
    name: identifier('action name'),
    title: z.string().optional().describe('Readable name shown in listings and the Temporal UI.'),
    description: z.string().min(1, 'an action needs a description'),
    method: z.enum(HTTP_METHODS),
    path: z
      .string()
      .regex(/^\/(?!\/)/, 'path must start with a single "/" (it is appended to the hostname and base path)')
      .describe('Path template, e.g. "/photos/{photoId}".'),
    parameters: z.array(Parameter).default([]),
    requestBody: RequestBody.optional(),
    responseSchema: JsonSchemaObject.optional(),
    paginated: z.boolean().default(false),
    pagination: PaginationOverride.optional(),
    deprecated: z.boolean().default(false),
    tags: z.array(z.string()).default([]),
    timeoutMs: z.number().int().min(1).max(600_000).optional().describe('Per-request timeout; default 30 s.'),
    operationId: z
      .string()
      .optional()
      .describe('The operation this action was imported from (its operationId, or "METHOD /path"): re-imports match on it.'),
  })
  .strict()
  .superRefine((action, ctx) => {
    const placeholders = pathPlaceholders(action.path);
    const seen = new Set<string>();
    action.parameters.forEach((p, i) => {
      const key = `${p.in}:${p.name}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `parameter "${p.name}" in ${p.in} is declared twice` });
      seen.add(key);
      if (p.in === 'path' && !placeholders.includes(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `path parameter "${p.name}" does not appear in path ${action.path}` });
      }
      if (p.in === 'header' && !HEADER_NAME.test(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `"${p.name}" is not a valid HTTP header name` });
      }
    });
    // The caller's input is one object keyed by input name, so two parameters (or one and the body) cannot share a key.
    const inputs = new Map<string, Parameter>();
    action.parameters.forEach((p, i) => {
      const key = inputName(p);
      const field = p.input === undefined ? 'name' : 'input';
      if (key === 'body' && action.requestBody) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', i, field],
          message: `${p.in} parameter "${p.name}" has the input name "body", which holds the request body; set "input" on it to another key, e.g. "${p.name}_${p.in}"`,
        });
      }
      const other = inputs.get(key);
      // The same name in the same location is reported above as declared twice.
      if (other && !(other.in === p.in && other.name === p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', i, field],
          message: `${p.in} parameter "${p.name}" has the same input name "${key}" as ${other.in} parameter "${other.name}"; inputs are keyed by it, so set "input" on one of them, e.g. "${p.name}_${p.in}"`,
        });
      }
      if (!other) inputs.set(key, p);
    });
    for (const name of placeholders) {
      if (!action.parameters.some((p) => p.in === 'path' && p.name === name)) {
        ctx.addIssue({ code: 'custom', path: ['path'], message: `path placeholder {${name}} has no path parameter; declare { "name": "${name}", "in": "path" }` });
      }
    }
    if (action.pagination && !action.paginated) {
      ctx.addIssue({ code: 'custom', path: ['pagination'], message: 'pagination is set but paginated is false; set "paginated": true or remove it' });
    }
  });
export type Action = z.infer<typeof Action>;

// ---------------------------------------------------------------------------------------------------------------
// The integration

/** Where an imported definition came from, and what the user removed from it, so a re-import keeps it removed. */
export const ImportSource = z
  .object({
    source: z.string().optional().describe('The spec file or URL imported.'),
    title: z.string().optional(),
    version: z.string().optional(),
    removedOperations: z
      .array(z.string())
      .default([])
      .describe('Operations (operationId or "METHOD /path") removed by the user; re-imports leave them out.'),
  })
  .strict();

export const STATUSES = ['draft', 'published', 'hidden', 'deprecated'] as const;

export const Definition = z
  .object({
    $schema: z.string().optional(),
    name: identifier('integration name').describe('Identifier used in activity names, e.g. "pedroAviary".'),
    displayName: z
      .string()
      .max(100)
      .regex(DISPLAY_NAME, 'display name must not contain special characters (letters, digits, spaces, . _ - ( ) only)')
      .optional()
      .describe('Name shown to people, e.g. "Pedro Aviary".'),
    description: z.string().min(1, 'an integration needs a description'),
    icon: z
      .string()
      .refine(
        (icon) => /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(icon) || icon.startsWith('data:image/svg+xml') || /\.svg$/i.test(icon),
        'the icon must be SVG (a .svg file, <svg> markup or a data:image/svg+xml URL); other image formats are refused',
      )
      .optional()
      .describe('An SVG icon: a path to a .svg file next to the definition, inline <svg> markup, or a data:image/svg+xml URL.'),
    status: z.enum(STATUSES).default('draft'),
    hostname: Hostname,
    scheme: z.enum(['https', 'http']).default('https').describe('http is meant for local test servers.'),
    basePath: BasePath.default('').describe('Prefix for every action path, e.g. "/api/v2".'),
    headers: headers.default({}),
    auth: Auth.default({ type: 'none' }),
    pagination: Pagination.default({ type: 'none' }).describe('Default pagination of the paginated actions.'),
    actions: z.array(Action).default([]),
    schemas: z
      .record(z.string(), JsonSchemaObject)
      .default({})
      .describe('Named schemas shared by the actions, referenced as {"$ref": "#/schemas/Name"} (an imported spec\'s components).'),
    import: ImportSource.optional(),
  })
  .strict()
  .superRefine((def, ctx) => {
    const names = new Map<string, number>();
    def.actions.forEach((a, i) => {
      const first = names.get(a.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'name'], message: `action name "${a.name}" is already used by actions[${first}]` });
      } else names.set(a.name, i);
      if (!a.paginated) return;
      const resolved = Pagination.safeParse(mergePagination(def.pagination, a.pagination));
      if (!resolved.success) {
        // Whole issues, not only their messages: their code and details (range, unknown keys) make the reported message.
        for (const issue of resolved.error.issues) ctx.addIssue({ ...issue, path: ['actions', i, 'pagination', ...issue.path] });
      } else if (resolved.data.type === 'none') {
        ctx.addIssue({
          code: 'custom',
          path: ['actions', i, 'paginated'],
          message: 'the action is paginated but neither it nor the integration sets a pagination type',
        });
      }
    });
  });

function mergePagination(defaults: Pagination, override: z.infer<typeof PaginationOverride> | undefined): unknown {
  if (!override) return defaults;
  if (override.type && override.type !== defaults.type) return override;
  return { ...defaults, ...override };
}

/** The pagination an action runs with: its override merged over the integration default ({type:'none'} if not paginated). */
export function actionPagination(def: Definition, action: Action): Pagination {
  if (!action.paginated) return { type: 'none' };
  return Pagination.parse(mergePagination(def.pagination, action.pagination));
}

/** A definition as written in a file (defaults optional). */
export type DefinitionInput = z.input<typeof Definition>;
/** A definition after validation, defaults filled in. */
export type Definition = z.infer<typeof Definition>;
