// Account routes: register, the signed-in user's profile and email verification.
import type { App } from '@minishop/kit/http';
import { Problem } from '@minishop/kit/schemas';
import { principalOf, requireUser } from '@minishop/kit/auth-guard';
import { currentUser, register, verificationPagePath, verifyEmail } from '../domain/accounts.ts';
import type { AuthContext } from '../domain/context.ts';
import { RegisterBody, UserResponse, VerifyEmailBody, VerifyEmailQuery } from './auth.schemas.ts';
import type { User } from '../data/users.repository.ts';

function userResponse(user: User) {
  return { ...user, created_at: user.created_at.toISOString() };
}

export function accountRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account',
        body: RegisterBody,
        response: { 201: UserResponse, 400: Problem, 409: Problem, 422: Problem },
      },
    },
    async (request, reply) => reply.code(201).send(userResponse(await register(ctx, request.body))),
  );

  app.get(
    '/auth/me',
    {
      onRequest: requireUser,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: [{ bearer: [] }],
        response: { 200: UserResponse, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => userResponse(await currentUser(ctx, principalOf(request).id)),
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with the token from the verification email',
        description:
          'The email links to the web app’s /verify-email page, which posts the token here when the person confirms.',
        body: VerifyEmailBody,
        response: { 200: UserResponse, 400: Problem, 422: Problem },
      },
    },
    async (request) => userResponse(await verifyEmail(ctx, request.body.token)),
  );

  // Mail scanners and link previews open every link in an email, so opening one must change
  // nothing. Links from before the web page existed lead to it, where the person confirms.
  app.get(
    '/auth/verify-email',
    {
      schema: {
        tags: ['auth'],
        summary: 'Older verification links: lead to the web app’s confirmation page; verify nothing',
        querystring: VerifyEmailQuery,
        response: { 303: { type: 'null' }, 400: Problem, 422: Problem },
      },
    },
    async (request, reply) =>
      reply
        .code(303)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('location', verificationPagePath(request.query.token))
        .send(),
  );
}
