/**
 * The token workflow: one per OAuth 2.0 configuration (workflow id from organization, integration, configuration),
 * the only place its tokens live and the only caller of its token endpoint, so refreshes never race and a rotated
 * refresh token is never lost or used twice.
 *
 * - A durable timer wakes it at the refresh time (expiry - buffer, or the custom interval); one refresh at a time,
 *   in the main loop. The token activity answers with the whole new token set, which replaces the old in one step.
 * - Action activities ask it by update (get-token); an API's 401 asks for a refresh by the generation of the token
 *   it rejected (token-rejected), so any number of concurrent 401s for one token cause one refresh.
 * - invalid_grant / invalid_client put it in "reauthorization required" (search attribute CustomIntegrationAuthState);
 *   updates are then refused with the command that fixes it, `custom-integrations authorize`, which sends the
 *   authorize update.
 * - Token endpoint outages are retried by the activity with jittered exponential backoff; refresh times are jittered
 *   too, so configurations that got their tokens together do not all refresh together.
 * - It continues as new long before its history grows large, carrying the token set.
 *
 * Tokens are in this workflow's history (activity results, update results, continue-as-new arguments): the payload
 * codec encrypts them. Bundle-safe: no Node modules.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  AUTHORIZE_UPDATE,
  CURRENT_TOKEN_QUERY,
  authorizeCommand,
  describeKey,
  GET_TOKEN_UPDATE,
  MISCONFIGURED,
  REAUTHORIZATION_REQUIRED,
  refreshDueAt,
  TOKEN_ACTIVITY,
  TOKEN_REJECTED_UPDATE,
  TOKEN_STATUS_QUERY,
  TOKEN_UNAVAILABLE,
  usableUntil,
  type AuthorizeResult,
  type Authorization,
  type AuthState,
  type RefreshPolicy,
  type TokenAnswer,
  type TokenGrant,
  type TokenRequest,
  type TokenSet,
  type TokenStatus,
  type TokenWorkflowKey,
} from '../src/auth/oauth/model';
import { AUTH_STATE } from '../src/temporal/search-attributes';

/** What one run hands to the next. */
export interface TokenWorkflowState {
  readonly tokens?: TokenSet;
  readonly refresh?: RefreshPolicy;
  /** The refresh time chosen for `tokens`, jitter included. */
  readonly refreshAt?: number;
  readonly generation: number;
  readonly refreshes: number;
  readonly status: AuthState;
  readonly problem?: string;
}

export const getTokenUpdate = defineUpdate<TokenAnswer>(GET_TOKEN_UPDATE);
export const tokenRejectedUpdate = defineUpdate<TokenAnswer, [{ generation: number }]>(TOKEN_REJECTED_UPDATE);
export const authorizeUpdate = defineUpdate<AuthorizeResult, [Authorization]>(AUTHORIZE_UPDATE);
export const tokenStatusQuery = defineQuery<TokenStatus>(TOKEN_STATUS_QUERY);
export const currentTokenQuery = defineQuery<TokenAnswer>(CURRENT_TOKEN_QUERY);

/** How long a caller waits for a usable token before it is told to retry (its activity retries then). */
const HANDLER_WAIT = '30 seconds';
/**
 * A run continues as new after this many events (an update costs about 5, a refresh about 8): not for Temporal's
 * 10,240-event limit but for the worker's memory, where a cached run costs more the longer its history. `npm run
 * bench:oauth` with 300 configurations: at 2,000 the worker's RSS grew for the whole hour (684 -> 1,405 MB, runs not
 * yet at their end); at 200 it levelled off at 620-880 MB within 8 minutes.
 */
export const EVENTS_PER_RUN = 200;
/** Runs started before EVENTS_PER_RUN was lowered keep the length they had, so that their replay stays deterministic. */
const SHORTER_RUNS_PATCH = 'token-workflow-runs-of-200-events';
const EVENTS_PER_RUN_BEFORE = 2_000;
/** Jitter: up to this share of the time between obtaining a token and refreshing it, and at most a minute. */
const JITTER_SHARE = 0.1;
const MAX_JITTER_MS = 60_000;

