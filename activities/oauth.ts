/**
 * The token activity of the token workflow: the only code that sends a client secret or refresh token, on the worker
 * that holds the configuration. It answers with the whole new token set, so a rotated refresh token replaces the
 * old one in the same step, and classifies failures: a person must act (reauthorization required), the definition
 * is wrong (misconfigured), or the endpoint is down (retried after a jittered, growing delay).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { OAuthClient } from '../src/auth/credentials';
import {
  describeKey,
  MISCONFIGURED,
  REAUTHORIZATION_REQUIRED,
  TOKEN_UNAVAILABLE,
  type TokenGrant,
  type TokenRequest,
  type TokenSet,
} from '../src/auth/oauth/model';
import {
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  TokenEndpointError,
  type IssuedTokens,
  type TokenEndpoint,
} from '../src/auth/oauth/token-endpoint';
import type { ConfigurationSource } from '../src/configurations/source';

export type TokenActivity = (request: TokenRequest) => Promise<TokenGrant>;

/** Retry delays of an unreachable token endpoint: 1 s doubling to 5 minutes, each between half and all of that. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

export function tokenActivity(configurations: ConfigurationSource): TokenActivity {
  return async (request) => {
    const { key } = request;
    try {
      const configuration = await configurations.resolve({
        integration: key.integration,
        configuration: key.configuration,
        ...(key.organization !== undefined && { organization: key.organization }),
      });
      const client = configuration.credentials.oauth;
      if (!client) {
        throw new TokenEndpointError('misconfigured', `${describeKey(key)} does not use OAuth 2.0 tokens from a token workflow (check the definition's auth)`);
      }
      const endpoint: TokenEndpoint = {
        auth: client.auth,
        ...(client.clientId !== undefined && { clientId: client.clientId }),
        ...(client.clientSecret && { clientSecret: client.clientSecret.reveal() }),
        ...(client.redirectUri !== undefined && { redirectUri: client.redirectUri }),
        signal: Context.current().cancellationSignal,
      };
      const obtainedAt = Date.now();
      const { issued, keptRefreshToken } = await issue(request, client, endpoint);
      return { tokens: tokenSet(issued, obtainedAt, keptRefreshToken), refresh: client.auth.refresh };
    } catch (err) {
      throw tokenFailure(err);
    }
  };
}

async function issue(
  request: TokenRequest,
  client: OAuthClient,
  endpoint: TokenEndpoint,
): Promise<{ issued: IssuedTokens; keptRefreshToken?: string }> {
  const { grantType } = client.auth;
  switch (request.kind) {
    case 'initial':
      if (grantType === 'client_credentials') return { issued: await clientCredentialsGrant(endpoint) };
      if (client.accessToken) {
        const refreshToken = client.refreshToken?.reveal();
        return { issued: { accessToken: client.accessToken.reveal(), ...(refreshToken !== undefined && { refreshToken }) } };
      }
      throw new TokenEndpointError('reauthorize', 'it has not been authorized yet (no tokens)');
    case 'refresh':
      if (request.refreshToken !== undefined) {
        // Without a new refresh token in the answer, the one sent stays valid (RFC 6749 section 6).
        return { issued: await refreshTokenGrant(endpoint, request.refreshToken), keptRefreshToken: request.refreshToken };
      }
      if (grantType === 'client_credentials') return { issued: await clientCredentialsGrant(endpoint) };
      throw new TokenEndpointError('reauthorize', 'its access token was rejected or expired and there is no refresh token to get another');
    case 'code':
      return { issued: await authorizationCodeGrant({ ...endpoint, redirectUri: request.code.redirectUri }, request.code) };
  }
}

function tokenSet(issued: IssuedTokens, obtainedAt: number, keptRefreshToken: string | undefined): TokenSet {
  const refreshToken = issued.refreshToken ?? keptRefreshToken;
  return {
    accessToken: issued.accessToken,
    obtainedAt,
    ...(refreshToken !== undefined && { refreshToken }),
    ...(issued.expiresIn !== undefined && { expiresAt: obtainedAt + issued.expiresIn * 1000 }),
    ...(issued.scope !== undefined && { scope: issued.scope }),
  };
}

function tokenFailure(err: unknown): Error {
  if (err instanceof CancelledFailure || err instanceof ApplicationFailure) return err;
  if (err instanceof TokenEndpointError) {
    if (err.kind === 'unavailable') {
      const attempt = Context.current().info.attempt;
      const ceiling = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS);
      return ApplicationFailure.create({
        type: TOKEN_UNAVAILABLE,
        message: err.message,
        // Jitter: configurations whose endpoint went down together do not all come back at the same instant.
        nextRetryDelay: Math.round(ceiling / 2 + (Math.random() * ceiling) / 2),
      });
    }
    return ApplicationFailure.create({
      type: err.kind === 'reauthorize' ? REAUTHORIZATION_REQUIRED : MISCONFIGURED,
      message: err.message,
      nonRetryable: true,
    });
  }
  // Unknown configuration, unreadable secret...: nothing a retry can fix.
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: MISCONFIGURED, message: error.message, nonRetryable: true });
}
