/**
 * The token endpoint client on its own, against real servers: oidc-provider for the standard grants (client
 * credentials, authorization code + PKCE, refresh with rotation and reuse detection), and a small local server for
 * the non-standard variants the definition's options describe.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OAuth2Auth as OAuth2AuthSchema } from '../src/definition/model';
import type { OAuth2Auth } from '../src/auth/credentials';
import { authorizationUrl, startAuthorization } from '../src/auth/oauth/authorization';
import {
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  TokenEndpointError,
  type TokenEndpoint,
} from '../src/auth/oauth/token-endpoint';
import { json, serve, type Server } from './helpers/http-server';
import { authorizeInBrowser, startOidcServer, type OidcServer } from './helpers/oidc';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const REDIRECT = 'http://127.0.0.1:9/callback';
const KEY = { integration: 'oidcApi', configuration: 'Default' };

let oidc: OidcServer;

beforeAll(async () => {
  oidc = await startOidcServer({
    ttl: 5,
    clients: [
      { client_id: 'machine', client_secret: SECRET, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      { client_id: 'app', client_secret: SECRET, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [REDIRECT] },
    ],
  });
});

afterAll(async () => {
  await oidc?.stop();
});

const auth = (fields: Record<string, unknown>): OAuth2Auth => OAuth2AuthSchema.parse({ type: 'oauth2', ...fields }) as OAuth2Auth;

async function codeFlowTokens(endpoint: TokenEndpoint) {
  const pending = await startAuthorization({ auth: endpoint.auth, clientId: 'app', redirectUri: REDIRECT, key: KEY });
  const callback = new URL(await authorizeInBrowser(pending.url, REDIRECT));
  return authorizationCodeGrant(endpoint, { query: callback.search, state: pending.state, codeVerifier: pending.codeVerifier, redirectUri: REDIRECT });
}

describe('oidc-provider', () => {
  test('client credentials: a token with its lifetime', async () => {
    const tokens = await clientCredentialsGrant({ auth: auth({ grantType: 'client_credentials', tokenUrl: oidc.tokenUrl }), clientId: 'machine', clientSecret: SECRET });
    expect(tokens.expiresIn).toBe(5);
    expect(await oidc.check(tokens.accessToken)).toMatchObject({ issued: true, expired: false });
  });

  test('a wrong client secret asks for re-authorization, and the secret is in no message', async () => {
    const error = await clientCredentialsGrant({
      auth: auth({ grantType: 'client_credentials', tokenUrl: oidc.tokenUrl }),
      clientId: 'machine',
      clientSecret: `${SECRET}-wrong`,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ kind: 'reauthorize', status: 401 });
    expect((error as Error).message).toContain('invalid_client');
    expect((error as Error).message).not.toContain(SECRET);
  });

  test('authorization code with PKCE, then refresh-token rotation; reusing a rotated refresh token revokes the grant', async () => {
    // A confidential client authenticates on refresh too: oidc-provider needs the client config there.
    const endpoint = {
      auth: auth({ grantType: 'authorization_code', tokenUrl: oidc.tokenUrl, authorizationUrl: oidc.authorizationUrl, scope: 'openid', includeClientConfigOnRefresh: true }),
      clientId: 'app',
      clientSecret: SECRET,
      redirectUri: REDIRECT,
    };
    const first = await codeFlowTokens(endpoint);
    expect(first.refreshToken).toBeDefined();
    const second = await refreshTokenGrant(endpoint, first.refreshToken!);
    expect(second.refreshToken).toBeDefined();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await oidc.check(second.accessToken)).toMatchObject({ issued: true, expired: false });

    const reuse = await refreshTokenGrant(endpoint, first.refreshToken!).catch((err: unknown) => err);
    expect(reuse).toMatchObject({ kind: 'reauthorize', oauthError: 'invalid_grant' });
    // Reuse detection revoked the whole family: the newest refresh token is dead too.
    expect(await refreshTokenGrant(endpoint, second.refreshToken!).catch((err: unknown) => err)).toMatchObject({ kind: 'reauthorize', oauthError: 'invalid_grant' });
  });

  test('a callback whose state is not the one sent is refused before any exchange', async () => {
    const endpoint = { auth: auth({ grantType: 'authorization_code', tokenUrl: oidc.tokenUrl, authorizationUrl: oidc.authorizationUrl, scope: 'openid' }), clientId: 'app', clientSecret: SECRET, redirectUri: REDIRECT };
    const pending = await startAuthorization({ auth: endpoint.auth, clientId: 'app', redirectUri: REDIRECT, key: KEY });
    const callback = new URL(await authorizeInBrowser(pending.url, REDIRECT));
    const before = (await oidc.events()).accessTokens;
    const error = await authorizationCodeGrant(endpoint, { query: callback.search, state: 'forged', codeVerifier: pending.codeVerifier, redirectUri: REDIRECT }).catch((err: unknown) => err);
    expect(error).toMatchObject({ kind: 'reauthorize' });
    expect((error as Error).message).toContain('state');
    expect((await oidc.events()).accessTokens).toBe(before);
  });
});

describe('authorization URL', () => {
  test('carries the PKCE challenge, state, scope and extra params, which cannot override the security ones', () => {
    const url = authorizationUrl(
      auth({ grantType: 'authorization_code', tokenUrl: 'https://id.example.com/token', authorizationUrl: 'https://id.example.com/authorize?tenant=t1', scope: 'read write', authorizationExtraParams: { prompt: 'consent', state: 'evil', access_type: 'offline' } }),
      { clientId: 'app', redirectUri: REDIRECT, state: 'st', codeChallenge: 'ch' },
    );
    expect(url.origin + url.pathname).toBe('https://id.example.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 't1',
      prompt: 'consent',
      access_type: 'offline',
      response_type: 'code',
      client_id: 'app',
      redirect_uri: REDIRECT,
      scope: 'read write',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });
});

describe('non-standard token endpoints', () => {
  let server: Server;
  const issued: string[] = [];
  const params = (req: IncomingMessage, body: Buffer): Record<string, string | undefined> => {
    if (req.method === 'GET') return Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
    if (req.headers['content-type']?.startsWith('application/json')) return JSON.parse(body.toString()) as Record<string, string>;
    return Object.fromEntries(new URLSearchParams(body.toString()));
  };
  const token = () => {
    const value = `tok-${randomBytes(8).toString('hex')}`;
    issued.push(value);
    return value;
  };

  beforeAll(async () => {
    server = await serve({
      // Other key names, nested; a string expiry; no token_type.
      '/nested': (req, res, body) => {
        const p = params(req, body);
        if (p.client_secret !== SECRET) return json(res, 401, { error: 'invalid_client' });
        json(res, 200, { data: { token: token(), ttl: '120', renew: `r-${p.grant_type}` } });
      },
      // Answers 201 with a form-encoded body, as some older endpoints do.
      '/form': (_req, res) => res.writeHead(201, { 'content-type': 'application/x-www-form-urlencoded' }).end(`access_token=${token()}&expires_in=60&token_type=Token`),
      '/down': (_req, res) => json(res, 503, { error: 'temporarily_unavailable' }),
      '/html': (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const nested = (fields: Record<string, unknown>) =>
    auth({ grantType: 'client_credentials', tokenUrl: `${server.origin}/nested`, tokenKey: 'data.token', expirationKey: 'data.ttl', refreshTokenKey: 'data.renew', ...fields });

  test('JSON request body, other key names, string expires_in, missing token_type', async () => {
    const tokens = await clientCredentialsGrant({ auth: nested({ tokenRequestContentType: 'application/json', scope: 'a b' }), clientId: 'c', clientSecret: SECRET });
    expect(tokens).toEqual({ accessToken: issued.at(-1), expiresIn: 120, refreshToken: 'r-client_credentials' });
    const request = server.last();
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body.toString())).toEqual({ grant_type: 'client_credentials', scope: 'a b', client_id: 'c', client_secret: SECRET });
  });

  test('GET token endpoint: the parameters go in the query, no body', async () => {
    const tokens = await clientCredentialsGrant({ auth: nested({ tokenRequestMethod: 'GET' }), clientId: 'c', clientSecret: SECRET });
    expect(tokens.accessToken).toBe(issued.at(-1));
    const request = server.last();
    expect(request.method).toBe('GET');
    expect(request.body.length).toBe(0);
    expect(new URL(request.url, 'http://x').searchParams.get('grant_type')).toBe('client_credentials');
  });

  test('PUT with basic auth headers', async () => {
    await clientCredentialsGrant({ auth: nested({ tokenRequestMethod: 'PUT', basicAuthOnCodeExchange: true }), clientId: 'c', clientSecret: SECRET }).catch(() => undefined);
    const request = server.last();
    expect(request.method).toBe('PUT');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`c:${SECRET}`).toString('base64')}`);
  });

  test('refresh sends only the refresh token unless told to include the client config and redirect URI', async () => {
    await refreshTokenGrant({ auth: nested({}), clientId: 'c', clientSecret: SECRET, redirectUri: REDIRECT }, 'r-1').catch(() => undefined);
    expect(Object.fromEntries(new URLSearchParams(server.last().body.toString())) as unknown).toEqual({ grant_type: 'refresh_token', refresh_token: 'r-1' });

    const tokens = await refreshTokenGrant(
      { auth: nested({ includeClientConfigOnRefresh: true, includeRedirectUriOnRefresh: true }), clientId: 'c', clientSecret: SECRET, redirectUri: REDIRECT },
      'r-1',
    );
    expect(tokens.refreshToken).toBe('r-refresh_token');
    expect(Object.fromEntries(new URLSearchParams(server.last().body.toString())) as unknown).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r-1',
      redirect_uri: REDIRECT,
      client_id: 'c',
      client_secret: SECRET,
    });
  });

  test('a 201 form-encoded answer with an unusual token_type', async () => {
    const tokens = await clientCredentialsGrant({ auth: auth({ grantType: 'client_credentials', tokenUrl: `${server.origin}/form` }), clientId: 'c', clientSecret: SECRET });
    expect(tokens).toEqual({ accessToken: issued.at(-1), expiresIn: 60 });
  });

  test('failures are classified: outage, wrong key name, bad gateway page', async () => {
    const down = { auth: auth({ grantType: 'client_credentials', tokenUrl: `${server.origin}/down` }), clientId: 'c', clientSecret: SECRET };
    expect(await clientCredentialsGrant(down).catch((err: unknown) => err)).toMatchObject({ kind: 'unavailable', status: 503 });
    const html = { ...down, auth: auth({ grantType: 'client_credentials', tokenUrl: `${server.origin}/html` }) };
    expect(await clientCredentialsGrant(html).catch((err: unknown) => err)).toMatchObject({ kind: 'unavailable', status: 502 });
    const wrongKey = await clientCredentialsGrant({ auth: nested({ tokenKey: 'data.missing' }), clientId: 'c', clientSecret: SECRET }).catch((err: unknown) => err);
    expect(wrongKey).toMatchObject({ kind: 'misconfigured' });
    expect((wrongKey as Error).message).toContain('tokenKey ("data.missing")');
    const closed = await serve({});
    await closed.close();
    const refused = await clientCredentialsGrant({ ...down, auth: auth({ grantType: 'client_credentials', tokenUrl: `${closed.origin}/token` }) }).catch((err: unknown) => err);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as Error).message).toContain('ECONNREFUSED');
  });
});
