// Sends the email verification link through Notifications (POST /notify) with a service token
// that Auth signs for itself. Best effort: a failed delivery is logged and never fails a registration.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { createServiceClient } from '@minishop/kit/service-client';
import type { VerificationMailer } from './domain/context.ts';
import { verificationPagePath } from './domain/accounts.ts';
import type { SigningKeys } from './domain/signing-keys.ts';
import { serviceAccessToken, type TokenSettings } from './domain/tokens.ts';

export function notificationsMailer(
  notificationsUrl: string | undefined,
  keys: SigningKeys,
  settings: TokenSettings,
  log: FastifyBaseLogger,
): VerificationMailer {
  if (!notificationsUrl) {
    return {
      sendVerification: async (user) => {
        log.info({ user_id: user.id }, 'verification email not sent: NOTIFICATIONS_URL is not set');
      },
    };
  }
  const client = createServiceClient({
    name: 'notifications',
    baseUrl: notificationsUrl,
    timeoutMs: 3_000,
    retries: 2,
    token: async () => serviceAccessToken(keys, settings, 'auth', ['notify:send']),
  });
  return {
    async sendVerification(user, token) {
      try {
        const res = await client.request({
          method: 'POST',
          path: '/notify',
          // A fresh event id per email; the same id on retries lets Notifications deliver it once.
          idempotent: true,
          body: {
            event_id: randomUUID(),
            type: 'EmailVerification',
            to: user.email,
            data: {
              username: user.username,
              verification_token: token,
              // Notifications puts the shop's public address (PUBLIC_URL) in front of it.
              verification_path: verificationPagePath(token),
            },
          },
        });
        if (res.status >= 400)
          log.warn({ user_id: user.id, status: res.status }, 'verification email refused');
      } catch (err) {
        log.warn({ user_id: user.id, err }, 'verification email not delivered');
      }
    },
  };
}
