/**
 * What an integration's auth puts on each request. Everything here is bound to the configured origin: the HTTP
 * layer drops it on any request to another origin (cross-origin redirects, foreign next links).
 */
import type { Auth } from '../definition/model';
import type { Secret } from '../configurations/secret';

export type OAuth2Auth = Extract<Auth, { type: 'oauth2' }>;

export interface HttpCredentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly cookies: Readonly<Record<string, string>>;
}

export interface CredentialValues {
  readonly apiKey?: Secret;
  readonly username?: Secret;
  readonly password?: Secret;
  readonly accessToken?: Secret;
  readonly refreshToken?: Secret;
  readonly clientSecret?: Secret;
  readonly clientId?: string;
  readonly redirectUri?: string;
}

/**
 * What the worker needs to get tokens for a configuration whose tokens the token workflow keeps. Only the worker's
 * token activity reads the secrets here; the workflow never sees them.
 */
export interface OAuthClient {
  readonly auth: OAuth2Auth;
  readonly clientId?: string;
  readonly clientSecret?: Secret;
  readonly redirectUri?: string;
  /** Tokens written in the configuration (no grant type, or a first token set for the authorization code grant). */
  readonly accessToken?: Secret;
  readonly refreshToken?: Secret;
}

export interface ResolvedCredentials {
  readonly http: HttpCredentials;
  /** Every secret string, so the HTTP layer can redact echoes of them from error excerpts. */
  readonly secrets: readonly string[];
  /**
   * Set when the access token comes from the configuration's token workflow: `http` then holds everything but the
   * Authorization header, which each call adds with the current token.
   */
  readonly oauth?: OAuthClient;
}

/** Which configuration values an auth type needs; a configuration lacking one is refused when the worker starts. */
export function requiredCredentials(auth: Auth): (keyof CredentialValues)[] {
  switch (auth.type) {
    case 'none':
      return [];
    case 'apiKey':
      return ['apiKey'];
    case 'basic':
      return ['username', 'password'];
    case 'oauth2':
      switch (auth.grantType) {
        case 'client_credentials':
          return ['clientId', 'clientSecret'];
        case 'authorization_code':
          // A public client (PKCE without a secret) has no clientSecret.
          return ['clientId', 'redirectUri'];
        case 'none':
          return ['accessToken'];
      }
  }
}

export function credentialsFor(auth: Auth, values: CredentialValues, extraHeaders: Readonly<Record<string, string>>): ResolvedCredentials {
  const headers: Record<string, string> = { ...extraHeaders };
  const query: (readonly [string, string])[] = [];
  const cookies: Record<string, string> = {};
  const secrets: string[] = [];
  const reveal = (secret: Secret | undefined, name: string): string => {
    if (!secret) throw new Error(`auth type ${auth.type} needs ${name}`);
    const value = secret.reveal();
    secrets.push(value);
    return value;
  };
  switch (auth.type) {
    case 'none':
      break;
    case 'apiKey': {
      const key = reveal(values.apiKey, 'apiKey');
      const value = auth.preamble ? `${auth.preamble} ${key}` : key;
      if (auth.in === 'header') headers[auth.name] = value;
      else if (auth.in === 'query') query.push([auth.name, value]);
      else cookies[auth.name] = value;
      break;
    }
    case 'basic': {
      const user = reveal(values.username, 'username');
      const encoded = Buffer.from(`${user}:${reveal(values.password, 'password')}`).toString('base64');
      secrets.push(encoded);
      headers.authorization = `Basic ${encoded}`;
      break;
    }
    case 'oauth2': {
      // A supplied token that cannot be refreshed is a static credential: no token workflow, the fast path.
      if (auth.grantType === 'none' && !values.refreshToken) {
        headers.authorization = `${auth.accessTokenScheme} ${reveal(values.accessToken, 'accessToken')}`;
        break;
      }
      if (!auth.tokenUrl) throw new Error('a refreshToken needs the definition\'s auth.tokenUrl to be refreshed at');
      for (const secret of [values.clientSecret, values.accessToken, values.refreshToken]) if (secret) secrets.push(secret.reveal());
      const oauth: OAuthClient = {
        auth,
        ...(values.clientId !== undefined && { clientId: values.clientId }),
        ...(values.clientSecret && { clientSecret: values.clientSecret }),
        ...(values.redirectUri !== undefined && { redirectUri: values.redirectUri }),
        ...(values.accessToken && { accessToken: values.accessToken }),
        ...(values.refreshToken && { refreshToken: values.refreshToken }),
      };
      return { http: { headers, query, cookies }, secrets, oauth };
    }
  }
  return { http: { headers, query, cookies }, secrets };
}
