// The typed API client, generated from the public OpenAPI snapshot (src/api/openapi.json): an API
// change that the pages do not follow fails the type check. Every request says it comes from the
// web app (cookie sessions) and carries the in-memory access token when there is one.
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, type Problem } from './problem.ts';
import type { paths } from './schema.d.ts';

export const WEB_CLIENT_HEADER = { 'X-Minishop-Client': 'web' } as const;

/** Gives the current access token, refreshing it first when it is about to expire. */
type TokenSource = () => Promise<string | null>;
let tokenSource: TokenSource = async () => null;

export function setTokenSource(source: TokenSource): void {
  tokenSource = source;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokenSource();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

const options = {
  baseUrl: location.origin,
  // Looked up at each call, so that whatever fetch the page has at that moment is the one used.
  fetch: (request: Request) => globalThis.fetch(request),
  headers: WEB_CLIENT_HEADER,
  credentials: 'same-origin',
} as const;

export const api = createClient<paths>(options);
api.use(auth);

/** The session's own calls (refresh, logout): the cookie is their credential, not the token source. */
export const sessionApi = createClient<paths>(options);

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's body, or an ApiError carrying its problem+json. */
export async function ok<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ApiError(response.status, (error ?? {}) as Problem);
}

/** The total from X-Total-Count alongside the page of items. */
export async function page<T>(call: Promise<Outcome<T[]>>): Promise<{ items: T[]; total: number }> {
  const outcome = await call;
  const items = await ok(Promise.resolve(outcome));
  const total = Number(outcome.response.headers.get('x-total-count') ?? items.length);
  return { items, total };
}