type RequestTokens = (request: TokenRequest) => Promise<TokenGrant>;
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
/**
 * Token requests are local activities. Action activities wait (in their activity slots) for this workflow's answer:
 * as ordinary activities on the same task queue, token requests queued behind them, so as many first calls as a
 * worker has activity slots (100 by default) starved the requests they waited for until their wait ran out.
 * Refreshes retry until the endpoint is back (the activity adds jitter to each delay; past a minute of retries the
 * SDK waits on a durable timer); failures that need a person do not retry.
 */
const refreshActivity = proxyLocalActivities<Record<string, RequestTokens>>({ startToCloseTimeout: '1 minute', retry, summary: 'token endpoint' })[
  TOKEN_ACTIVITY
] as RequestTokens;
/** An authorization code is short-lived and single-use: a few attempts, then the person authorizes again. */
const codeActivity = proxyLocalActivities<Record<string, RequestTokens>>({
  startToCloseTimeout: '1 minute',
  retry: { ...retry, maximumAttempts: 3 },
  summary: 'authorization code exchange',
})[TOKEN_ACTIVITY] as RequestTokens;

const START: TokenWorkflowState = { generation: 0, refreshes: 0, status: 'active' };

export async function oauthToken(key: TokenWorkflowKey, carried: TokenWorkflowState = START): Promise<void> {
  let state: TokenWorkflowState = carried;
  const eventsPerRun = patched(SHORTER_RUNS_PATCH) ? EVENTS_PER_RUN : EVENTS_PER_RUN_BEFORE;
  /**
   * The generation a caller asked to replace. A request made while that refresh is under way names the same
   * generation, so it is answered by that refresh instead of causing another.
   */
  let replace: number | undefined;
  const refreshWanted = () => replace === state.generation;
  const queued: { ticket: number; authorization: Authorization }[] = [];
  const results = new Map<number, AuthorizeResult>();
  let tickets = 0;

  const usable = () => state.tokens !== undefined && Date.now() < usableUntil(state.tokens);
  const answer = (): TokenAnswer => {
    if (state.status === 'active' && state.tokens && usable()) {
      return {
        status: 'active',
        accessToken: state.tokens.accessToken,
        generation: state.generation,
        ...(state.tokens.expiresAt !== undefined && { expiresAt: state.tokens.expiresAt, usableUntil: usableUntil(state.tokens) }),
        ...(state.refreshAt !== undefined && { refreshAt: state.refreshAt }),
      };
    }
    const message =
      state.status === 'active'
        ? `no valid access token for ${describeKey(key)} yet: the token workflow ${workflowInfo().workflowId} is still getting one (is the token endpoint down? see the workflow in the Web UI)`
        : (state.problem ?? state.status);
    return { status: 'unavailable', message };
  };
  /** Refused updates leave no trace in history, so callers of a configuration awaiting re-authorization cost nothing. */
  const refuseUnlessActive = () => {
    if (state.status !== 'active') {
      throw ApplicationFailure.create({
        type: state.status === 'reauthorization_required' ? REAUTHORIZATION_REQUIRED : MISCONFIGURED,
        message: state.problem ?? state.status,
        nonRetryable: true,
      });
    }
  };

  setHandler(
    getTokenUpdate,
    async () => {
      if (!usable()) {
        if (state.tokens !== undefined) replace = state.generation;
        await condition(() => usable() || state.status !== 'active', HANDLER_WAIT);
      }
      return answer();
    },
    { validator: refuseUnlessActive },
  );
  setHandler(
    tokenRejectedUpdate,
    async ({ generation }) => {
      // A token older than the current one was rejected: the refresh it asks for has already happened.
      if (generation === state.generation) {
        replace = generation;
        await condition(() => state.generation !== generation || state.status !== 'active', HANDLER_WAIT);
      }
      return answer();
    },
    { validator: (_rejected: { generation: number }) => refuseUnlessActive() },
  );
  setHandler(authorizeUpdate, async (authorization) => {
    const ticket = ++tickets;
    queued.push({ ticket, authorization });
    await condition(() => results.has(ticket));
    const result = results.get(ticket) as AuthorizeResult;
    results.delete(ticket);
    return result;
  });
  setHandler(currentTokenQuery, answer);
  setHandler(tokenStatusQuery, () => ({
    status: state.status,
    generation: state.generation,
    refreshes: state.refreshes,
    hasRefreshToken: state.tokens?.refreshToken !== undefined,
    ...(state.tokens?.expiresAt !== undefined && { expiresAt: state.tokens.expiresAt }),
    ...(state.refreshAt !== undefined && { refreshAt: state.refreshAt }),
    ...(state.problem !== undefined && { problem: state.problem }),
  }));

  /** Asks the token activity, and moves to the state its answer calls for. */
  const obtain = async (request: TokenRequest): Promise<AuthorizeResult> => {
    try {
      const grant = await (request.kind === 'code' ? codeActivity : refreshActivity)(request);
      const { tokens } = grant;
      const due = refreshDueAt(tokens, grant.refresh);
      state = {
        tokens,
        refresh: grant.refresh,
        ...(due !== undefined && { refreshAt: due - Math.min((due - tokens.obtainedAt) * JITTER_SHARE, MAX_JITTER_MS) * Math.random() }),
        generation: state.generation + 1,
        refreshes: state.refreshes + (request.kind === 'refresh' ? 1 : 0),
        status: 'active',
      };
      show();
      return { authorized: true, status: 'active', ...(tokens.expiresAt !== undefined && { expiresAt: tokens.expiresAt }), ...(tokens.scope && { scope: tokens.scope }) };
    } catch (err) {
      // A local activity's failure arrives as the activity's ApplicationFailure itself, an activity's wrapped in ActivityFailure.
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const failure = cause instanceof ApplicationFailure ? cause : undefined;
      const reason = failure?.message ?? (err instanceof Error ? err.message : String(err));
      // An endpoint that could not be reached changes nothing: the refresh retries, the person tries again.
      if (failure?.type === TOKEN_UNAVAILABLE) return { authorized: false, status: state.status, message: reason };
      const status: AuthState = failure?.type === REAUTHORIZATION_REQUIRED ? 'reauthorization_required' : 'misconfigured';
      const fix =
        status === 'reauthorization_required'
          ? `${describeKey(key)} needs re-authorization: ${reason}. Run: ${authorizeCommand(key)}`
          : `${describeKey(key)} cannot get OAuth tokens: ${reason}. Fix the definition or configuration, restart the worker, then run: ${authorizeCommand(key)}`;
      state = { ...state, status, problem: fix };
      show();
      return { authorized: false, status, message: fix };
    }
  };

  /** The search attribute (plaintext: a state, never a token) and the Web UI's current details. */
  const show = () => {
    if (workflowInfo().typedSearchAttributes.get(AUTH_STATE) !== state.status) upsertSearchAttributes([{ key: AUTH_STATE, value: state.status }]);
    const when = (ms: number | undefined) => (ms === undefined ? 'unknown' : new Date(ms).toISOString());
    setCurrentDetails(
      state.status === 'active'
        ? `**${describeKey(key)}**: token ${state.generation}, expires ${when(state.tokens?.expiresAt)}, refresh at ${when(state.refreshAt)}; ${state.refreshes} refreshes`
        : `**${describeKey(key)}**: ${state.status}. ${state.problem ?? ''}`,
    );
  };
  show();

  const runIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > eventsPerRun;

  for (;;) {
    const next = queued.shift();
    if (next) {
      const { authorization } = next;
      results.set(next.ticket, await obtain(authorization.kind === 'code' ? { kind: 'code', key, code: authorization.code } : { kind: 'initial', key }));
      continue;
    }
    if (runIsLong() && !refreshWanted()) {
      // A caller waiting for a refresh is served first: its handler would otherwise hold the run open for nothing.
      await condition(() => allHandlersFinished() || refreshWanted() || queued.length > 0);
      if (allHandlersFinished() && queued.length === 0 && !refreshWanted()) await continueAsNew<typeof oauthToken>(key, state);
      continue;
    }
    if (state.status !== 'active') {
      await condition(() => queued.length > 0 || runIsLong());
      continue;
    }
    if (!state.tokens) {
      await obtain({ kind: 'initial', key });
      continue;
    }
    const due = state.refreshAt;
    if (!refreshWanted()) {
      const wake = () => refreshWanted() || queued.length > 0 || runIsLong();
      if (due === undefined) await condition(wake);
      else if (due > Date.now()) await condition(wake, due - Date.now());
      if (!refreshWanted() && (due === undefined || Date.now() < due)) continue;
    }
    await obtain({ kind: 'refresh', key, ...(state.tokens.refreshToken !== undefined && { refreshToken: state.tokens.refreshToken }) });
  }
}
