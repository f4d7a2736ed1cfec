/**
 * Auth from the spec's security schemes. The model has one auth per integration, so when several are declared the
 * most usable is picked: one that works alone (not only together with another), accepted by (nearly) every
 * operation, and simplest to configure: an API key or bearer token, then basic, then OAuth 2.0 client credentials,
 * then the authorization code flow, then flows where the user brings tokens. The message says which and why.
 *
 * An OpenID Connect scheme names a discovery document rather than the flows: it is read only when the import is asked
 * to (`discover`), in one async step before the mapping, which stays synchronous (see discovery.ts).
 */
import type { z } from 'zod';
import type { Auth as AuthModel } from '../definition/model';
import { discoveredAuth, discoverProvider, DiscoveryError, type ProviderMetadata } from './discovery';
import type { Messages } from './messages';
import type { ImportedOperation } from './operations';
import { at, isObject, type Json, type Location, type Refs } from './refs';
import type { Target } from './servers';

/** Auth as written in a file: defaults are left to the model. */
type Auth = z.input<typeof AuthModel>;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A scheme accepted by this share of the operations counts as accepted by all. */
const BROAD = 0.9;

interface Candidate {
  name: string;
  at: Location;
  auth: Auth;
  /** Lower is simpler to configure. */
  rank: number;
  /** In words, for the message. */
  what: string;
  /** Operations that accept this scheme alone. */
  coverage: number;
  order: number;
}

/**
 * `chosen`: the scheme the user asked for (`--auth`), used whatever the ranking says; an unknown or unusable name
 * is an error naming the ones that can be chosen. `discover`: read OpenID Connect schemes' discovery documents.
 */
