// HTTP client for service-to-service calls: a timeout on every attempt, bounded jittered
// retries for idempotent calls and a circuit breaker per upstream (both cockatiel's), an
// optional deadline for the whole call, and a service token. Calls go through undici's
// dispatcher with keep-alive connections per upstream (http-exchange.ts), not the global fetch.
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import { Unavailable } from './errors.ts';
import { exchange, keepAliveAgent, type Exchange, type ResponseHeaders } from './http-exchange.ts';
import { currentRequestId } from './request-context.ts';

export interface ClientOptions {
  /** Upstream name, used in errors and logs. */
  name: string;
  baseUrl: string;
  timeoutMs?: number;
  /** Extra attempts for idempotent calls after a network error, timeout, 429, 502, 503 or 504. */
  retries?: number;
  retryBaseMs?: number;
  breaker?: { failureThreshold?: number; openMs?: number };
  /** Supplies a bearer token (service credentials) when a call does not carry its own. */
  token?: () => Promise<string>;
  /** Called when the upstream rejected the token, so the next call fetches a fresh one. */
  onTokenRejected?: () => void;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat; GET, PUT and DELETE are idempotent by default. */
  idempotent?: boolean;
  /** Sent as x-request-id; defaults to the id of the request being served (request-context.ts). */
  requestId?: string;
  /** Bearer token to forward instead of the service token. */
  bearer?: string;
  timeoutMs?: number;
  /**
   * A `performance.now()` instant by which the whole call is over: no attempt is sent after it
   * (checked against the monotonic clock just before each send, so a process that was paused
   * sends nothing late when it wakes) and each attempt's timeout ends at it. For callers that
   * hold a lease on what the call changes and must be done before the lease ends.
   */
  deadline?: number;
}

export type { ResponseHeaders };

export interface ServiceResponse<T = unknown> {
  status: number;
  body: T;
  headers: ResponseHeaders;
}

