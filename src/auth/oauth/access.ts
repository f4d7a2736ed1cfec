/**
 * How an activity gets the access token of an OAuth 2.0 configuration: from the configuration's token workflow, with
 * the worker's own client (`Context.current().client`), so the token goes from that workflow to this activity and
 * never into the history of the workflow that called the action. The worker keeps each token until it is due for
 * refresh (or nearly expired), and one request at a time per configuration is in flight. The first token is asked
 * for by update-with-start (it starts the workflow and waits for a token); the next ones by query, which writes
 * nothing to history or the database, with the update as the fallback when the query has no usable token.
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { HttpCredentials } from '../credentials';
import type { ResolvedConfiguration } from '../../configurations/source';
import { startTokenWorkflow, type TokenWorkflow } from './start';
import {
  describeKey,
  CURRENT_TOKEN_QUERY,
  GET_TOKEN_UPDATE,
  MISCONFIGURED,
  REAUTHORIZATION_REQUIRED,
  TOKEN_REJECTED_UPDATE,
  TOKEN_UNAVAILABLE,
  tokenWorkflowId,
  type TokenAnswer,
  type TokenWorkflowKey,
} from './model';

/** A token ready to go on a request. */
export interface AccessToken {
  readonly generation: number;
  readonly http: HttpCredentials;
}

type ActiveAnswer = Extract<TokenAnswer, { status: 'active' }>;

interface Cached {
  readonly answer: ActiveAnswer;
  /** Until when this worker puts the token on requests without asking the token workflow again. */
  readonly useUntil: number;
  /** The credentials last built from it, and the configuration credentials they were built from. */
  built?: { readonly base: HttpCredentials; readonly token: AccessToken };
}

/** A token with an unknown expiry is still asked for again now and then, so a re-authorization reaches every worker. */
const MAX_CACHE_MS = 10 * 60_000;

const cache = new Map<string, Cached>();
const inFlight = new Map<string, Promise<Cached>>();

export function tokenWorkflowKey(configuration: ResolvedConfiguration): TokenWorkflowKey {
  return {
    integration: configuration.integration,
    configuration: configuration.name,
    ...(configuration.organization !== undefined && { organization: configuration.organization }),
  };
}

/** The current access token of the configuration, from this worker's cache or its token workflow. */
export async function currentToken(configuration: ResolvedConfiguration): Promise<AccessToken> {
  const context = activityContext();
  const key = tokenWorkflowKey(configuration);
  const cacheKey = `${context.info.workflowNamespace}\0${tokenWorkflowId(key)}`;
  const cached = cache.get(cacheKey);
  if (cached && Date.now() < cached.useUntil) return credentialsOf(cached, configuration);
  const { client } = context;
  // Having had a token, the workflow exists: most likely it has the next token already.
  const fetch = cached
    ? async () => (await queriedToken(client, key)) ?? askTokenWorkflow(client, key, GET_TOKEN_UPDATE, [])
    : () => askTokenWorkflow(client, key, GET_TOKEN_UPDATE, []);
  return credentialsOf(await ask(cacheKey, 'current', fetch), configuration);
}

/**
 * The API answered 401 to `rejected`: a newer token if there is one, else the token workflow refreshes, once for
 * every caller that saw the same token rejected (in this worker and in any other).
 */
export async function replaceRejectedToken(configuration: ResolvedConfiguration, rejected: AccessToken): Promise<AccessToken> {
  const context = activityContext();
  const key = tokenWorkflowKey(configuration);
  const cacheKey = `${context.info.workflowNamespace}\0${tokenWorkflowId(key)}`;
  const cached = cache.get(cacheKey);
  if (cached && cached.answer.generation > rejected.generation && Date.now() < cached.useUntil) return credentialsOf(cached, configuration);
  const entry = await ask(cacheKey, `rejected ${rejected.generation}`, () =>
    askTokenWorkflow(context.client, key, TOKEN_REJECTED_UPDATE, [{ generation: rejected.generation }]),
  );
  return credentialsOf(entry, configuration);
}

