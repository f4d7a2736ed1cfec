/**
 * Where the API is: hostname, scheme and base path from the spec's servers (Swagger 2.0's host, basePath and
 * schemes arrive here as servers, converted). A host the spec cannot give (a relative server, none, a variable
 * without default) is asked for: `options.hostname`, else a placeholder and an error saying to pass --hostname.
 */
import { Hostname } from '../definition/model';
import type { Messages } from './messages';
import { isObject, type Json } from './refs';

/** Reserved by RFC 2606: can never reach a real host by accident. */
export const PLACEHOLDER_HOSTNAME = 'api.example.invalid';

export interface Target {
  hostname: string;
  scheme: 'https' | 'http';
  basePath: string;
  /** Server path variables without a default: each action's path starts with them, so callers give them per call. */
  pathPrefix: string;
}

const VARIABLE = /\{([^}]*)\}/g;

export function serverTarget(document: Json, hostname: string | undefined, messages: Messages): Target {
  const servers = (Array.isArray(document.servers) ? document.servers : []).filter(isObject);
  const candidates = servers.map((server, index) => ({ index, ...expand(server) }));
  const absolute = candidates.filter((c) => /^(https?:)?\/\//i.test(c.url));
  const chosen = absolute.find((c) => /^https:/i.test(c.url)) ?? absolute[0] ?? candidates[0];
  const pointer = chosen ? `/servers/${chosen.index}` : '/servers';
  const url = parseUrl(chosen?.url ?? '/');
  const target: Target = { hostname: '', scheme: url.protocol === 'http:' ? 'http' : 'https', basePath: '', pathPrefix: '' };

  // The path up to the first variable without a default is the base path; from there on, it prefixes every action.
  const path = decodeUriSafely(url.pathname).replace(/\/+$/, '');
  const firstVariable = path.search(/\{/);
  target.basePath = firstVariable === -1 ? path : path.slice(0, path.lastIndexOf('/', firstVariable));
  target.pathPrefix = firstVariable === -1 ? '' : path.slice(target.basePath.length);
  if (target.pathPrefix) {
    messages.warning(
      'server-variables',
      `${pointer}/url`,
      `the server URL's path has variables without a default (${[...target.pathPrefix.matchAll(VARIABLE)].map((m) => `{${m[1]}}`).join(', ')}); every action's path starts with ${target.pathPrefix}, so they are given with each call`,
      'Give the variables defaults in servers[].variables if they are the same for every call.',
    );
  }

  if (hostname !== undefined) {
    if (!Hostname.safeParse(hostname).success) throw new Error(`--hostname "${hostname}" is not a host name such as api.example.com (no scheme, no path)`);
    target.hostname = hostname;
    return target;
  }
  const host = chosen && absolute.includes(chosen) ? url.host : undefined;
  if (host && chosen?.unresolved.length === 0 && Hostname.safeParse(host).success) {
    target.hostname = host;
    if (chosen.defaulted.length > 0) {
      messages.warning(
        'server-template',
        `${pointer}/url`,
        `the server URL is a template; its variables' defaults (${chosen.defaulted.join(', ')}) give the host ${host}`,
        'If your account has its own host (a subdomain, a region), import with --hostname or set hostname (or a configuration\'s hostname).',
      );
    }
    return target;
  }
  target.hostname = PLACEHOLDER_HOSTNAME;
  messages.error(
    'no-host',
    chosen ? `${pointer}/url` : '',
    chosen
      ? `the server URL ${JSON.stringify(chosen.url)} gives no usable host; the placeholder ${PLACEHOLDER_HOSTNAME} is used`
      : `the spec names no server; the placeholder host ${PLACEHOLDER_HOSTNAME} is used`,
    'Import with --hostname HOST (the API host of your account), or set hostname in the definition.',
  );
  return target;
}

/** The URL, relative ones taken on the placeholder host; a URL that does not parse gives the placeholder's root. */
function parseUrl(url: string): URL {
  const base = `https://${PLACEHOLDER_HOSTNAME}`;
  try {
    return new URL(url.replace(/^\/\//, 'https://'), base);
  } catch {
    return new URL(base);
  }
}

function decodeUriSafely(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** The server URL with its variables replaced by their defaults; the variables used and those without a default. */
function expand(server: Json): { url: string; defaulted: string[]; unresolved: string[] } {
  const variables = isObject(server.variables) ? server.variables : {};
  const defaulted: string[] = [];
  const unresolved: string[] = [];
  const raw = typeof server.url === 'string' ? server.url.trim() : '';
  const url = raw.replace(VARIABLE, (whole, name: string) => {
    const variable = variables[name];
    const value = isObject(variable) && (typeof variable.default === 'string' || typeof variable.default === 'number') ? String(variable.default) : undefined;
    if (value === undefined) {
      unresolved.push(name);
      return whole;
    }
    defaulted.push(`${name}=${value}`);
    return value;
  });
  // Variables left in the path are kept as they are (see pathPrefix); only the host must be resolved.
  const hostUnresolved = unresolved.filter((name) => (raw.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '').includes(`{${name}}`));
  return { url, defaulted, unresolved: hostUnresolved };
}
