// What Auth's use cases need: the database, the hasher, the keys and the token settings.
import type { Pool } from '@minishop/kit/db';
import type { PasswordHasher } from './passwords.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { TokenSettings } from './tokens.ts';
import type { LoginLimiter } from './login-limits.ts';
import type { ServiceClient } from '../config.ts';
import type { User } from '../data/users.repository.ts';
import type { UserCache } from './user-cache.ts';

/** Delivers the email verification link; the raw token exists only here and in the email. */
export interface VerificationMailer {
  sendVerification(user: User, token: string): Promise<void>;
}

export interface AuthContext {
  pool: Pool;
  passwords: PasswordHasher;
  keys: SigningKeys;
  tokens: TokenSettings;
  limiter: LoginLimiter;
  clients: readonly ServiceClient[];
  refreshTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  mailer: VerificationMailer;
  users: UserCache;
}
