/**
 * OAuth 2.0 tokens as the token workflow holds them and the worker asks for them. Bundle-safe (no Node modules):
 * the token workflow, the token activity and the worker's token cache all share these names and rules.
 */
import type { z } from 'zod';
import type { OAuthRefresh } from '../../definition/model';

/** The definition's Token Refresh Strategy: automatic with a buffer, or a custom interval. */
export type RefreshPolicy = z.infer<typeof OAuthRefresh>;

/** The configuration a token workflow serves; its workflow id is derived from these three names. */
export interface TokenWorkflowKey {
  readonly integration: string;
  readonly configuration: string;
  readonly organization?: string;
}

export const TOKEN_WORKFLOW = 'oauthToken';
export const TOKEN_ACTIVITY = 'customIntegrations.oauthToken';
export const GET_TOKEN_UPDATE = 'oauthGetToken';
export const TOKEN_REJECTED_UPDATE = 'oauthTokenRejected';
export const AUTHORIZE_UPDATE = 'oauthAuthorize';
export const TOKEN_STATUS_QUERY = 'oauthTokenStatus';
/** The current token (as the get-token update answers, without waiting): a worker renewing its cached copy asks so. */
export const CURRENT_TOKEN_QUERY = 'oauthCurrentToken';

/** Names are URI-encoded so that a "/" inside one cannot make two configurations share a workflow. */
export function tokenWorkflowId(key: TokenWorkflowKey): string {
  const part = encodeURIComponent;
  return `oauth-token/${part(key.organization ?? '')}/${part(key.integration)}/${part(key.configuration)}`;
}

export function describeKey(key: TokenWorkflowKey): string {
  return `${key.organization ? `${key.organization}/` : ''}${key.integration}/${key.configuration}`;
}

/** The command that fixes a configuration in the "reauthorization required" state. */
export function authorizeCommand(key: TokenWorkflowKey): string {
  const quote = (value: string) => (/^[\w.@:-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  return [
    'custom-integrations authorize',
    quote(key.integration),
    `--configuration ${quote(key.configuration)}`,
    ...(key.organization ? [`--organization ${quote(key.organization)}`] : []),
  ].join(' ');
}

/** One set of tokens, replaced as a whole on every grant so a rotated refresh token is never lost or reused. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ms since the epoch; absent when the token endpoint did not say (the token is then refreshed on a 401 only). */
  readonly expiresAt?: number;
  /** ms since the epoch, taken before the request was sent, so the lifetime is never overestimated. */
  readonly obtainedAt: number;
  readonly scope?: string;
}

/** What the token activity answers: the new tokens and the refresh policy of the definition as it is now. */
export interface TokenGrant {
  readonly tokens: TokenSet;
  readonly refresh: RefreshPolicy;
}

/** What the token workflow asks the token activity for. */
export type TokenRequest =
  /** Client credentials grant, or the tokens written in the configuration (no grant type). */
  | { readonly kind: 'initial'; readonly key: TokenWorkflowKey }
  /** A refresh token grant (or a new client credentials grant when there is no refresh token). */
  | { readonly kind: 'refresh'; readonly key: TokenWorkflowKey; readonly refreshToken?: string }
  /** The authorization code exchange, with the query string the redirect URI received. */
  | { readonly kind: 'code'; readonly key: TokenWorkflowKey; readonly code: CodeCallback };

export interface CodeCallback {
  /** The query string of the callback (code, state, iss or error). */
  readonly query: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

/** What `custom-integrations authorize` (or a web app's callback) asks the token workflow to do. */
export type Authorization = { readonly kind: 'code'; readonly code: CodeCallback } | { readonly kind: 'configured' };

export type AuthState = 'active' | 'reauthorization_required' | 'misconfigured';

/** The answer of the get-token and token-rejected updates. */
export type TokenAnswer =
  | {
      readonly status: 'active';
      readonly accessToken: string;
      /** Counts the token sets of the workflow: a caller names the one the API rejected by it. */
      readonly generation: number;
      readonly expiresAt?: number;
      /** Until when it may go on a request (expiry less a safety margin); absent when the expiry is unknown. */
      readonly usableUntil?: number;
      readonly refreshAt?: number;
    }
  | { readonly status: 'unavailable'; readonly message: string };

export interface AuthorizeResult {
  /** Whether this authorization got tokens; when not, `message` says why. */
  readonly authorized: boolean;
  /** The configuration's state after it: a refused code leaves a configuration's working tokens as they were. */
  readonly status: AuthState;
  readonly expiresAt?: number;
  readonly scope?: string;
  readonly message?: string;
}

/** The token workflow's state without any token: for the CLI, tests and operators. */
export interface TokenStatus {
  readonly status: AuthState;
  readonly generation: number;
  readonly refreshes: number;
  readonly expiresAt?: number;
  readonly refreshAt?: number;
  readonly hasRefreshToken: boolean;
  readonly problem?: string;
}

/** Failure types the token activity throws; the workflow turns the first two into states. */
export const REAUTHORIZATION_REQUIRED = 'OAuthReauthorizationRequired';
export const MISCONFIGURED = 'OAuthMisconfigured';
export const TOKEN_UNAVAILABLE = 'OAuthTokenUnavailable';

/**
 * How long before expiry a token stops being handed out: the request it goes on must reach the API before it
 * expires. 5 s, or a fifth of the lifetime for very short-lived tokens.
 */
export function safetyMarginMs(tokens: TokenSet): number {
  if (tokens.expiresAt === undefined) return 0;
  return Math.min(5_000, (tokens.expiresAt - tokens.obtainedAt) / 5);
}

/** Until when a token may be put on a request; Infinity when its expiry is unknown. */
export function usableUntil(tokens: TokenSet): number {
  return tokens.expiresAt === undefined ? Infinity : tokens.expiresAt - safetyMarginMs(tokens);
}

/**
 * When the token workflow refreshes, before jitter. Automatic: `bufferSeconds` before expiry, but never earlier than
 * halfway through the token's life, so a buffer longer than the lifetime cannot refresh in a loop; unknown expiry:
 * only on demand (a 401). Custom interval: every `intervalSeconds`, and still before the token expires.
 */
export function refreshDueAt(tokens: TokenSet, refresh: RefreshPolicy): number | undefined {
  const lifetime = tokens.expiresAt === undefined ? undefined : tokens.expiresAt - tokens.obtainedAt;
  if (refresh.strategy === 'customInterval') {
    const interval = tokens.obtainedAt + refresh.intervalSeconds * 1000;
    return Math.min(interval, usableUntil(tokens));
  }
  if (tokens.expiresAt === undefined || lifetime === undefined) return undefined;
  return Math.max(tokens.expiresAt - refresh.bufferSeconds * 1000, tokens.obtainedAt + lifetime / 2);
}
