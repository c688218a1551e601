// The mail sink's environment as one checked schema: every variable is converted, defaulted and
// validated together, and every problem is reported at once.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Port = (defaultPort: number) => Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort });

export const ConfigSchema = Type.Object({
  MINISHOP_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({
    default: '127.0.0.1',
    description: 'interface both servers listen on (containers use 0.0.0.0)',
  }),
  SMTP_PORT: Port(1025),
  HTTP_PORT: Port(8025),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  MAX_MESSAGES: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 5000,
    description: 'the newest are kept',
  }),
  MAX_MESSAGE_BYTES: Type.Integer({
    minimum: 1024,
    default: 10 * 1024 * 1024,
    description: 'larger mail is refused',
  }),
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
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) => {
    const name = e.path.replace(/^\//, '') || '(config)';
    return `${name}: ${e.message} (got ${JSON.stringify(e.value)})`;
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return converted as Config;
}
