// Session routes: login (JSON or OAuth2 password form), refresh with rotation, logout. API
// clients hold their refresh token and send it in the body; the web app's lives in a cookie.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '@minishop/kit/http';
import { Problem } from '@minishop/kit/schemas';
import { principalOf, requireUser } from '@minishop/kit/auth-guard';
import { Unauthorized, ValidationFailed } from '@minishop/kit/errors';
import { login, logout, refresh, type AccessToken } from '../domain/sessions.ts';
import type { AuthContext } from '../domain/context.ts';
import { AccessTokenResponse, LoginBody, LogoutBody, RefreshBody, WebClientHeaders } from './auth.schemas.ts';
import {
  clearRefreshCookies,
  isWebClient,
  refreshCookie,
  requireSameOrigin,
  setRefreshCookies,
} from './browser-session.ts';

/** The web app gets its refresh token as a cookie and never sees it in a body. */
function sendTokens(ctx: AuthContext, request: FastifyRequest, reply: FastifyReply, tokens: AccessToken) {
  reply.header('cache-control', 'no-store');
  if (!isWebClient(request)) return reply.send(tokens);
  const { refresh_token, ...rest } = tokens;
  setRefreshCookies(reply, refresh_token, ctx.refreshTtlSeconds);
  return reply.send(rest);
}

export function sessionRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/auth/login',
    {
      onRequest: requireSameOrigin,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username or email (JSON or application/x-www-form-urlencoded)',
        headers: WebClientHeaders,
        body: LoginBody,
        response: {
          200: AccessTokenResponse,
          400: Problem,
          401: Problem,
          403: Problem,
          422: Problem,
          429: Problem,
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const tokens = await login(ctx, { username, password, ip: request.ip });
      return sendTokens(ctx, request, reply, tokens);
    },
  );

  app.post(
    '/auth/refresh',
    {
      onRequest: requireSameOrigin,
      // The web app sends no body at all: validated as an empty object.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
        headers: WebClientHeaders,
        body: RefreshBody,
        response: { 200: AccessTokenResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const given = request.body?.refresh_token;
      if (given !== undefined)
        return reply.header('cache-control', 'no-store').send(await refresh(ctx, given));
      if (!isWebClient(request)) {
        throw new ValidationFailed('request body is invalid', [
          { field: 'body.refresh_token', message: "must have required property 'refresh_token'" },
        ]);
      }
      const cookie = refreshCookie(request);
      try {
        if (cookie === undefined) throw new Unauthorized('no browser session: sign in');
        return sendTokens(ctx, request, reply, await refresh(ctx, cookie));
      } catch (err) {
        // A cookie that no longer works is dropped, so the browser stops sending it.
        if (err instanceof Unauthorized) clearRefreshCookies(reply);
        throw err;
      }
    },
  );

  app.post(
    '/auth/logout',
    {
      // Checked before the body is read, so an anonymous caller always gets 401.
      onRequest: [requireUser, requireSameOrigin],
      // The body is optional: a bare POST is validated as an empty object.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign out; with a refresh token (or the web app’s cookie), that session ends',
        security: [{ bearer: [] }],
        headers: WebClientHeaders,
        body: LogoutBody,
        response: { 204: { type: 'null' }, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const given = request.body?.refresh_token;
      const web = given === undefined && isWebClient(request);
      await logout(ctx, principalOf(request).id, web ? refreshCookie(request) : given);
      if (web) clearRefreshCookies(reply);
      return reply.code(204).send();
    },
  );
}
