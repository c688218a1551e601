// Key and service-token routes: the JWKS every service verifies with, and client-credentials tokens.
import type { Static } from '@sinclair/typebox';
import type { App } from '@minishop/kit/http';
import { Problem } from '@minishop/kit/schemas';
import { clientCredentialsToken } from '../domain/service-clients.ts';
import type { AuthContext } from '../domain/context.ts';
import { ClientCredentialsBody, Jwks, ServiceTokenResponse } from './auth.schemas.ts';
import { internalOperation } from '@minishop/kit/internal-route';

export function tokenRoutes(app: App, ctx: AuthContext): void {
  app.get(
    '/auth/.well-known/jwks.json',
    { schema: { tags: ['auth'], summary: 'Public keys that verify access tokens', response: { 200: Jwks } } },
    async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=60')
        .send({ keys: (await ctx.keys.published()) as Static<typeof Jwks>['keys'] }),
  );

  app.post(
    '/auth/token',
    {
      schema: internalOperation({
        tags: ['auth'],
        summary: 'Client-credentials token for a service (JSON or form encoded)',
        body: ClientCredentialsBody,
        response: { 200: ServiceTokenResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      }),
    },
    async (request, reply) => {
      const { client_id, client_secret, scope } = request.body;
      const token = clientCredentialsToken(ctx, { clientId: client_id, clientSecret: client_secret, scope });
      return reply.header('cache-control', 'no-store').send(token);
    },
  );
}