function activityContext(): Context {
  try {
    return Context.current();
  } catch {
    throw new Error('OAuth 2.0 configurations are called from activities: their token comes from the token workflow through the worker');
  }
}

function ask(cacheKey: string, what: string, fetch: () => Promise<ActiveAnswer>): Promise<Cached> {
  const flightKey = `${cacheKey}\0${what}`;
  let pending = inFlight.get(flightKey);
  if (!pending) {
    pending = fetch().then((answer) => {
      const entry: Cached = { answer, useUntil: useUntil(answer) };
      const current = cache.get(cacheKey);
      // Answers may arrive out of order; an older token never replaces a newer one.
      if (!current || current.answer.generation <= answer.generation) cache.set(cacheKey, entry);
      return entry;
    });
    inFlight.set(flightKey, pending);
    const forget = () => inFlight.delete(flightKey);
    pending.then(forget, forget);
  }
  return pending;
}

/** The token workflow's current token if it has a usable one; undefined when it has none or cannot answer now. */
async function queriedToken(client: Client, key: TokenWorkflowKey): Promise<ActiveAnswer | undefined> {
  try {
    const answer = await client.workflow.getHandle(tokenWorkflowId(key)).query<TokenAnswer>(CURRENT_TOKEN_QUERY);
    return answer.status === 'active' ? answer : undefined;
  } catch {
    // Not running (terminated, or its worker is away): the update starts it or waits for it.
    return undefined;
  }
}

async function askTokenWorkflow(client: Client, key: TokenWorkflowKey, update: string, args: unknown[]): Promise<ActiveAnswer> {
  const workflowId = tokenWorkflowId(key);
  let answer: TokenAnswer;
  try {
    // The worker that first needs the token starts its workflow on its own task queue, where it also runs.
    answer = await client.workflow.executeUpdateWithStart<TokenWorkflow, TokenAnswer, unknown[]>(update, {
      args,
      startWorkflowOperation: startTokenWorkflow(key, Context.current().info.taskQueue),
    });
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && (cause.type === REAUTHORIZATION_REQUIRED || cause.type === MISCONFIGURED)) {
      throw ApplicationFailure.create({ type: cause.type, message: cause.message, nonRetryable: true });
    }
    throw ApplicationFailure.create({
      type: TOKEN_UNAVAILABLE,
      message:
        `could not get the access token of ${describeKey(key)} from token workflow ${workflowId} (${reasonOf(err)}); this failure is retryable: ` +
        `if this persists, check that a worker polls task queue ${Context.current().info.taskQueue} and look at that workflow in the Web UI`,
    });
  }
  if (answer.status !== 'active') throw ApplicationFailure.create({ type: TOKEN_UNAVAILABLE, message: answer.message });
  return answer;
}

/** Every message down the cause chain: client errors often say little at the top (some say nothing at all). */
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = err; current !== undefined && parts.length < 5; current = current instanceof Error ? current.cause : undefined) {
    const text = current instanceof Error ? current.message || current.name : String(current);
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.join(': ');
}

function useUntil(answer: ActiveAnswer): number {
  const now = Date.now();
  const limit = Math.min(answer.usableUntil ?? Infinity, now + MAX_CACHE_MS);
  // Before its refresh time, a token is used until then; after it (the refresh is under way), until it nearly expires.
  return answer.refreshAt !== undefined && answer.refreshAt > now ? Math.min(answer.refreshAt, limit) : limit;
}

function credentialsOf(entry: Cached, configuration: ResolvedConfiguration): AccessToken {
  const base = configuration.credentials.http;
  if (entry.built?.base === base) return entry.built.token;
  const scheme = configuration.credentials.oauth?.auth.accessTokenScheme ?? 'Bearer';
  const token: AccessToken = {
    generation: entry.answer.generation,
    http: { headers: { ...base.headers, authorization: `${scheme} ${entry.answer.accessToken}` }, query: base.query, cookies: base.cookies },
  };
  entry.built = { base, token };
  return token;
}
