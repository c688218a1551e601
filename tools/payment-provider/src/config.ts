// The simulator's environment as one checked schema: every variable is converted, defaulted and
// validated together, and every problem is reported at once.
import { Type, type Static } from '@sinclair/typebox';
import { BaseConfig, Port, Secret, loadConfig as loadChecked } from '@minishop/kit/config';

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description });
const Millis = (defaultMs: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 600_000, default: defaultMs, description });

export const ConfigSchema = Type.Object({
  ...BaseConfig,
  PORT: Port(8090),
  PROVIDER_SECRET_KEY: Secret(
    'sk_test_minishop',
    'the secret API key clients send as `Authorization: Bearer <key>`',
  ),
  PROVIDER_WEBHOOK_SECRET: Secret(
    'whsec_minishop',
    'signing secret of the webhook endpoint (Stripe-Signature header)',
  ),
  PROVIDER_WEBHOOK_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'where events are POSTed; no deliveries when unset' }),
  ),
  PROVIDER_WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 8 }),
  PROVIDER_WEBHOOK_RETRY_BASE_MS: Millis(1000, 'first retry delay; doubles on every failed attempt'),
  PROVIDER_WEBHOOK_TIMEOUT_MS: Millis(10_000, 'how long one delivery may take before it counts as failed'),
  PROVIDER_STATE_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'journal of the ledger, answered idempotency keys and undelivered events; memory only when unset',
    }),
  ),
  PROVIDER_IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 1, default: 86_400 }),
  PROVIDER_LATENCY_MS: Millis(0, 'fault: added to every API request before it is processed'),
  PROVIDER_ERROR_RATE: Rate('fault: share of API requests answered 500 before anything is charged'),
  PROVIDER_DROP_AFTER_CHARGE_RATE: Rate(
    'fault: share of successful charge responses whose connection is cut',
  ),
  PROVIDER_WEBHOOK_DUPLICATE_RATE: Rate('fault: share of events delivered twice'),
  PROVIDER_WEBHOOK_DELAY_MS: Millis(0, 'fault: delay before an event is first delivered'),
});

export type Config = Static<typeof ConfigSchema>;

/** Reads the configuration from env; throws the kit's ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadChecked(ConfigSchema, env);
}