/** The upstream could not give an answer: unreachable, timed out, circuit open, or a 5xx. */
export class UpstreamUnavailable extends Unavailable {
  readonly upstream: string;
  readonly upstreamStatus: number | undefined;
  constructor(upstream: string, reason: string, status?: number) {
    super(`${upstream} is unavailable: ${reason}`);
    this.upstream = upstream;
    this.upstreamStatus = status;
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export interface ServiceClient {
  request<T = unknown>(call: CallOptions): Promise<ServiceResponse<T>>;
  readonly name: string;
}

/** The caller's deadline came: not the upstream's fault, so neither retried nor held against it. */
class DeadlinePassed extends Error {
  constructor() {
    super('deadline passed');
  }
}

/**
 * No answer at all (refused, reset, timed out): what retries and the breaker react to. Not the
 * caller's deadline, an open circuit, or a service token Auth would not give.
 */
const noAnswer = (err: unknown) =>
  !(err instanceof DeadlinePassed) &&
  !(err instanceof BrokenCircuitError) &&
  !(err instanceof UpstreamUnavailable);
const statusOf = (result: unknown) => (result as ServiceResponse).status;

/**
 * Why an attempt got no answer. A socket error is named by its code: its message names the
 * upstream's address, and the reason can reach a client.
 */
function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timed out';
  return 'syscall' in err ? `no answer (${(err as { code?: string }).code})` : err.message;
}

export function createServiceClient(options: ClientOptions): ServiceClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const agent = keepAliveAgent();
  // Only an unwell upstream opens the circuit: no answer, or a 5xx (a 429 is an answer).
  const breaker = circuitBreaker(
    handleWhen(noAnswer).orWhenResult((result) => statusOf(result) >= 500),
    {
      halfOpenAfter: options.breaker?.openMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breaker?.failureThreshold ?? 5),
    },
  );
  const retrying = retry(
    handleWhen(noAnswer).orWhenResult((result) => RETRYABLE_STATUS.has(statusOf(result))),
    {
      maxAttempts: options.retries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: options.retryBaseMs ?? 100 }),
    },
  );

  async function send<T>(call: CallOptions, bearer: string | undefined): Promise<ServiceResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const requestId = call.requestId ?? currentRequestId();
    if (requestId) headers['x-request-id'] = requestId;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const res = await exchange(agent, new URL(call.path, options.baseUrl), {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      timeoutMs: timeLeft(call, call.timeoutMs ?? timeoutMs),
    });
    let body: unknown = res.text;
    if (res.text && String(res.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(res.text);
      } catch {
        body = res.text;
      }
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  /** One attempt through the breaker; a rejected service token is renewed and sent once more. */
  async function attempt<T>(call: CallOptions): Promise<ServiceResponse<T>> {
    const own = call.bearer === undefined && options.token !== undefined;
    for (let renewed = false; ; renewed = true) {
      // The token is fetched outside the breaker: Auth being slow says nothing of this upstream.
      const bearer = call.bearer ?? (await options.token?.());
      timeLeft(call, 0);
      const res = await breaker.execute(() => send<T>(call, bearer));
      if (res.status !== 401 || !own || renewed) return res;
      options.onTokenRejected?.();
    }
  }

  async function request<T>(call: CallOptions): Promise<ServiceResponse<T>> {
    const idempotent = call.idempotent ?? ['GET', 'PUT', 'DELETE'].includes(call.method);
    // What went wrong last, for the error: a later attempt may be stopped by the deadline.
    let reason = 'no attempt made';
    let status: number | undefined;
    const tracked = async () => {
      try {
        const res = await attempt<T>(call);
        if (res.status >= 500 || res.status === 429) [reason, status] = [`status ${res.status}`, res.status];
        return res;
      } catch (err) {
        if (!(err instanceof DeadlinePassed) && !(err instanceof BrokenCircuitError)) {
          reason = failureReason(err);
        }
        throw err;
      }
    };
    try {
      const res = idempotent ? await retrying.execute(tracked) : await tracked();
      if (res.status < 500 && res.status !== 429) return res;
    } catch (err) {
      if (err instanceof UpstreamUnavailable) throw err;
      if (err instanceof BrokenCircuitError) throw new UpstreamUnavailable(options.name, 'circuit open');
    }
    if (call.deadline !== undefined && performance.now() >= call.deadline) reason += '; deadline passed';
    throw new UpstreamUnavailable(options.name, reason, status);
  }

  return { request, name: options.name };
}

/**
 * The attempt's timeout, cut to what is left before the call's deadline; throws DeadlinePassed
 * when none is left (checked against the monotonic clock just before each send).
 */
function timeLeft(call: CallOptions, timeoutMs: number): number {
  if (call.deadline === undefined) return timeoutMs;
  const left = Math.floor(call.deadline - performance.now());
  if (left <= 0) throw new DeadlinePassed();
  return Math.min(timeoutMs, left);
}

export interface ClientCredentials {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  timeoutMs?: number;
}

/** Fetches and caches a client-credentials access token, renewing it before it expires. */
export function serviceToken(creds: ClientCredentials): {
  get: () => Promise<string>;
  invalidate: () => void;
} {
  let cached: { token: string; renewAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  const agent = keepAliveAgent();
  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
    });
    if (creds.scopes?.length) form.set('scope', creds.scopes.join(' '));
    let res: Exchange;
    try {
      const requestId = currentRequestId();
      res = await exchange(agent, new URL('/auth/token', creds.authUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(requestId ? { 'x-request-id': requestId } : {}),
        },
        body: form.toString(),
        timeoutMs: creds.timeoutMs ?? 5_000,
      });
    } catch (err) {
      throw new UpstreamUnavailable('auth', failureReason(err));
    }
    if (res.status < 200 || res.status > 299) {
      throw new UpstreamUnavailable('auth', `token request failed with ${res.status}`, res.status);
    }
    const body = JSON.parse(res.text) as { access_token: string; expires_in: number };
    cached = { token: body.access_token, renewAt: Date.now() + Math.max(5, body.expires_in - 60) * 1000 };
    return body.access_token;
  }
  return {
    get: async () => {
      if (cached && Date.now() < cached.renewAt) return cached.token;
      inflight ??= fetchToken().finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate: () => {
      cached = null;
    },
  };
}
