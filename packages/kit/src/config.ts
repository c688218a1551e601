// Configuration as one checked schema per service: environment variables are converted,
// defaulted and validated together, and every problem is reported at once.
import {
  FormatRegistry,
  Type,
  type Static,
  type StringOptions,
  type TObject,
  type TProperties,
  type TSchema,
} from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

// TypeBox checks formats only once they are registered; config uses these.
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value));
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => /^[^\s@]+@[^\s@]+$/.test(value));

export const Environment = Type.Union(
  [Type.Literal('development'), Type.Literal('test'), Type.Literal('production')],
  { default: 'development', description: 'development and test allow built-in secrets; production does not' },
);

/** A value that has a default everywhere except production, where it must be given. */
export function Secret(devDefault: string, description: string, options: StringOptions = {}) {
  return Type.String({ minLength: 1, ...options, description, devDefault });
}

/** The base URL of another service, by default where the launcher runs it on this machine. */
export function ServiceUrl(port: number, description: string) {
  return Type.String({
    format: 'uri',
    pattern: '^https?://',
    default: `http://127.0.0.1:${port}`,
    description,
  });
}

/** Variables every service reads. */
export const BaseConfig = {
  MINISHOP_ENV: Environment,
  HOST: Type.String({ default: '127.0.0.1', description: 'interface to listen on (containers use 0.0.0.0)' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({
      format: 'uri',
      description: 'OTLP/HTTP collector base URL (spans go to <url>/v1/traces); unset turns tracing off',
    }),
  ),
  OTEL_SERVICE_NAME: Type.Optional(
    Type.String({ minLength: 1, description: 'service name on the spans (default: the service)' }),
  ),
  OTEL_TRACES_SAMPLER_ARG: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 1,
      description: "share of new traces recorded (default 1); a caller's decision is always followed",
    }),
  ),
} satisfies TProperties;

/** What a service needs besides its own settings. */
export interface ServiceNeeds {
  /** Its database (DATABASE_URL), named after the service. */
  database?: string;
  /** It verifies tokens issued by Auth (TokenConfig). */
  tokens?: boolean;
  /** It calls others with a client-credentials token; the client id's default. */
  client?: string;
  /** It keeps a Redis client (RedisConfig): what it keeps there, for the variable's description. */
  redis?: string;
}

type NeedsProperties<N extends ServiceNeeds> = (N['database'] extends string
  ? { DATABASE_URL: ReturnType<typeof DatabaseUrl> }
  : unknown) &
  (N['tokens'] extends true ? typeof TokenConfig : unknown) &
  (N['client'] extends string ? typeof ServiceClientConfig : unknown) &
  (N['redis'] extends string ? ReturnType<typeof RedisConfig> : unknown);

/**
 * What a service reads before its own settings: BaseConfig, its two ports and, as it needs them,
 * its database, Auth's tokens, its client credentials and its Redis.
 */
export function ServiceConfig<const N extends ServiceNeeds = ServiceNeeds>(
  port: number,
  needs?: N,
): ReturnType<typeof ServicePorts> & typeof BaseConfig & NeedsProperties<N> {
  return {
    ...BaseConfig,
    ...ServicePorts(port),
    ...(needs?.database ? { DATABASE_URL: DatabaseUrl(needs.database) } : {}),
    ...(needs?.tokens ? TokenConfig : {}),
    ...(needs?.client
      ? {
          ...ServiceClientConfig,
          SERVICE_CLIENT_ID: Type.String({
            minLength: 1,
            default: needs.client,
            description: 'client id registered in Auth',
          }),
        }
      : {}),
    ...(needs?.redis ? RedisConfig(needs.redis) : {}),
  } as ReturnType<typeof ServicePorts> & typeof BaseConfig & NeedsProperties<N>;
}

/**
 * The PostgreSQL URL of a service that has a database. Like every secret (it usually holds a
 * password) it must be given in production; elsewhere it defaults to a local server's database
 * named after the service.
 */
