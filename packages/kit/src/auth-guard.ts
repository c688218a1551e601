// Request authentication for services: the bearer token is verified (never trusted from a
// header alone) and guards check the caller's role or service scopes before a handler runs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from './errors.ts';
import { TokenRejected, type Role, type TokenVerifier } from './jwt.ts';

export interface Principal {
  id: string;
  role: Role;
  username?: string;
  email?: string;
  scopes: ReadonlySet<string>;
  token: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenVerifier;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function installAuth(app: FastifyInstance, tokens: TokenVerifier): void {
  app.decorate('tokens', tokens);
  app.decorateRequest('principal', null);
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  return match?.[1] ?? null;
}

export async function authenticate(request: FastifyRequest): Promise<Principal> {
  if (request.principal) return request.principal;
  const token = bearerToken(request);
  if (!token) throw new Unauthorized('missing bearer token');
  try {
    const claims = await request.server.tokens.verify(token);
    request.principal = {
      id: claims.sub,
      role: claims.role,
      username: claims.username,
      email: claims.email,
      scopes: new Set((claims.scope ?? '').split(' ').filter(Boolean)),
      token,
    };
    return request.principal;
  } catch (err) {
    if (err instanceof TokenRejected) throw new Unauthorized(`invalid token: ${err.message}`);
    throw err;
  }
}

/**
 * A guard runs as an `onRequest` hook, before the body is read or validated, so that a caller
 * without the right token learns only that (401/403), never what a valid body looks like. The kit
 * refuses a route that runs one in any later hook (see `refuseLateGuards`).
 */
export type Guard = (request: FastifyRequest) => Promise<void>;

const GUARD = Symbol('minishop.guard');

/** Marks a check as a guard, so the kit can make sure it only ever runs in `onRequest`. */
export function guard(check: Guard): Guard {
  return Object.assign(check, { [GUARD]: true });
}

/** Any signed-in user (customer or admin). */
export const requireUser: Guard = guard(async (request) => {
  const principal = await authenticate(request);
  if (principal.role === 'service') throw new Forbidden('a user token is required');
});

export const requireAdmin: Guard = guard(async (request) => {
  const principal = await authenticate(request);
  if (principal.role !== 'admin') throw new Forbidden('admin role required');
});

/** A service token holding the scope; admins too when allowAdmin is set. */
export function requireScope(scope: string, options: { allowAdmin?: boolean } = {}): Guard {
  return guard(async (request) => {
    const principal = await authenticate(request);
    if (principal.role === 'service' && principal.scopes.has(scope)) return;
    if (options.allowAdmin && principal.role === 'admin') return;
    throw new Forbidden(`scope ${scope} required`);
  });
}

const LATE_HOOKS = ['preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend'] as const;

/**
 * Makes a route that runs a guard after `onRequest` fail at start, naming the route: in a later
 * hook the body would already be read and validated, and a caller without the right token would
 * learn what a valid body looks like.
 */
export function refuseLateGuards(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    for (const hook of LATE_HOOKS) {
      const fns = [route[hook] ?? []].flat() as unknown[];
      if (fns.some((fn) => typeof fn === 'function' && GUARD in fn)) {
        throw new Error(`${route.method} ${route.url}: a guard runs in ${hook}; guards belong in onRequest`);
      }
    }
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}