export async function inferAuth(
  document: Json,
  operations: readonly ImportedOperation[],
  refs: Refs,
  messages: Messages,
  target: Target,
  chosen?: string,
  discover = false,
): Promise<Auth> {
  const schemes = declaredSchemes(document, refs);
  const discovered = discover ? await discoverProviders(schemes, chosen, target, refs, messages) : undefined;
  const usage = requirementUsage(document, operations, schemes, messages);
  if (schemes.size === 0) {
    messages.warning(
      'no-auth',
      '',
      'the spec declares no security scheme, so auth is none',
      'If the API needs credentials (many do, through headers the spec lists as parameters), set auth in the definition: apiKey, basic or oauth2.',
    );
    return { type: 'none' };
  }
  const candidates: Candidate[] = [];
  const unsupported: string[] = [];
  [...schemes].forEach(([name, scheme], order) => {
    const mapped = toAuth(scheme.value, usage.scopes.get(name) ?? [], target, scheme.at, refs, messages, discovered?.get(name));
    if ('reason' in mapped) unsupported.push(`${name} (${mapped.reason})`);
    else candidates.push({ name, at: scheme.at, ...mapped, coverage: usage.alone.get(name) ?? 0, order });
  });
  const broad = (c: Candidate) => usage.secured > 0 && c.coverage >= BROAD * usage.secured;
  candidates.sort((a, b) => Number(broad(b)) - Number(broad(a)) || a.rank - b.rank || b.coverage - a.coverage || a.order - b.order);
  if (chosen !== undefined) {
    const index = candidates.findIndex((c) => c.name === chosen);
    if (index === -1) {
      const names = candidates.map((c) => c.name).join(', ') || 'none';
      throw new AuthChoiceError(`--auth ${chosen}: the spec declares no usable security scheme of that name (usable: ${names})`);
    }
    candidates.unshift(...candidates.splice(index, 1));
  }
  const [picked, ...others] = candidates;
  const notes = [
    others.length > 0 && `also declared: ${others.map((c) => `${c.name} (${c.what})`).join(', ')}`,
    unsupported.length > 0 && `not supported: ${unsupported.join(', ')}`,
    usage.combined.length > 0 && `requirements that need several schemes at once cannot be expressed: ${usage.combined.join('; ')}`,
  ].filter(Boolean);
  if (!picked) {
    messages.warning(
      'no-auth',
      '/components/securitySchemes',
      `no declared security scheme can be used (${unsupported.join(', ')}); auth is none`,
      'Set auth in the definition by hand.',
    );
    return { type: 'none' };
  }
  const why =
    chosen !== undefined
      ? `you chose it (--auth); ${picked.coverage} of ${usage.secured} secured operations accept it alone`
      : usage.secured === 0
      ? 'no operation requires a scheme, and it is the simplest to configure'
      : `${picked.coverage} of ${usage.secured} secured operations accept it alone${others.length > 0 ? ', and it is the simplest to configure of those that do' : ''}`;
  messages.info(
    'auth',
    picked.at.pointer,
    `auth: ${picked.name} (${picked.what}), because ${why}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
    others.length > 0
      ? `To use another scheme, import again with --auth <scheme> (${others.map((c) => `--auth ${c.name}`).join(', ')}), or change auth in the definition.`
      : 'To use another auth, change auth in the definition.',
    refs.fileOf(picked.at),
  );
  return picked.auth;
}

function declaredSchemes(document: Json, refs: Refs): Map<string, { value: Json; at: Location }> {
  const components = isObject(document.components) ? document.components : {};
  const declared = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const schemes = new Map<string, { value: Json; at: Location }>();
  for (const [name, raw] of Object.entries(declared)) {
    const scheme = refs.follow(raw, at(refs.root(), 'components', 'securitySchemes', name), 'the scheme is ignored');
    if (scheme) schemes.set(name, scheme);
  }
  return schemes;
}

interface Usage {
  /** Operations that require some scheme. */
  secured: number;
  /** Per scheme, the operations that accept it on its own. */
  alone: Map<string, number>;
  /** Per scheme, the scopes operations require, in order of appearance. */
  scopes: Map<string, string[]>;
  /** Requirements naming several schemes at once, in words. */
  combined: string[];
}

/** What the operations' security requirements (their own, else the spec's) say; undefined scheme names are reported. */
function requirementUsage(document: Json, operations: readonly ImportedOperation[], schemes: Map<string, unknown>, messages: Messages): Usage {
  const usage: Usage = { secured: 0, alone: new Map(), scopes: new Map(), combined: [] };
  const undefinedNames = new Map<string, { pointer: string; count: number }>();
  const global = { list: document.security, at: '/security' };
  for (const op of operations) {
    const own = op.operation.security !== undefined;
    const { list, at: pointer } = own ? { list: op.operation.security, at: at(op.at, 'security').pointer } : global;
    if (!Array.isArray(list) || list.length === 0) continue;
    const requirements = list.filter(isObject);
    if (requirements.some((r) => Object.keys(r).length === 0)) continue; // {} : anonymous access is allowed
    usage.secured++;
    requirements.forEach((requirement, index) => {
      const names = Object.keys(requirement);
      for (const name of names.filter((n) => !schemes.has(n))) {
        const seen = undefinedNames.get(name);
        if (seen) seen.count++;
        else undefinedNames.set(name, { pointer: `${pointer}/${index}`, count: 1 });
      }
      const defined = names.filter((n) => schemes.has(n));
      if (defined.length !== names.length) return;
      if (defined.length > 1) {
        const words = defined.join(' + ');
        if (!usage.combined.includes(words)) usage.combined.push(words);
        return;
      }
      const [name] = defined as [string];
      usage.alone.set(name, (usage.alone.get(name) ?? 0) + 1);
      const scopes = usage.scopes.get(name) ?? [];
      const required = requirement[name];
      if (Array.isArray(required)) for (const scope of required) if (typeof scope === 'string' && !scopes.includes(scope)) scopes.push(scope);
      usage.scopes.set(name, scopes);
    });
  }
  for (const [name, { pointer, count }] of undefinedNames) {
    messages.warning(
      'undefined-security-scheme',
      pointer,
      `security requirement names "${name}", which components.securitySchemes does not define (${count} operation${count === 1 ? '' : 's'}); the requirement is ignored`,
      `Define the scheme "${name}" under components.securitySchemes, or correct the name.`,
    );
  }
  return usage;
}

type Mapped = { auth: Auth; rank: number; what: string } | { reason: string };

/** `discovered`: the OpenID Connect provider's metadata, or why it could not be read; unset without --discover. */
function toAuth(scheme: Json, scopes: string[], target: Target, location: Location, refs: Refs, messages: Messages, discovered?: Discovery): Mapped {
  const type = typeof scheme.type === 'string' ? scheme.type : '';
  if (type === 'apiKey') {
    const where = scheme.in;
    const name = scheme.name;
    if ((where !== 'header' && where !== 'query' && where !== 'cookie') || typeof name !== 'string' || name === '') {
      return { reason: 'an apiKey scheme needs "in" (header, query or cookie) and a name' };
    }
    if (where === 'header' && !HEADER_NAME.test(name)) return { reason: `"${name}" is not a valid header name` };
    // Some specs declare a bearer token as an apiKey in Authorization and leave `scheme: bearer` on it.
    const bearer = where === 'header' && name.toLowerCase() === 'authorization' && String(scheme.scheme).toLowerCase() === 'bearer';
    return {
      auth: { type: 'apiKey', in: where, name, ...(bearer && { preamble: 'Bearer' }) },
      rank: where === 'header' ? 0 : 1,
      what: `API key in ${where} ${name}${bearer ? ' with "Bearer"' : ''}`,
    };
  }
  if (type === 'http') {
    const httpScheme = String(scheme.scheme).toLowerCase();
    if (httpScheme === 'bearer') {
      return { auth: { type: 'apiKey', in: 'header', name: 'Authorization', preamble: 'Bearer' }, rank: 0, what: 'HTTP bearer: Authorization: Bearer <token>' };
    }
    if (httpScheme === 'basic') return { auth: { type: 'basic' }, rank: 2, what: 'HTTP basic' };
    return { reason: `HTTP ${String(scheme.scheme)} authentication` };
  }
  if (type === 'oauth2') return oauth2(scheme, scopes, target, location, refs, messages);
  if (type === 'openIdConnect') return openIdConnect(scheme, scopes, location, refs, messages, discovered);
  return { reason: `type ${JSON.stringify(scheme.type)}` };
}

function oauth2(scheme: Json, scopes: string[], target: Target, location: Location, refs: Refs, messages: Messages): Mapped {
  const flows = isObject(scheme.flows) ? scheme.flows : {};
  const url = (flow: Json, key: string) => absoluteUrl(flow[key], target, at(location, 'flows'), refs, messages);
  const scope = scopes.length > 0 ? { scope: scopes.join(' ') } : {};
  const clientCredentials = isObject(flows.clientCredentials) ? flows.clientCredentials : undefined;
  const tokenUrl = clientCredentials && url(clientCredentials, 'tokenUrl');
  if (clientCredentials && tokenUrl) {
    return { auth: { type: 'oauth2', grantType: 'client_credentials', tokenUrl, ...scope }, rank: 3, what: `OAuth 2.0 client credentials, token URL ${tokenUrl}` };
  }
  const code = isObject(flows.authorizationCode) ? flows.authorizationCode : undefined;
  const codeUrls = code && { authorizationUrl: url(code, 'authorizationUrl'), tokenUrl: url(code, 'tokenUrl') };
  if (codeUrls?.authorizationUrl && codeUrls.tokenUrl) {
    return {
      auth: { type: 'oauth2', grantType: 'authorization_code', authorizationUrl: codeUrls.authorizationUrl, tokenUrl: codeUrls.tokenUrl, ...scope },
      rank: 4,
      what: `OAuth 2.0 authorization code, ${codeUrls.authorizationUrl}`,
    };
  }
  const other = Object.keys(flows).filter((f) => isObject(flows[f]));
  if (other.length === 0) return { reason: 'an oauth2 scheme without flows' };
  return { auth: { type: 'oauth2', grantType: 'none', ...scope }, rank: 5, what: `OAuth 2.0 ${other.join('/')} flow: tokens you supply` };
}

/** A URL of the spec, made absolute: a relative one is taken against the API host (Okta's /oauth2/v1/authorize). */
function absoluteUrl(value: unknown, target: Target, where: Location, refs: Refs, messages: Messages): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return new URL(value).href;
  } catch {
    try {
      const absolute = new URL(value, `${target.scheme}://${target.hostname}`).href;
      messages.warning(
        'relative-oauth-url',
        where.pointer,
        `OAuth URL ${value} is relative; taken as ${absolute}`,
        'Check the URL (for a tenant-specific host, change it in the definition).',
        refs.fileOf(where),
      );
      return absolute;
    } catch {
      return undefined;
    }
  }
}

