// Session routes: login (JSON or OAuth2 password form), refresh with rotation, logout.
import type { App } from '@minishop/kit/http';
import { Problem } from '@minishop/kit/schemas';
import { principalOf, requireUser } from '@minishop/kit/auth-guard';
import { login, logout, refresh } from '../domain/sessions.ts';
import type { AuthContext } from '../domain/context.ts';
import type { ClientIp } from '../client-ip.ts';
import { AccessTokenResponse, LoginBody, LogoutBody, RefreshBody } from './auth.schemas.ts';

export function sessionRoutes(app: App, ctx: AuthContext, clientIp: ClientIp): void {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username or email (JSON or application/x-www-form-urlencoded)',
        body: LoginBody,
        response: { 200: AccessTokenResponse, 400: Problem, 401: Problem, 422: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const tokens = await login(ctx, { username, password, ip: clientIp(request) });
      return reply.header('cache-control', 'no-store').send(tokens);
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
        body: RefreshBody,
        response: { 200: AccessTokenResponse, 400: Problem, 401: Problem, 422: Problem },
      },
    },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(await refresh(ctx, request.body.refresh_token)),
  );

  app.post(
    '/auth/logout',
    {
      // Checked before the body is read, so an anonymous caller always gets 401.
      onRequest: requireUser,
      // The body is optional: a bare POST is validated as an empty object.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign out; with a refresh token, that session can no longer be refreshed',
        security: [{ bearer: [] }],
        body: LogoutBody,
        response: { 204: { type: 'null' }, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      await logout(ctx, principalOf(request).id, request.body?.refresh_token);
      return reply.code(204).send();
    },
  );
}
