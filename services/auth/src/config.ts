// Auth's environment as one checked schema, plus the parsing of SERVICE_CLIENTS (a JSON
// document inside one variable) so that a malformed client list stops the service at boot.
import { Type, type Static } from '@sinclair/typebox';
import { isIP } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import { ServiceConfig, ConfigError, Secret } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8081, { database: 'auth', redis: 'login rate-limit counters' }),
  JWT_ISSUER: Type.String({ default: 'minishop-auth', description: 'iss claim of issued tokens' }),
  JWT_AUDIENCE: Type.String({ default: 'minishop', description: 'aud claim of issued tokens' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86_400, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 300, maximum: 31_536_000, default: 2_592_000 }),
  EMAIL_VERIFICATION_TTL_SECONDS: Type.Integer({ minimum: 300, maximum: 2_592_000, default: 86_400 }),
  MINISHOP_ADMIN_EMAIL: Secret('admin@minishop.local', 'email of the first admin, created at start'),
  MINISHOP_ADMIN_PASSWORD: Secret(
    'minishop-admin',
    'password of the first admin (used only when it is created)',
  ),
  MINISHOP_ADMIN_USERNAME: Type.String({ default: 'admin', pattern: '^[a-zA-Z0-9_.-]{3,32}$' }),
  SERVICE_CLIENTS: Type.String({
    default: '[]',
    description: 'JSON array of {client_id, client_secret, scopes} allowed to use POST /auth/token',
  }),
  NOTIFICATIONS_URL: Type.Optional(Type.String({ format: 'uri', description: 'Notifications base URL' })),
  PASSWORD_HASHES_AT_ONCE: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 1,
    description: 'argon2id hashes computed at the same time (7 MiB each); the others wait their turn',
  }),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_MAX_ATTEMPTS_PER_IP: Type.Integer({ minimum: 1, default: 20 }),
  LOGIN_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  TRUSTED_PROXIES: Type.String({
    default: '127.0.0.1/8,::1/128',
    description: 'comma list of IPs/CIDRs whose X-Forwarded-For is believed (the gateway); empty trusts none',
  }),
});
export type Config = Static<typeof ConfigSchema>;

export const ServiceClient = Type.Object(
  {
    client_id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    client_secret: Type.String({ minLength: 8, maxLength: 256 }),
    scopes: Type.Array(Type.String({ pattern: '^[A-Za-z0-9:._-]{1,64}$' }), { uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type ServiceClient = Static<typeof ServiceClient>;

const ServiceClients = Type.Array(ServiceClient);

/** Parses SERVICE_CLIENTS; throws ConfigError naming every problem. */
export function parseServiceClients(json: string): ServiceClient[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new ConfigError([`SERVICE_CLIENTS is not valid JSON: ${(err as Error).message}`]);
  }
  // One problem per field: a missing property also fails its type check, which says nothing new.
  const byPath = new Map<string, string>();
  for (const e of Value.Errors(ServiceClients, parsed)) {
    if (!byPath.has(e.path)) byPath.set(e.path, `SERVICE_CLIENTS${e.path}: ${e.message}`);
  }
  const problems = [...byPath.values()];
  if (problems.length === 0) {
    const seen = new Set<string>();
    for (const client of parsed as ServiceClient[]) {
      if (seen.has(client.client_id))
        problems.push(`SERVICE_CLIENTS: client_id ${client.client_id} appears twice`);
      seen.add(client.client_id);
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return parsed as ServiceClient[];
}

/** The proxies listed in TRUSTED_PROXIES; throws ConfigError for an entry that is not an address or CIDR. */
export function parseTrustedProxies(list: string): string[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const problems = entries.flatMap((entry) => {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    return family !== 0 && validBits && extra === undefined
      ? []
      : [`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return entries;
}
