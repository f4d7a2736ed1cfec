/**
 * The oidc-provider test authorization server (test/helpers/oidc-server.mjs) as a child process, and a scripted
 * "browser" that takes an authorization URL through the server's login and consent to the redirect URI.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { json, serve, type Server } from './http-server';
import type { Running } from './processes';

export interface OidcClient {
  client_id: string;
  client_secret?: string;
  grant_types: string[];
  redirect_uris?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: string;
}

export interface OidcEvents {
  accessTokens: number;
  clientCredentials: number;
  /** Client credentials grants by client id (other clients' refreshes go on during a test). */
  clientCredentialsByClient: Record<string, number>;
  refreshTokensConsumed: number;
  grantsRevoked: number;
  grantErrors: string[];
}

export interface OidcServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly authorizationUrl: string;
  /** Whether the server issued this access token, to which client, and whether it has expired now. */
  check(token: string): Promise<{ issued: boolean; expired?: boolean; clientId?: string }>;
  events(): Promise<OidcEvents>;
  /** Revokes every grant: their refresh tokens then get invalid_grant. */
  revokeGrants(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOidcServer(options: { clients: OidcClient[]; ttl?: number; ttlByClient?: Record<string, number>; scopes?: string[]; deny?: string[] }): Promise<OidcServer> {
  const script = path.join(__dirname, 'oidc-server.mjs');
  // oidc-provider warns that Node 20 is past its support; the warning is noise here.
  const child = spawn(process.execPath, ['--no-warnings', script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const line = once(createInterface({ input: child.stdout }), 'line') as Promise<[string]>;
  const [issuer] = await Promise.race([line, exited.then(([code]) => Promise.reject(new Error(`oidc-server exited (${code}) before listening`)))]);
  const get = async <T>(route: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${issuer}${route}`, init);
    if (!response.ok) throw new Error(`oidc-server ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    authorizationUrl: `${issuer}/auth`,
    check: (token) => get(`/test/check?token=${encodeURIComponent(token)}`),
    events: () => get('/test/events'),
    revokeGrants: async () => {
      await get('/test/revoke-grants', { method: 'POST' });
    },
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Waits for the authorization URL that `custom-integrations authorize` prints for the person to open. */
export async function printedAuthorizationUrl(cli: Running, server: OidcServer): Promise<URL> {
  const pattern = new RegExp(`^\\s*(${server.authorizationUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?\\S+)$`, 'm');
  await cli.waitFor(pattern);
  return new URL(pattern.exec(cli.output())![1]!);
}

/**
 * Follows an authorization URL as a browser would (cookies kept, redirects followed) until it redirects to
 * `redirectUri`; answers with that final URL, which holds the code and state.
 */
export async function authorizeInBrowser(authorizationUrl: string, redirectUri: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hops = 0; hops < 10; hops++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location) throw new Error(`the authorization server answered ${response.status} at ${url} without a redirect`);
    url = new URL(location, url).href;
    if (url.startsWith(redirectUri)) return url;
  }
  throw new Error('too many redirects on the way to the redirect URI');
}

export interface TokenSeen {
  readonly token: string;
  readonly clientId?: string;
}

/**
 * An API at GET /whoami that asks the authorization server about every bearer token it receives: 200 with the
 * token's client for a token it issued and that has not expired, else 401. `seen` lists what it received.
 */
export async function whoamiApi(oidc: OidcServer): Promise<{ api: Server; seen: TokenSeen[] }> {
  const seen: TokenSeen[] = [];
  const api = await serve({
    '/whoami': async (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const check = await oidc.check(token);
      seen.push({ token, ...(check.clientId !== undefined && { clientId: check.clientId }) });
      if (check.issued && !check.expired) json(res, 200, { clientId: check.clientId });
      else json(res, 401, { error: 'invalid_token' });
    },
  });
  return { api, seen };
}
