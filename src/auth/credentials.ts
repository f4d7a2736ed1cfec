/**
 * What an integration's auth puts on each request. Everything here is bound to the configured origin: the HTTP
 * layer drops it on any request to another origin (cross-origin redirects, foreign next links).
 */
import type { Auth } from '../definition/model';
import type { Secret } from '../configurations/secret';

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
}

export interface ResolvedCredentials {
  readonly http: HttpCredentials;
  /** Every secret string, so the HTTP layer can redact echoes of them from error excerpts. */
  readonly secrets: readonly string[];
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
      return ['accessToken'];
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
    case 'oauth2':
      headers.authorization = `${auth.accessTokenScheme} ${reveal(values.accessToken, 'accessToken')}`;
      break;
  }
  return { http: { headers, query, cookies }, secrets };
}