type Discovery = { url: string; metadata: ProviderMetadata } | { url: string; error: DiscoveryError };

/**
 * The import's one network step: the discovery documents of the OpenID Connect schemes that can be picked (only the
 * chosen one with --auth), read at the same time. A failure is a warning; the scheme then stays "tokens you supply".
 */
async function discoverProviders(
  schemes: Map<string, { value: Json; at: Location }>,
  chosen: string | undefined,
  target: Target,
  refs: Refs,
  messages: Messages,
): Promise<Map<string, Discovery>> {
  const reads = [...schemes]
    .filter(([name, scheme]) => scheme.value.type === 'openIdConnect' && (chosen === undefined || chosen === name))
    .map(async ([name, scheme]): Promise<[string, Discovery] | undefined> => {
      const where = at(scheme.at, 'openIdConnectUrl');
      const url = absoluteUrl(scheme.value.openIdConnectUrl, target, where, refs, messages);
      if (url === undefined) return undefined;
      try {
        return [name, { url, metadata: await discoverProvider(url) }];
      } catch (err) {
        const error = err instanceof DiscoveryError ? err : new DiscoveryError(`${url}: ${(err as Error).message ?? String(err)}`, 'Set authorizationUrl and tokenUrl in the definition by hand.');
        messages.warning(
          'openid-discovery',
          where.pointer,
          `OpenID Connect discovery for scheme "${name}" failed: ${error.message}; its auth is tokens you supply (grant none)`,
          error.fix,
          refs.fileOf(where),
        );
        return [name, { url, error }];
      }
    });
  return new Map((await Promise.all(reads)).filter((read) => read !== undefined));
}

