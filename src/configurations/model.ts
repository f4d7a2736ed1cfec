/**
 * Configurations: named credential instances of an integration. The file format (in `temporal.config.ts` or passed
 * to the plugin) names where each secret comes from; values are read on the worker, never sent through Temporal.
 */
import { z } from 'zod';
import { DEFAULT_CONFIGURATION } from '../context';
import { BasePath, Hostname } from '../definition/model';

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f]*$/;

export const SecretRef = z
  .union([
    z.string().min(1),
    z.object({ env: z.string().min(1) }).strict(),
    z.object({ file: z.string().min(1) }).strict(),
  ])
  .describe('A secret: the value itself (avoid in committed files), { env: "VAR" } or { file: "/run/secrets/x" }.');
export type SecretRef = z.infer<typeof SecretRef>;

export const ConfigurationInput = z
  .object({
    integration: z.string().min(1),
    name: z.string().min(1).max(100).regex(NO_CONTROL, 'control characters are not allowed').default(DEFAULT_CONFIGURATION),
    organization: z.string().min(1).max(100).regex(NO_CONTROL, 'control characters are not allowed').optional(),
    hostname: Hostname.optional().describe('Overrides the definition hostname for this configuration.'),
    basePath: BasePath.optional(),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers, added to the definition ones.'),
    apiKey: SecretRef.optional(),
    username: SecretRef.optional(),
    password: SecretRef.optional(),
    accessToken: SecretRef.optional().describe('OAuth 2.0 with no grant type: a token supplied by the user.'),
    refreshToken: SecretRef.optional().describe(
      'OAuth 2.0: a refresh token supplied by the user (no grant type); the token workflow keeps the rotated ones.',
    ),
    clientId: z.string().min(1).optional().describe('OAuth 2.0 client id (public: it appears in authorization URLs).'),
    clientSecret: SecretRef.optional().describe('OAuth 2.0 client secret; read on the worker only.'),
    redirectUri: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('OAuth 2.0 authorization code: the redirect URI registered with the provider (a loopback one for the CLI).'),
  })
  .strict();
export type ConfigurationInput = z.input<typeof ConfigurationInput>;
export type ConfigurationEntry = z.infer<typeof ConfigurationInput>;
