// Who is signed in. The access token lives in this module's memory and nowhere else; the refresh
// token is an HttpOnly cookie that no script can read, so a reload signs back in through
// POST /auth/refresh, and signing out asks the server to revoke and clear it.
import { useSyncExternalStore } from 'react';
import { api, ok, sessionApi, setTokenSource } from '../api/client.ts';
import { ApiError, type Problem } from '../api/problem.ts';

export interface User {
  id: string;
  username: string;
  email: string;
  role: 'customer' | 'admin';
}

export type Session = { status: 'starting' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

// Only says that a cookie session may exist, so anonymous visits skip a refresh that would fail.
// It is no credential: the cookie alone signs in.
const SESSION_HINT = 'minishop.has-session';
const REFRESH_BEFORE_EXPIRY_MS = 30_000;

let accessToken: { value: string; expiresAt: number } | null = null;
let session: Session = { status: 'starting' };
const listeners = new Set<() => void>();

function publish(next: Session): void {
  session = next;
  for (const listener of listeners) listener();
}

function decodeClaims(jwt: string): User & { exp: number } {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as {
    sub: string;
    username: string;
    email: string;
    role: User['role'];
    exp: number;
  };
  return {
    id: claims.sub,
    username: claims.username,
    email: claims.email,
    role: claims.role,
    exp: claims.exp,
  };
}

function adopt(token: string): User {
  const { exp, ...user } = decodeClaims(token);
  accessToken = { value: token, expiresAt: exp * 1000 };
  localStorage.setItem(SESSION_HINT, '1');
  publish({ status: 'signed-in', user });
  return user;
}

function forget(): void {
  accessToken = null;
  localStorage.removeItem(SESSION_HINT);
  publish({ status: 'signed-out' });
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh cookie for a new access token; one call at a time. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const { data } = await sessionApi.POST('/auth/refresh', { body: {} });
      if (!data) {
        forget();
        return false;
      }
      adopt(data.access_token);
      return true;
    } catch {
      // Offline: keep what we have; the next request tries again.
      return accessToken !== null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

setTokenSource(async () => {
  if (accessToken && accessToken.expiresAt - Date.now() < REFRESH_BEFORE_EXPIRY_MS) await refresh();
  return accessToken?.value ?? null;
});

/** Called once at start: signs back in through the cookie when there may be one. */
export async function resumeSession(): Promise<void> {
  if (localStorage.getItem(SESSION_HINT)) await refresh();
  else publish({ status: 'signed-out' });
}

export async function signIn(username: string, password: string): Promise<User> {
  const body = await ok(api.POST('/auth/login', { body: { username, password } }));
  return adopt(body.access_token);
}

export async function signOut(): Promise<void> {
  const bearer = accessToken ? { Authorization: `Bearer ${accessToken.value}` } : {};
  const { response, error } = await sessionApi.POST('/auth/logout', { body: {}, headers: bearer });
  // 401: the session had already ended on the server; either way it is over here too.
  if (!response.ok && response.status !== 401) throw new ApiError(response.status, (error ?? {}) as Problem);
  forget();
}

export function currentSession(): Session {
  return session;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  return useSyncExternalStore(onSessionChange, currentSession);
}