function openIdConnect(scheme: Json, scopes: string[], location: Location, refs: Refs, messages: Messages, discovered?: Discovery): Mapped {
  const url = typeof scheme.openIdConnectUrl === 'string' && scheme.openIdConnectUrl !== '' ? scheme.openIdConnectUrl : undefined;
  const tokensSupplied = { auth: { type: 'oauth2', grantType: 'none', ...(scopes.length > 0 && { scope: scopes.join(' ') }) }, rank: 5 } as const;
  if (url === undefined) return { ...tokensSupplied, what: 'OpenID Connect without openIdConnectUrl: tokens you supply' };
  if (!discovered) {
    return { ...tokensSupplied, what: `OpenID Connect: tokens you supply; import again with --discover to read the authorization and token URLs from ${url}` };
  }
  if ('error' in discovered) return { ...tokensSupplied, what: `OpenID Connect: tokens you supply, as discovery at ${discovered.url} failed` };
  const mapped = discoveredAuth(discovered.metadata, scopes, discovered.url);
  if ('auth' in mapped) return mapped;
  const where = at(location, 'openIdConnectUrl');
  messages.warning(
    'openid-discovery',
    where.pointer,
    `${mapped.problem}; its auth is tokens you supply (grant none)`,
    'Set grantType, authorizationUrl and tokenUrl in the definition by hand if the provider has another way to obtain tokens.',
    refs.fileOf(where),
  );
  return { ...tokensSupplied, what: `OpenID Connect: tokens you supply, as the provider offers no flow the definition can use` };
}

/** The scheme asked for with --auth is not one the import can use: a usage error, not a defect of the spec. */
export class AuthChoiceError extends Error {}
