// The simulator's environment as one checked schema: every variable is converted, defaulted and
// validated together, and every problem is reported at once.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description });
const Millis = (defaultMs: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 600_000, default: defaultMs, description });

export const ConfigSchema = Type.Object({
  MINISHOP_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
    description: 'development and test allow the built-in keys; production requires them to be set',
  }),
  HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on (containers use 0.0.0.0)' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8090 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  PROVIDER_SECRET_KEY: Type.String({
    minLength: 1,
    devDefault: 'sk_test_minishop',
    description: 'the secret API key clients send as `Authorization: Bearer <key>`',
  }),
  PROVIDER_WEBHOOK_SECRET: Type.String({
    minLength: 1,
    devDefault: 'whsec_minishop',
    description: 'signing secret of the webhook endpoint (Stripe-Signature header)',
  }),
  PROVIDER_WEBHOOK_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'where events are POSTed; no deliveries when unset' }),
  ),
  PROVIDER_WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 8 }),
  PROVIDER_WEBHOOK_RETRY_BASE_MS: Millis(1000, 'first retry delay; doubles on every failed attempt'),
  PROVIDER_WEBHOOK_TIMEOUT_MS: Millis(10_000, 'how long one delivery may take before it counts as failed'),
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

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Reads the configuration from env; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const production = env.MINISHOP_ENV === 'production';
  const raw: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(ConfigSchema.properties as Record<string, TSchema>)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
    else if (!production && typeof prop.devDefault === 'string') raw[key] = prop.devDefault;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) => {
    const name = e.path.replace(/^\//, '') || '(config)';
    return name in raw
      ? `${name}: ${e.message} (got ${JSON.stringify(e.value)})`
      : `${name} is required but not set`;
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return converted as Config;
}
