/**
 * A real OAuth 2.0 authorization server for the tests: oidc-provider (ESM-only, so it runs as a child process of the
 * test rather than inside Jest) on a free loopback port, with short token lifetimes, client credentials, the
 * authorization code grant with PKCE, and refresh-token rotation with reuse detection (a rotated refresh token used
 * again revokes the whole grant).
 *
 * Logins need no person: every interaction is finished at once for the account "test-user", granting the scopes
 * asked for, except for the clients listed in `deny`, whose user refuses (the redirect carries error=access_denied).
 * A few /test/ routes let the test look at tokens and events, and revoke grants.
 *
 * Usage: node oidc-server.mjs '<json: { clients, ttl, ttlByClient, scopes, deny }>'; prints the issuer on one line; stops when stdin closes.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2] ?? '{}');
/** Access token lifetime in seconds, per client id (`ttlByClient`) or for all (`ttl`). */
const ttlOf = (_ctx, _token, client) => options.ttlByClient?.[client.clientId] ?? options.ttl ?? 5;

const server = createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: options.clients ?? [],
  // Scopes besides openid and offline_access that clients may ask for (an API's own, e.g. "read:pets").
  ...(options.scopes && { scopes: ['openid', 'offline_access', ...options.scopes] }),
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
  },
  ttl: { AccessToken: ttlOf, ClientCredentials: ttlOf, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600, IdToken: 3600 },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  cookies: { keys: ['oidc-test-cookie-key'] },
});

const events = { accessTokens: 0, clientCredentials: 0, clientCredentialsByClient: {}, refreshTokensConsumed: 0, grantsRevoked: 0, grantErrors: [] };
provider.on('access_token.saved', () => events.accessTokens++);
provider.on('client_credentials.saved', (token) => {
  events.clientCredentials++;
  events.clientCredentialsByClient[token.clientId] = (events.clientCredentialsByClient[token.clientId] ?? 0) + 1;
});
provider.on('refresh_token.consumed', () => events.refreshTokensConsumed++);
provider.on('grant.revoked', () => events.grantsRevoked++);
provider.on('grant.error', (_ctx, err) => events.grantErrors.push(err.error ?? err.message));
const grants = new Set();
provider.on('grant.saved', (grant) => grants.add(grant.jti));

const callback = provider.callback();
const send = (res, status, value) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

server.on('request', async (req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) {
      // The "person": logs in as test-user and consents to every scope asked for.
      const { params } = await provider.interactionDetails(req, res);
      if (options.deny?.includes(params.client_id)) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user refused access' }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: 'test-user', clientId: params.client_id });
      if (params.scope) grant.addOIDCScope(params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: 'test-user' }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    if (url.pathname === '/test/check') {
      // Is this access token one we issued, and has it expired? (The test API asks this for every request.)
      const value = url.searchParams.get('token') ?? '';
      const token = (await provider.AccessToken.find(value, { ignoreExpiration: true })) ?? (await provider.ClientCredentials.find(value, { ignoreExpiration: true }));
      return send(res, 200, token ? { issued: true, expired: token.isExpired, exp: token.exp, clientId: token.clientId } : { issued: false });
    }
    if (url.pathname === '/test/events') return send(res, 200, events);
    if (url.pathname === '/test/revoke-grants' && req.method === 'POST') {
      for (const id of grants) await (await provider.Grant.find(id))?.destroy();
      grants.clear();
      return send(res, 200, { revoked: true });
    }
  } catch (err) {
    return send(res, 500, { error: String(err?.message ?? err) });
  }
  callback(req, res);
});

process.stdout.write(`${issuer}\n`);
process.stdin.once('end', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.stdin.resume();