export function DatabaseUrl(service: string) {
  return Secret(`postgres://postgres@127.0.0.1:5432/${service}`, `PostgreSQL URL of the ${service} database`);
}

/**
 * The Redis of a service that keeps a Redis client. REDIS_URL may hold a password, so like every
 * secret it must be given in production and defaults to a local server elsewhere. With
 * REDIS_SENTINELS set, the client asks the Sentinels for the current primary of
 * REDIS_SENTINEL_MASTER (and follows a failover); REDIS_URL then gives only the user, password and
 * database.
 */
export function RedisConfig(purpose: string) {
  return {
    REDIS_URL: Secret('redis://127.0.0.1:6379', `Redis URL (${purpose})`, { pattern: '^rediss?://' }),
    ...RedisSentinelConfig,
  } satisfies TProperties;
}

const RedisSentinelConfig = {
  REDIS_SENTINELS: Type.Optional(
    Type.String({
      pattern: '^[^,\\s:]+:\\d+(,[^,\\s:]+:\\d+)*$',
      description: 'comma list of Sentinel host:port; unset, REDIS_URL names the server itself',
    }),
  ),
  REDIS_SENTINEL_MASTER: Type.String({ minLength: 1, default: 'mymaster', description: 'master set name' }),
  REDIS_SENTINEL_USERNAME: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'ACL user the client signs in to the Sentinels as; unset, their default user',
    }),
  ),
  REDIS_SENTINEL_PASSWORD: Type.Optional(
    Type.String({ minLength: 1, description: 'password of the Sentinels (when they have one)' }),
  ),
} satisfies TProperties;

/** Variables of every service that verifies tokens issued by Auth. */
export const TokenConfig = {
  AUTH_URL: Type.String({
    format: 'uri',
    default: 'http://127.0.0.1:8081',
    description: 'Auth base URL (JWKS)',
  }),
  JWT_ISSUER: Type.String({ default: 'minishop-auth' }),
  JWT_AUDIENCE: Type.String({ default: 'minishop' }),
} satisfies TProperties;

/** Variables of every service that calls others with a client-credentials token. */
export const ServiceClientConfig = {
  SERVICE_CLIENT_ID: Type.String({ minLength: 1, description: 'client id registered in Auth' }),
  SERVICE_CLIENT_SECRET: Secret('dev-secret-change-me', 'client secret registered in Auth'),
} satisfies TProperties;

export function Port(defaultPort: number, description?: string) {
  return Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: defaultPort,
    ...(description ? { description } : {}),
  });
}

/** A service's two ports: the public one and, 1000 above it by default, the management one. */
export function ServicePorts(port: number) {
  return {
    PORT: Port(port, 'port of the API (0: any free port)'),
    MANAGEMENT_PORT: Port(
      port === 0 ? 0 : port + 1000,
      'internal port of /healthz, /readyz and /metrics, never exposed to clients (0: any free port)',
    ),
  } satisfies TProperties;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Reads the schema's variables from env. Throws ConfigError listing every problem.
 * Outside production, variables marked with `devDefault` fall back to it.
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const production = env.MINISHOP_ENV === 'production';
  const raw: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
    else if (!production && typeof prop.devDefault === 'string') raw[key] = prop.devDefault;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const problems = [...Value.Errors(schema, converted)].map((e) => {
    const name = e.path.replace(/^\//, '') || '(config)';
    const missing = !(name in raw) && env[name] === undefined;
    return missing
      ? `${name} is required but not set`
      : `${name}: ${e.message} (got ${JSON.stringify(e.value)})`;
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return converted as Static<T>;
}

/** Loads config for a process entry point: on failure prints every problem and exits 1. */
export function loadConfigOrExit<T extends TObject>(schema: T, service: string): Static<T> {
  try {
    return loadConfig(schema);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${service}: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
