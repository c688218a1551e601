// The Notifications service's environment as one checked schema (property names are the env vars).
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, Port } from '@minishop/kit/config';
import { CrashPointConfig } from '@minishop/kit/crash-point';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8087, { database: 'notifications', tokens: true }),
  SMTP_HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'mail server host' }),
  SMTP_PORT: Port(1025),
  SMTP_SECURE: Type.Boolean({
    default: false,
    description: 'TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it',
  }),
  SMTP_USER: Type.Optional(Type.String({ minLength: 1, description: 'SMTP AUTH user; no AUTH when unset' })),
  SMTP_PASSWORD: Type.Optional(Type.String({ minLength: 1, description: 'SMTP AUTH password' })),
  SMTP_FROM: Type.String({
    minLength: 3,
    default: 'Minishop <no-reply@minishop.local>',
    description: 'the From of every email',
  }),
  SMTP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 10_000,
    description: 'connection, greeting and socket timeout of the SMTP client',
  }),
  PUBLIC_URL: Type.String({
    pattern: '^https?://[^\\s<>"]+$',
    default: 'http://127.0.0.1:8080',
    description: 'the shop as customers reach it (the gateway); links in emails start with it',
  }),
  DELIVERY_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'sending attempts before an email is marked failed',
  }),
  DELIVERY_POLL_INTERVAL_MS: Type.Integer({
    minimum: 10,
    maximum: 600_000,
    default: 1_000,
    description: 'how often the delivery worker looks for due emails (new ones are sent at once)',
  }),
  DELIVERY_BACKOFF_BASE_MS: Type.Integer({
    minimum: 10,
    maximum: 3_600_000,
    default: 2_000,
    description: 'wait before the first retry; doubles with every failed attempt (with jitter)',
  }),
  DELIVERY_BACKOFF_MAX_MS: Type.Integer({
    minimum: 10,
    maximum: 86_400_000,
    default: 900_000,
    description: 'longest wait between two attempts',
  }),
  DELIVERY_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 1_000,
    default: 16,
    description: 'emails being sent at once, at most (they share the SMTP connections)',
  }),
  SMTP_MAX_CONNECTIONS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 4,
    description: 'SMTP connections kept open to the mail server',
  }),
  ...CrashPointConfig(['smtp-send']),
});
export type Config = Static<typeof ConfigSchema>;
