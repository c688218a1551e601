// Builds the Auth service (without listening): users, sessions, signing keys and service
// clients on @minishop/kit. Tests build it against their own database and Redis.
import formbody from '@fastify/formbody';
import { createService, type App } from '@minishop/kit/http';
import { createTokenVerifier } from '@minishop/kit/jwt';
import type { Pool } from '@minishop/kit/db';
import type { Redis } from '@minishop/kit/redis';
import { parseServiceClients, parseTrustedProxies, type Config, type ServiceClient } from './config.ts';
import { createPasswordHasher, type PasswordHasher } from './domain/passwords.ts';
import { loadSigningKeys } from './domain/signing-keys.ts';
import { createLoginLimiter } from './domain/login-limits.ts';
import type { AuthContext, VerificationMailer } from './domain/context.ts';
import { createUserCache } from './domain/user-cache.ts';
import type { TokenSettings } from './domain/tokens.ts';
import { notificationsMailer } from './verification-mailer.ts';
import { accountRoutes } from './routes/accounts.routes.ts';
import { sessionRoutes } from './routes/sessions.routes.ts';
import { tokenRoutes } from './routes/tokens.routes.ts';

export interface AuthDeps {
  config: Config;
  pool: Pool;
  redis: Redis;
  /** Parsed SERVICE_CLIENTS; read from config when absent. */
  clients?: ServiceClient[];
  /** Defaults to argon2id at OWASP's minimum; only code (tests) can pass another. */
  passwords?: PasswordHasher;
  /** Defaults to sending through Notifications when NOTIFICATIONS_URL is set. */
  mailer?: VerificationMailer;
}

export async function buildApp(deps: AuthDeps): Promise<App> {
  const { config, pool, redis } = deps;
  const keys = await loadSigningKeys(pool);
  const tokenSettings: TokenSettings = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  };
  // Auth verifies its own tokens from its own key table, not over HTTP.
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    loadKeys: () => keys.published(),
  });
  const app = await createService(
    {
      name: 'auth',
      description: 'Accounts, sessions, signing keys and service clients',
      // Login limits count per client address; behind the gateway, the one it reports.
      trustProxy: parseTrustedProxies(config.TRUSTED_PROXIES),
    },
    { config, pool, redis, tokens: verifier },
  );
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  const ctx: AuthContext = {
    pool,
    passwords:
      deps.passwords ?? createPasswordHasher(undefined, { concurrency: config.PASSWORD_HASHES_AT_ONCE }),
    keys,
    tokens: tokenSettings,
    limiter: createLoginLimiter(redis, {
      perAccount: config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      perIp: config.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: config.LOGIN_RATE_WINDOW_SECONDS,
    }),
    clients: deps.clients ?? parseServiceClients(config.SERVICE_CLIENTS),
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    emailVerificationTtlSeconds: config.EMAIL_VERIFICATION_TTL_SECONDS,
    mailer: deps.mailer ?? notificationsMailer(config.NOTIFICATIONS_URL, keys, tokenSettings, app.log),
    users: createUserCache(),
  };
  accountRoutes(app, ctx);
  sessionRoutes(app, ctx);
  tokenRoutes(app, ctx);
  return app;
}
